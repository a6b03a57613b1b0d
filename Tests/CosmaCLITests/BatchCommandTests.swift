import DNNGraph
import Foundation
import Testing

/// Small batches run through the real `cosma batch`, as a user would run them.
@Suite struct BatchCommandTests {
    /// Two seeded synthetic networks (10 and 14 operators) on which the paper's baselines spill or
    /// fail at M_R and M_H while the exact method does better, plus `graphs/tiny.json`. They are
    /// named after paper models only so that the report's "Against the paper" section appears;
    /// the section's numbers are then checked like every other.
    static func graphs(in folder: URL) throws -> [String] {
        var paths = ["graphs/tiny.json"]
        for (operators, seed, name) in [(10, 3 as UInt64, "densenet121"), (14, 4 as UInt64, "nasnet_a_mobile")] {
            var document = SyntheticGraphs.residualNetwork(operators: operators, seed: seed)
            document.name = name
            let url = folder.appendingPathComponent("\(name).json")
            try Graph(document: document).canonicalJSON().write(to: url, atomically: true, encoding: .utf8)
            paths.append(url.path)
        }
        return paths
    }

    static func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cosma-batch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func batchArguments(graphs: [String], out: URL, extra: [String] = []) -> [String] {
        ["batch", "--graphs"] + graphs + ["--budgets", "M_R,M_H,M_P", "--tensors", "activations,all",
                                          "--methods", "exact,fixed-schedule,paper-baselines", "--jobs", "2",
                                          "--time-limit", "30", "--out", out.path] + extra
    }

    @Test func aKilledBatchResumedWritesTheSameFilesAsAnUninterruptedOne() throws {
        let dir = try Self.folder()
        let graphs = try Array(Self.graphs(in: dir).prefix(2))
        let whole = dir.appendingPathComponent("whole")
        let resumed = dir.appendingPathComponent("resumed")
        let uninterrupted = try CLI.run(Self.batchArguments(graphs: graphs, out: whole))
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")

        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = Self.batchArguments(graphs: graphs, out: resumed)
        process.currentDirectoryURL = CLI.root
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let journal = resumed.appendingPathComponent("journal.jsonl")
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let lines = ((try? String(contentsOf: journal, encoding: .utf8)) ?? "").split(separator: "\n").count
            if lines >= 12 || !process.isRunning { break }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let kept = try String(contentsOf: journal, encoding: .utf8).split(separator: "\n").count
        let total = 2 * 2 * 3 * 6
        // The kill must land in the middle, or this test would prove nothing about resuming.
        try #require(kept >= 12 && kept < total, "the batch finished \(kept) of \(total) rows before it was killed")
        #expect(!FileManager.default.fileExists(atPath: resumed.appendingPathComponent("report.md").path))

        let again = try CLI.run(Self.batchArguments(graphs: graphs, out: resumed))
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("\(total) rows"), "\(again.stdout)")

