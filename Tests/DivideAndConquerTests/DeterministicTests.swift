import CosmaILP
import CosmaTestSupport
import DNNGraph
@testable import DivideAndConquer
import Foundation
import MILP
import Scratchpad
import Testing

/// The deterministic mode (docs/planner.md): a work budget instead of the clock, so that the same
/// input gives the same plan however fast the machine runs.
@Suite struct DeterministicTests {
    /// Two busy loops, one per core of the test machine, stopped by their process ids.
    final class Load {
        let processes: [Process]

        init() throws {
            processes = try (0..<2).map { _ in
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/bin/sh")
                p.arguments = ["-c", "while :; do :; done"]
                try p.run()
                return p
            }
        }

        func stop() {
            for p in processes where p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                p.waitUntilExit()
            }
        }
    }

    /// A graph large enough that the budget, not convergence, ends the passes: divide and conquer
    /// on it stops with work left to do.
    static func instance() throws -> (Graph, Configuration) {
        let graph = try randomTinyGraph(seed: 7, operators: 40, withWeights: false)
        let mR = Budgets(graph: graph, setting: .activations, alignment: 1).mR
        return (graph, Configuration(capacity: mR + 1, alignment: 1, tensors: .activations))
    }

    @Test(arguments: SolverBackend.allCases)
    func twoRunsWriteTheSamePlanOneOfThemUnderLoad(solver: SolverBackend) throws {
        let (graph, config) = try Self.instance()
        func options(_ units: Double) -> DivideAndConquerOptions {
            DivideAndConquerOptions(solver: solver, timeLimit: units, segmentOperators: 4, segmentTimeLimit: 0.05, deterministic: true)
        }
        let planner = DivideAndConquerPlanner(graph: graph, configuration: config, options: options(0.1))
        let quiet = try planner.solve()
        let load = try Load()
        defer { load.stop() }
        let loaded = try planner.solve()
        load.stop()
        #expect(quiet.result.report.isValid)
        #expect(quiet.result.plan.json() == loaded.result.plan.json())
        #expect(quiet.nonCompulsory == loaded.nonCompulsory && quiet.bound == loaded.bound)
        #expect(quiet.work == loaded.work)
        // The budget, not convergence, ended the search: ten times the budget buys more work.
        let larger = try DivideAndConquerPlanner(graph: graph, configuration: config, options: options(1)).solve()
        #expect(try #require(larger.work) > #require(quiet.work))
        // A deterministic plan file carries no times.
        #expect(quiet.result.plan.solver?.seconds == nil)
    }

    @Test(arguments: SolverBackend.allCases)
    func aNodeLimitStopsTheSolverAtTheSameNode(solver: SolverBackend) throws {
        // A multidimensional knapsack (40 items, 5 rows) whose proof needs many nodes: stopped
        // after 3, it is unproven, and the same on every run.
        var model = Model(name: "knapsacks")
        model.sense = .maximize
        var state: UInt64 = 12345
        func next(_ range: Int) -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(Int(state >> 33) % range)
        }
        let items = (0..<40).map { i in model.addVariable(.binary, objective: 50 + next(50), name: "x\(i)") }
        for _ in 0..<5 {
            var row = LinearExpression()
            var total = 0.0
            for x in items {
                let w = 20 + next(80)
                total += w
                row.add(w, x)
            }
            model.addConstraint(row, .lessOrEqual, (total / 2).rounded())
        }
        var options = SolveOptions()
        options.nodeLimit = 3
        let first = try solver.solve(model, options: options)
        let second = try solver.solve(model, options: options)
        #expect(first.status == .timeLimit)
        #expect(first.nodes <= 3 + 1)
        #expect(first.solution?.values == second.solution?.values)
    }
}
