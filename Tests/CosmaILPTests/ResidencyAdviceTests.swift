@testable import CosmaILP
import CosmaTestSupport
import DNNGraph
import Heuristics
import MILP
import Scratchpad
import Testing

/// A capacity program's stays followed on-line (``Residency/releases(_:)``): what the exact planner
/// falls back on when the stays do not pack.
@Suite struct ResidencyAdviceTests {
    /// With every tensor of one size nothing fragments, so the on-line planner never has to evict
    /// on its own: following the optimum's stays moves exactly what the program moves, whichever
    /// replacement policy stands by. LRU without the advice moves more on some seeds, so the test
    /// sees the advice at work.
    @Test(arguments: SolverBackend.allCases)
    func followingAnOptimumsStaysCostsItsObjectiveWhenTensorsShareOneSize(solver: SolverBackend) throws {
        var spilling = 0
        var lruAloneDearer = 0
        for seed in UInt64(1)...16 {
            var document = try randomTinyGraph(seed: seed, operators: 9, withWeights: false).document
            document.tensors = document.tensors.map { tensor in
                var unit = tensor
                unit.bytes = 1
                return unit
            }
            let graph = try Graph(document: document)
            let configuration = Configuration.atMR(of: graph)
            let problem = PlanningProblem(graph: graph, configuration: configuration)
            let program = JointProgram(problem: problem)
            let outcome = try solver.solve(program.model)
            #expect(outcome.status == .optimal, "seed \(seed)")
            let solution = try #require(outcome.solution, "seed \(seed)")
            let optimum = Int(try #require(outcome.objective).rounded())
            let residency = program.residency(from: solution).trimmed(problem)
            let advised = try HeuristicPlanner.plan(graph: graph, configuration: configuration, order: residency.order,
                                                    scheduleName: "program-stays", replacement: .lru, allocation: .firstFit,
                                                    releases: residency.releases(problem))
            #expect(advised.report.traffic.nonCompulsory == optimum, "seed \(seed)")
            // What the exact planner and divide and conquer run where stays do not pack: every
            // replacement policy, all equal here.
            let followed = ExactPlanner(graph: graph, configuration: configuration, fixedOrder: residency.order).plansFollowingStays(residency)
            #expect(followed.count == ReplacementPolicy.allCases.count, "seed \(seed)")
            #expect(followed.allSatisfy { $0.report.traffic.nonCompulsory == optimum }, "seed \(seed)")
            let alone = try HeuristicPlanner.plan(graph: graph, configuration: configuration, order: residency.order,
                                                  scheduleName: "program-order", replacement: .lru, allocation: .firstFit)
            if optimum > 0 { spilling += 1 }
            if alone.report.traffic.nonCompulsory > optimum { lruAloneDearer += 1 }
        }
        #expect(spilling >= 4)
        #expect(lruAloneDearer > 0)
    }

    /// The releases are the ends of every stay but a tensor's last, one position on.
    @Test func releasesFallAfterEveryStayButTheLast() throws {
        let graph = try randomTinyGraph(seed: 3, operators: 6, withWeights: false)
        let problem = PlanningProblem(graph: graph, configuration: Configuration(capacity: 100, tensors: .activations))
        var stays = [[Stay]](repeating: [], count: graph.tensors.count)
        let t = try #require(problem.tensors.first)
        stays[t] = [Stay(first: 0, last: 1, loaded: false), Stay(first: 3, last: 3, loaded: true), Stay(first: 5, last: 5, loaded: true)]
        let residency = Residency(order: Array(graph.operators.indices), stays: stays)
        let releases = residency.releases(problem)
        #expect(releases.count == graph.operators.count)
        #expect(releases.enumerated().filter { $0.element.contains(t) }.map(\.offset) == [2, 4])
    }
}
