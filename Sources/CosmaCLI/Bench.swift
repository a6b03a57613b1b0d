import ArgumentParser
import Cosma
import Foundation
import Reports

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure run times and write a report to results/.", subcommands: [BenchHeuristics.self, BenchExact.self, BenchExactIdeas.self, BenchDivideAndConquer.self,
                     // Address allocation (issue 23).
                     BenchAllocation.self])
}

struct BenchHeuristics: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heuristics",
        abstract: "Time every schedule and every heuristic combination on a set of graphs, in both tensor settings.",
        discussion: "Plans are made at M_R, M_H, M_P and halfway from M_P to the default order's peak (when M_P is proven), and at the default order's peak. Times are medians; build with -c release for meaningful numbers.")

    @Option(name: .long, parsing: .upToNextOption, help: "Graph files or glob patterns (quote them), for example 'graphs/*.json'.")
    var graphs: [String] = []

    @Option(name: .long, parsing: .upToNextOption, help: "Also measure seeded synthetic residual networks with these operator counts.")
    var synthetic: [Int] = []

    @Option(name: .long, help: "Runs per measurement; the report gives the median.")
    var repeats = 5

    @Option(name: .long, help: "Where to write the Markdown report.")
    var out = "results/heuristics.md"

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
        guard !graphs.isEmpty || !synthetic.isEmpty else { throw ValidationError("give --graphs, --synthetic or both") }
        if let bad = synthetic.first(where: { $0 < 1 }) { throw ValidationError("--synthetic sizes must be positive, got \(bad)") }
    }

    func run() throws {
        try reportingErrors {
            var loaded: [Graph] = []
            for pattern in graphs {
                let paths = expandGlob(pattern)
                guard !paths.isEmpty else {
                    throw InputError(source: pattern, message: "no file matches this pattern; check the path or quote the glob")
                }
                loaded += try paths.map(loadGraph)
            }
            loaded += try synthetic.map { try Graph(document: SyntheticGraphs.residualNetwork(operators: $0, seed: 1)) }
            let benchmark = HeuristicBenchmark(repeats: repeats)
            var measurements = HeuristicBenchmark.Measurements()
            for graph in loaded {
                FileHandle.standardError.write(Data("measuring \(graph.name) (\(graph.operators.count) operators)\n".utf8))
                try benchmark.measure(graph, into: &measurements)
            }
            try writeAtomically(report(measurements), to: URL(fileURLWithPath: out))
            print("wrote \(out)")
        }
    }

    func report(_ m: HeuristicBenchmark.Measurements) -> String {
        func ms(_ seconds: Double) -> String { String(format: "%.2f", seconds * 1000) }
        // How the minimum is proven, or the bound left when it is not.
        func proven(_ s: Schedule) -> String {
            if let proof = s.proof { return "yes: \(proof)" }
            return s.lowerBound.map { "no (no order below \($0))" } ?? "no"
        }
        var lines = [
            "# Heuristic baselines: run times", "",
            "Written by `cosma \(CommandLine.arguments.dropFirst().joined(separator: " "))` on \(MachineInfo.timestamp()).",
            "", "- machine: \(MachineInfo.description())", "- toolchain: \(MachineInfo.toolchainVersion())",
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

/// Paths matching a shell glob, sorted; a plain path matches itself if it exists.
func expandGlob(_ pattern: String) -> [String] {
    var matches = glob_t()
    defer { globfree(&matches) }
    guard glob(pattern, 0, nil, &matches) == 0 else { return [] }
    return (0..<Int(matches.gl_pathc)).compactMap { matches.gl_pathv[$0].map { String(cString: $0) } }.sorted()
}
