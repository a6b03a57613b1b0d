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

struct BenchExactIdeas: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exact-ideas",
        abstract: "Measure what each idea of the exact method buys: solve every instance the baselines do not already solve, with every idea and with each one switched off.",
        discussion: "Instances are the graphs' M_R, M_H and M_P budgets in both tensor settings; those where a baseline already has zero non-compulsory traffic are skipped, since no idea is used there.")

    @Option(name: .long, parsing: .upToNextOption, help: "Graph files or glob patterns (quote them), for example 'graphs/*.json'.")
    var graphs: [String]

    @OptionGroup var limits: BatchSolverOptions

    @Option(name: .long, help: "Where to write the Markdown report.")
    var out = "results/exact-ideas.md"

    func validate() throws {
        try validateTimeLimit(limits.timeLimit)
    }

    func run() throws {
        try reportingErrors {
            let table = try BenchTables.exactIdeas(try benchInstances(graphs), solver: limits.solver, timeLimit: limits.timeLimit,
                                                   deterministic: limits.deterministic, command: commandLine(),
                                                   log: logProgress)
            try writeReport(table, to: out)
        }
    }
}
