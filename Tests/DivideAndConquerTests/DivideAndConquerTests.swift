import CosmaILP
import CosmaTestSupport
import DNNGraph
@testable import DivideAndConquer
import Foundation
import Heuristics
import MILP
import Scratchpad
import Testing

@Suite struct DivideAndConquerTests {
    @Test(arguments: SolverBackend.allCases)
    func plansAreValidNeverWorseThanBaselinesAndAboveTheOptimum(solver: SolverBackend) throws {
        for seed in UInt64(300)...315 {
            let setting: TensorSetting = seed % 2 == 0 ? .all : .activations
            let graph = try randomTinyGraph(seed: seed, operators: 9, withWeights: setting == .all)
            let config = Configuration.atMR(of: graph, tensors: setting, plus: Int(seed % 3))
            let baselines = try Baseline.run(Baseline.all, graph: graph, configuration: config).compactMap { try? $0.result.get() }
            let options = DivideAndConquerOptions(solver: solver, timeLimit: 20, segmentOperators: 3)
            let result = try DivideAndConquerPlanner(graph: graph, configuration: config, options: options).solve()
            #expect(result.result.report.isValid, "seed \(seed)")
            if let best = baselines.map(\.report.traffic.nonCompulsory).min() {
                #expect(result.nonCompulsory <= best, "seed \(seed)")
            }
            #expect(result.bound <= result.nonCompulsory, "seed \(seed)")
            // The joint program proves optima of graphs this small (the exhaustive search checks it
            // in ExactPlannerTests); divide and conquer can match them but never beat them.
            let exact = try ExactPlanner(graph: graph, configuration: config, options: ExactOptions(solver: solver)).solve()
            if exact.status == .optimal {
                #expect(result.nonCompulsory >= exact.nonCompulsory, "seed \(seed)")
                #expect(result.bound <= exact.nonCompulsory, "seed \(seed)")
                if result.status == .optimal { #expect(result.nonCompulsory == exact.nonCompulsory, "seed \(seed)") }
            }
        }
    }
}

/// Graphs cut into stages by separators (like RandWire): divide and conquer searches each crowded
/// stage's least traffic (`SegmentTrafficSearch`), and the sum must stay below the optimum the
/// joint program proves (SegmentTrafficTests checks the search against exhaustive search).
@Suite struct DivideAndConquerSegmentTests {
    @Test(arguments: SolverBackend.allCases)
    func segmentBoundsStayBelowTheOptimumAndRaiseTheBound(solver: SolverBackend) throws {
        var raised = 0
        for seed in UInt64(1)...12 {
            let (graph, config) = try stagedAtMR(seed: seed, stages: 2, operatorsPerStage: 7)
            let options = DivideAndConquerOptions(solver: solver, timeLimit: 20, segmentOperators: 3, deterministic: true)
            let result = try DivideAndConquerPlanner(graph: graph, configuration: config, options: options).solve()
            #expect(result.result.report.isValid, "seed \(seed)")
            #expect(result.bound <= result.nonCompulsory, "seed \(seed)")
            let exact = try ExactPlanner(graph: graph, configuration: config, options: ExactOptions(solver: solver)).solve()
            try #require(exact.status == .optimal, "seed \(seed)")
            #expect(result.bound <= exact.nonCompulsory, "seed \(seed)")
            let crossing = result.trace.bounds.first { $0.stage == .crossingBound }?.bytes ?? 0
            if let segments = result.trace.bounds.first(where: { $0.stage == .segmentSearch }), segments.bytes > crossing { raised += 1 }
        }
        // The segments' optima lift the bound above the crossing bound: on 7 of the 12, each to the
        // optimum (the two stages, 16 operators, are joined into one block; on seed 12 the bound
        // went from 6 bytes to 12, as it did when the stages were searched apart).
        #expect(raised > 3)
    }
}

/// Windows of a separated segment (``DivideAndConquerPlanner/windowSearch(_:crowded:search:limit:longest:)``):
/// their largest bound stands in for the segment's, summed over the segments, and must stay below
/// the optimum the joint program proves; the settled windows' orders, spliced in, stay valid.
/// Windows of at most 3 or 5 operators over every position, so that segments have several.
@Suite struct WindowSearchTests {
    @Test func windowBoundsAddUpOverSegmentsBelowTheOptimum() throws {
        var positive = 0
        for seed in UInt64(1)...20 {
            let (graph, config) = try stagedAtMR(seed: seed, stages: 2, operatorsPerStage: 7)
            let exact = try ExactPlanner(graph: graph, configuration: config, options: ExactOptions(solver: .cbc)).solve()
            try #require(exact.status == .optimal, "seed \(seed)")
            let planner = DivideAndConquerPlanner(graph: graph, configuration: config)
            let search = SegmentTrafficSearch(graph: graph, configuration: config)
            let segments = graph.separatedSegments(order: Array(graph.operators.indices), reach: graph.reachability())
            for longest in [3, 5, 7] {
                var sum = 0
                var order: [OperatorID] = []
                for segment in segments {
                    var limit = SearchLimit()
                    let windows = planner.windowSearch(segment, crowded: Array(segment.indices), search: search, limit: &limit, longest: longest)
                    sum += windows.bound
                    order += windows.order ?? segment
                    #expect(windows.examined == segment.count, "seed \(seed)")
                }
                #expect(sum <= exact.nonCompulsory, "seed \(seed), windows of \(longest): \(sum) > \(exact.nonCompulsory)")
                #expect(graph.scheduleProblem(order) == nil, "seed \(seed)")
                if sum > 0 { positive += 1 }
            }
        }
        #expect(positive > 5, "\(positive)")
    }
}

/// Divide and conquer under the in-place model (docs/in-place.md): segments are planned with the
/// in-place program, so plans write in place and pass the simulator, and the crossing bound,
/// computed with in-place working sets, stays below the in-place optimum the exact program proves
/// (ExactInPlaceTests checks those optima against exhaustive search).
@Suite struct DivideAndConquerInPlaceTests {
    @Test(arguments: SolverBackend.allCases)
    func plansWriteInPlaceAndStayAboveTheExactOptimum(solver: SolverBackend) throws {
        var compared = 0
        var writes = 0
        var segments = 0
        for seed in UInt64(500)...511 {
            let graph = try randomInPlaceGraph(seed: seed, operators: 8, sizes: 2...12)
            let mR = Budgets(graph: graph, setting: .activations, alignment: 1, inPlace: .on).mR
            let config = Configuration(capacity: mR + Int(seed % 3) * 2, alignment: 1, tensors: .activations, inPlace: .on)
            let exact: PlanResult
            do { exact = try ExactPlanner(graph: graph, configuration: config, options: ExactOptions(solver: solver)).solve() } catch is ExactFailure {
                // No schedule allows every in-place saving M_R counts: nothing to compare.
                continue
            }
            // Small segments, work-limited so that the outcome does not depend on the machine.
            let options = DivideAndConquerOptions(solver: solver, timeLimit: 200, segmentOperators: 3, deterministic: true)
            let result = try DivideAndConquerPlanner(graph: graph, configuration: config, options: options).solve()
            let place = "seed \(seed) at \(config.capacity) with \(solver)"
            #expect(result.result.report.isValid, "\(place)")
            writes += result.result.plan.steps.flatMap(\.outputs).filter { $0.inPlaceOf != nil }.count
            for case let .passes(statistics) in result.trace.events { segments += statistics.segmentsSolved }
            #expect(result.bound <= result.nonCompulsory, "\(place)")
            try #require(exact.status == .optimal, "\(place)")
            compared += 1
            #expect(result.nonCompulsory >= exact.nonCompulsory && result.bound <= exact.nonCompulsory, "\(place)")
            if result.status == .optimal { #expect(result.nonCompulsory == exact.nonCompulsory, "\(place)") }
        }
        #expect(compared >= 8 && writes > 0 && segments > 0, "compared \(compared), writes \(writes), segment programs \(segments)")
    }
}

@Suite struct ChainHoistTests {
    /// Whether every operator runs once and after the producers of its inputs.
    static func isSchedule(_ order: [OperatorID], of graph: Graph) -> Bool {
        guard order.count == graph.operators.count, Set(order).count == order.count else { return false }
        let position = graph.positions(of: order)
        return graph.operators.indices.allSatisfy { o in graph.predecessors[o].allSatisfy { position[$0] < position[o] } }
    }

