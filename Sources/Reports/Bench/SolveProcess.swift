internal import Foundation

/// One `cosma solve … --json` process of `executable`, timed and measured from outside by
/// ``ProcessRun``: the benches that measure what a whole process does (`cosma bench limits`:
/// whether a time limit is a wall-clock promise, and the memory a run takes; `cosma bench tiling`:
/// a planner phase that overruns costs one row, not the table).
struct SolveProcess {
    /// The process as it ran: exit code, wall time, whether it was killed, peak memory, output.
    var process: ProcessRun
    /// The JSON summary the process printed, nil without one.
    var summary: [String: Any]?

    /// Runs `executable solve arguments --json` and waits for it; with `killAfter`, kills it once it
    /// has run that many seconds.
    init(executable: URL, arguments: [String], killAfter: Double?) throws {
        process = try ProcessRun(executable: executable, arguments: ["solve"] + arguments + ["--json"], killAfter: killAfter)
        summary = (try? JSONSerialization.jsonObject(with: Data(process.stdout.utf8))) as? [String: Any]
    }

    /// Wall time from starting the process to its exit.
    var seconds: Double { process.seconds }
    /// Whether it ran past `killAfter` and was killed.
    var killed: Bool { process.killed }
    /// ``ProcessRun/exitCode``.
    var exitCode: Int32 { process.exitCode }
    /// ``ProcessRun/peakBytes``: of `cosma` or of one of its solver children, whichever was larger.
    var peakBytes: Int { process.peakBytes }

    /// The last line the process wrote to standard error.
    var lastError: String { process.stderr.split(separator: "\n").suffix(1).joined() }

    /// The summary's solver object: status and bound.
    var solver: [String: Any]? { summary?["solver"] as? [String: Any] }

    /// Non-compulsory bytes of the simulated plan, nil without one.
    var nonCompulsory: Int? { (summary?["traffic"] as? [String: Any])?["nonCompulsory"] as? Int }
}