        // Measured times legitimately differ between two runs; everything else must be identical.
        // So: CSV and JSON rows are compared with their four time fields blanked, report.md with
        // its time-dependent parts removed (the line naming date and output folder, the solve-time
        // section, the paper comparison's solve-time row), SVGs byte for byte except the
        // solve-time chart. Plans are not compared: they record solver seconds.
        let timeColumns: Set<String> = ["buildSeconds", "solveSeconds", "methodSeconds", "wallSeconds"]
        #expect(try blankedCSV(whole, timeColumns) == blankedCSV(resumed, timeColumns))
        #expect(try blankedJSON(whole, timeColumns) == blankedJSON(resumed, timeColumns))
        #expect(try timelessReport(whole) == timelessReport(resumed))
        let pictures = try svgFiles(whole)
        #expect(pictures == (try svgFiles(resumed)))
        #expect(pictures.contains("traffic-M_R-all.svg") && pictures.contains { $0.hasPrefix("maps/") }, "\(pictures)")
        for name in pictures where name != "solve-times.svg" {
            let a = try String(contentsOf: whole.appendingPathComponent(name), encoding: .utf8)
            let b = try String(contentsOf: resumed.appendingPathComponent(name), encoding: .utf8)
            #expect(a == b, "\(name) differs")
        }
        try ReportCheck(folder: whole).verify()
    }

    @Test func everyNumberInTheReportComesFromTheCSV() throws {
        let dir = try Self.folder()
        let graphs = try Self.graphs(in: dir)
        let out = dir.appendingPathComponent("report")
        // A user size below M_R (1KiB) makes unavailable rows; an extra heuristic adds the
        // "best heuristic" column; the synthetic graphs carry paper names (see `graphs(in:)`).
        let r = try CLI.run(["batch", "--graphs"] + graphs + [
            "--budgets", "M_R,M_H,M_P,170KiB,1KiB", "--tensors", "activations", "--methods",
            "exact,paper-baselines,greedy+lru+first-fit", "--time-limit", "30", "--out", out.path,
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let check = try ReportCheck(folder: out)
        try check.verify()
        #expect(check.rows.contains { $0["status"] == "unavailable" && $0["budget"] == "1KiB" })
        #expect(check.report.contains("## \(ReportCheck.headline)"))
        #expect(!check.report.contains("## Against the paper"), "the headline replaces the old comparison")
        #expect(check.report.contains("| best heuristic |"))
    }

    @Test func aWorkerThatOverrunsIsKilledAndRecorded() throws {
        let out = try Self.folder().appendingPathComponent("killed")
        // The Transformer's minimum-peak search (for M_P) and exact solve take seconds in any build, so
        // the worker is surely still running after half a second, however loaded the machine is.
        let r = try CLI.run(["batch", "--graphs", "graphs/transformer.json", "--budgets", "M_P", "--tensors", "activations",
                             "--methods", "exact", "--kill-after", "0.5", "--out", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        let check = try ReportCheck(folder: out)
        #expect(check.rows.count == 1)
        #expect(check.rows.first?["status"] == "timeout")
        #expect(check.rows.first?["reason"]?.contains("killed after") == true)
        #expect(check.report.contains("| transformer | activations | n/a | timeout |"), "\(check.report)")
    }

    @Test func badInputIsRefusedBeforeAnythingIsWritten() throws {
        let dir = try Self.folder()
        let out = dir.appendingPathComponent("never")
        let missing = try CLI.run(["batch", "--graphs", "graphs/none-*.json", "--out", out.path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("graphs/none-*.json") && missing.stderr.contains("no file matches"), "\(missing.stderr)")
        let budget = try CLI.run(["batch", "--graphs", "graphs/tiny.json", "--budgets", "M_R,lots", "--out", out.path])
        #expect(budget.status == 2)
        #expect(budget.stderr.contains("--budgets") && budget.stderr.contains("'lots'"), "\(budget.stderr)")
        let method = try CLI.run(["batch", "--graphs", "graphs/tiny.json", "--methods", "exact,magic", "--out", out.path])
        #expect(method.status == 2)
        #expect(method.stderr.contains("'magic' is not a method"), "\(method.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))

        let first = dir.appendingPathComponent("first")
        let ok = try CLI.run(["batch", "--graphs", "graphs/tiny.json", "--budgets", "M_R", "--methods", "paper-baselines",
                              "--out", first.path])
        #expect(ok.status == 0, "\(ok.stderr)")
        let other = try CLI.run(["batch", "--graphs", "graphs/tiny.json", "--budgets", "M_P", "--methods", "paper-baselines",
                                 "--out", first.path])
        #expect(other.status == 2)
        #expect(other.stderr.contains("holds a different batch"), "\(other.stderr)")
    }

    @Test func plotDrawsAValidPlanAndRefusesABrokenOne() throws {
        let plan = try CLI.temporaryFile("plan.json", contents: examplePlan)
        let svg = plan.deletingLastPathComponent().appendingPathComponent("memory.svg")
        let r = try CLI.run(["plot", plan.path, "--graph", "graphs/tiny.json", "-o", svg.path])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOf: svg, encoding: .utf8)
        #expect(text.hasPrefix("<svg") && text.contains(">a1</text>") && text.contains("capacity"))
        let broken = try CLI.temporaryFile("broken.json", contents: examplePlan.replacingOccurrences(of: "\"capacity\": 4096", with: "\"capacity\": 3000"))
        let refused = broken.deletingLastPathComponent().appendingPathComponent("broken.svg")
        let bad = try CLI.run(["plot", broken.path, "--graph", "graphs/tiny.json", "-o", refused.path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("outOfBounds"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: refused.path))
    }
}

/// results.csv with the given columns emptied.
func blankedCSV(_ folder: URL, _ columns: Set<String>) throws -> [[String: String]] {
    try parseCSV(String(contentsOf: folder.appendingPathComponent("results.csv"), encoding: .utf8)).map { row in
        row.filter { !columns.contains($0.key) }
    }
}

/// results.json with the given keys removed, each row as compact text for comparison.
func blankedJSON(_ folder: URL, _ keys: Set<String>) throws -> [String] {
    let data = try Data(contentsOf: folder.appendingPathComponent("results.json"))
    let document = try JSONSerialization.jsonObject(with: data)
    let rows = try #require((document as? [String: Any])?["rows"] as? [[String: Any]] ?? document as? [[String: Any]])
    return try rows.map { row in
        let kept = row.filter { !keys.contains($0.key) }
        return String(decoding: try JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys]), as: UTF8.self)
    }
}

/// report.md without what depends on measured times or on the output folder's name.
func timelessReport(_ folder: URL) throws -> String {
    let text = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
    var kept: [Substring] = []
    var inTimes = false
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix("## ") { inTimes = line == "## Solve times" }
        if inTimes || line.hasPrefix("# Batch report") || line.hasPrefix("Written by") || line.hasPrefix("| average solve time") { continue }
        kept.append(line)
    }
    return kept.joined(separator: "\n")
}

/// The SVG files of a batch folder, relative to it.
func svgFiles(_ folder: URL) throws -> [String] {
    let top = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".svg") }
    let maps = (try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("maps").path)) ?? []
    return (top + maps.map { "maps/" + $0 }).sorted()
}

