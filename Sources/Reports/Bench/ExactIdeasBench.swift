import Cosma
internal import DNNGraph
import Scratchpad
internal import Heuristics
import MILP
import CosmaILP
internal import Foundation

extension BenchTables {
    /// Each idea of the exact method that can be switched off, with the options that switch it off.
    package static let ideas: [(name: String, what: String, without: @Sendable (inout ExactOptions) -> Void)] = [
        ("pin single reads", "a weight or input read by one operator is resident only while that operator runs",
         { $0.reductions.remove(.pinSingleReads) }),
        ("first-load rows", "every weight or input that is read is loaded at least once",
         { $0.reductions.remove(.firstLoadRows) }),
        ("forced-live covers", "an operator whose working set and the tensors every schedule keeps alive across it exceed the capacity forces spills (rows, and a covering program's bound checked first)",
         { $0.reductions.remove(.forcedLiveCovers) }),
        ("liveness rows", "a tensor between its producer (or a reader) and a later reader is resident or spilled, also under a fractional schedule",
         { $0.reductions.remove(.livenessRows) }),
        ("crossing bound first", "the crossing bound (minimum cuts, covers, reload intervals) is computed before the program: it may prove the warm start optimal, and the program stops once its incumbent meets it",
         { $0.reductions.remove(.crossingBound) }),
        ("fixed-schedule start", "the fixed-schedule program on the best heuristic's order runs first, as a warm start that may meet the bounds",
         { $0.reductions.remove(.fixedScheduleStart) }),
    ]

    /// results/exact-ideas.md: every instance no baseline solves, with every idea of the exact
    /// method and with each one switched off.
    package static func exactIdeas(_ instances: [BenchInstance], solver: SolverBackend, timeLimit: Double, deterministic: Bool = false,
                                  command: String, log: (String) -> Void = { _ in }) throws -> String {
        var rows: [String] = []
        for instance in instances {
            let (g, setting, name) = (instance.graph, instance.setting, instance.budget)
            guard let capacity = instance.capacity else { continue }
            let config = Configuration(capacity: capacity, tensors: setting)
            let baselines = try Cosma.baselines(Baseline.all, for: g, configuration: config)
            if baselines.contains(where: { (try? $0.result.get().report.traffic.nonCompulsory) == 0 }) { continue }
            var every = ExactOptions(solver: solver, timeLimit: timeLimit)
            every.deterministic = deterministic
            let variants = [("every idea", every)]
                + ideas.map { idea in
                    var options = every
                    idea.without(&options)
                    return ("without \(idea.name)", options)
                }
            for (variant, options) in variants {
                log("solving \(g.name) \(setting.rawValue) \(name.rawValue): \(variant)")
                // The joint program alone: divide and conquer's polishing would blur what each idea does.
                let r = try ExactPlanner(graph: g, configuration: config, options: options).solve()
                let size = r.capacityProgram.map { "\($0.variables) / \($0.rows)" } ?? "-"
                rows.append("| \(g.name) | \(setting.rawValue) | \(name.rawValue) | \(variant) | \(size) | \(r.status.rawValue) | \(r.nonCompulsory) | \(r.bound) | \(String(format: "%.3f / %.3f", r.buildSeconds, r.solveSeconds)) |")
            }
        }
        let header = preamble("Exact method: what each idea buys", command: command) + [
            "- solver: \(solver.rawValue) \(solver.version), single runs",
            "- mode: \(limitMode(timeLimit, deterministic: deterministic, per: "solve"))", "",
            "Every instance that no baseline already solves with zero non-compulsory traffic, solved with every idea",
            "and then with each idea switched off. Program size is the capacity program's variables / rows as built.",
            "Traffic and bound are non-compulsory bytes; times are building / solving in seconds.", "",
            "Ideas:",
        ] + ideas.map { "- **\($0.name)**: \($0.what)" } + [
            "",
            "| graph | setting | budget | variant | program variables / rows | status | traffic | bound | build / solve s |",
            "|---|---|---|---|---:|---|---:|---:|---:|",
        ]
        return (header + rows).joined(separator: "\n") + "\n"
    }
}
