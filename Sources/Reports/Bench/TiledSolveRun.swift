internal import DNNGraph
import Scratchpad
internal import Foundation

/// Cosma's plan of one tiled instance, made by a `cosma solve` process of `executable`
/// (divide and conquer; below `M_R` it tiles exactly as ``TilingBench`` does) and killed if it runs
/// `killAfter` seconds: a planner phase that overruns its share then costs one row, recorded as a
/// timeout, not the table.
struct TiledSolveRun {
    /// Non-compulsory bytes of the simulated plan, nil without one.
    var nonCompulsory: Int?
    /// The solver's status and bound, or why there is no plan.
    var status: String
    /// Wall time of the process: loading, tiling and planning.
    var seconds: Double

    init(executable: URL, graph: String, setting: TensorSetting, capacity: Int, timeLimit: Double, killAfter: Double) throws {
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
        process.executableURL = executable
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
