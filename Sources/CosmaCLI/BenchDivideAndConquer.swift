import ArgumentParser
import Cosma
import DNNGraph
import Scratchpad
import Heuristics
import MILP
import CosmaILP
import DivideAndConquer
import ONNXImport
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

    @Option(name: .long, help: "Time budget per instance, in seconds (work units with --deterministic).")
    var timeLimit: Double = 60

    @Flag(name: .long, help: "Count the budget in work units instead of seconds: the same plans on any machine and under any load.")
    var deterministic = false

    @Flag(name: .long, help: "Plan at M_R, a third and two thirds of the way to M_H, and M_H, instead of M_R, M_H and M_P.")
    var between = false

    @Option(name: .long, help: "A folder that keeps each instance's row: a run resumes from it, and shards share it.")
    var journal: String?

    @Option(name: .long, help: "Run only this shard's instances (I/N); the table shows the others from --journal.")
    var shard: String?

    @Option(name: .long, help: "The journal of a second run of the same instances: the table says whether each plan is the same bytes.")
    var agreeWith: String?

    @Flag(name: .long, help: "Write the table from --journal alone, running nothing.")
    var reportOnly = false

    @Option(name: .long, help: "Operators per segment in the first pass.")
    var segmentOps = DivideAndConquerOptions().segmentOperators

    @Flag(name: .long, help: "Also solve each instance with the exact method and compare where it proves an optimum.")
    var compareExact = false

    @Option(name: .long, help: "Where to write the Markdown report.")
    var out = "results/divide-and-conquer.md"

    func validate() throws {
        try validateTimeLimit(timeLimit)
        guard segmentOps >= 2 else { throw ValidationError("--segment-ops must be at least 2, got \(segmentOps)") }
    }

    func run() throws {
        try reportingErrors {
            var settings = BenchTables.DivideAndConquerSettings(solver: solver, timeLimit: timeLimit, segmentOperators: segmentOps,
                                                                compareExact: compareExact)
            settings.deterministic = deterministic
            settings.between = between
            settings.journal = journal.map { URL(fileURLWithPath: $0) }
            settings.shard = try shard.map { try Shard(parsing: $0) }
            settings.agreeWith = agreeWith.map { URL(fileURLWithPath: $0) }
            settings.reportOnly = reportOnly
            let table = try BenchTables.divideAndConquer(try loadGraphs(graphs), settings: settings, command: commandLine(),
                                                   log: logProgress)
            try writeReport(table, to: out)
        }
    }
}
