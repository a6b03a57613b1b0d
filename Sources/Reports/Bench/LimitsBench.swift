import Cosma
package import DNNGraph
package import Foundation

/// One run of `cosma solve` under a time limit, as `cosma bench limits` measured it from outside.
package struct LimitRun: Sendable {
    package var graph: String
    package var operators: Int
    /// The capacity in bytes, resolved once before the runs.
    package var capacity: Int
    package var limit: Double
    /// Wall-clock seconds from starting the process to its exit.
    package var wallSeconds: [Double]
    package var exitCode: Int32
    /// The summary's solver status and non-compulsory traffic, when it printed one.
    package var status: String?
    package var nonCompulsory: Int?
    /// The largest peak resident memory of the runs (``SolveProcess/peakBytes``).
    package var peakBytes: Int

    package init(graph: String, operators: Int, capacity: Int, limit: Double, wallSeconds: [Double], exitCode: Int32, status: String?,
                nonCompulsory: Int?, peakBytes: Int = 0) {
        self.graph = graph
        self.operators = operators
        self.capacity = capacity
        self.limit = limit
        self.wallSeconds = wallSeconds
        self.exitCode = exitCode
        self.status = status
        self.nonCompulsory = nonCompulsory
        self.peakBytes = peakBytes
    }

    /// Whether every run ended within the promise: the limit plus one second.
    package var keptPromise: Bool { (wallSeconds.max() ?? .infinity) <= limit + LimitsBench.slack }
}

/// `results/limits.md`: the wall time and peak memory of `cosma solve` at `M_H` (or another
/// capacity) under each time limit.
package enum LimitsBench {
    /// What a time limit promises beyond itself: loading, simulating and writing the plan.
    package static let slack = 1.0

    /// `results/limits.md` measured: each graph solved at each of `capacities` (its `M_H` unless
    /// given) by `repeats` `cosma solve` processes of `executable` under each time limit, timed
    /// from outside.
    /// - Parameter graphs: each graph with the file it was loaded from, which the processes read.
    package static func measure(_ graphs: [(path: String, graph: Graph)], capacities: [CapacitySpec] = [.budget(.mH)], limits: [Double],
                                repeats: Int, executable: URL, command: String, log: (String) -> Void) throws -> String
    {
        var runs: [LimitRun] = []
        for (path, graph) in graphs {
            // In bytes: the runs time the planner's promise, not whether M_P's proof fits.
            let resolved = try capacities.map { spec throws in try Cosma.configuration(for: graph, capacity: spec, tensors: .activations).capacity }
            for capacity in resolved {
                for limit in limits {
                    var run = LimitRun(graph: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent,
                                       operators: graph.operators.count, capacity: capacity, limit: limit, wallSeconds: [], exitCode: 0,
                                       status: nil, nonCompulsory: nil)
                    for _ in 0..<repeats {
                        let process = try SolveProcess(executable: executable,
                                                       arguments: [path, "--capacity", "\(capacity)", "--time-limit", "\(limit)"], killAfter: nil)
                        run.wallSeconds.append(process.seconds)
                        run.exitCode = process.exitCode
                        run.status = process.solver?["status"] as? String
                        run.nonCompulsory = process.nonCompulsory
                        run.peakBytes = max(run.peakBytes, process.peakBytes)
                    }
                    runs.append(run)
                    log("\(path) at \(capacity) bytes, \(limit) s: \(run.wallSeconds.map { String(format: "%.2f", $0) }.joined(separator: ", ")) s")
                }
            }
        }
        return table(runs, capacities: capacities, repeats: repeats, command: command)
    }

    package static func table(_ runs: [LimitRun], capacities: [CapacitySpec] = [.budget(.mH)], repeats: Int, command: String) -> String {
        var lines = BenchTables.preamble("Time limits as wall-clock promises", command: command)
        lines += [
            "- build: \(MachineInfo.buildConfiguration)", "",
            "Each row is `cosma solve GRAPH --capacity BYTES --time-limit L --json` (activations, CBC, solvers in child processes)",
            "with BYTES \(capacities.map(capacityWords).joined(separator: ", then ")), resolved once before the runs, timed from starting the process to its exit,",
            "\(repeats) run(s): the median and the slowest. Peak RSS is the largest of the runs' peak resident memory, of `cosma`",
            "or of one of its solver children, whichever was larger (each process's `VmHWM`, read every 10 ms). The promise is that every run ends within the limit plus \(slack) s (graph loading,",
            "simulation and output included). `--capacity M_H` by name spends the limit on proving `M_P` first (at most three",
            "quarters of it) and refuses, naming the bracket it reached, when the proof does not fit: on NAS and RandWire",
            "graphs the proof alone takes several seconds.", "",
            "| graph | operators | capacity (bytes) | limit (s) | median wall (s) | slowest (s) | within limit + 1 s | exit | status | non-compulsory bytes | peak RSS (MiB) |",
            "|---|---:|---:|---:|---:|---:|---|---:|---|---:|---:|",
        ]
        for run in runs {
            let slowest = run.wallSeconds.max() ?? 0
            lines.append("| \(run.graph) | \(run.operators) | \(run.capacity) | \(format(run.limit)) | \(format(BenchTables.median(run.wallSeconds))) | "
                         + "\(format(slowest)) | \(run.keptPromise ? "yes" : "**no**") | \(run.exitCode) | \(run.status ?? "-") | "
                         + "\(run.nonCompulsory.map(String.init) ?? "-") | \(run.peakBytes >> 20) |")
        }
        let broken = runs.filter { !$0.keptPromise }
        lines += ["", broken.isEmpty
            ? "Every run kept its promise."
            : "\(broken.count) of \(runs.count) runs broke the promise: "
                + broken.map { "\($0.graph) at \(format($0.limit)) s" }.joined(separator: ", ") + "."]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The capacity as the table's text names it.
    private static func capacityWords(_ spec: CapacitySpec) -> String {
        switch spec {
        case .budget(let name): "the graph's `\(name.rawValue)`"
        case .bytes(let bytes): "\(bytes)"
        }
    }

    private static func format(_ seconds: Double) -> String { String(format: "%.2f", seconds) }
}
