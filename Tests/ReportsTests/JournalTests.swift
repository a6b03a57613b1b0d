import Foundation
import Cosma
import Reports
import Testing

@Suite struct JournalTests {
    static func row(_ method: String, traffic: Int) -> ResultRow {
        ResultRow(graph: "tiny", file: "graphs/tiny.json", setting: .activations, budget: "M_R", capacity: 5120, method: method,
                  status: .heuristic, total: 3072 + traffic, compulsory: 3072, nonCompulsory: traffic, solveSeconds: 0.001,
                  wallSeconds: 0.25, reason: nil)
    }

    func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cosma-journal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func keepsEveryAppendedRowAndDropsAnUnfinishedLastLine() throws {
        let url = try folder().appendingPathComponent("journal.jsonl")
        do {
            let journal = try Journal(appendingTo: url)
            try journal.append(Self.row("a", traffic: 0))
            try journal.append(Self.row("b", traffic: 10))
        }
        // A kill in the middle of an append leaves half a line.
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"graph\": \"tiny\", \"fi".utf8))
        try handle.close()
        let read = try Journal.rows(at: url)
        #expect(read.count == 2)
        #expect(read[Self.row("b", traffic: 10).key] == Self.row("b", traffic: 10))
        // Reopening cuts the half line off, so the next row starts on a line of its own.
        try Journal(appendingTo: url).append(Self.row("c", traffic: 20))
        let again = try Journal.rows(at: url)
        #expect(again.count == 3)
        #expect(again[Self.row("c", traffic: 20).key]?.nonCompulsory == 20)
    }

    @Test func aDamagedLineInTheMiddleNamesItsLine() throws {
        let url = try folder().appendingPathComponent("journal.jsonl")
        try (Self.row("a", traffic: 0).jsonValue.compact + "\nnot json\n" + Self.row("b", traffic: 1).jsonValue.compact + "\n")
            .write(to: url, atomically: true, encoding: .utf8)
        #expect {
            _ = try Journal.rows(at: url)
        } throws: { error in
            "\(error)".contains("line 2")
        }
    }

    @Test func rowsSurviveTheirJSON() throws {
        var row = Self.row("exact", traffic: 123)
        row.status = .timeLimit
        row.bound = 100
        row.gap = Double(123 - 100) / 123
        row.buildSeconds = 0.123
        row.reason = "a reason, with \"quotes\""
        #expect(try ResultRow(json: row.jsonValue.compact, source: "test") == row)
    }
}

@Suite struct ProgressTests {
    @Test func lineShowsCountsRunningInstancesAndTimeLeftWithinTheWidth() {
        var state = BatchProgress(total: 40, resumed: 10)
        state.done = 10
        state.withoutPlan = 2
        state.estimatedSecondsLeft = 125
        state.running = [(InstanceKey(file: "graphs/resnet50.json", setting: .all, budget: "M_R", method: "exact"), 3.4)]
        let line = state.line(width: 200)
        #expect(line == "[##########..........] 20/40 (10 resumed), 2 without plan, ~2m05s left | resnet50 all M_R exact 3s")
        #expect(state.line(width: 30).count == 30)
    }
}

/// `cosma bench divide-and-conquer` keeps its rows in the batch's journals: shards write their
/// own `journal-I-of-N.jsonl`, a report from the folder alone holds every row, and a second run's
/// journal says the plans are the same bytes.
@Suite struct DivideAndConquerJournalTests {
    @Test func shardsShareTheFolderAndTheReportReadsEveryJournal() throws {
        let graph = try Cosma.loadGraph(at: fixture("graphs/tiny.json"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cosma-dc-journal-\(UUID().uuidString)")
        var settings = BenchTables.DivideAndConquerSettings(solver: .cbc, timeLimit: 2, segmentOperators: 4, compareExact: false)
        settings.deterministic = true
        settings.journal = folder
        var solved: [String] = []
        for index in 1...2 {
            settings.shard = Shard(index: index, count: 2)
            _ = try BenchTables.divideAndConquer([graph], settings: settings, command: "test", log: { solved.append($0) })
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names == ["journal-1-of-2.jsonl", "journal-2-of-2.jsonl"])
        // Every instance with a capacity ran once, in one shard or the other.
        #expect(solved.count == Set(solved).count && !solved.isEmpty)
        settings.shard = nil
        settings.reportOnly = true
        // Named as the command line gave it (relative to where it ran), not by this machine's path.
        settings.agreeWith = URL(fileURLWithPath: folder.lastPathComponent, relativeTo: folder.deletingLastPathComponent())
        var again: [String] = []
        let table = try BenchTables.divideAndConquer([graph], settings: settings, command: "test", log: { again.append($0) })
        #expect(again.isEmpty)
        #expect(!table.contains("not run"))
        #expect(table.contains("a second run (journal `\(folder.lastPathComponent)`) wrote byte-identical plans on \(solved.count) of the \(solved.count) instances both ran"))
    }
}
