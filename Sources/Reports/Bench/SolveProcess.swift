internal import DNNGraph
internal import Foundation
#if canImport(Glibc)
internal import Glibc
#endif

/// One `cosma solve … --json` process of `executable`, timed and measured from outside: the benches
/// that measure what a whole process does (`cosma bench limits`: whether a time limit is a
/// wall-clock promise, and the memory a run takes; `cosma bench tiling`: a planner phase that
/// overruns costs one row, not the table).
struct SolveProcess {
    /// The JSON summary the process printed, nil without one.
    var summary: [String: Any]?
    /// Wall time from starting the process to its exit.
    var seconds: Double
    /// Whether it ran past `killAfter` and was killed.
    var killed: Bool
    /// The exit status, or 128 plus the signal that ended it, as a shell reports it.
    var exitCode: Int32
    /// Peak resident bytes of the process, or of a solver child it waited for if that was larger
    /// (`wait4` reports the maximum over the process and its reaped children).
    var peakBytes: Int
    /// The last line the process wrote to standard error.
    var lastError: String

    /// Runs `executable solve arguments --json` and waits for it; with `killAfter`, kills it once it
    /// has run that many seconds (polled every 0.1 s; without it the wait is exact). Spawned and
    /// reaped by hand rather than by Foundation's `Process`, whose wait does not give the child's
    /// resource usage.
    init(executable: URL, arguments: [String], killAfter: Double?) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cosma-bench-solve-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out.json")
        let err = folder.appendingPathComponent("err.txt")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, err.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable.path, "solve"] + arguments + ["--json"]).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let started = ContinuousClock.now
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable.path, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw InputError(source: executable.path, message: "cannot start Cosma's process: \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        var usage = rusage()
        var killed = false
        while true {
            let reaped = wait4(pid, &status, killAfter == nil ? 0 : WNOHANG, &usage)
            if reaped == pid { break }
            if reaped == -1 {
                guard errno == EINTR else { break }
                continue
            }
            if let killAfter, !killed, (ContinuousClock.now - started).inSeconds > killAfter {
                kill(pid, SIGKILL)
                killed = true
            }
            usleep(100_000)
        }
        seconds = (ContinuousClock.now - started).inSeconds
        self.killed = killed
        // WIFEXITED and WEXITSTATUS by hand: Swift does not import the macros.
        exitCode = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        peakBytes = usage.ru_maxrss * 1024
        summary = (try? JSONSerialization.jsonObject(with: Data(contentsOf: out))) as? [String: Any]
        let errors = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        lastError = errors.split(separator: "\n").suffix(1).joined()
    }

    /// The summary's solver object: status and bound.
    var solver: [String: Any]? { summary?["solver"] as? [String: Any] }

    /// Non-compulsory bytes of the simulated plan, nil without one.
    var nonCompulsory: Int? { (summary?["traffic"] as? [String: Any])?["nonCompulsory"] as? Int }
}