    @Test func movesGiveSchedulesThatKeepWhatTheyDoNotMove() throws {
        for seed in UInt64(1)...30 {
            let graph = try randomTinyGraph(seed: seed, operators: 9, withWeights: false)
            let order = Array(graph.operators.indices)
            let position = graph.positions(of: order)
            let hoist = ChainHoist(graph: graph)
            for op in order {
                for limit in ChainHoist.chainLimits {
                    for target in 0..<position[op] {
                        let moved = hoist.moving([op], to: target, earlier: true, in: order, position: position, chainLimit: limit)
                        #expect(Self.isSchedule(moved, of: graph), "seed \(seed), op \(op) to \(target)")
                        #expect(moved[..<target] == order[..<target], "seed \(seed): nothing before the target moves")
                        #expect(moved.firstIndex(of: op)! <= position[op], "seed \(seed)")
                    }
                    for target in (position[op] + 1)...order.count {
                        let moved = hoist.moving([op], to: target, earlier: false, in: order, position: position, chainLimit: limit)
                        #expect(Self.isSchedule(moved, of: graph), "seed \(seed), op \(op) before \(target)")
                        #expect(moved[target...] == order[target...], "seed \(seed): nothing from the target on moves")
                        #expect(moved.firstIndex(of: op)! >= position[op], "seed \(seed)")
                    }
                }
            }
        }
    }

