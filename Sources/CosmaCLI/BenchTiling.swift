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
            var rows: [String] = []
            for path in try expandGraphPatterns(graphs) {
                let g = try loadGraph(path)
                for setting in tensors {
                    for capacity in bytes {
                        FileHandle.standardError.write(Data("tiling \(g.name) \(setting.rawValue) \(formatBytes(capacity))\n".utf8))
                        rows.append(try row(g, path: path, setting: setting, capacity: capacity))
                    }
                }
            }
            try writeAtomically(report(rows), to: URL(fileURLWithPath: out))
            print("wrote \(out)")
        }
    }

    /// One instance: tile, plan layer by layer, plan with Cosma in a child process, compare.
    func row(_ g: Graph, path: String, setting: TensorSetting, capacity: Int) throws -> String {
        let mR = Budgets(graph: g, setting: setting, alignment: 1).mR
        let head = "| \(g.name) | \(setting.rawValue) | \(formatBytes(capacity)) | \(formatBytes(mR)) |"
        let tiled: TiledGraph
        do {
            tiled = try Tiler(setting: setting).checkedTile(g, capacity: capacity)
        } catch {
            return head + " not runnable: '\(error.operatorName)' needs \(error.operatorMinimum) bytes in its smallest tile; at least \(error.graphMinimum) bytes | | | | | | |"
        }
        let config = Configuration(capacity: capacity, tensors: setting)
        let baseline: Int?
        do {
            baseline = try Cosma.heuristicPlan(for: tiled.graph, configuration: config, schedule: .default, replacement: .belady)
                .report.traffic.nonCompulsory
        } catch {
            baseline = nil
            printError("\(g.name) \(setting.rawValue) \(capacity): the layer-by-layer baseline failed: \(error)")
        }
        let cosma = try TiledSolveRun(graph: path, setting: setting, capacity: capacity, timeLimit: timeLimit, killAfter: timeLimit + killSlack)
        let reduction: String
        if let traffic = cosma.nonCompulsory, let baseline, baseline > 0 {
            reduction = String(format: "%.1f%%", 100 * Double(baseline - traffic) / Double(baseline))
        } else {
            reduction = baseline == 0 && cosma.nonCompulsory == 0 ? "-" : "n/a"
        }
        func show(_ value: Int?) -> String { value.map { "\($0) (\(formatBytes($0)))" } ?? "failed" }
        return head + " \(tiled.tiledOperators) → \(tiled.tiles) | \(tiled.graph.operators.count) | \(show(baseline)) | \(cosma.nonCompulsory.map { show($0) } ?? "none") | \(cosma.status) | \(reduction) | \(String(format: "%.1f", cosma.seconds)) |"
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
        non-compulsory bytes; both plans passed the simulator. Status and bound are the solver's on the tiled \
        graph: optimal means optimal for this tiling, not for the model at this capacity (another tiling may \
        spill less). Reduction = (baseline − Cosma) / baseline. \
        Tiles: original operators split → tile operators; operators: in the tiled graph. Time: wall time of \
        Cosma's `cosma solve` process (loading, tiling and planning; the baseline excluded). That process is \
        killed \(killSlack) s after the time limit, and the row then says timeout. A capacity at or above M_R \
        needs no tiling.

        | model | tensors | capacity | M_R | tiled → tiles | operators | baseline (layer by layer) | Cosma | status | reduction | time (s) |
        |---|---|---|---|---|---|---|---|---|---|---|
        \(rows.joined(separator: "\n"))

        """
    }
}

/// Cosma's plan of one tiled instance, made by a `cosma solve` process of this same executable
/// (divide and conquer; below `M_R` it tiles exactly as `BenchTiling` does) and killed if it runs
/// `killAfter` seconds: a planner phase that overruns its share then costs one row, recorded as a
/// timeout, not the table.
struct TiledSolveRun {
    /// Non-compulsory bytes of the simulated plan, nil without one.
    var nonCompulsory: Int?
    /// The solver's status and bound, or why there is no plan.
    var status: String
    /// Wall time of the process: loading, tiling and planning.
    var seconds: Double

    init(graph: String, setting: TensorSetting, capacity: Int, timeLimit: Double, killAfter: Double) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cosma-bench-tiling-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out.json")
        let err = folder.appendingPathComponent("err.txt")
        guard FileManager.default.createFile(atPath: out.path, contents: nil),
              FileManager.default.createFile(atPath: err.path, contents: nil) else {
            throw InputError(source: folder.path, message: "cannot create the files of Cosma's process; check the temporary folder")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["solve", graph, "--capacity", "\(capacity)", "--tensors", setting.rawValue,
                             "--method", "divide-and-conquer", "--time-limit", "\(timeLimit)", "--json"]
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        let started = ContinuousClock.now
        try process.run()
        var killed = false
        while process.isRunning {
            if (ContinuousClock.now - started).inSeconds > killAfter {
                kill(process.processIdentifier, SIGKILL)
                killed = true
            }
            usleep(100_000)
        }
        process.waitUntilExit()
        seconds = (ContinuousClock.now - started).inSeconds
        let summary = (try? JSONSerialization.jsonObject(with: Data(contentsOf: out))) as? [String: Any]
        let solver = summary?["solver"] as? [String: Any]
        nonCompulsory = (summary?["traffic"] as? [String: Any])?["nonCompulsory"] as? Int
        if killed {
            status = "timeout: killed after \(String(format: "%.0f", seconds)) s (limit \(String(format: "%g", timeLimit)) s)"
        } else if nonCompulsory != nil {
            let bound = (solver?["bound"] as? Int).map { ", bound \($0)" } ?? ""
            status = (solver?["status"] as? String).map { $0 + bound } ?? "plan without a solver status"
        } else {
            let errors = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
            let tail = errors.split(separator: "\n").suffix(1).joined()
            status = "failed (exit \(process.terminationStatus)): \(tail.replacingOccurrences(of: "|", with: "/"))"
        }
    }
}
