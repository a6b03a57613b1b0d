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
    /// A graph large enough that the budget, not convergence, ends the passes: divide and conquer
    /// on it stops with work left to do.
    static func instance() throws -> (Graph, Configuration) {
        let graph = try randomTinyGraph(seed: 7, operators: 40, withWeights: false)
        return (graph, .atMR(of: graph, plus: 1))
    }

    @Test(arguments: SolverBackend.allCases)
    func twoRunsWriteTheSamePlanOneOfThemUnderLoad(solver: SolverBackend) throws {
        let (graph, config) = try Self.instance()
        func options(_ units: Double) -> DivideAndConquerOptions {
            DivideAndConquerOptions(solver: solver, timeLimit: units, segmentOperators: 4, segmentTimeLimit: 0.05, deterministic: true)
        }
        let planner = DivideAndConquerPlanner(graph: graph, configuration: config, options: options(0.1))
        let quiet = try planner.solve()
        let load = try BusyLoad()
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

    /// The bounds run in one lane beside the segment beams and the fixed-schedule program on the
    /// minimum-peak order in another (``DivideAndConquerPlanner/boundsBesideStarts(_:_:)``): the trace names both lanes,
    /// and the solve counts the longer lane's units, not their sum; every other stage's units add
    /// up with them to the solve's. Under a wall-clock budget the same stages run side by side.
    @Test(arguments: SolverBackend.allCases)
    func theBoundsRunBesideTheMinimumPeakProgram(solver: SolverBackend) throws {
        let (graph, config) = try Self.instance()
        for deterministic in [true, false] {
            let options = DivideAndConquerOptions(solver: solver, timeLimit: 2, segmentOperators: 4, segmentTimeLimit: 0.05,
                                                  deterministic: deterministic)
            let result = try DivideAndConquerPlanner(graph: graph, configuration: config, options: options).solve()
            #expect(result.result.report.isValid)
            let events = result.trace.events
            let joined = try #require(events.firstIndex { if case .sideBySide = $0 { true } else { false } })
            guard case let .sideBySide(lanes, laneWork) = events[joined] else { return }
            // The segment search runs unless the crossing bound proves the warm start optimal.
            #expect(lanes.count == 2 && lanes[0].first == .crossingBound && lanes[1] == [.segmentBeams, .fixedSchedule], "\(result.trace.lines)")
            func work(_ range: Range<Int>) -> [Double] {
                events[range].compactMap { if case let .stageEnded(_, _, work) = $0 { work } else { nil } }
            }
            guard deterministic else {
                #expect(laneWork == nil && work(0..<events.count).isEmpty)
                continue
            }
            let before = work(0..<joined)
            let laneStages = lanes.reduce(0) { $0 + $1.count }
            // The warm starts, then the bound lane's stages, then the plan lane's.
            #expect(before.count == 1 + laneStages)
            let bound = before[1...lanes[0].count].reduce(0, +)
            let plan = before[(1 + lanes[0].count)...].reduce(0, +)
            let longer = try #require(laneWork)
            #expect(abs(longer - max(bound, plan)) < 1e-6, "\(bound) and \(plan) against \(longer)")
            let total = before[0] + longer + work(joined..<events.count).reduce(0, +)
            #expect(abs(total - (result.work ?? -1)) < 1e-6, "\(total) against \(result.work ?? -1)")
        }
    }

    /// The bound lane runs on a thread outside the task, where `Task.isCancelled` is false: a
    /// cancelled solve (SIGINT, the C library's flag) passes its cancellation on, so that the
    /// lane's searches stop as the task's own do. Here the task is cancelled before the solve
    /// starts: the crossing bound's segment searches examine nothing, and the warm start stands.
    @Test func aCancelledSolveStopsTheBoundLane() async throws {
        let (graph, config) = try Self.instance()
        let options = DivideAndConquerOptions(timeLimit: 600, segmentOperators: 4)
        let task = Task { () throws -> PlanResult in
            withUnsafeCurrentTask { $0?.cancel() }
            return try DivideAndConquerPlanner(graph: graph, configuration: config, options: options).solve()
        }
        let result = try await task.value
        #expect(result.result.report.isValid)
        #expect(result.trace.ran(.crossingBound))
        #expect(result.trace.skipReason(.crossingBound) == .cutShort(examined: 0, of: graph.operators.count),
                "\(result.trace.lines)")
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
