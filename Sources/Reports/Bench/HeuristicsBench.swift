import Cosma
package import DNNGraph
import Scratchpad
import MILP
import CosmaILP
internal import Heuristics
internal import Foundation

extension BenchTables {
    /// results/heuristics.md: times every schedule and every heuristic combination on `graphs`
    /// (medians of `repeats` runs), in both tensor settings.
    package static func heuristics(_ graphs: [Graph], repeats: Int, command: String, log: (String) -> Void = { _ in }) throws -> String {
        let benchmark = HeuristicBenchmark(repeats: repeats) { Cosma.schedule(.mpmf, for: $0, tensors: $1) }
        var measurements = HeuristicBenchmark.Measurements()
        for graph in graphs {
            log("measuring \(graph.name) (\(graph.operators.count) operators)")
            try benchmark.measure(graph, into: &measurements)
        }
        return heuristics(measurements, repeats: repeats, command: command)
    }

    /// results/heuristics.md from its measurements.
    static func heuristics(_ m: HeuristicBenchmark.Measurements, repeats: Int, command: String) -> String {
        func ms(_ seconds: Double) -> String { String(format: "%.2f", seconds * 1000) }
        // How the minimum is proven, or the bound left when it is not.
        func proven(_ s: Schedule) -> String {
            if let proof = s.proof { return "yes: \(proof)" }
            return s.lowerBound.map { "no (no order below \($0))" } ?? "no"
        }
        var lines = preamble("Heuristic baselines: run times", command: command) + [
            "- build: \(MachineInfo.buildConfiguration), medians of \(repeats) runs", "",
            "Schedules are timed alone. A plan's time covers allocation, replacement and the simulator's certification,",
            "with its schedule already computed. `tflite-arena` marks plans where TensorFlow Lite's arena planner fit",
            "the capacity (no spills); the others ran on-line. Traffic is non-compulsory bytes.", "",
            "## Schedules", "",
            "| graph | ops | setting | schedule | algorithm | peak bytes | proven minimal | median ms |",
            "|---|---:|---|---|---|---:|---|---:|",
        ]
        for r in m.schedules {
            lines.append("| \(r.graph) | \(r.operators) | \(r.setting.rawValue) | \(r.kind.rawValue) | \(r.schedule.algorithm) | \(r.schedule.peakBytes) | \(proven(r.schedule)) | \(ms(r.medianSeconds)) |")
        }
        lines += ["", "## Plans", "", "| graph | ops | setting | budget | capacity | combination | traffic | method | median ms |",
                  "|---|---:|---|---|---:|---|---:|---|---:|"]
        for r in m.plans {
            let outcome = switch r.result {
            case .success(let traffic): "\(traffic)"
            case .failure(let failure): "fails at step \(failure.step + 1) (\(failure.bytesNeeded) B needed, largest gap \(failure.largestGap) B)"
            }
            lines.append("| \(r.graph) | \(r.operators) | \(r.setting.rawValue) | \(r.budget) | \(r.capacity) | \(r.baseline) | \(outcome) | \(r.method ?? "-") | \(ms(r.medianSeconds)) |")
        }
        lines += ["", "## Slowest plan per graph", "", "| graph | ops | slowest median ms | combination |", "|---|---:|---:|---|"]
        for graph in Set(m.plans.map(\.graph)).sorted() {
            if let worst = m.plans.filter({ $0.graph == graph }).max(by: { $0.medianSeconds < $1.medianSeconds }) {
                lines.append("| \(graph) | \(worst.operators) | \(ms(worst.medianSeconds)) | \(worst.baseline) (\(worst.setting.rawValue), \(worst.budget)) |")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
