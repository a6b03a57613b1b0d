import Cosma
internal import DNNGraph
import Scratchpad
internal import Heuristics
import MILP
import CosmaILP
internal import Foundation

extension BenchTables {
    /// results/exact.md: every instance solved by the exact method with each solver, with status,
    /// traffic, bound, the best of the paper's baselines and the times (medians of `repeats`). A
    /// `deterministic` limit counts work units, so that what is proven does not depend on the load.
    package static func exact(_ instances: [BenchInstance], solvers: [SolverBackend], timeLimit: Double, deterministic: Bool = false,
                             repeats: Int, command: String, log: (String) -> Void = { _ in }) throws -> String {
        var rows: [String] = []
        var solveTimes: [SolverBackend: [Double]] = [:]
        var provenCount: [SolverBackend: Int] = [:]
        for instance in instances {
            let (g, setting, name) = (instance.graph, instance.setting, instance.budget)
            guard let capacity = instance.capacity else {
                rows.append("| \(g.name) | \(setting.rawValue) | \(name.rawValue) | - | - | unavailable (M_P not proven) | | | | | |")
                continue
            }
            log("solving \(g.name) \(setting.rawValue) \(name.rawValue)")
            let config = Configuration(capacity: capacity, tensors: setting)
            let baselines = try Cosma.baselines(Baseline.paper, for: g, configuration: config)
            let bestBaseline = baselines.compactMap { try? $0.result.get().report.traffic.nonCompulsory }.min()
            for backend in solvers {
                var runs: [PlanResult] = []
                for _ in 0..<repeats {
                    var options = ExactOptions(solver: backend, timeLimit: timeLimit)
                    options.deterministic = deterministic
                    runs.append(try Cosma.solve(g, configuration: config, options: options))
                }
                let result = runs[0]
                let solve = median(runs.map(\.solveSeconds))
                let build = median(runs.map(\.buildSeconds))
                solveTimes[backend, default: []].append(solve)
                if result.status == .optimal { provenCount[backend, default: 0] += 1 }
                let reduction = bestBaseline.map { b in b == 0 ? "-" : String(format: "%.0f%%", 100 * (1 - Double(result.nonCompulsory) / Double(b))) } ?? "all fail"
                rows.append("| \(g.name) | \(setting.rawValue) | \(name.rawValue) | \(capacity) | \(backend.rawValue) | \(result.status.rawValue) | \(result.nonCompulsory) | \(result.bound) | \(bestBaseline.map(String.init) ?? "all fail") | \(reduction) | \(String(format: "%.3f / %.3f", build, solve)) |")
            }
        }
        let header = preamble("Exact method: status, traffic and times", command: command) + [
            "- mode: \(limitMode(timeLimit, deterministic: deterministic, per: "instance")); times are medians of \(repeats) run(s)",
        ] + solvers.map { backend in
            let times = solveTimes[backend] ?? []
            return "- \(backend.rawValue) \(backend.version): \(provenCount[backend] ?? 0) of \(times.count) instances proven optimal; median solve time \(String(format: "%.3f", median(times))) s; slowest \(String(format: "%.3f", times.max() ?? 0)) s"
        } + [
            "",
            "Traffic and bound are non-compulsory bytes; `optimal` means the plan meets a proven lower bound. The baseline",
            "column is the best of the paper's four (default or minimum-peak order, Belady or greedy replacement);",
            "the reduction is `1 - cosma / baseline`. Times are building / solving in seconds.", "",
            "| graph | setting | budget | capacity | solver | status | traffic | bound | best baseline | reduction | build / solve s |",
            "|---|---|---|---:|---|---|---:|---:|---:|---:|---:|",
        ]
        return (header + rows).joined(separator: "\n") + "\n"
    }
}
