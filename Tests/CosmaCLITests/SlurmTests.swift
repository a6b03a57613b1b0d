import DNNGraph
import Foundation
import Testing

/// Batches submitted to a real Slurm cluster with `cosma batch --slurm`. They run where
/// `SLURM_CONF` names a running cluster: `make test-slurm` starts a one-node cluster
/// (`tools/slurm/one-node-cluster.sh`), runs this suite and stops it; `.ci/run` calls it.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["SLURM_CONF"] != nil,
                             "needs a running Slurm cluster named by SLURM_CONF (make test-slurm)"))
struct SlurmTests {
    /// Four graphs x 3 budgets x 2 methods, all settled long before any time limit: the exact
    /// method proves its optimum on these small graphs and the heuristic does not depend on time.
    static func graphs(in folder: URL) throws -> [String] {
        var paths = try BatchCommandTests.graphs(in: folder)
        var document = SyntheticGraphs.residualNetwork(operators: 12, seed: 5)
        document.name = "residual12"
        let url = folder.appendingPathComponent("residual12.json")
        try Graph(document: document).canonicalJSON().write(to: url, atomically: true, encoding: .utf8)
        paths.append(url.path)
        return paths
    }

    static func batch(_ graphs: [String], out: URL, _ extra: [String]) -> [String] {
        ["batch", "--graphs"] + graphs + ["--budgets", "M_R,M_H,M_P", "--tensors", "activations", "--methods",
                                          "exact,mpmf+belady+best-fit", "--jobs", "1", "--time-limit", "30", "--out", out.path] + extra
    }

    /// The job ids in `submitted job array A (...) and merge job M after it`.
    static func jobs(_ stdout: String) throws -> (array: String, merge: String) {
        let words = stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        let array = try #require(words.firstIndex(of: "array").map { words[$0 + 1] }, "\(stdout)")
        let merge = try #require(words.firstIndex(of: "merge").flatMap { words[$0 + 1] == "job" ? words[$0 + 2] : nil }, "\(stdout)")
        return (array, merge)
    }

    static func slurm(_ command: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(command) \(arguments) failed")
        return String(decoding: data, as: UTF8.self)
    }

    /// Waits until Slurm no longer lists any of `jobs` (finished, failed or cancelled).
    static func waitFor(_ jobs: [String]) throws {
        let deadline = Date().addingTimeInterval(600)
        while Date() < deadline {
            // squeue lists pending and running jobs only; once Slurm forgets a job it fails instead.
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["squeue", "-h", "-o", "%i", "-j", jobs.joined(separator: ",")]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            let listed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            if process.terminationStatus != 0 || listed.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return }
            usleep(500_000)
        }
        Issue.record("Slurm jobs \(jobs) still listed after 10 minutes")
    }

    /// Every row of every shard journal, as instance keys (file, setting, budget, method).
    static func journalKeys(_ folder: URL) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("journal-") }
        return try names.flatMap { name in
            try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").map { line in
                let row = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                return ["file", "setting", "budget", "method"].map { "\(row[$0] ?? "")" }.joined(separator: " ")
            }
        }
    }

    /// Runs the batch here into `local`, then submits it with `--slurm --tasks 4` into `slurm`.
    static func runHereAndSubmit(environment: [String: String] = [:]) throws -> (local: URL, onSlurm: URL, jobs: (array: String, merge: String)) {
        let dir = try BatchCommandTests.folder()
        let graphs = try Self.graphs(in: dir)
        let local = dir.appendingPathComponent("local")
        let onSlurm = dir.appendingPathComponent("slurm")
        let here = try CLI.run(Self.batch(graphs, out: local, []))
        #expect(here.status == 0, "\(here.stderr)")
        let submitted = try CLI.run(Self.batch(graphs, out: onSlurm, ["--slurm", "--tasks", "4"]), environment: environment)
        #expect(submitted.status == 0, "\(submitted.stderr)")
        return (local, onSlurm, try Self.jobs(submitted.stdout))
    }

    @Test func aJobArrayOfFourTasksGivesTheRowsOfALocalRun() throws {
        let (local, onSlurm, jobs) = try Self.runHereAndSubmit()
        try Self.waitFor([jobs.array, jobs.merge])

        let merge = try String(contentsOf: onSlurm.appendingPathComponent("slurm/merge-\(jobs.merge).out"), encoding: .utf8)
        #expect(merge.contains("merged 4 shard journals: 24 rows"), "\(merge)")
        let rows = try blankedCSV(local, ShardSweepCommandTests.timeColumns)
        #expect(rows.count == 24)
        #expect(try blankedCSV(onSlurm, ShardSweepCommandTests.timeColumns) == rows)
    }

    @Test func aCancelledTaskResubmittedCompletesTheBatchWithoutLosingOrDuplicatingRows() throws {
        // Submitted held (sbatch reads SBATCH_HOLD), so that task 2 is surely cancelled before it runs.
        let (local, onSlurm, jobs) = try Self.runHereAndSubmit(environment: ["SBATCH_HOLD": "1"])
        _ = try Self.slurm("scancel", ["\(jobs.array)_2"])
        // The other tasks by name: releasing the whole array fails (status 1, "Job has already
        // finished") whenever Slurm had split task 2 into a record of its own before the cancel.
        _ = try Self.slurm("scontrol", ["release", [1, 3, 4].map { "\(jobs.array)_\($0)" }.joined(separator: ",")])
        _ = try Self.slurm("scontrol", ["release", jobs.merge])
        try Self.waitFor([jobs.array, jobs.merge])

        // The merge after the array names the missing shard and writes nothing.
        let merge = try String(contentsOf: onSlurm.appendingPathComponent("slurm/merge-\(jobs.merge).out"), encoding: .utf8)
        #expect(merge.contains("incomplete shards: 2/4") && merge.contains("nothing was written"), "\(merge)")
        #expect(!FileManager.default.fileExists(atPath: onSlurm.appendingPathComponent("results.csv").path))
        #expect(try Self.journalKeys(onSlurm).count == 18)

        let again = try CLI.run(["batch", "--resubmit", onSlurm.path])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("(shards 2/4)"), "\(again.stdout)")
        let second = try Self.jobs(again.stdout)
        try Self.waitFor([second.array, second.merge])

        let keys = try Self.journalKeys(onSlurm)
        #expect(keys.count == 24 && Set(keys).count == 24, "\(keys.count) journal rows, \(Set(keys).count) instances")
        let rows = try blankedCSV(local, ShardSweepCommandTests.timeColumns)
        #expect(try blankedCSV(onSlurm, ShardSweepCommandTests.timeColumns) == rows)
        let finished = try CLI.run(["batch", "--resubmit", onSlurm.path])
        #expect(finished.stdout.contains("is complete"), "\(finished.stdout)")
    }
}
