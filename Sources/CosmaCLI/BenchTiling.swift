import ArgumentParser
import Cosma
import DNNGraph
import Scratchpad
import Heuristics
import MILP
import CosmaILP
import Reports
import Tiling
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

    @Option(name: .long, help: "Where to write the Markdown report.")
    var out = "results/tiling.md"

    func validate() throws {
        guard timeLimit > 0 else { throw ValidationError("--time-limit must be positive, got \(timeLimit)") }
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
            var rows: [String] = []
            for path in try expandGraphPatterns(graphs) {
                let g = try loadGraph(path)
                for setting in tensors {
                    for capacity in bytes {
                        FileHandle.standardError.write(Data("tiling \(g.name) \(setting.rawValue) \(formatBytes(capacity))\n".utf8))
                        rows.append(try row(g, setting: setting, capacity: capacity))
                    }
                }
            }
            try writeAtomically(report(rows), to: URL(fileURLWithPath: out))
            print("wrote \(out)")
        }
    }

    /// One instance: tile, plan layer by layer, plan with Cosma, compare.
    func row(_ g: Graph, setting: TensorSetting, capacity: Int) throws -> String {
        let mR = Budgets(graph: g, setting: setting, alignment: 1).mR
        let head = "| \(g.name) | \(setting.rawValue) | \(formatBytes(capacity)) | \(formatBytes(mR)) |"
        let tiled: TiledGraph
        do {
            tiled = try Tiler(setting: setting).checkedTile(g, capacity: capacity)
        } catch {
            return head + " not runnable: '\(error.operatorName)' needs \(error.operatorMinimum) bytes in its smallest tile; at least \(error.graphMinimum) bytes | | | | | | |"
        }
        let config = Configuration(capacity: capacity, tensors: setting)
        let baseline = (try? Cosma.heuristicPlan(for: tiled.graph, configuration: config, schedule: .default, replacement: .belady))
            .map { $0.report.traffic.nonCompulsory }
        let clock = ContinuousClock()
        let start = clock.now
        // Divide and conquer keeps to the time budget on graphs of hundreds of tiles, where the
        // joint program's construction alone can take longer than the budget.
        let cosma = try? Cosma.solve(tiled.graph, configuration: config, method: .divideAndConquer, options: ExactOptions(timeLimit: timeLimit))
        let seconds = (clock.now - start).inSeconds
        let traffic = cosma.map { $0.nonCompulsory }
        let reduction: String
        if let traffic, let baseline, baseline > 0 {
            reduction = String(format: "%.1f%%", 100 * Double(baseline - traffic) / Double(baseline))
        } else {
            reduction = baseline == 0 && traffic == 0 ? "-" : "n/a"
        }
        func show(_ value: Int?) -> String { value.map { "\($0) (\(formatBytes($0)))" } ?? "failed" }
        let status = cosma.map { "\($0.status.rawValue), bound \($0.bound)" } ?? "failed"
        return head + " \(tiled.tiledOperators) → \(tiled.tiles) | \(tiled.graph.operators.count) | \(show(baseline)) | \(show(traffic)) | \(status) | \(reduction) | \(String(format: "%.1f", seconds)) |"
    }

    func report(_ rows: [String]) -> String {
        """
        # Tiling: scratchpads below M_R

        Written by `\(commandLine())` on \(MachineInfo.timestamp()); \(MachineInfo.description()); \
        \(MachineInfo.toolchainVersion()); \(MachineInfo.buildConfiguration) build; CBC; time budget \(timeLimit) s per instance.

        Each graph is tiled for the capacity (`cosma tile`: operators that do not fit are split into the fewest \
        equal tiles along one output axis, tensors into the slices the tiles' receptive fields touch; the tiled \
        graph passes the check against its original). **Baseline**: layer by layer, the tiled graph in file \
        order (every operator's tiles together), Belady's replacement and best-fit addresses, output bands \
        stored to DRAM when they do not fit. **Cosma**: divide and conquer (segments planned by the joint \
        program) on the same tiled graph, free to interleave tiles of consecutive layers. Traffic is \
        non-compulsory bytes; both plans passed the simulator. Reduction = (baseline − Cosma) / baseline. \
        Tiles: original operators split → tile operators; operators: in the tiled graph. Time: Cosma's wall \
        time, tiling and baseline excluded. A capacity at or above M_R needs no tiling.

        | model | tensors | capacity | M_R | tiled → tiles | operators | baseline (layer by layer) | Cosma | status | reduction | time (s) |
        |---|---|---|---|---|---|---|---|---|---|---|
        \(rows.joined(separator: "\n"))

        """
    }
}
