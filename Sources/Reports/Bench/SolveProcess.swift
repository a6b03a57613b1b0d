internal import DNNGraph
internal import Foundation

/// One `cosma solve … --json` process of `executable`, timed from outside: the benches that measure
/// what a whole process does (`cosma bench limits`: whether a time limit is a wall-clock promise;
/// `cosma bench tiling`: a planner phase that overruns costs one row, not the table).
struct SolveProcess {
    /// The JSON summary the process printed, nil without one.
    var summary: [String: Any]?
    /// Wall time from starting the process to its exit.
    var seconds: Double
    /// Whether it ran past `killAfter` and was killed.
    var killed: Bool
    var exitCode: Int32
    /// The last line the process wrote to standard error.
    var lastError: String

    /// Runs `executable solve arguments --json` and waits for it; with `killAfter`, kills it once it
    /// has run that many seconds (polled every 0.1 s; without it the wait is exact).
    init(executable: URL, arguments: [String], killAfter: Double?) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cosma-bench-solve-\(getpid())")
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
        process.arguments = ["solve"] + arguments + ["--json"]
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        let started = ContinuousClock.now
        try process.run()
        var killed = false
        if let killAfter {
            while process.isRunning {
                if (ContinuousClock.now - started).inSeconds > killAfter {
                    kill(process.processIdentifier, SIGKILL)
                    killed = true
                }
                usleep(100_000)
            }
        }
        process.waitUntilExit()
        seconds = (ContinuousClock.now - started).inSeconds
        self.killed = killed
        exitCode = process.terminationStatus
        summary = (try? JSONSerialization.jsonObject(with: Data(contentsOf: out))) as? [String: Any]
        let errors = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        lastError = errors.split(separator: "\n").suffix(1).joined()
    }

    /// The summary's solver object: status and bound.
    var solver: [String: Any]? { summary?["solver"] as? [String: Any] }

    /// Non-compulsory bytes of the simulated plan, nil without one.
    var nonCompulsory: Int? { (summary?["traffic"] as? [String: Any])?["nonCompulsory"] as? Int }
}
