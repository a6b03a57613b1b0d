import CosmaTestSupport
import DNNGraph
import Foundation
import Reports
import Testing

/// Every document the tool writes (plans, graphs, `--json` summaries, replays, graph
/// descriptions, baseline tables and batch folders) conforms to its schema in `schemas/` and
/// names its format.
@Suite struct ContractTests {
    static let schemas = JSONSchemaValidator.committed

    func expectConforms(_ text: String, to schema: String, format: String) throws {
        let value = try JSONValue(parsing: text)
        #expect(Self.schemas.errors(in: value, against: schema) == [], "\(text.prefix(400))")
        guard case .object(let fields) = value else { return }
        #expect(fields.first(where: { $0.0 == "format" })?.1 == .string(format))
    }

    @Test(arguments: [
        ["solve", "graphs/tiny.json", "--capacity", "5KiB"],
        ["solve", "graphs/resnet50.json", "--capacity", "M_R", "--tensors", "all", "--method", "auto"],
        ["heuristic", "graphs/tiny.json", "--capacity", "4KiB"],
    ])
    func plansAndSummariesConform(command: [String]) throws {
        let plan = try CLI.temporaryFile("plan.json")
        let run = try CLI.run(command + ["-o", plan.path, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        try expectConforms(run.stdout, to: "summary.schema.json", format: "cosma-summary/1")
        try expectConforms(try String(contentsOf: plan, encoding: .utf8), to: "plan.schema.json", format: "cosma-plan/1")
        let replay = try CLI.run(["simulate", command[1], plan.path, "--json"])
        #expect(replay.status == 0)
        try expectConforms(replay.stdout, to: "simulation.schema.json", format: "cosma-simulation/1")
    }

    @Test func anInvalidReplayConforms() throws {
        let plan = try CLI.temporaryFile("plan.json", contents: #"{"capacity": 4096, "steps": [{"op": "nope"}]}"#)
        let replay = try CLI.run(["simulate", "graphs/tiny.json", plan.path, "--json"])
        #expect(replay.status == 1)
        try expectConforms(replay.stdout, to: "simulation.schema.json", format: "cosma-simulation/1")
    }

    @Test(arguments: [
        ["import", "models/onnx/resnet50.onnx", "--element-bytes", "1"],
        ["generate", "randwire", "--model", "ws", "--seed", "3", "--nodes", "12"],
    ])
    func writtenGraphsConform(command: [String]) throws {
        let graph = try CLI.temporaryFile("graph.json")
        let run = try CLI.run(command + ["-o", graph.path])
        #expect(run.status == 0, "\(run.stderr)")
        try expectConforms(try String(contentsOf: graph, encoding: .utf8), to: "graph.schema.json", format: "cosma-graph/1")
    }

    @Test func aPlanOfAnUnknownFormatIsRefused() throws {
        let plan = try CLI.temporaryFile("plan.json", contents: #"{"format": "cosma-plan/2", "capacity": 4096, "steps": []}"#)
        let replay = try CLI.run(["simulate", "graphs/tiny.json", plan.path])
        #expect(replay.status == 2)
        #expect(replay.stderr.contains(#"format "cosma-plan/2" is not one this Cosma reads"#))
    }

    @Test func aGraphDescriptionConforms() throws {
        for tensors in ["activations", "all"] {
            let run = try CLI.run(["info", "graphs/tiny.json", "--tensors", tensors, "--json"])
            #expect(run.status == 0, "\(run.stderr)")
            try expectConforms(run.stdout, to: "info.schema.json", format: "cosma-info/1")
        }
    }

    /// Each set of baselines, and a table where strict baselines fail (a failure is a row of the
    /// table, with its reason).
    @Test(arguments: [
        ["graphs/tiny.json", "--capacity", "4KiB", "--baseline", "paper"],
        ["graphs/tiny.json", "--capacity", "5KiB", "--baseline", "production"],
        ["graphs/tiny.json", "--capacity", "4KiB", "--tensors", "all", "--baseline", "all"],
        ["graphs/resnet50.json", "--capacity", "M_R", "--tensors", "all", "--baseline", "all", "--strict"],
    ])
    func baselineTablesConform(arguments: [String]) throws {
        let run = try CLI.run(["heuristic"] + arguments + ["--json"])
        #expect(run.status == 0, "\(run.stderr)")
        try expectConforms(run.stdout, to: "baselines.schema.json", format: "cosma-baselines/1")
        #expect(run.stdout.contains(#""failure": "#) == arguments.contains("--strict"))
    }

    /// A small batch's `batch.json` and `results.json` conform, and the header of `results.csv` is
    /// the column list the results schema documents.
    @Test func batchFilesConform() throws {
        let out = try CLI.temporaryFile("batch")
        let run = try CLI.run(["batch", "--graphs", "graphs/tiny.json", "--budgets", "M_R,M_P,1KiB", "--tensors", "activations,all",
                               "--methods", "fixed-schedule,paper-baselines", "--jobs", "1", "--out", out.path])
        #expect(run.status == 0, "\(run.stderr)")
        let text = { (name: String) in try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8) }
        try expectConforms(try text("batch.json"), to: "batch.schema.json", format: "cosma-batch/1")
        try expectConforms(try text("results.json"), to: "batch-results.schema.json", format: "cosma-batch-results/1")
        let lines = try text("results.csv").split(separator: "\n").map(String.init)
        // `tiles` follows the required columns: JSON files written before it omit it.
        #expect(lines.first == (try Self.documentedColumns() + ["tiles"]).joined(separator: ","))
        let rows = try ResultFiles.rows(json: Data(try text("results.json").utf8), source: "results.json")
        #expect(rows.count == lines.count - 1 && rows.count >= 2 * 3 * 2)
    }

    /// The columns of a CSV file: the `required` list of the row schema at `pointer` ("" for the
    /// whole schema, "$defs/row" for the results schema's row).
    static func documentedColumns(_ schema: String = "batch-results.schema.json", at pointer: [String] = ["$defs", "row"]) throws -> [String] {
        let url = CLI.root.appendingPathComponent("schemas/\(schema)")
        var node = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        for key in pointer { node = node?[key] as? [String: Any] }
        return try #require(node?["required"] as? [String])
    }

    /// A small sweep's `sweep.csv` has the documented header and every row conforms (read with
    /// that header, cells as strings); the batch files beside it conform too.
    @Test func sweepFilesConform() throws {
        let out = try CLI.temporaryFile("sweep")
        let run = try CLI.run(["sweep", "graphs/tiny.json", "--from", "4KiB", "--to", "6KiB", "--points", "3", "--tensors", "activations,all",
                               "--methods", "fixed-schedule,paper-baselines", "--jobs", "1", "--out", out.path])
        #expect(run.status == 0, "\(run.stderr)")
        let text = try String(contentsOf: out.appendingPathComponent("sweep.csv"), encoding: .utf8)
        #expect(text.split(separator: "\n").first.map(String.init) == (try Self.documentedColumns("sweep-csv.schema.json", at: [])).joined(separator: ","))
        let rows = parseCSV(text)
        #expect(rows.count == 2 * 3)
        for row in rows {
            let value = JSONValue.object(row.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
            #expect(Self.schemas.errors(in: value, against: "sweep-csv.schema.json") == [], "\(row)")
        }
        let batch = try String(contentsOf: out.appendingPathComponent("batch.json"), encoding: .utf8)
        try expectConforms(batch, to: "batch.schema.json", format: "cosma-batch/1")
        let results = try String(contentsOf: out.appendingPathComponent("results.json"), encoding: .utf8)
        try expectConforms(results, to: "batch-results.schema.json", format: "cosma-batch-results/1")
    }

    /// The committed paper batch predates formats: its files conform as version 1 and still read.
    @Test func theCommittedPaperBatchConformsAndReads() throws {
        let folder = CLI.root.appendingPathComponent("results/paper")
        for (name, schema) in [("results.json", "batch-results.schema.json"), ("batch.json", "batch.schema.json")] {
            let value = try JSONValue(parsing: try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8))
            #expect(Self.schemas.errors(in: value, against: schema) == [], "\(name)")
        }
        let rows = try ResultFiles.rows(json: Data(contentsOf: folder.appendingPathComponent("results.json")), source: "results.json")
        #expect(rows.count > 0)
        let merge = try BatchMerge(folder: folder)
        #expect(merge.missing.isEmpty && merge.rows.count == rows.count)
    }

    @Test func batchFilesOfAnUnknownFormatAreRefused() throws {
        let results = Data(#"{"format": "cosma-batch-results/2", "rows": []}"#.utf8)
        #expect {
            try ResultFiles.rows(json: results, source: "results.json")
        } throws: { error in
            "\(error)".contains(#"format "cosma-batch-results/2" is not one this Cosma reads"#)
        }
        let plan = Data(#"{"format": "cosma-plan/1", "rows": []}"#.utf8)
        #expect(throws: InputError.self) { try ResultFiles.rows(json: plan, source: "results.json") }
        let spec = Data(#"{"format": "cosma-batch/2", "files": ["graphs/tiny.json"], "settings": ["all"], "budgets": ["M_R"], "methods": ["exact"], "solver": "cbc", "timeLimit": 1}"#.utf8)
        #expect {
            try InstanceMatrix(json: spec, source: "batch.json")
        } throws: { error in
            "\(error)".contains(#"format "cosma-batch/2" is not one this Cosma reads"#)
        }
    }

    /// A folder whose `batch.json` was written before the file named its format resumes.
    @Test func aBatchFolderWithoutAFormatResumes() throws {
        let out = try CLI.temporaryFile("batch")
        let arguments = ["batch", "--graphs", "graphs/tiny.json", "--budgets", "M_R", "--methods", "paper-baselines", "--out", out.path]
        #expect(try CLI.run(arguments).status == 0)
        let spec = out.appendingPathComponent("batch.json")
        let old = try String(contentsOf: spec, encoding: .utf8).replacingOccurrences(of: "  \"format\": \"cosma-batch/1\",\n", with: "")
        #expect(!old.contains("format"))
        try old.write(to: spec, atomically: true, encoding: .utf8)
        let again = try CLI.run(arguments)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try String(contentsOf: spec, encoding: .utf8) == old)
    }
}
