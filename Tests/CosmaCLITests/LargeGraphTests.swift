import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `cosma` on a graph of 20,000 operators (README, "Reliability", "Large graphs"): each command
/// stays within the memory budget the README states and either plans (a simulated plan) or says
/// which method does not fit, instead of thrashing. Before these tests, `cosma solve --capacity
/// M_H --time-limit 5` on this graph built a minimum-peak program of 10^8 rows (24 GB, 166 s),
/// and `cosma info` ran for minutes. The tests run the debug build, where the heuristics' first
/// plan alone takes longer than the limits, so they assert what does not depend on the machine's
/// speed: the memory, the exit code and what is said; the time promise is measured on the release
/// build by `cosma bench limits` (results/limits.md).
@Suite("A graph of 20,000 operators", .serialized)
struct LargeGraphTests {
    /// The budget the README states: peak resident memory of one `cosma` process.
    static let memoryBudget = 512 << 20

    /// What a finished `cosma` process did, with its own peak resident memory.
    struct Measured {
        var status: Int32
        var seconds: Double
        var peakBytes: Int
        var stdout: String
        var stderr: String
    }

    /// Runs `cosma` and measures its own peak resident memory: the high-water mark of its address
    /// space (`VmHWM` in `/proc/<pid>/status`), read every 10 ms until it exits.
    ///
    /// Not `wait4`'s `ru_maxrss`: glibc's `posix_spawn` starts the child in this process's
    /// address space, and the kernel keeps that space's resident size in the child's maximum when
    /// it executes `cosma`. So `ru_maxrss` said what the test runner held at the spawn, with the
    /// tests running beside it: both tests once read exactly 546 MiB on a full run, while `cosma`
    /// peaked at about 170 MiB on its own. A peak in the child's last 10 ms could escape the reads;
    /// the budget is three times what it uses.
    static func measure(_ arguments: [String]) throws -> Measured {
        let dir = try CLI.temporaryFile("x").deletingLastPathComponent()
        let out = dir.appendingPathComponent("stdout").path
        let err = dir.appendingPathComponent("stderr").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv: [UnsafeMutablePointer<CChar>?] = ([CLI.executable.path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let started = Date()
        let spawned = posix_spawn(&pid, CLI.executable.path, &actions, nil, argv, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
        var status: Int32 = 0
        var peak = 0
        while true {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid || (waited == -1 && errno != EINTR) { break }
            peak = max(peak, highWaterMark(of: pid) ?? 0)
            usleep(10_000)
        }
        let seconds = Date().timeIntervalSince(started)
        // WIFEXITED and WEXITSTATUS by hand (Swift does not import the macros); a signal as 128 + it.
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Measured(status: code, seconds: seconds, peakBytes: peak,
                        stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                        stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    /// The peak resident bytes of `pid`'s address space so far (`VmHWM`), while it runs.
    static func highWaterMark(of pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        return kilobytes * 1024
    }

    /// RandWire-WS with 1600 nodes per stage: 20,023 operators, 40,041 tensors.
    static func largeGraph() throws -> URL {
        let graph = try CLI.temporaryFile("randwire-20k.json")
        let r = try CLI.run(["generate", "randwire", "--model", "ws", "--seed", "1", "--nodes", "1600", "-o", graph.path])
        try #require(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("20023 operators"), "\(r.stdout)")
        return graph
    }

    /// The graph, generated once for the suite.
    static let graph = Result { try largeGraph() }

    @Test("cosma solve plans 20,000 operators within the memory budget, with a simulated plan")
    func solveWithinBudget() throws {
        let graph = try Self.graph.get()
        let plan = try CLI.temporaryFile("plan.json")
        let r = try Self.measure(["solve", graph.path, "--capacity", "80000000", "--time-limit", "1", "-o", plan.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("the plan passed the simulator"), "\(r.stdout)")
        #expect(r.peakBytes > 0 && r.peakBytes < Self.memoryBudget, "peak RSS \(r.peakBytes >> 20) MiB")
        #expect(FileManager.default.fileExists(atPath: plan.path))
    }

    @Test("cosma info on 20,000 operators refuses the minimum-peak program by its size, within the memory budget")
    func refusalWithinBudget() throws {
        let graph = try Self.graph.get()
        let info = try Self.measure(["info", graph.path, "--time-limit", "1"])
        #expect(info.status == 0, "\(info.stderr)")
        // Refused by the rows it would have at least, whatever the time left: 10^8 rows, which
        // used to be built (24 GB) before they were counted.
        #expect(info.stdout.contains("the minimum-peak program, at least 101091738 rows, is too large to attempt"), "\(info.stdout)")
        #expect(info.stdout.contains("M_H         not available until M_P is proven"), "\(info.stdout)")
        #expect(info.peakBytes > 0 && info.peakBytes < Self.memoryBudget, "peak RSS \(info.peakBytes >> 20) MiB")
    }
}
