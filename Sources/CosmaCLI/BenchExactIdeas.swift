import ArgumentParser
import Cosma
import Foundation
import Reports

struct BenchExactIdeas: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exact-ideas",
        abstract: "Measure what each idea of the exact method buys: solve every instance the baselines do not already solve, with every idea and with each one switched off.",
        discussion: "Instances are the graphs' M_R, M_H and M_P budgets in both tensor settings; those where a baseline already has zero non-compulsory traffic are skipped, since no idea is used there.")

    @Option(name: .long, parsing: .upToNextOption, help: "Graph files or glob patterns (quote them), for example 'graphs/*.json'.")
    var graphs: [String]

    @Option(name: .long, help: "The MILP solver.")
    var solver: SolverBackend = .cbc

    @Option(name: .long, help: "Time limit per solve, in seconds.")
    var timeLimit: Double = 60

    @Option(name: .long, help: "Where to write the Markdown report.")
    var out = "results/exact-ideas.md"

    func validate() throws {
        guard timeLimit > 0 else { throw ValidationError("--time-limit must be positive, got \(timeLimit)") }
    }

    /// Each idea that can be switched off, with the options that switch it off.
    static let ideas: [(name: String, what: String, without: @Sendable (inout ExactOptions) -> Void)] = [
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

    func run() throws {
        try reportingErrors {
            var rows: [String] = []
            for instance in try benchInstances(graphs) {
                let (g, setting, name) = (instance.graph, instance.setting, instance.budget)
                guard let capacity = instance.capacity else { continue }
                let config = Configuration(capacity: capacity, tensors: setting)
                let baselines = try Cosma.baselines(Baseline.all, for: g, configuration: config)
                if baselines.contains(where: { (try? $0.result.get().report.traffic.nonCompulsory) == 0 }) { continue }
                let variants = [("every idea", ExactOptions(solver: solver, timeLimit: timeLimit))]
                    + Self.ideas.map { idea in
                        var options = ExactOptions(solver: solver, timeLimit: timeLimit)
                        idea.without(&options)
                        return ("without \(idea.name)", options)
                    }
                for (variant, options) in variants {
                    FileHandle.standardError.write(Data("solving \(g.name) \(setting.rawValue) \(name.rawValue): \(variant)\n".utf8))
                    // The joint program alone: divide and conquer's polishing would blur what each idea does.
                    let r = try ExactPlanner(graph: g, configuration: config, options: options).solve()
                    let size = r.capacityProgram.map { "\($0.variables) / \($0.rows)" } ?? "-"
                    rows.append("| \(g.name) | \(setting.rawValue) | \(name.rawValue) | \(variant) | \(size) | \(r.status.rawValue) | \(r.nonCompulsory) | \(r.bound) | \(String(format: "%.3f / %.3f", r.buildSeconds, r.solveSeconds)) |")
                }
            }
            let header = [
                "# Exact method: what each idea buys", "",
                "Written by `cosma \(CommandLine.arguments.dropFirst().joined(separator: " "))` on \(MachineInfo.timestamp()).",
                "", "- machine: \(MachineInfo.description())", "- toolchain: \(MachineInfo.toolchainVersion())",
                "- solver: \(solver.rawValue) \(solver.version), time limit \(timeLimit) s per solve, single runs", "",
                "Every instance that no baseline already solves with zero non-compulsory traffic, solved with every idea",
                "and then with each idea switched off. Program size is the capacity program's variables / rows as built.",
                "Traffic and bound are non-compulsory bytes; times are building / solving in seconds.", "",
                "Ideas:",
            ] + Self.ideas.map { "- **\($0.name)**: \($0.what)" } + [
                "",
                "| graph | setting | budget | variant | program variables / rows | status | traffic | bound | build / solve s |",
                "|---|---|---|---|---:|---|---:|---:|---:|",
            ]
            try writeAtomically((header + rows).joined(separator: "\n") + "\n", to: URL(fileURLWithPath: out))
            print("wrote \(out)")
        }
    }
}
