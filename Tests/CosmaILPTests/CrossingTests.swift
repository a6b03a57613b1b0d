import CosmaILP
import CosmaTestSupport
import DNNGraph
import Foundation
import MILP
import Scratchpad
import Testing

@Suite struct CrossingTests {
    /// Bytes crossing `o` in `order`: existing before it runs, read after, not its operands.
    static func crossing(_ graph: Graph, order: [OperatorID], at o: OperatorID, setting: TensorSetting) -> Int {
        let position = graph.positions(of: order)
        let operands = Set(graph.residentOperands(of: o, in: setting))
        var bytes = 0
        for t in graph.tensors.indices where graph.isTracked(t, in: setting) && !operands.contains(t) {
            let reads = graph.consumers[t].map { position[$0] }
            let after = reads.contains { $0 > position[o] }
            let before = graph.producer[t].map { position[$0] < position[o] } ?? reads.contains { $0 < position[o] }
            if before && after { bytes += graph.tensors[t].bytes }
        }
        return bytes
    }

    @Test func minimumCrossingAndPeakBoundMatchEnumeratedSchedules() throws {
        for seed in UInt64(1)...40 {
            let setting: TensorSetting = seed % 2 == 0 ? .all : .activations
            let graph = try randomTinyGraph(seed: seed, operators: 4 + Int(seed % 4), withWeights: setting == .all)
            let analysis = CrossingAnalysis(graph: graph, setting: setting, alignment: 1)
            let orders = allOrders(graph)
            for o in graph.operators.indices {
                let fewest = orders.map { Self.crossing(graph, order: $0, at: o, setting: setting) }.min()!
                #expect(analysis.minimumCrossing(o) == fewest, "seed \(seed), operator \(o)")
            }
            let minimumPeak = orders.map { graph.liveProfile(order: $0, setting: setting, alignment: 1).max() ?? 0 }.min()!
            #expect(analysis.peakLowerBound() <= minimumPeak, "seed \(seed)")
        }
    }

    @Test(arguments: SolverBackend.allCases)
    func trafficBoundNeverExceedsTheOptimum(solver: SolverBackend) throws {
        var positive = 0
        for (seed, graph, config, optimum) in try ExhaustiveSearch.solvedInstances(seeds: 1...14, operators: 3, extras: [0, 2]) {
            let bound = try CrossingBound(problem: PlanningProblem(graph: graph, configuration: config)).solve(with: solver, timeLimit: nil)
            #expect(bound <= optimum, "seed \(seed), capacity \(config.capacity)")
            if bound > 0 { positive += 1 }
        }
        // The bound is only worth reporting if it is not always zero on instances that spill.
        #expect(positive > 0)
    }

    /// The covers that `M_P` and the segments' peaks give (every order crowds some step): with the
    /// true `M_P` and a minimum-peak order, enumerated over every order, the crossing bound stays
    /// at or below the exhaustive optimum, and on some instances it is strictly stronger than
    /// without them (or the rows would be dead weight).
    @Test(arguments: SolverBackend.allCases)
    func peakCoversNeverExceedTheOptimum(solver: SolverBackend) throws {
        var stronger = 0
        var segmented = 0
        for (seed, graph, config, optimum) in try ExhaustiveSearch.solvedInstances(seeds: 1...20, operators: 3, extras: [0, 1, 2]) {
            let (order, minimumPeak) = allOrders(graph).map {
                ($0, graph.liveProfile(order: $0, setting: config.tensors, alignment: config.alignment).max() ?? 0)
            }.min { $0.1 < $1.1 }!
            let problem = PlanningProblem(graph: graph, configuration: config)
            let plain = try CrossingBound(problem: problem).solve(with: solver, timeLimit: nil)
            let crossing = CrossingBound(problem: problem, peakBound: minimumPeak, order: order)
            if crossing.peakCovers.count > 1 { segmented += 1 }
            let bound = try crossing.solve(with: solver, timeLimit: nil)
            #expect(bound <= optimum, "seed \(seed), capacity \(config.capacity): \(bound) > \(optimum)")
            #expect(bound >= plain, "seed \(seed)")
            if bound > plain { stronger += 1 }
        }
        #expect(stronger > 0)
        // Some instances have segments crowded on their own, so their rows are checked too.
        #expect(segmented > 0)
    }

    @Test(.tags(.realModel)) func trafficBoundStaysBelowProvenOptimaOfRealModels() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
        // ResNet-50 with weights at M_R: the exact program proves 602,112 bytes (results/exact.md).
        let graph = try Graph(contentsOf: root.appendingPathComponent("graphs/resnet50.json"))
        let config = Configuration.atMR(of: graph, tensors: .all)
        let exact = try ExactPlanner(graph: graph, configuration: config).solve()
        try #require(exact.status == .optimal)
        let bound = try CrossingBound(problem: PlanningProblem(graph: graph, configuration: config)).solve(with: .cbc, timeLimit: 10)
        #expect(bound <= exact.nonCompulsory)
    }
}
