import DNNGraph
import Foundation
import Scratchpad
import Testing

@Suite struct PlanJSONTests {
    /// The example plan of docs/formats.md, verbatim (shared with the CLI tests).
    static let example = try! String(
        contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/plans/contract-example.json").standardized,
        encoding: .utf8)

    func tiny() throws -> Graph {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../graphs/tiny.json").standardized
        return try Graph(contentsOf: url)
    }

    @Test func contractExampleIsValid() throws {
        let plan = try decodeJSON(Plan.self, from: Data(Self.example.utf8), source: "example")
        let r = Simulator(graph: try tiny()).run(plan)
        #expect(r.violations.isEmpty)
        #expect(r.traffic == Traffic(total: 3072, compulsory: 3072))
        let small = Simulator(graph: try tiny()).run(plan, configuration: Configuration(capacity: 3000))
        #expect(small.violations.map(\.rule) == [.outOfBounds])
        #expect(small.violations[0].step == 0 && small.violations[0].tensors == ["a1"])
    }

    @Test func writtenPlansReadBack() throws {
        let plan = try decodeJSON(Plan.self, from: Data(Self.example.utf8), source: "example")
        let again = try decodeJSON(Plan.self, from: Data(plan.json().utf8), source: "again")
        #expect(again == plan)
        #expect(plan.json().contains("{\"op\": \"relu1\", \"free\": [\"x\"], \"outputs\": [{\"tensor\": \"y\", \"offset\": 0}]}"))
    }

    @Test func missingKeysAreNamed() {
        let text = #"{"capacity": 10, "steps": [{"load": []}]}"#
        let error = #expect(throws: InputError.self) { try decodeJSON(Plan.self, from: Data(text.utf8), source: "p.json") }
        #expect(error?.description.contains("steps[0].op") == true, "\(error?.description ?? "")")
    }
}
