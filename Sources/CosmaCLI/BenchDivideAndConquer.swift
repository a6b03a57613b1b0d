import ArgumentParser
import Cosma
import Foundation
import Reports

struct BenchDivideAndConquer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "divide-and-conquer",
        abstract: "Run divide and conquer on every graph in both tensor settings at M_R, M_H and M_P and record traffic, bound and time against the baselines (and the exact method with --compare-exact).",
        discussion: "Budgets that need an unproven M_P are listed as unavailable. The reduction is against the best of every heuristic Cosma implements (the plan divide and conquer starts from) and against the best of the paper's four baselines.")

    @Option(name: .long, parsing: .upToNextOption, help: "Graph files or glob patterns (quote them), for example 'graphs/*.json'.")
    var graphs: [String]

    @Option(name: .long, help: "The MILP solver.")
    var solver: SolverBackend = .cbc

    @Option(name: .long, help: "Time budget per instance, in seconds.")
    var timeLimit: Double = 60

    @Option(name: .long, help: "Operators per segment in the first pass.")
    var segmentOps = DivideAndConquerOptions().segmentOperators

    @Flag(name: .long, help: "Also solve each instance with the exact method and compare where it proves an optimum.")
    var compareExact = false

    @Option(name: .long, help: "Where to write the Markdown report.")
    var out = "results/divide-and-conquer.md"

    func validate() throws {
        guard timeLimit > 0 else { throw ValidationError("--time-limit must be positive, got \(timeLimit)") }
        guard segmentOps >= 2 else { throw ValidationError("--segment-ops must be at least 2, got \(segmentOps)") }
    }

    func run() throws {
        try reportingErrors {
            var rows: [String] = []
            var reductions: [Double] = []
            var paperReductions: [Double] = []
            var paperFailures = 0
            var excesses: [Double] = []
            var walls: [Double] = []
            for instance in try benchInstances(graphs) {
                let (g, setting, name) = (instance.graph, instance.setting, instance.budget)
                guard let capacity = instance.capacity else {
                    rows.append("| \(g.name) | \(setting.rawValue) | \(name.rawValue) | - | unavailable (M_P not proven) | | | | | | | | |" + (compareExact ? " |" : ""))
                    continue
                }
                FileHandle.standardError.write(Data("solving \(g.name) \(setting.rawValue) \(name.rawValue)\n".utf8))
                let config = Configuration(capacity: capacity, tensors: setting)
                let outcomes = try Cosma.baselines(Baseline.all, for: g, configuration: config)
                func best(_ subset: [Baseline]) -> Int? {
                    outcomes.filter { subset.contains($0.baseline) }.compactMap { try? $0.result.get().report.traffic.nonCompulsory }.min()
                }
                let bestHeuristic = best(Baseline.all)
                let bestPaper = best(Baseline.paper)
                let clock = ContinuousClock()
                let start = clock.now
                let options = ExactOptions(solver: solver, timeLimit: timeLimit)
                let result = try Cosma.solve(g, configuration: config, method: .divideAndConquer, options: options, segmentOperators: segmentOps)
                let wall = (clock.now - start).inSeconds
                walls.append(wall)
                var reduction = bestHeuristic == nil ? "all fail" : "-"
                if let b = bestHeuristic, b > 0 {
                    let r = 1 - Double(result.nonCompulsory) / Double(b)
                    reductions.append(r)
                    reduction = String(format: "%.0f%%", 100 * r)
                }
                var paperReduction = bestPaper == nil ? "all fail" : "-"
                if let b = bestPaper, b > 0 {
                    let r = 1 - Double(result.nonCompulsory) / Double(b)
                    paperReductions.append(r)
                    paperReduction = String(format: "%.0f%%", 100 * r)
                }
                if bestPaper == nil { paperFailures += 1 }
                let gap = result.nonCompulsory == 0 ? "0%" : String(format: "%.0f%%", 100 * result.gap)
                var row = "| \(g.name) | \(setting.rawValue) | \(name.rawValue) | \(capacity) | \(result.status.rawValue) | \(result.nonCompulsory) | \(result.bound) | \(gap) | \(bestPaper.map(String.init) ?? "all fail") | \(paperReduction) | \(bestHeuristic.map(String.init) ?? "all fail") | \(reduction) | \(String(format: "%.1f", wall)) |"
                if compareExact {
                    let exact = try Cosma.solve(g, configuration: config, options: options)
                    if exact.status == .optimal {
                        let excess = exact.nonCompulsory == 0 ? (result.nonCompulsory == 0 ? 0 : 1) : Double(result.nonCompulsory - exact.nonCompulsory) / Double(exact.nonCompulsory)
                        excesses.append(excess)
                        row += " \(exact.nonCompulsory) (optimal; D&C +\(String(format: "%.1f", 100 * excess))%) |"
                    } else {
                        row += " \(exact.nonCompulsory) (\(exact.status.rawValue)) |"
                    }
                }
                rows.append(row)
            }
            func mean(_ v: [Double]) -> String { v.isEmpty ? "-" : String(format: "%.1f%%", 100 * v.reduce(0, +) / Double(v.count)) }
            var header = [
                "# Divide and conquer: traffic, bound and time", "",
                "Written by `cosma \(CommandLine.arguments.dropFirst().joined(separator: " "))` on \(MachineInfo.timestamp()).",
                "", "- machine: \(MachineInfo.description())", "- toolchain: \(MachineInfo.toolchainVersion())",
                "- solver: \(solver.rawValue) \(solver.version), time budget \(timeLimit) s per instance, segments of \(segmentOps) operators in the first pass, one run each",
                "- wall time per instance: median \(String(format: "%.1f", median(walls))) s, slowest \(String(format: "%.1f", walls.max() ?? 0)) s",
                "- average reduction against the best of the paper's four baselines (default or minimum-peak order, Belady or greedy replacement, TensorFlow Lite allocation), over the \(paperReductions.count) instances where that baseline spills: \(mean(paperReductions)); on \(paperFailures) instances every one of them fails (fragmentation), and those are not in the average",
                "- average reduction against the best heuristic (the paper's baselines and Cosma's own), over the \(reductions.count) instances where it spills: \(mean(reductions)) (arithmetic means of `1 - cosma / baseline`)",
            ]
            if compareExact {
                header.append("- average excess over the exact optimum, over the \(excesses.count) instances the exact method proves: \(mean(excesses)) (arithmetic mean of `cosma / optimum - 1`; +100% where the optimum is 0 and divide and conquer is not)")
            }
            header += [
                "",
                "Traffic, bound and baselines are non-compulsory bytes. The bound is valid for every schedule (the crossing",
                "bound: the largest of the minimum cuts, the covering program over tensors that cross an operator in every",
                "schedule, and the reload intervals along a chain of operators); `optimal` means the plan meets it. Divide",
                "and conquer starts from the best heuristic (and a spill-aware order search), so it is never worse.",
                "Wall time includes the baselines it starts from and the bound.", "",
                "| graph | setting | budget | capacity | status | traffic | bound | gap | best paper baseline | reduction | best heuristic | reduction | wall s |" + (compareExact ? " exact |" : ""),
                "|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|" + (compareExact ? "---:|" : ""),
            ]
            try writeAtomically((header + rows).joined(separator: "\n") + "\n", to: URL(fileURLWithPath: out))
            print("wrote \(out)")
        }
    }
}
