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
            let paths = try expandGraphPatterns(graphs)
            var runs: [LimitRun] = []
            for path in paths {
                let graph = try loadGraph(path)
                // M_H by bytes: the runs time the planner's promise, not whether M_P's proof fits.
                let mH = try Cosma.configuration(for: graph, capacity: .budget(.mH), tensors: .activations).capacity
                for limit in limits {
                    runs.append(try measure(path, operators: graph.operators.count, capacity: mH, limit: limit))
                    let last = runs[runs.count - 1]
                    printError("\(path) at \(limit) s: \(last.wallSeconds.map { String(format: "%.2f", $0) }.joined(separator: ", ")) s")
                }
            }
            try writeAtomically(LimitsBench.table(runs, repeats: repeats, command: commandLine()), to: URL(fileURLWithPath: out))
            print("wrote \(out)")
        }
    }

    private func measure(_ path: String, operators: Int, capacity: Int, limit: Double) throws -> LimitRun {
        var run = LimitRun(graph: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent, operators: operators,
                           capacity: capacity, limit: limit, wallSeconds: [], exitCode: 0, status: nil, nonCompulsory: nil)
        for _ in 0..<repeats {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            process.arguments = ["solve", path, "--capacity", "\(capacity)", "--time-limit", "\(limit)", "--json"]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            let started = Date()
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            run.wallSeconds.append(Date().timeIntervalSince(started))
            run.exitCode = process.terminationStatus
            let summary = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            run.status = (summary?["solver"] as? [String: Any])?["status"] as? String
            run.nonCompulsory = (summary?["traffic"] as? [String: Any])?["nonCompulsory"] as? Int
        }
        return run
    }
}
