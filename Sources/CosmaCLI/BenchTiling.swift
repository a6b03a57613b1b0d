import ArgumentParser
import Cosma
import DNNGraph
import Scratchpad
import Heuristics
import MILP
import CosmaILP
import Reports
import Foundation

struct BenchTiling: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tiling",
        abstract: "Tile every graph for scratchpads below M_R and compare Cosma's plan of the tiled graph with the layer-by-layer baseline.",
        discussion: """
            The baseline is what a simple NPU compiler does: every operator tiled alone, run layer by layer in \
            the file's order (all tiles of one operator before the next), with Belady's replacement sending \
            output bands to DRAM when they do not fit. Cosma plans the same tiled graph (divide and conquer) and may \
            interleave the tiles of consecutive layers, a cascade. Both plans pass the simulator.
            """)

    @Option(name: .long, parsing: .upToNextOption, help: "Graph files or glob patterns (quote them), for example 'graphs/*.json'.")
    var graphs: [String]

    @Option(name: .long, parsing: .upToNextOption, help: "Scratchpad capacities.")
    var capacities: [String] = ["1MiB", "512KiB", "256KiB"]

    @Option(name: .long, parsing: .upToNextOption, help: "Tensor settings.")
    var tensors: [TensorSetting] = [.activations, .all]

    @Option(name: .long, help: "Time budget of Cosma's planner per instance, in seconds.")
    var timeLimit: Double = 60

    @Option(name: .long, help: "Seconds past the time limit after which Cosma's process is killed and the instance recorded as a timeout.")
    var killSlack: Double = 30

    @Option(name: .long, help: "Where to write the Markdown report.")
    var out = "results/tiling.md"

    func validate() throws {
        guard timeLimit > 0 else { throw ValidationError("--time-limit must be positive, got \(timeLimit)") }
        guard killSlack >= 0 else { throw ValidationError("--kill-slack must not be negative, got \(killSlack)") }
    }

    func run() throws {
        try reportingErrors {
            var bytes: [Int] = []
            for spec in capacities {
                guard case .bytes(let b) = try CapacitySpec(parsing: spec), b > 0 else {
                    throw InputError(source: "capacity", message: "give capacities in bytes or units (512KiB), got '\(spec)'")
                }
                bytes.append(b)
            }
            let loaded = try loadGraphFiles(graphs)
            let text = try BenchTables.tiling(loaded, settings: tensors, capacities: bytes, timeLimit: timeLimit, killSlack: killSlack,
                                              executable: cosmaExecutable(),
                                              command: commandLine(), log: logProgress)
            try writeReport(text, to: out)
        }
    }
}
