import DNNGraph
import Heuristics
import Scratchpad
import Testing

@Suite struct ArenaPlannerTests {
    /// Order A, A2, B, B2, J of ``TestGraphs/twoBranches()``, by hand: a@0 and b@0 (disjoint
    /// lifetimes), x above them at 50, a2 at 60, b2 in the 10-byte gap at 50 (x is dead by then),
    /// y in the tightest gap, [55, 60).
    @Test func placesBySizeIntoTheTightestGap() throws {
        let graph = try TestGraphs.twoBranches()
        let order = ["A", "A2", "B", "B2", "J"].map { graph.operatorID(named: $0)! }
        let arena = graph.arenaPlan(order: order, setting: .activations, alignment: 1)
        let byName = Dictionary(uniqueKeysWithValues: arena.offsets.map { (graph.tensors[$0.key].name, $0.value) })
        #expect(byName == ["a": 0, "b": 0, "x": 50, "a2": 60, "b2": 50, "y": 55])
        #expect(arena.arenaBytes == 65)
    }

    @Test func alignsEveryOffset() throws {
        let graph = try TestGraphs.twoBranches()
        let arena = graph.arenaPlan(order: Array(graph.operators.indices), setting: .activations, alignment: 16)
        #expect(arena.offsets.values.allSatisfy { $0 % 16 == 0 })
    }
}

/// TVM's allocators for fixed lifetimes (``ArenaAllocator``): valid packings, and hill climbing
/// never worse than the greedy orders it starts from.
@Suite struct ProductionArenaTests {
    /// No two tensors whose lifetimes overlap share an address, every offset is aligned, and the
    /// arena is at least the schedule's peak.
    static func check(_ graph: Graph, _ arena: ArenaPlan, order: [OperatorID], alignment: Int) {
        let intervals = graph.liveIntervals(order: order, setting: .activations)
        for (i, a) in intervals.enumerated() {
            let sa = roundUp(graph.tensors[a.tensor].bytes, to: alignment)
            let oa = arena.offsets[a.tensor]!
            #expect(oa % alignment == 0 && oa + sa <= arena.arenaBytes)
            for b in intervals[(i + 1)...] where a.first <= b.last && b.first <= a.last {
                let sb = roundUp(graph.tensors[b.tensor].bytes, to: alignment)
                let ob = arena.offsets[b.tensor]!
                #expect(oa + sa <= ob || ob + sb <= oa, "\(graph.name): \(a.tensor) and \(b.tensor) overlap")
            }
        }
        #expect(arena.arenaBytes >= graph.peakLiveBytes(order: order, setting: .activations, alignment: alignment))
    }

    @Test(arguments: [1, 8])
    func validOnRandomGraphs(alignment: Int) throws {
        for seed in UInt64(200)..<230 {
            let graph = try TestGraphs.random(operators: 5 + Int(seed % 40), seed: seed)
            let order = Array(graph.operators.indices)
            var tops: [ArenaAllocator: Int] = [:]
            for allocator in ArenaAllocator.allCases {
                // A target of 0 never fits: hill climbing spends all its attempts.
                let arena = graph.arenaPlan(order: order, setting: .activations, alignment: alignment, allocator: allocator, target: 0)
                Self.check(graph, arena, order: order, alignment: alignment)
                tops[allocator] = arena.arenaBytes
            }
            #expect(tops[.hillClimb]! <= min(tops[.greedyBySize]!, tops[.greedyByConflicts]!), "seed \(seed)")
        }
    }

    /// ``TestGraphs/arenaFragments()`` peaks at 15 bytes; TensorFlow Lite's arena needs 16. The
    /// hill climbing, aiming at 15, reaches it, and the heuristic then spills nothing.
    @Test func hillClimbingPacksWhatTheGreedyPassFragments() throws {
        let graph = try TestGraphs.arenaFragments()
        let order = Array(graph.operators.indices)
        #expect(graph.arenaPlan(order: order, setting: .activations, alignment: 1).arenaBytes == 16)
        let climbed = graph.arenaPlan(order: order, setting: .activations, alignment: 1, allocator: .hillClimb, target: 15)
        #expect(climbed.arenaBytes == 15)
        let plan = try HeuristicPlanner.plan(graph: graph, configuration: Configuration(capacity: 15), order: order,
                                             scheduleName: "default", arena: .hillClimb)
        #expect(plan.report.traffic.nonCompulsory == 0)
        #expect(plan.plan.method == "heuristic:default+hill-climb")
    }
}
