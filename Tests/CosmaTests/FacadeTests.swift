import Cosma
import Foundation
import Testing

/// The README's library example, with nothing but `import Cosma`: the facade and the types it
/// re-exports (Sources/Cosma/Exports.swift, listed in docs/public-api.md) are enough to load a
/// graph, plan, read what is proven and check any plan.
@Suite struct FacadeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

    @Test func theReadmeExampleRunsWithTheFacadeAlone() throws {
        let graph = try Cosma.loadGraph(at: Self.root.appendingPathComponent("graphs/tiny.json"))
        let config = try Cosma.configuration(for: graph, capacity: .bytes(5120), tensors: .activations)
        let heuristic: CertifiedPlan = try Cosma.heuristicPlan(for: graph, configuration: config)
        #expect(heuristic.report.isValid)
        let exact: PlanResult = try Cosma.solve(graph, configuration: config)
        #expect(exact.status == .optimal)
        #expect(exact.bound == exact.nonCompulsory)
        #expect(exact.trace.ran(.warmStarts))
        let report: SimulationReport = Cosma.simulate(exact.result.plan, on: graph)
        #expect(report.isValid && report.traffic == exact.result.report.traffic)
        let json = exact.result.plan.json()
        #expect(json.contains("\"steps\""))
    }

    /// A plan changed after certification is not a certified plan: the facade re-simulates any
    /// plan, and the simulator reports the broken rule.
    @Test func aChangedPlanIsCheckedAgain() throws {
        let graph = try Cosma.loadGraph(at: Self.root.appendingPathComponent("graphs/tiny.json"))
        let config = try Cosma.configuration(for: graph, capacity: .budget(.mR), tensors: .activations)
        var plan = try Cosma.heuristicPlan(for: graph, configuration: config).plan
        plan.steps.removeFirst()
        let report = Cosma.simulate(plan, on: graph)
        #expect(!report.isValid)
        #expect(throws: InvalidPlanError.self) { try CertifiedPlan(certifying: plan, graph: graph) }
    }
}