    /// `X` is read right after it is made and again at the end, after a chain whose temporaries
    /// leave no room for it: in file order it must be spilled. Windows of two operators cannot
    /// bring its last reader forward across the chain; hoisting it can, and then nothing spills.
    @Test(arguments: SolverBackend.allCases)
    func hoistingALateReaderRemovesItsSpill(solver: SolverBackend) throws {
        var tensors = [Tensor(name: "in", bytes: 1, kind: .input), Tensor(name: "X", bytes: 4, kind: .activation),
                       Tensor(name: "b", bytes: 1, kind: .activation), Tensor(name: "r", bytes: 1, kind: .activation),
                       Tensor(name: "out", bytes: 1, kind: .activation)]
        var ops: [GraphDocument.OperatorEntry] = [.init(name: "A", type: "Op", inputs: ["in"], outputs: ["X"]),
                                                  .init(name: "B", type: "Op", inputs: ["X"], outputs: ["b"])]
        var previous = "b"
        for i in 1...6 {
            tensors.append(Tensor(name: "c\(i)", bytes: 2, kind: .activation))
            ops.append(.init(name: "C\(i)", type: "Op", inputs: [previous], outputs: ["c\(i)"]))
            previous = "c\(i)"
        }
        ops += [.init(name: "R", type: "Op", inputs: ["X"], outputs: ["r"]), .init(name: "D", type: "Op", inputs: [previous, "r"], outputs: ["out"])]
        let graph = try Graph(document: GraphDocument(name: "late-reader", tensors: tensors, operators: ops, outputs: ["out"]))
        let config = Configuration(capacity: 6, alignment: 1, tensors: .activations)
        let planner = DivideAndConquerPlanner(graph: graph, configuration: config,
                                              options: DivideAndConquerOptions(solver: solver, segmentOperators: 2))
        let start = try HeuristicPlanner.plan(graph: graph, configuration: config, order: Array(graph.operators.indices),
                                              scheduleName: "default", fallback: .flush)
        #expect(start.report.traffic.nonCompulsory > 0)
        let incumbent = try #require(try planner.incumbent(from: start))
        // A budget nothing spends: every candidate is tried, however slow the machine.
        let attempt = try #require(try planner.hoist(incumbent, within: TimeBudget(limit: 30, meter: { 0 })))
        let better = try #require(attempt.better)
        #expect(better.traffic == 0)
        #expect(better.certified.report.isValid)
        #expect(Self.isSchedule(better.residency.order, of: graph))
    }
}

@Suite struct SegmentAddressTests {
    /// The address program of a segment re-decides offsets only inside the re-planned positions:
    /// whatever it returns is a valid plan, cheaper than the incumbent, in which a tensor resident
    /// at a position outside them was resident there before, at the same offset (trimming may
    /// shorten a stay, never move it).
    @Test(arguments: SolverBackend.allCases)
    func addressesOutsideTheSegmentStayPut(solver: SolverBackend) throws {
        var improved = 0
        for seed in UInt64(400)...430 {
            let graph = try randomTinyGraph(seed: seed, operators: 9, withWeights: false)
            let config = Configuration.atMR(of: graph, plus: Int(seed % 3))
            let planner = DivideAndConquerPlanner(graph: graph, configuration: config, options: DivideAndConquerOptions(solver: solver))
            let plans = ExactPlanner(graph: graph, configuration: config).plansFollowing(Array(graph.operators.indices))
            guard let worst = plans.max(by: { $0.report.traffic.nonCompulsory < $1.report.traffic.nonCompulsory }),
                  worst.report.traffic.nonCompulsory > 0,
                  let incumbent = try planner.incumbent(from: worst) else { continue }
            let replanned = 2..<6
            let problem = PlanningProblem(graph: graph, configuration: config, order: incumbent.residency.order, free: 3..<5)
            let attempt = try planner.replan(incumbent, problem: problem, replanned: replanned, mode: .addresses,
                                             within: TimeBudget(seconds: 20))
            guard let better = attempt.better else { continue }
            improved += 1
            #expect(better.certified.report.isValid, "seed \(seed)")
            #expect(better.traffic < incumbent.traffic, "seed \(seed)")
            for (t, stays) in better.residency.stays.enumerated() {
                for (i, stay) in stays.enumerated() {
                    for k in stay.first...stay.last where !replanned.contains(k) {
                        let j = try #require(incumbent.residency.stays[t].firstIndex { $0.first <= k && k <= $0.last },
                                             "seed \(seed): tensor \(t) resident at \(k) only in the new plan")
                        #expect(incumbent.offsets[t][j] == better.offsets[t][i], "seed \(seed): tensor \(t) moved at \(k), outside the segment")
                    }
                }
            }
        }
        #expect(improved > 0, "no instance exercised the address program")
    }
}

/// Where the segment search leaves a block unsettled, two beams order it
/// (``DivideAndConquerPlanner/segmentBeams(share:_:)``, in the plan lane): each of their orders
/// makes a joined order of the whole graph, which must be a valid schedule; the same order twice is
/// handed on once. Three stages of 22 operators are too many for one block (at most 64
/// operators), and on these seeds the two beams order some block differently.
@Suite struct SegmentOrdersTests {
    @Test func unsettledBlocksGiveOneValidJoinedOrderPerBeam() throws {
        var two = 0
        for seed in UInt64(1)...3 {
            let (graph, config) = try stagedAtMR(seed: seed, stages: 3, operatorsPerStage: 22)
            let planner = DivideAndConquerPlanner(graph: graph, configuration: config)
            // A budget too small for either lane's search to settle any block that spills.
            let budget = TimeBudget(work: 1e-9, policy: .divideAndConquer)
            var run = DivideAndConquerPlanner.Run(budget: budget)
            planner.segmentSearch(share: nil, &run)
            var lane = run.lane(budget)
            planner.segmentBeams(share: nil, &lane)
            run.blockOrders.merge(beams: lane.blockOrders)
            let orders = run.segmentOrders
            #expect(orders.count <= 2, "seed \(seed)")
            #expect(Set(orders).count == orders.count, "seed \(seed)")
            for order in orders {
                #expect(order.count == graph.operators.count && graph.scheduleProblem(order) == nil, "seed \(seed)")
            }
            if orders.count == 2 { two += 1 }
        }
        #expect(two > 0, "\(two)")
    }

