import Foundation
import Testing

/// Sharded batches and sweeps through the real `cosma`, on graphs small enough that every method's
/// result is settled long before its time limit (the exact method proves its optimum, heuristics
/// do not depend on time), so the comparisons hold on any machine.
@Suite struct ShardSweepCommandTests {
    /// Measured times differ between runs; everything else in a row must not.
    static let timeColumns: Set<String> = ["buildSeconds", "solveSeconds", "methodSeconds", "wallSeconds"]

    static func batch(_ graphs: [String], out: URL, _ extra: [String]) -> [String] {
        ["batch", "--graphs"] + graphs + ["--budgets", "M_R,M_H,M_P", "--tensors", "activations,all",
                                          "--methods", "exact,mpmf+belady+best-fit", "--jobs", "2", "--time-limit", "30",
                                          "--out", out.path] + extra
    }

    @Test func threeShardsMergedGiveTheRowsOfTheWholeBatch() throws {
        let dir = try BatchCommandTests.folder()
        let graphs = try BatchCommandTests.graphs(in: dir)
        let whole = dir.appendingPathComponent("whole")
        let sharded = dir.appendingPathComponent("sharded")
        let run = try CLI.run(Self.batch(graphs, out: whole, []))
        #expect(run.status == 0, "\(run.stderr)")

        for i in 1...2 {
            let r = try CLI.run(Self.batch(graphs, out: sharded, ["--shard", "\(i)/3"]))
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("shard \(i)/3: 12 rows"), "\(r.stdout)")
        }
        // Shard 3 has not run: the merge names it and writes nothing.
        let early = try CLI.run(["batch", "--merge", sharded.path])
        #expect(early.status == 1)
        #expect(early.stderr.contains("incomplete shards: 3/3") && early.stderr.contains("12 of 36"), "\(early.stderr)")
        #expect(!FileManager.default.fileExists(atPath: sharded.appendingPathComponent("results.csv").path))

