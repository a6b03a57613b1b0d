import ArgumentParser
import Cosma
import DNNGraph
import Foundation
import Reports

/// `cosma bench limits`: is a time limit a wall-clock promise? Each graph is solved at `M_H` by a
/// `cosma solve` process of this same executable, timed from outside.
struct BenchLimits: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "limits",
        abstract: "Time cosma solve at M_H on every graph under each time limit; each run must end within the limit plus a second.",
        discussion: "Build with -c release and run it alone on the machine (flock a shared lock): it measures wall time.")

    @Option(name: .long, parsing: .upToNextOption, help: "Graph files or glob patterns (quote them), for example 'graphs/*.json'.")
    var graphs: [String] = ["graphs/*.json"]

    @Option(name: .long, parsing: .upToNextOption,
            help: "Capacities: budget names (M_R, M_P, M_H) resolved per graph, or bytes (for a graph whose M_P cannot be proven, such as a generated one of 20,000 operators).")
    var capacity: [String] = ["M_H"]

    @Option(name: .long, parsing: .upToNextOption, help: "Time limits in seconds.")
    var limits: [Double] = [1, 10]

    @Option(name: .long, help: "Runs per graph and limit; the table gives the median and the slowest.")
    var repeats = 1

    @Option(name: .long, help: "Where to write the Markdown report.")
    var out = "results/limits.md"

    func run() throws {
        try reportingErrors {
            for limit in limits { try checkTimeLimit(limit, option: "--limits") }
            guard repeats >= 1 else { throw InputError(source: "--repeats", message: "--repeats must be at least 1; give --repeats 1") }
            let specs = try capacity.map { text throws(InputError) in try CapacitySpec(parsing: text) }
            let loaded = try loadGraphFiles(graphs)
            let text = try LimitsBench.measure(loaded, capacities: specs, limits: limits, repeats: repeats, executable: cosmaExecutable(),
                                               command: commandLine(), log: logProgress)
            try writeReport(text, to: out)
        }
    }
}
