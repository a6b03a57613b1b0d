import Cosma
internal import DNNGraph
import Scratchpad
internal import Heuristics
import MILP
import CosmaILP
internal import Foundation

extension BenchTables {
    /// The settings of the divide-and-conquer table.
    package struct DivideAndConquerSettings: Sendable {
        package var solver: SolverBackend
        package var timeLimit: Double
        package var segmentOperators: Int
        /// Also solve each instance with the exact method and compare where it proves an optimum.
        package var compareExact: Bool

        package init(solver: SolverBackend, timeLimit: Double, segmentOperators: Int, compareExact: Bool) {
            self.solver = solver
            self.timeLimit = timeLimit
            self.segmentOperators = segmentOperators
            self.compareExact = compareExact
        }
    }

    /// What the summary lines of the divide-and-conquer table average.
    struct DivideAndConquerSummary {
        var reductions: [Double] = []
        var paperReductions: [Double] = []
        var paperFailures = 0
        var excesses: [Double] = []
        var walls: [Double] = []
    }

    /// results/divide-and-conquer.md: divide and conquer on every instance, with traffic, bound,
    /// gap and wall time against the best heuristic and the paper's baselines (and the exact
    /// optimum with ``DivideAndConquerSettings/compareExact``).
    package static func divideAndConquer(_ instances: [BenchInstance], settings: DivideAndConquerSettings, command: String,
                                        log: (String) -> Void = { _ in }) throws -> String {
        var rows: [String] = []
        var summary = DivideAndConquerSummary()
        for instance in instances {
            let (g, setting, name) = (instance.graph, instance.setting, instance.budget)
            guard let capacity = instance.capacity else {
                rows.append("| \(g.name) | \(setting.rawValue) | \(name.rawValue) | - | unavailable (M_P not proven) | | | | | | | | |" + (settings.compareExact ? " |" : ""))
                continue
            }
            log("solving \(g.name) \(setting.rawValue) \(name.rawValue)")
            let config = Configuration(capacity: capacity, tensors: setting)
            let outcomes = try Cosma.baselines(Baseline.all, for: g, configuration: config)
            func best(_ subset: [Baseline]) -> Int? {
                outcomes.filter { subset.contains($0.baseline) }.compactMap { try? $0.result.get().report.traffic.nonCompulsory }.min()
            }
            let bestHeuristic = best(Baseline.all)
            let bestPaper = best(Baseline.paper)
            let clock = ContinuousClock()
            let start = clock.now
            let options = ExactOptions(solver: settings.solver, timeLimit: settings.timeLimit)
            let result = try Cosma.solve(g, configuration: config, method: .divideAndConquer, options: options,
                                         segmentOperators: settings.segmentOperators)
            let wall = (clock.now - start).inSeconds
            summary.walls.append(wall)
            var reduction = bestHeuristic == nil ? "all fail" : "-"
            if let b = bestHeuristic, b > 0 {
                let r = 1 - Double(result.nonCompulsory) / Double(b)
                summary.reductions.append(r)
                reduction = String(format: "%.0f%%", 100 * r)
            }
            var paperReduction = bestPaper == nil ? "all fail" : "-"
            if let b = bestPaper, b > 0 {
                let r = 1 - Double(result.nonCompulsory) / Double(b)
                summary.paperReductions.append(r)
                paperReduction = String(format: "%.0f%%", 100 * r)
            }
            if bestPaper == nil { summary.paperFailures += 1 }
            let gap = String(format: "%.0f%%", 100 * result.gap)
            var row = "| \(g.name) | \(setting.rawValue) | \(name.rawValue) | \(capacity) | \(result.status.rawValue) | \(result.nonCompulsory) | \(result.bound) | \(gap) | \(bestPaper.map(String.init) ?? "all fail") | \(paperReduction) | \(bestHeuristic.map(String.init) ?? "all fail") | \(reduction) | \(String(format: "%.1f", wall)) |"
            if settings.compareExact {
                let exact = try Cosma.solve(g, configuration: config, options: options)
                if exact.status == .optimal {
                    let excess = exact.nonCompulsory == 0 ? (result.nonCompulsory == 0 ? 0 : 1) : Double(result.nonCompulsory - exact.nonCompulsory) / Double(exact.nonCompulsory)
                    summary.excesses.append(excess)
                    row += " \(exact.nonCompulsory) (optimal; D&C +\(String(format: "%.1f", 100 * excess))%) |"
                } else {
                    row += " \(exact.nonCompulsory) (\(exact.status.rawValue)) |"
                }
            }
            rows.append(row)
        }
        return (divideAndConquerHeader(summary, settings: settings, command: command) + rows).joined(separator: "\n") + "\n"
    }

    static func divideAndConquerHeader(_ s: DivideAndConquerSummary, settings: DivideAndConquerSettings, command: String) -> [String] {
        func mean(_ v: [Double]) -> String { v.isEmpty ? "-" : String(format: "%.1f%%", 100 * v.reduce(0, +) / Double(v.count)) }
        var header = preamble("Divide and conquer: traffic, bound and time", command: command) + [
            "- solver: \(settings.solver.rawValue) \(settings.solver.version), time budget \(settings.timeLimit) s per instance, segments of \(settings.segmentOperators) operators in the first pass, one run each",
            "- wall time per instance: median \(String(format: "%.1f", median(s.walls))) s, slowest \(String(format: "%.1f", s.walls.max() ?? 0)) s",
            "- average reduction against the best of the paper's four baselines (default or minimum-peak order, Belady or greedy replacement, TensorFlow Lite allocation), over the \(s.paperReductions.count) instances where that baseline spills: \(mean(s.paperReductions)); on \(s.paperFailures) instances every one of them fails (fragmentation), and those are not in the average",
            "- average reduction against the best heuristic (the paper's baselines and Cosma's own), over the \(s.reductions.count) instances where it spills: \(mean(s.reductions)) (arithmetic means of `1 - cosma / baseline`)",
        ]
        if settings.compareExact {
            header.append("- average excess over the exact optimum, over the \(s.excesses.count) instances the exact method proves: \(mean(s.excesses)) (arithmetic mean of `cosma / optimum - 1`; +100% where the optimum is 0 and divide and conquer is not)")
        }
        return header + [
            "",
            "Traffic, bound and baselines are non-compulsory bytes. The bound is valid for every schedule (the crossing",
            "bound: the largest of the minimum cuts, the covering program over tensors that cross an operator in every",
            "schedule, and the reload intervals along a chain of operators); `optimal` means the plan meets it. Divide",
            "and conquer starts from the best heuristic (and a spill-aware order search), so it is never worse.",
            "Wall time includes the baselines it starts from and the bound.", "",
            "| graph | setting | budget | capacity | status | traffic | bound | gap | best paper baseline | reduction | best heuristic | reduction | wall s |" + (settings.compareExact ? " exact |" : ""),
            "|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|" + (settings.compareExact ? "---:|" : ""),
        ]
    }
}