        let last = try CLI.run(Self.batch(graphs, out: sharded, ["--shard", "3/3"]))
        #expect(last.status == 0, "\(last.stderr)")
        let merged = try CLI.run(["batch", "--merge", sharded.path])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stdout.contains("merged 3 shard journals: 36 rows"), "\(merged.stdout)")

        let journals = try (1...3).map { i in
            try String(contentsOf: sharded.appendingPathComponent("journal-\(i)-of-3.jsonl"), encoding: .utf8).split(separator: "\n").count
        }
        #expect(journals == [12, 12, 12])
        let wholeRows = try blankedCSV(whole, Self.timeColumns)
        #expect(wholeRows.count == 36)
        #expect(try blankedCSV(sharded, Self.timeColumns) == wholeRows)
        #expect(wholeRows.contains { $0["status"] == "optimal" } && wholeRows.contains { $0["status"] == "heuristic" })
        #expect(FileManager.default.fileExists(atPath: sharded.appendingPathComponent("report.md").path))
        // No shard shares another's work folder, and none is left behind.
        let left = try FileManager.default.contentsOfDirectory(atPath: sharded.path).filter { $0.hasPrefix(".work") }
        #expect(left.isEmpty, "\(left)")
    }

    @Test func shardAndMergeRefuseBadInput() throws {
        let dir = try BatchCommandTests.folder()
        let bad = try CLI.run(["batch", "--graphs", "graphs/tiny.json", "--shard", "4/3", "--out", dir.appendingPathComponent("x").path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("'4/3' is not a shard"), "\(bad.stderr)")
        let nothing = try CLI.run(["batch", "--merge", dir.path])
        #expect(nothing.status == 2)
        #expect(nothing.stderr.contains("batch.json") && nothing.stderr.contains("does not exist"), "\(nothing.stderr)")
        let both = try CLI.run(["batch", "--merge", dir.path, "--graphs", "graphs/tiny.json"])
        #expect(both.status != 0)
        #expect(both.stderr.contains("--merge and --resubmit take the batch folder alone"), "\(both.stderr)")
    }

    @Test func slurmDryRunPrintsTheScriptsAndWritesNothing() throws {
        let out = try BatchCommandTests.folder().appendingPathComponent("planned")
        let r = try CLI.run(["batch", "--graphs", "graphs/tiny.json", "--budgets", "sweep:4", "--tensors", "activations",
                             "--methods", "exact", "--jobs", "2", "--out", out.path, "--slurm", "--tasks", "3", "--partition", "short",
                             "--dry-run"])
        #expect(r.status == 0, "\(r.stderr)")
        for line in ["#SBATCH --array=1-3", "#SBATCH --cpus-per-task=2", "#SBATCH --partition=short",
                     "--budgets M_R..M_P@1of4,M_R..M_P@2of4,M_R..M_P@3of4,M_R..M_P@4of4",
                     "--shard \"${SLURM_ARRAY_TASK_ID}/3\" --jobs 2", "batch --merge \(out.path)",
                     "sbatch --parsable --dependency=afterany:ARRAY_JOB \(out.path)/slurm/merge.sbatch"]
        {
            #expect(r.stdout.contains(line), "\(line)")
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func aSweepWritesCurvesAndAnswersTheThreshold() throws {
        let dir = try BatchCommandTests.folder()
        let graphs = try BatchCommandTests.graphs(in: dir)
        let out = dir.appendingPathComponent("sweep")
        let r = try CLI.run(["sweep"] + graphs + ["--points", "5", "--tensors", "activations", "--methods", "exact", "--solver", "cbc", "--jobs", "2",
                                                  "--time-limit", "30", "--out", out.path, "--at-most", "0"])
        #expect(r.status == 0, "\(r.stderr)")
        let csv = parseCSV(try String(contentsOf: out.appendingPathComponent("sweep.csv"), encoding: .utf8))
        #expect(csv.count == 3 * 5)
        // The exact method proves every point of these graphs, and traffic never grows with capacity.
        #expect(csv.allSatisfy { $0["proven"] == "yes" }, "\(csv)")
        for graph in Set(csv.map { $0["graph"]! }) {
            let curve = csv.filter { $0["graph"] == graph }
            let capacities = curve.map { Int($0["capacity"]!)! }
            let traffic = curve.map { Int($0["nonCompulsory"]!)! }
            #expect(capacities == capacities.sorted() && traffic == traffic.sorted(by: >), "\(graph): \(capacities) \(traffic)")
            #expect(traffic.last == 0, "at M_P nothing needs to spill")
            // The answer to "at most 0 bytes" is the first capacity of the curve with zero traffic.
            let first = zip(capacities, traffic).first { $0.1 == 0 }!.0
            #expect(r.stdout.contains("\(graph) activations: \(first) bytes"), "\(r.stdout)")
        }
        #expect(csv.contains { Int($0["nonCompulsory"]!)! > 0 }, "no point spills: the sweep shows nothing")
        for name in ["sweep.md", "curves/zoo-activations.svg", "curves/densenet121.svg", "report.md", "results.csv"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)")
        }
        let svg = try String(contentsOf: out.appendingPathComponent("curves/densenet121.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("(proven)"))
    }

    /// Below M_R a sweep tiles: its curve continues below M_R with tiled points (never proven),
    /// each plan kept beside its tiled graph, which the simulator replays.
    @Test func aSweepGoesBelowMRWithTiledPoints() throws {
        let out = try BatchCommandTests.folder().appendingPathComponent("low")
        let r = try CLI.run(["sweep", "graphs/resnet50.json", "--from", "256KiB", "--to", "M_R", "--points", "3", "--tensors", "activations",
                             "--methods", "default+belady+best-fit", "--out", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("below M_R: tiled into 224 tiles"), "the batch says it tiled: \(r.stderr)")
        let csv = parseCSV(try String(contentsOf: out.appendingPathComponent("sweep.csv"), encoding: .utf8))
        #expect(csv.map { Int($0["capacity"]!)! } == [262_144, 262_144 + (2_408_448 - 262_144) / 2, 2_408_448], "\(csv)")
        // The two points below resnet50's M_R (2408448 bytes) plan tiled graphs; the last does not.
        #expect(csv.map { $0["tiles"]!.isEmpty } == [false, false, true], "\(csv)")
        #expect(csv.prefix(2).allSatisfy { $0["proven"] == "no" && $0["bound"] == "" && Int($0["nonCompulsory"]!)! > 0 })
        let svg = try String(contentsOf: out.appendingPathComponent("curves/resnet50.svg"), encoding: .utf8)
        #expect(svg.contains("below M_R") && svg.contains("tiled into 224 tiles"), "\(svg)")
        let plans = out.appendingPathComponent("plans")
        let plan = plans.appendingPathComponent("resnet50-activations-262144..M_R@1of3-default+belady+best-fit.json")
        let graph = plans.appendingPathComponent("resnet50-activations-262144..M_R@1of3-default+belady+best-fit.tiled-graph.json")
        let replay = try CLI.run(["simulate", graph.path, plan.path])
        #expect(replay.status == 0 && replay.stdout.contains("valid plan"), "\(replay.stdout)\(replay.stderr)")
        let check = try CLI.run(["validate", graph.path, "--original", "graphs/resnet50.json"])
        #expect(check.status == 0, "\(check.stderr)")
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("262144 (tiled, 224 tiles)"), "\(report)")
    }

    /// Below the smallest capacity tiling reaches, the rows are unavailable and say which
    /// operator cannot be tiled small enough and what capacity works.
    @Test func belowTheSmallestTiledCapacityRowsNameTheOperator() throws {
        let out = try BatchCommandTests.folder().appendingPathComponent("tiny")
        let r = try CLI.run(["batch", "--graphs", "graphs/tiny.json", "--budgets", "1KiB", "--tensors", "activations",
                             "--methods", "default+belady+best-fit", "--out", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try ReportCheck(folder: out).rows
        #expect(rows.count == 1 && rows[0]["status"] == "unavailable")
        #expect(rows[0]["reason"]!.contains("operator 'relu1' needs 4096 bytes") && rows[0]["reason"]!.contains("at least 4096 bytes"),
                "\(rows)")
    }
}
