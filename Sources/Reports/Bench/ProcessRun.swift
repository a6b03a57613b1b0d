internal import DNNGraph
package import Foundation
#if canImport(Glibc)
internal import Glibc
#endif

/// One run of an executable, timed and measured from outside: what the benches that measure a
/// whole `cosma` process (``SolveProcess``) and the tests of its memory budget read.
///
/// The peak is ``peakBytes``: the largest high-water mark of resident memory (`VmHWM` in
/// `/proc/<pid>/status`) that any single process of the run reached, the process itself or one of
/// its descendants (`cosma`'s `cosma-solver` children), read every 10 ms until the process exits.
/// The largest single process, not a sum: a sum of high-water marks adds peaks that need not have
/// happened at the same time, and the largest one is what the peak column of `results/limits.md`
/// has always claimed, "of `cosma` or of one of its solver children, whichever was larger".
///
/// Not `wait4`'s `ru_maxrss`, which used to give it: glibc's `posix_spawn` starts the child in the
/// parent's address space, and the kernel keeps that space's resident size in the child's maximum
/// when it executes the program. So `ru_maxrss` said what the parent held at the spawn when that
/// was larger: the test runner, with the tests running beside it (both `LargeGraphTests` once read
/// exactly 546 MiB on a full run, while `cosma` peaked at about 170 MiB on its own; `sleep`, spawned
/// while `ProcessRunTests` holds 300 MiB, read 337 MiB), or the bench process. `VmHWM` belongs to
/// the address space the program executes in, which starts empty. What the reads cannot see: a
/// peak in a process's last 10 ms, and a descendant that starts and ends between two reads.
package struct ProcessRun: Sendable {
    /// The exit status, or 128 plus the signal that ended it, as a shell reports it.
    package var exitCode: Int32
    /// Wall time from starting the process to its exit, to within a read (10 ms).
    package var seconds: Double
    /// Whether it ran past `killAfter` and was killed.
    package var killed: Bool
    /// What the process wrote to standard output and standard error.
    package var stdout: String
    package var stderr: String
    /// The largest high-water mark of resident memory, in bytes, of the process or of one of its
    /// descendants; 0 when no read found the process running.
    package var peakBytes: Int

    /// Runs `executable arguments` with standard input from `/dev/null` and waits for it, reading
    /// its memory every 10 ms; with `killAfter`, kills it (`SIGKILL`) once it has run that many
    /// seconds. Spawned and reaped by hand rather than by Foundation's `Process`, so that the
    /// reads stop the moment it is reaped, before its PID can be reused.
    package init(executable: URL, arguments: [String], killAfter: Double? = nil) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cosma-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("stdout")
        let err = folder.appendingPathComponent("stderr")
        let started = ContinuousClock.now
        let pid = try Self.spawn(executable, arguments, stdout: out, stderr: err)
        let reaped = Self.reap(pid, started: started, killAfter: killAfter)
        peakBytes = reaped.peak
        killed = reaped.killed
        seconds = (ContinuousClock.now - started).inSeconds
        // WIFEXITED and WEXITSTATUS by hand: Swift does not import the macros.
        exitCode = reaped.status & 0x7f == 0 ? (reaped.status >> 8) & 0xff : 128 + (reaped.status & 0x7f)
        stdout = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
    }

    private static func spawn(_ executable: URL, _ arguments: [String], stdout: URL, stderr: URL) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable.path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable.path, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw InputError(source: executable.path, message: "cannot start the process: \(String(cString: strerror(spawned)))")
        }
        return pid
    }

    /// Reads the memory of `pid` and its descendants every 10 ms until it is reaped; returns its
    /// wait status, the largest high-water mark read and whether it was killed.
    private static func reap(_ pid: pid_t, started: ContinuousClock.Instant, killAfter: Double?) -> (status: Int32, peak: Int, killed: Bool) {
        var status: Int32 = 0
        var peak = 0
        var killed = false
        while true {
            peak = max(peak, highWaterMark(of: pid))
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped == -1 && errno != EINTR) { break }
            if let killAfter, !killed, (ContinuousClock.now - started).inSeconds > killAfter {
                kill(pid, SIGKILL)
                killed = true
            }
            usleep(10_000)
        }
        return (status: status, peak: peak, killed: killed)
    }

    /// The largest `VmHWM` of `pid` and of its descendants that are running, in bytes.
    private static func highWaterMark(of pid: pid_t) -> Int {
        children(of: pid).reduce(ownHighWaterMark(of: pid) ?? 0) { max($0, highWaterMark(of: $1)) }
    }

    /// The peak resident bytes of `pid`'s address space so far (`VmHWM`), nil once it has exited.
    private static func ownHighWaterMark(of pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = line.dropFirst("VmHWM:".count).split(whereSeparator: \.isWhitespace).first.flatMap({ Int($0) })
        else { return nil }
        return kilobytes * 1024
    }

    /// The running children of `pid`. The kernel lists a child under the thread that started it,
    /// so every thread's list is read: `cosma` starts its solver children from worker threads,
    /// which the main thread's list does not show.
    package static func children(of pid: pid_t) -> [pid_t] {
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return threads.flatMap { thread in
            let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/children", encoding: .utf8)) ?? ""
            return text.split(separator: " ").compactMap { pid_t($0) }
        }
    }
}
