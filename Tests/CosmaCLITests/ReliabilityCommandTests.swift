import Foundation
import Testing

/// `cosma solve` under injected solver faults, signals and unusable time limits (README,
/// "Reliability").
@Suite("Reliability of cosma solve")
struct ReliabilityCommandTests {
    /// A chain whose first output is read again at the end and cannot stay through the wide middle:
    /// every stage solves a program, and the plan costs 2000 bytes.
    static func skipGraph() throws -> URL { CLI.root.appendingPathComponent("Tests/Fixtures/skip.json") }

    static let faults = ["crash", "hang"].flatMap { fault in ["cbc", "glpk"].map { (fault, $0) } }

    @Test("An injected solver crash or hang leaves cosma solve alive with a valid plan within the limit plus a second",
          arguments: faults)
    func containedFault(fault: String, solver: String) throws {
        let graph = try Self.skipGraph()
        let plan = try CLI.temporaryFile("plan.json")
        let started = Date()
        let r = try CLI.run(["solve", graph.path, "--capacity", "M_R", "--solver", solver, "--time-limit", "2", "-o", plan.path, "--json"],
                            environment: ["COSMA_TEST_SOLVER_FAULT": fault])
        let seconds = Date().timeIntervalSince(started)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(seconds < 2 + 1, "cosma solve took \(seconds) s with a limit of 2 s")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let notes = summary["notes"] as? [String] ?? []
        let word = fault == "crash" ? "signal 11" : "killed"
        #expect(notes.contains { $0.hasPrefix("contained: the \(solver) solver process") && $0.contains(word) }, "\(notes)")
        #expect((summary["traffic"] as? [String: Any])?["nonCompulsory"] as? Int == 2000)
        #expect(try CLI.run(["simulate", graph.path, plan.path]).status == 0)
    }

    @Test("The in-process solver stays available and plans the same")
    func inProcess() throws {
        let graph = try Self.skipGraph()
        let r = try CLI.run(["solve", graph.path, "--capacity", "M_R", "--in-process-solver", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains(#""nonCompulsory":2000"#) || r.stdout.contains(#""nonCompulsory": 2000"#))
    }

    @Test("Unusable time limits are refused with exit code 2", arguments: ["nan", "inf", "-inf", "0", "-1", "-0.5"])
    func unusableTimeLimit(limit: String) throws {
        let r = try CLI.run(["solve", "graphs/tiny.json", "--capacity", "5KiB", "--time-limit=\(limit)"])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("--time-limit must be a positive, finite number of seconds"))
    }

    @Test("A tiny time limit is kept: 0.001 s with hanging solvers ends at once")
    func tinyTimeLimit() throws {
        let started = Date()
        let r = try CLI.run(["solve", try Self.skipGraph().path, "--capacity", "M_R", "--time-limit", "0.001"],
                            environment: ["COSMA_TEST_SOLVER_FAULT": "hang"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Date().timeIntervalSince(started) < 0.001 + 1)
    }
}

/// SIGINT and SIGTERM during `cosma solve` (README, "Reliability"): exit 3 with the best plan so
/// far written whole, or 130/143 with nothing written.
@Suite("Signals during cosma solve", .serialized)
struct SignalCommandTests {
    /// Starts `cosma solve` on the skip graph with hanging solvers and a long limit, and waits until
    /// it runs a solver child: the planner is then surely past its warm start.
    private func startSolving(output: URL) throws -> Process {
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["solve", try ReliabilityCommandTests.skipGraph().path, "--capacity", "M_R", "--time-limit", "60", "-o", output.path]
        process.environment = ProcessInfo.processInfo.environment.merging(["COSMA_TEST_SOLVER_FAULT": "hang"]) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while !hasSolverChild(process.processIdentifier), Date() < deadline { usleep(20_000) }
        return process
    }

    private func hasSolverChild(_ pid: Int32) -> Bool {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.contains { entry in
            guard Int32(entry) != nil, let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == pid && stat.contains("(cosma-solver)")
        }
    }

    @Test("SIGINT writes the best plan so far whole and exits 3", arguments: [SIGINT, SIGTERM])
    func interruptWritesPlan(signal: Int32) throws {
        let output = try CLI.temporaryFile("interrupted.json")
        let process = try startSolving(output: output)
        let sent = Date()
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        #expect(process.terminationStatus == 3)
        #expect(Date().timeIntervalSince(sent) < 2)
        let graph = try ReliabilityCommandTests.skipGraph()
        let replay = try CLI.run(["simulate", graph.path, output.path])
        #expect(replay.status == 0, "\(replay.stdout)\(replay.stderr)")
    }

    @Test("A second signal quits at once with 128 + the signal, writing nothing")
    func secondSignalWritesNothing() throws {
        let output = try CLI.temporaryFile("never.json")
        let process = try startSolving(output: output)
        kill(process.processIdentifier, SIGTERM)
        usleep(20_000)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 128 + SIGTERM)
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }
}
