import Foundation
import Reports
import Testing

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
    /// The budget the README states: peak resident memory of one `cosma` process (or of one of its
    /// solver children), as ``ProcessRun/peakBytes`` measures it. Three times what it uses, so a
    /// peak in a process's last 10 ms, which the reads could miss, would not hide a breach.
    static let memoryBudget = 512 << 20

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
        let r = try ProcessRun(executable: CLI.executable,
                               arguments: ["solve", graph.path, "--capacity", "80000000", "--time-limit", "1", "-o", plan.path])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.contains("the plan passed the simulator"), "\(r.stdout)")
        #expect(r.peakBytes > 0 && r.peakBytes < Self.memoryBudget, "peak RSS \(r.peakBytes >> 20) MiB")
        #expect(FileManager.default.fileExists(atPath: plan.path))
    }

    @Test("cosma info on 20,000 operators refuses the minimum-peak program by its size, within the memory budget")
    func refusalWithinBudget() throws {
        let graph = try Self.graph.get()
        let info = try ProcessRun(executable: CLI.executable, arguments: ["info", graph.path, "--time-limit", "1"])
        #expect(info.exitCode == 0, "\(info.stderr)")
        // Refused by the rows it would have at least, whatever the time left: 10^8 rows, which
        // used to be built (24 GB) before they were counted.
        #expect(info.stdout.contains("the minimum-peak program, at least 101091738 rows, is too large to attempt"), "\(info.stdout)")
        #expect(info.stdout.contains("M_H         not available until M_P is proven"), "\(info.stdout)")
        #expect(info.peakBytes > 0 && info.peakBytes < Self.memoryBudget, "peak RSS \(info.peakBytes >> 20) MiB")
    }
}
