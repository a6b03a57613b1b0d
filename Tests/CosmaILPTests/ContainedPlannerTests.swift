@testable import CosmaILP
import DNNGraph
import Foundation
import MILP
import Scratchpad
import Testing

/// A Swift host that plans with contained solvers (``SolverContainment``): when every solver child
/// crashes or hangs, the planner still returns a simulated plan (its warm start or better) within
/// the deadline plus a second, and the containment says what happened.
@Suite struct ContainedPlannerTests {
    static let cases = [InjectedSolverFault.crash, .hang].flatMap { fault in SolverBackend.allCases.map { (fault, $0) } }

    @Test("The planner survives crashing and hanging solver children", arguments: cases)
    func survives(fault: InjectedSolverFault, solver: SolverBackend) throws {
        let limit = 2.0
        // A chain whose first output must be spilled through the wide middle: every stage solves programs.
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/skip.json")
        let graph = try Graph(json: try Data(contentsOf: url), source: "skip.json")
        let configuration = Configuration.atMR(of: graph)
        let reference = try ExactPlanner(graph: graph, configuration: configuration, options: ExactOptions(solver: solver)).solve()
        let containment = SolverContainment(timeLimit: limit, injectedFault: fault)
        let started = ContinuousClock.now
        let result = try SolverContainment.$current.withValue(containment) {
            try ExactPlanner(graph: graph, configuration: configuration, options: ExactOptions(solver: solver, timeLimit: limit)).solve()
        }
        let seconds = (ContinuousClock.now - started).inSeconds
        #expect(seconds < limit + 1)
        #expect(result.result.report.isValid)
        #expect(result.nonCompulsory >= reference.nonCompulsory)
        #expect(result.bound <= reference.nonCompulsory, "a bound stays valid when solves fail")
        #expect(!containment.incidents.isEmpty, "the instance makes the planner solve programs")
    }
}
