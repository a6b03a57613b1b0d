import Cosma
import DNNGraph
import Scratchpad
import Heuristics
import Foundation
import Reports
import Testing

/// The repository root, for fixtures.
func fixture(_ path: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../\(path)").standardized
}

@Suite struct MemoryMapTests {
    @Test func readsEveryResidencyOfTheContractExample() throws {
        let graph = try Cosma.loadGraph(at: fixture("graphs/tiny.json"))
        let plan = try Plan(contentsOf: fixture("Tests/Fixtures/plans/contract-example.json"))
        let map = try MemoryMap(plan: plan, graph: graph)
        // x is loaded at step 1 and freed before step 2; a1 lives to the end; y is placed at
        // step 2 and stored by `final`, after the last step.
        #expect(map.stays.map { "\($0.tensor) at \($0.offset)+\($0.size), steps \($0.start)..<\($0.end)\($0.reload ? ", reload" : "")" } == [
            "x at 0+1024, steps 0..<1", "a1 at 2048+2048, steps 0..<2", "y at 0+2048, steps 1..<2",
        ])
        #expect(map.stores.map { "\($0.tensor) before \($0.step) at \($0.offset)" } == ["y before 2 at 0"])
        let svg = map.svg()
        #expect(svg.contains(">a1</text>") && svg.contains("stroke-dasharray"))
    }

    @Test func marksReloadsAndRefusesABrokenPlan() throws {
        let graph = try Cosma.loadGraph(at: fixture("graphs/tiny.json"))
        // x is dropped after conv1 and loaded again (pointlessly) before relu1: a reload.
        let plan = Plan(graph: "tiny", configuration: Configuration(capacity: 8192), steps: [
            Step(op: "conv1", load: [Placement(tensor: "x", offset: 0)], outputs: [Placement(tensor: "a1", offset: 1024)]),
            Step(op: "relu1", free: ["x"], load: [Placement(tensor: "x", offset: 3072)], outputs: [Placement(tensor: "y", offset: 4096)]),
        ], final: ["y"])
        let map = try MemoryMap(plan: plan, graph: graph)
        #expect(map.stays.filter(\.reload).map(\.tensor) == ["x"])
        #expect(map.traffic.nonCompulsory == 1024)
        var broken = plan
        broken.capacity = 5000
        #expect(throws: InvalidPlanError.self) { _ = try MemoryMap(plan: broken, graph: graph) }
    }
}

@Suite struct ChartAndFileTests {
    @Test func logAxisStartsBelowTheSmallestBarAndMarksZerosAndFailures() {
        let chart = GroupedBarChart(title: "t", yLabel: "bytes", groups: ["g1", "g2"], series: ["a", "b"],
                                    values: [[.value(1000), .value(0)], [.value(250_000), .missing("fails")]],
                                    logarithmic: true, tickLabel: decimalBytes)
        let svg = chart.svg()
        #expect(svg.contains(">100 B</text>") && svg.contains(">1 MB</text>"), "ticks span a decade below 1 kB to 1 MB")
        #expect(svg.contains(">0</text>") && svg.contains(">fails</text>"))
        #expect(svg.components(separatedBy: "<title>").count - 1 == 2, "one bar per positive value")
    }

    @Test func csvQuotesWhatNeedsQuoting() {
        let row = ResultRow(graph: "g", file: "a,b.json", setting: .all, budget: "M_R", capacity: nil, method: "exact",
                            status: .failed, wallSeconds: 0.5, reason: "said \"no\", twice")
        let csv = ResultFiles.csv([row])
        #expect(csv.hasPrefix(ResultRow.columns.joined(separator: ",") + "\n"))
        #expect(csv.contains("g,\"a,b.json\",all,M_R,,exact,failed,"))
        #expect(csv.hasSuffix(",0.5,\"said \"\"no\"\", twice\",\n"))
    }
}
