import Cosma
package import DNNGraph
import Scratchpad
internal import Heuristics
internal import Tiling
package import Foundation

extension BenchTables {
    /// `results/tiling.md`: every graph tiled for each capacity below its `M_R`, in each tensor
    /// setting, Cosma's plan of the tiled graph beside the layer-by-layer baseline.
    ///
    /// The baseline is what a simple NPU compiler does: every operator tiled alone, run layer by
    /// layer in the file's order, with Belady's replacement. Cosma's plan is made by a `cosma solve`
    /// process of `executable` (divide and conquer), killed `killSlack` seconds after `timeLimit`
    /// so that a planner phase that overruns costs one row, not the table.
    /// - Parameter graphs: each graph with the file it was loaded from, which the child process reads.
    package static func tiling(_ graphs: [(path: String, graph: Graph)], settings: [TensorSetting], capacities: [Int],
                               timeLimit: Double, killSlack: Double, executable: URL, command: String,
                               log: (String) -> Void) throws -> String
    {
        let bench = TilingBench(timeLimit: timeLimit, killSlack: killSlack, executable: executable)
        var rows: [String] = []
        for (path, g) in graphs {
            for setting in settings {
                for capacity in capacities {
                    log("tiling \(g.name) \(setting.rawValue) \(formatBytes(capacity))")
                    rows.append(try bench.row(g, path: path, setting: setting, capacity: capacity, log: log))
                }
            }
        }
        return bench.report(rows, command: command)
    }
}

/// Runs and reports `cosma bench tiling`.
struct TilingBench {
    var timeLimit: Double
    var killSlack: Double
    var executable: URL

    /// One instance: tile, plan layer by layer, plan with Cosma in a child process, compare.
    func row(_ g: Graph, path: String, setting: TensorSetting, capacity: Int, log: (String) -> Void) throws -> String {
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
            log("cosma: error: \(g.name) \(setting.rawValue) \(capacity): the layer-by-layer baseline failed: \(error)")
        }
        let cosma = try TiledSolveRun(executable: executable, graph: path, setting: setting, capacity: capacity, timeLimit: timeLimit,
                                      killAfter: timeLimit + killSlack)
        let reduction: String
        if let traffic = cosma.nonCompulsory, let baseline, baseline > 0 {
            reduction = String(format: "%.1f%%", 100 * Double(baseline - traffic) / Double(baseline))
        } else {
            reduction = baseline == 0 && cosma.nonCompulsory == 0 ? "-" : "n/a"
        }
        func show(_ value: Int?) -> String { value.map { "\($0) (\(formatBytes($0)))" } ?? "failed" }
        return head + " \(tiled.tiledOperators) → \(tiled.tiles) | \(tiled.graph.operators.count) | \(show(baseline)) | \(cosma.nonCompulsory.map { show($0) } ?? "none") | \(cosma.status) | \(reduction) | \(String(format: "%.1f", cosma.seconds)) |"
    }

    func report(_ rows: [String], command: String) -> String {
        """
        # Tiling: scratchpads below M_R

        Written by `\(command)` on \(MachineInfo.timestamp()); \(MachineInfo.description()); \
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