    /// A block takes the order that settled it over the plan lane's beams, and the beams over the
    /// segment search's plan past a state it left open; a block no lane ordered keeps its
    /// operators as they are.
    @Test func joinedOrdersPreferWhatSettledABlock() {
        var orders = DivideAndConquerPlanner.BlockOrders()
        let segments: [[OperatorID]] = [[0, 1], [2, 3], [4, 5], [6]]
        #expect(orders.joined(segments).isEmpty)
        orders.found = [0: [[1, 0]]]
        orders.unsettled = [1: [[2, 3]], 2: [[5, 4]]]
        var lane = DivideAndConquerPlanner.BlockOrders()
        lane.beams = [0: [[0, 1]], 1: [[3, 2], [2, 3]]]
        orders.merge(beams: lane)
        #expect(orders.joined(segments) == [[1, 0, 3, 2, 5, 4, 6], [1, 0, 2, 3, 5, 4, 6]])
    }
}

/// The segment search splits what is left of its states evenly among the blocks still to search,
/// between the old cap per block and twice it (``DivideAndConquerPlanner/blockStates(left:blocksLeft:)``).
@Test func blockStatesSplitWhatIsLeftBetweenTheCaps() {
    let cap = SegmentTrafficSearch.stateLimit
    #expect(DivideAndConquerPlanner.blockStates(left: 8_000_000, blocksLeft: 2) == 4_000_000)
    #expect(DivideAndConquerPlanner.blockStates(left: 8_000_000, blocksLeft: 3) == cap)
    #expect(DivideAndConquerPlanner.blockStates(left: 20_000_000, blocksLeft: 1) == 2 * cap)
    #expect(DivideAndConquerPlanner.blockStates(left: 1_000, blocksLeft: 4) == 1_000)
    #expect(DivideAndConquerPlanner.blockStates(left: nil, blocksLeft: 2) == 2 * cap)
}

/// A random staged graph (``randomStagedGraph(seed:stages:operatorsPerStage:)``) with its
/// activations at `M_R`.
func stagedAtMR(seed: UInt64, stages: Int, operatorsPerStage: Int) throws -> (Graph, Configuration) {
    let graph = try randomStagedGraph(seed: seed, stages: stages, operatorsPerStage: operatorsPerStage)
    return (graph, .atMR(of: graph))
}
