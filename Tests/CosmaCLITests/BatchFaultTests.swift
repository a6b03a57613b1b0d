import Foundation
import Reports
import Testing

/// Faults injected into `cosma batch` (issue 21): killed workers, a killed batch, two batches on
/// one folder, an output folder that cannot be written. The worker hook
/// `COSMA_TEST_WORKER_PAUSE` keeps workers running until the test has killed what it kills, so
/// the outcome does not depend on the machine's speed.
@Suite(.serialized) struct BatchFaultTests {
    static func arguments(out: URL) -> [String] {
        ["batch", "--graphs", "graphs/tiny.json", "--budgets", "M_R", "--tensors", "activations",
         "--methods", "paper-baselines", "--jobs", "1", "--out", out.path]
    }

    static func start(_ arguments: [String], pause: Bool) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = arguments
        process.currentDirectoryURL = CLI.root
        if pause { process.environment = ProcessInfo.processInfo.environment.merging(["COSMA_TEST_WORKER_PAUSE": "60"]) { $1 } }
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        return (process, err)
    }

    static func waitFor(_ what: String, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(60)
        while !condition() {
            try #require(Date() < deadline, "timed out waiting for \(what)")
            usleep(20_000)
        }
    }

    static func journalLines(_ out: URL) -> [String] {
        ((try? String(contentsOf: out.appendingPathComponent("journal.jsonl"), encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
    }

    /// `kill -9` of a worker, then of the batch itself, then a resume: every instance ends with
    /// exactly one row, the crashed one retried once.
    @Test func killedWorkerAndKilledBatchResumeWithoutLosingOrDuplicatingRows() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("cosma-fault-\(UUID().uuidString)")
        let (batch, _) = try Self.start(Self.arguments(out: out), pause: true)
        var first: pid_t = 0
        try Self.waitFor("the first worker") {
            first = ProcessRun.children(of: batch.processIdentifier).first ?? 0
            return first != 0
        }
        kill(first, SIGKILL)
        try Self.waitFor("the crash row") { Self.journalLines(out).count == 1 }
        #expect(Self.journalLines(out)[0].contains("\"crashed\""))
        try Self.waitFor("the second worker") { !ProcessRun.children(of: batch.processIdentifier).isEmpty }
        kill(batch.processIdentifier, SIGKILL)
        batch.waitUntilExit()

        let resumed = try CLI.run(Self.arguments(out: out))
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let csv = try String(contentsOf: out.appendingPathComponent("results.csv"), encoding: .utf8)
        let rows = csv.split(separator: "\n").dropFirst()
        let instances = Set(rows.map { $0.split(separator: ",").prefix(6).joined(separator: ",") })
        #expect(rows.count == 4 && instances.count == 4, "\(csv)")
        #expect(!csv.contains("crashed"), "\(csv)")
        // The journal keeps the crash and the retry: one line more than there are rows.
        #expect(Self.journalLines(out).count == rows.count + 1)
    }

    /// A second batch on a folder in use refuses, naming the first one's PID; once the first is
    /// killed (its lock dies with it), the folder can be used again.
    @Test func aSecondBatchOnTheSameFolderRefuses() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("cosma-fault-\(UUID().uuidString)")
        let (batch, _) = try Self.start(Self.arguments(out: out), pause: true)
        try Self.waitFor("the first worker") { !ProcessRun.children(of: batch.processIdentifier).isEmpty }
        let second = try CLI.run(Self.arguments(out: out))
        #expect(second.status == 2, "\(second.stderr)")
        #expect(second.stderr.contains("PID \(batch.processIdentifier)"), "\(second.stderr)")
        #expect(Self.journalLines(out).isEmpty)
        kill(batch.processIdentifier, SIGKILL)
        batch.waitUntilExit()
        let third = try CLI.run(Self.arguments(out: out))
        #expect(third.status == 0, "\(third.stderr)")
    }

    @Test func anOutputFolderThatCannotBeCreatedOrWrittenIsRefused() throws {
        let file = try CLI.temporaryFile("not-a-folder", contents: "x")
        let under = try CLI.run(Self.arguments(out: file.appendingPathComponent("batch")))
        #expect(under.status == 2 && under.stderr.contains(file.path), "\(under.stderr)")
        // A missing folder is created, parents included.
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("cosma-fault-\(UUID().uuidString)/a/b")
        let created = try CLI.run(Self.arguments(out: missing))
        #expect(created.status == 0, "\(created.stderr)")
        #expect(FileManager.default.fileExists(atPath: missing.appendingPathComponent("results.csv").path))
        // Read-only: root ignores permission bits, so the test uses a folder of sysfs, where
        // nobody may create files, when it runs as root.
        let readOnly: URL
        if geteuid() == 0 {
            readOnly = URL(fileURLWithPath: "/sys/kernel")
        } else {
            readOnly = FileManager.default.temporaryDirectory.appendingPathComponent("cosma-fault-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: readOnly, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o555])
        }
        let denied = try CLI.run(Self.arguments(out: readOnly))
        #expect(denied.status == 2 && denied.stderr.contains(readOnly.path), "\(denied.stderr)")
    }
}
