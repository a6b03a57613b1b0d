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

struct BenchExact: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exact",
        abstract: "Solve every graph in both tensor settings at M_R, M_H and M_P with the exact method and record status, traffic, bound and times.",
        discussion: "Budgets that need an unproven M_P are listed as unavailable. Each instance also records the best baseline of the paper's four, for the reduction. Solve times are single runs (medians need --repeats).")

    @Option(name: .long, parsing: .upToNextOption, help: "Graph files or glob patterns (quote them), for example 'graphs/*.json'.")
    var graphs: [String]

    @Option(name: .long, parsing: .upToNextOption, help: "The MILP solvers; each instance is solved with each of them (for example --solver cbc glpk).")
    var solver: [SolverBackend] = [.cbc]

    @Option(name: .long, help: "Time limit per instance, in seconds (work units with --deterministic).")
    var timeLimit: Double = 60

    @Flag(name: .long, help: "Count the limit in work units instead of seconds: what is proven does not depend on the machine's speed or load.")
    var deterministic = false

    @Option(name: .long, help: "Runs per instance; the report gives the median times.")
    var repeats = 1

    @Option(name: .long, help: "Where to write the Markdown report.")
    var out = "results/exact.md"

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
        try validateTimeLimit(timeLimit)
    }

    func run() throws {
        try reportingErrors {
            let table = try BenchTables.exact(try benchInstances(graphs), solvers: solver, timeLimit: timeLimit, deterministic: deterministic,
                                              repeats: repeats,
                                        command: commandLine(), log: logProgress)
            try writeReport(table, to: out)
        }
    }
}

/// Every graph the patterns match, in both settings, at every named budget.
func benchInstances(_ patterns: [String]) throws -> [BenchInstance] {
    BenchTables.instances(try loadGraphs(patterns))
}

/// Every graph the glob patterns match, in order; a pattern that matches nothing is bad input.
func loadGraphs(_ patterns: [String]) throws(InputError) -> [Graph] {
    var graphs: [Graph] = []
    for path in try expandGraphPatterns(patterns) { graphs.append(try loadGraph(path)) }
    return graphs
}
