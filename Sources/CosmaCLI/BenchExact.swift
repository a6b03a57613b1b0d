import ArgumentParser
import Cosma
import Foundation
import Reports

struct BenchExact: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exact",
        abstract: "Solve every graph in both tensor settings at M_R, M_H and M_P with the exact method and record status, traffic, bound and times.",
        discussion: "Budgets that need an unproven M_P are listed as unavailable. Each instance also records the best baseline of the paper's four, for the reduction. Solve times are single runs (medians need --repeats).")

    @Option(name: .long, parsing: .upToNextOption, help: "Graph files or glob patterns (quote them), for example 'graphs/*.json'.")
    var graphs: [String]

    @Option(name: .long, parsing: .upToNextOption, help: "The MILP solvers; each instance is solved with each of them (for example --solver cbc glpk).")
    var solver: [SolverBackend] = [.cbc]

    @Option(name: .long, help: "Time limit per instance, in seconds.")
    var timeLimit: Double = 60

    @Option(name: .long, help: "Runs per instance; the report gives the median times.")
    var repeats = 1

    @Option(name: .long, help: "Where to write the Markdown report.")
    var out = "results/exact.md"

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
        guard timeLimit > 0 else { throw ValidationError("--time-limit must be positive, got \(timeLimit)") }
    }

    func run() throws {
        try reportingErrors {
            var rows: [String] = []
            var solveTimes: [SolverBackend: [Double]] = [:]
            var provenCount: [SolverBackend: Int] = [:]
            for instance in try benchInstances(graphs) {
                let (g, setting, name) = (instance.graph, instance.setting, instance.budget)
                guard let capacity = instance.capacity else {
                    rows.append("| \(g.name) | \(setting.rawValue) | \(name.rawValue) | - | - | unavailable (M_P not proven) | | | | | |")
                    continue
                }
                FileHandle.standardError.write(Data("solving \(g.name) \(setting.rawValue) \(name.rawValue)\n".utf8))
                let config = Configuration(capacity: capacity, tensors: setting)
                let baselines = try Cosma.baselines(Baseline.paper, for: g, configuration: config)
                let bestBaseline = baselines.compactMap { try? $0.result.get().report.traffic.nonCompulsory }.min()
                for backend in solver {
                    var runs: [PlanResult] = []
                    for _ in 0..<repeats {
                        runs.append(try Cosma.solve(g, configuration: config, options: ExactOptions(solver: backend, timeLimit: timeLimit)))
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
            let header = [
                "# Exact method: status, traffic and times", "",
                "Written by `cosma \(CommandLine.arguments.dropFirst().joined(separator: " "))` on \(MachineInfo.timestamp()).",
                "", "- machine: \(MachineInfo.description())", "- toolchain: \(MachineInfo.toolchainVersion())",
                "- time limit \(timeLimit) s per instance, medians of \(repeats) run(s)",
            ] + solver.map { backend in
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
            try writeAtomically((header + rows).joined(separator: "\n") + "\n", to: URL(fileURLWithPath: out))
            print("wrote \(out)")
        }
    }
}

func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// One graph, tensor setting and named budget of a benchmark; `capacity` is `nil` when the budget
/// needs an `M_P` that is not proven.
struct BenchInstance {
    var graph: Graph
    var setting: TensorSetting
    var budget: BudgetName
    var capacity: Int?
}

/// Every graph the patterns match, in both settings, at every named budget.
func benchInstances(_ patterns: [String]) throws -> [BenchInstance] {
    var result: [BenchInstance] = []
    for pattern in patterns {
        let paths = expandGlob(pattern)
        guard !paths.isEmpty else {
            throw InputError(source: pattern, message: "no file matches this pattern; check the path or quote the glob")
        }
        for path in paths {
            let g = try loadGraph(path)
            for setting in TensorSetting.allCases {
                let budgets = Cosma.budgets(for: g, tensors: setting)
                for name in BudgetName.allCases {
                    result.append(BenchInstance(graph: g, setting: setting, budget: name, capacity: try? budgets.resolve(.budget(name))))
                }
            }
        }
    }
    return result
}