/// RFC 4180 CSV into rows keyed by the header.
func parseCSV(_ text: String) -> [[String: String]] {
    var records: [[String]] = []
    var field = ""
    var record: [String] = []
    var quoted = false
    var chars = Array(text)[...]
    while let c = chars.popFirst() {
        if quoted {
            if c == "\"" {
                if chars.first == "\"" {
                    field.append("\"")
                    chars.removeFirst()
                } else {
                    quoted = false
                }
            } else {
                field.append(c)
            }
        } else if c == "\"" {
            quoted = true
        } else if c == "," {
            record.append(field)
            field = ""
        } else if c == "\n" {
            record.append(field)
            records.append(record)
            record = []
            field = ""
        } else {
            field.append(c)
        }
    }
    guard let header = records.first else { return [] }
    return records.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
}

@Suite struct CommittedBatchReportTests {
    /// `results/example` is written by `cosma batch` (its report names the command); if the report
    /// format changes, the example is rerun rather than edited.
    @Test func theExampleReportAgreesWithItsCSV() throws {
        try ReportCheck(folder: CLI.root.appendingPathComponent("results/example")).verify()
    }

    /// `results/paper` (`make paper`): it opens with the headline, every number of which is
    /// recomputed from `results.csv`, and no paper baseline fails on any instance.
    @Test func thePaperReportAgreesWithItsCSV() throws {
        let check = try ReportCheck(folder: CLI.root.appendingPathComponent("results/paper"))
        try check.verify()
        #expect(check.report.hasPrefix("# Batch report: paper\n\n## \(ReportCheck.headline)\n"))
        #expect(check.methods.contains("divide-and-conquer"))
        let failing = check.rows.filter { ReportCheck.paperBaselines.contains($0["method"]!) && $0["status"] == "failed" }
            .map { "\($0["graph"]!) \($0["setting"]!) \($0["budget"]!) \($0["method"]!)" }
        #expect(failing == [], "paper baselines that fail")
    }
}
