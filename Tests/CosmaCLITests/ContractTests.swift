import CosmaTestSupport
import DNNGraph
import Foundation
import Testing

/// Every document the tool writes (plans, graphs, `--json` summaries and replays) conforms to
/// its schema in `schemas/` and names its format.
@Suite struct ContractTests {
    static let schemas = try! JSONSchemaValidator(folder: CLI.root.appendingPathComponent("schemas"))

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
}
