import ArgumentParser
import CosmaILP
import DNNGraph
import Foundation
import Reports

struct BenchInPlace: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "in-place",
        abstract: "Budgets and traffic of every graph with in-place operators off and on, side by side (docs/in-place.md).",
        discussion: "M_R, M_P and the default order's peak in both modes, and the non-compulsory traffic of the heuristics and of the exact method at the off-mode M_R and M_H capacities, in the activations setting.")

    @Option(name: .long, parsing: .upToNextOption, help: "Graph files or glob patterns (quote them).")
    var graphs: [String] = []

    @Option(name: .long, help: "Seconds the minimum-peak program may run per graph and mode when the searches leave M_P unproven.")
    var timeLimit: Double = MinimumPeakOptions().timeLimit

    @Option(name: .long, help: "Seconds for each solve of the exact method (method auto) at each capacity and mode.")
    var exactTimeLimit: Double = 10

    @Option(name: .long, help: "Where to write the Markdown report.")
    var out = "results/in-place.md"

    func validate() throws {
        guard !graphs.isEmpty else { throw ValidationError("give --graphs") }
        guard timeLimit >= 0 else { throw ValidationError("--time-limit must not be negative, got \(timeLimit)") }
        guard exactTimeLimit > 0 else { throw ValidationError("--exact-time-limit must be positive, got \(exactTimeLimit)") }
    }

    func run() throws {
        try reportingErrors { () throws in
            let text = try BenchTables.inPlace(try loadGraphs(graphs), minimumPeak: MinimumPeakOptions(timeLimit: timeLimit),
                                              exactTimeLimit: exactTimeLimit, command: commandLine())
            try writeReport(text, to: out)
        }
    }
}
