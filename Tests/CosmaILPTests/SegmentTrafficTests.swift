import CosmaILP
import CosmaTestSupport
import DNNGraph
import Heuristics
import MILP
import Scratchpad
import Testing

/// ``SegmentTrafficSearch`` against the exhaustive oracle, which shares no code with it.
@Suite struct SegmentTrafficTests {
    static func search(_ graph: Graph, _ config: Configuration, _ operators: [OperatorID]) throws -> SegmentTrafficSearch.Outcome {
        var limit = SearchLimit()
        return try #require(SegmentTrafficSearch(graph: graph, configuration: config).run(operators, stateBudget: 1_000_000, limit: &limit))
    }

    /// The whole graph is one block whose own problem leaves out only addresses, so the search's
    /// optimum is at most the exhaustive optimum, and at least every bound on the problem without
    /// addresses, such as the crossing bound. Most instances meet the optimum exactly.
    @Test func wholeGraphStaysBetweenTheCrossingBoundAndTheOptimum() throws {
        var met = 0
        var spilling = 0
        for (seed, graph, config, optimum) in try ExhaustiveSearch.solvedInstances(seeds: 1...60, operators: 4, extras: [0, 1]) {
            let outcome = try Self.search(graph, config, Array(graph.operators.indices))
            let order = try #require(outcome.order, "seed \(seed): the search did not finish")
            #expect(graph.scheduleProblem(order) == nil)
            #expect(outcome.lowerBound <= optimum, "seed \(seed), capacity \(config.capacity): \(outcome.lowerBound) > \(optimum)")
            let crossing = try CrossingBound(problem: PlanningProblem(graph: graph, configuration: config)).solve(with: .cbc, timeLimit: nil)
            #expect(outcome.lowerBound >= crossing, "seed \(seed), capacity \(config.capacity)")
            if optimum > 0 {
                spilling += 1
                if outcome.lowerBound == optimum { met += 1 }
            }
        }
        #expect(spilling > 10)
        #expect(met * 4 >= spilling * 3, "met \(met) of \(spilling)")
    }

    /// Random staged graphs (``randomStagedGraph(seed:stages:operatorsPerStage:)``) at `M_R` and
    /// one byte more, activations only, where the exhaustive oracle finds an optimum.
    static func stagedInstances(seeds: ClosedRange<UInt64>, stages: Int, operatorsPerStage: Int) throws
        -> [(seed: UInt64, graph: Graph, config: Configuration, optimum: Int)]
    {
        try seeds.flatMap { seed in
            let graph = try randomStagedGraph(seed: seed, stages: stages, operatorsPerStage: operatorsPerStage)
            return [0, 1].compactMap { extra -> (seed: UInt64, graph: Graph, config: Configuration, optimum: Int)? in
                let config = Configuration.atMR(of: graph, plus: extra)
                let exhaustive = ExhaustiveSearch(graph: graph, config: config)
                guard exhaustive.fits, let optimum = exhaustive.minimumNonCompulsory() else { return nil }
                return (seed, graph, config, optimum)
            }
        }
    }

    /// Separated segments run as disjoint blocks of every schedule, so their optima add up to a
    /// lower bound on the whole graph's; it is at most the whole graph's own search, which drops
    /// fewer constraints. Some instances have two segments that each must spill, so the sum is
    /// checked where it adds. A segment's crossing bound, as a graph of its own, adds up the same way.
    @Test func segmentOptimaAddUpBelowTheOptimum() throws {
        var added = 0
        var crossed = 0
        let instances = try Self.stagedInstances(seeds: 1...40, stages: 2, operatorsPerStage: 4)
        for (seed, graph, config, optimum) in instances {
            let segments = graph.separatedSegments(order: Array(graph.operators.indices), reach: graph.reachability())
            #expect(segments.count >= 2, "seed \(seed)")
            #expect(segments.flatMap { $0 }.sorted() == Array(graph.operators.indices))
            let parts = try segments.map { try Self.search(graph, config, $0).lowerBound }
            let sum = parts.reduce(0, +)
            // Each segment as a graph of its own bounds the same block problem: its crossing
            // bound may stand in for the search's, segment by segment (as divide and conquer's does).
            let crossings = try segments.map { segment in
                try CrossingBound(problem: PlanningProblem(graph: graph.inducedSubgraph(segment), configuration: config))
                    .solve(with: .cbc, timeLimit: nil)
            }
            let mixed = zip(parts, crossings).map { max($0, $1) }.reduce(0, +)
            #expect(mixed <= optimum, "seed \(seed), capacity \(config.capacity): \(parts), \(crossings) > \(optimum)")
            if crossings.reduce(0, +) > 0 { crossed += 1 }
            let whole = try Self.search(graph, config, Array(graph.operators.indices)).lowerBound
            #expect(sum <= optimum, "seed \(seed), capacity \(config.capacity): \(parts) > \(optimum)")
            #expect(sum <= whole, "seed \(seed), capacity \(config.capacity): \(parts) > \(whole)")
            if parts.filter({ $0 > 0 }).count >= 2 { added += 1 }
        }
        #expect(instances.count > 50)
        #expect(added > 0)
        #expect(crossed > 0)
    }

    /// Consecutive separated segments joined into blocks are still run contiguously by every
    /// schedule, so the sum over the blocks stays below the optimum; a block's own problem sees
    /// what its parts' leave out, so with every search settled the sum can only rise as blocks
    /// grow, and it should rise somewhere. The blocks keep the segments' order, the joined ones
    /// stay within the limit, and each has the largest peak of its parts.
    @Test func joinedBlocksStayBelowTheOptimumAndRiseAsTheyGrow() throws {
        var rose = 0
        let instances = try Self.stagedInstances(seeds: 1...60, stages: 3, operatorsPerStage: 2)
        for (seed, graph, config, optimum) in instances {
            let segments = graph.separatedSegmentPeaks(order: Array(graph.operators.indices), reach: graph.reachability(),
                                                       configuration: config)
            let search = SegmentTrafficSearch(graph: graph, configuration: config)
            var sums: [Int] = []
            for limit in [1, 6, 64] {
                let blocks = search.blocks(joining: segments, limit: limit)
                #expect(blocks.flatMap(\.operators) == segments.flatMap(\.operators))
                var next = 0
                for block in blocks {
                    var members: [OperatorID] = []
                    var peak = 0
                    var joined = 0
                    while members.count < block.operators.count && next < segments.count {
                        members += segments[next].operators
                        peak = max(peak, segments[next].peak)
                        next += 1
                        joined += 1
                    }
                    #expect(members == block.operators, "seed \(seed), limit \(limit): a block is not whole segments")
                    #expect(block.peak == peak)
                    #expect(joined == 1 || block.operators.count <= limit)
                }
                let outcomes = try blocks.map { try Self.search(graph, config, $0.operators) }
                #expect(outcomes.allSatisfy { $0.order != nil })
                sums.append(outcomes.reduce(0) { $0 + $1.lowerBound })
            }
            #expect(sums.allSatisfy { $0 <= optimum }, "seed \(seed), capacity \(config.capacity): \(sums) > \(optimum)")
            #expect(sums == sums.sorted(), "seed \(seed), capacity \(config.capacity): \(sums)")
            if sums.last! > sums.first! { rose += 1 }
        }
        #expect(instances.count > 100)
        #expect(rose > 10, "the sum rose on \(rose) of \(instances.count)")
    }

    /// A tensor that an earlier block made is on chip when the next block starts, or has a DRAM
    /// copy; either way each load of it is a reload, which the block must pay, and its store falls
    /// to the last block that reads it. Here `x` (2 bytes), made first and read last, cannot stay
    /// beside `z` and `w` while `widen` runs (6 bytes with it, at capacity 5, in either order of
    /// the last block), so every plan stores it and reads it back: 4 bytes. `next` reads `x` too,
    /// but a later block does as well, so that block starts with `x` copied; the last block starts
    /// without a copy and pays both, and the sum meets the optimum. Counting the store where `x`
    /// is made, as the search first did, the earlier blocks kept `x` resident at no cost and the
    /// last evicted it for free: 2. Had the block taken `x` to be in DRAM with its first load
    /// free, as a graph input is, the sum would be 0.
    @Test func aTensorFromAnEarlierBlockPaysItsStoreWhereLastReadAndEveryReload() throws {
        let sizes = ["in": 1, "x": 2, "y": 1, "z": 1, "w": 3, "u": 1, "v": 1, "out": 1]
        let tensors = sizes.sorted { $0.key < $1.key }.map { Tensor(name: $0.key, bytes: $0.value, kind: $0.key == "in" ? .input : .activation) }
        let ops: [GraphDocument.OperatorEntry] = [
            .init(name: "make", type: "Op", inputs: ["in"], outputs: ["x"]),
            .init(name: "next", type: "Op", inputs: ["x"], outputs: ["y"]),
            .init(name: "separate", type: "Op", inputs: ["y"], outputs: ["z"]),
            .init(name: "widen", type: "Op", inputs: ["z"], outputs: ["w"]),
            .init(name: "narrow", type: "Op", inputs: ["w"], outputs: ["u"]),
            .init(name: "side", type: "Op", inputs: ["z"], outputs: ["v"]),
            .init(name: "last", type: "Op", inputs: ["u", "v", "x"], outputs: ["out"]),
        ]
        let graph = try Graph(document: GraphDocument(name: "crossing-x", tensors: tensors, operators: ops, outputs: ["out"]))
        let config = Configuration(capacity: 5, alignment: 1, tensors: .activations)
        let segments = graph.separatedSegments(order: Array(graph.operators.indices), reach: graph.reachability())
        #expect(segments == [[0], [1], [2], [3, 4, 5, 6]])
        let optimum = try #require(ExhaustiveSearch(graph: graph, config: config).minimumNonCompulsory())
        #expect(optimum == 4)
        let parts = try segments.map { try Self.search(graph, config, $0).lowerBound }
        #expect(parts == [0, 0, 0, 4])
    }

    /// What a block makes for a later block is stored for free in the block's windows too, since
    /// the later block pays that store. Here `x` (2 bytes) is made first in block A and read last in
    /// block B. In A, `x` must leave while `a2` runs (`t`, `w`, `v` fill the capacity of 5) and
    /// come back for `a3`; then `w` must leave for `a3` and come back for `a4` (6 bytes). In B, `x`
    /// must leave again while `b1` and `b2` run. So every plan stores `x` once and loads it twice:
    /// the optimum is 12, A's own problem 8 (its store is B's) and B's 4 (the store and a load). A
    /// window over A that charged the store of `x` (it dies at `a3` in the window's view) would find
    /// 10, and with B's 4 claim 14; so would A's crossing bound as a graph of its own, were `x` not
    /// an output there (``DNNGraph/Graph/inducedSubgraph(_:)``).
    @Test func aWindowStoresForFreeWhatALaterBlockPays() throws {
        let sizes = ["in": 1, "x": 2, "t": 1, "w": 3, "v": 1, "y": 1, "z": 1, "p": 4, "r": 1, "out": 1]
        let tensors = sizes.sorted { $0.key < $1.key }.map { Tensor(name: $0.key, bytes: $0.value, kind: $0.key == "in" ? .input : .activation) }
        let ops: [GraphDocument.OperatorEntry] = [
            .init(name: "a1", type: "Op", inputs: ["in"], outputs: ["x", "t"]),
            .init(name: "a2", type: "Op", inputs: ["t"], outputs: ["w", "v"]),
            .init(name: "a3", type: "Op", inputs: ["x", "v"], outputs: ["y"]),
            .init(name: "a4", type: "Op", inputs: ["w", "y"], outputs: ["z"]),
            .init(name: "b1", type: "Op", inputs: ["z"], outputs: ["p"]),
            .init(name: "b2", type: "Op", inputs: ["p"], outputs: ["r"]),
            .init(name: "b3", type: "Op", inputs: ["x", "r"], outputs: ["out"]),
        ]
        let graph = try Graph(document: GraphDocument(name: "window-x", tensors: tensors, operators: ops, outputs: ["out"]))
        let config = Configuration(capacity: 5, alignment: 1, tensors: .activations)
        let search = SegmentTrafficSearch(graph: graph, configuration: config)
        let segments = graph.separatedSegmentPeaks(order: Array(graph.operators.indices), reach: graph.reachability(), configuration: config)
        let blocks = search.blocks(joining: segments, limit: 4).map(\.operators)
        #expect(blocks == [[0, 1, 2, 3], [4, 5, 6]])
        #expect(try #require(ExhaustiveSearch(graph: graph, config: config).minimumNonCompulsory()) == 12)
        #expect(try blocks.map { try Self.search(graph, config, $0).lowerBound } == [8, 4])
        #expect(graph.tensorsReadOutside(blocks[0]) == Set(["x", "z"].compactMap(graph.tensorID(named:))))
        var limit = SearchLimit()
        let window = try #require(search.run(blocks[0], scope: .window, stateBudget: 1_000_000, limit: &limit, storesPaidLater: graph.tensorsReadOutside(blocks[0])))
        #expect(window.lowerBound == 8)
        let charging = try #require(search.run(blocks[0], scope: .window, stateBudget: 1_000_000, limit: &limit))
        #expect(charging.lowerBound == 10, "the store of x, counted twice")
        // So does A as a graph of its own, whose crossing bound may stand in for its search's.
        let part = try graph.inducedSubgraph(blocks[0])
        #expect(part.outputs.map { part.tensors[$0].name }.sorted() == ["x", "z"])
        let crossing = try CrossingBound(problem: PlanningProblem(graph: part, configuration: config)).solve(with: .cbc, timeLimit: nil)
        #expect(crossing <= 8, "\(crossing)")
        // A's beams: the first charges the store of x where it is made, the second as A's own
        // problem does, which leaves it to B.
        var one = SearchLimit()
        let beams = try #require(search.run(blocks[0], stateBudget: 1, limit: &one, beamWidth: 500)).beams
        #expect(beams.map(\.traffic) == [10, 8])
    }

    /// A block too large for the search counts its windows' largest bound instead, or its crossing
    /// bound where that is larger (`DivideAndConquerPlanner.windowSearch`), beside the other
    /// blocks' optima; its windows store for free what it makes for a later block
    /// (``aWindowStoresForFreeWhatALaterBlockPays()``). Whichever block counts its windows, the sum
    /// stays below the optimum.
    @Test func aBlocksWindowsAddUpWithTheOtherBlocks() throws {
        var windowed = 0
        let instances = try Self.stagedInstances(seeds: 1...300, stages: 3, operatorsPerStage: 2)
            + Self.stagedInstances(seeds: 1...100, stages: 2, operatorsPerStage: 4)
        for (seed, graph, config, optimum) in instances {
            let segments = graph.separatedSegments(order: Array(graph.operators.indices), reach: graph.reachability())
            let search = SegmentTrafficSearch(graph: graph, configuration: config)
            let own = try segments.map { try Self.search(graph, config, $0).lowerBound }
            for (s, segment) in segments.enumerated() {
                let paidLater = graph.tensorsReadOutside(segment)
                var windows = 0
                for start in segment.indices {
                    for end in start..<segment.count {
                        var limit = SearchLimit()
                        let window = try #require(search.run(Array(segment[start...end]), scope: .window, stateBudget: 1_000_000,
                                                             limit: &limit, storesPaidLater: paidLater))
                        windows = max(windows, window.lowerBound)
                    }
                }
                let crossing = try CrossingBound(problem: PlanningProblem(graph: graph.inducedSubgraph(segment), configuration: config))
                    .solve(with: .cbc, timeLimit: nil)
                let others = own.reduce(0, +) - own[s]
                #expect(others + max(windows, crossing) <= optimum,
                        "seed \(seed), capacity \(config.capacity), block \(s): \(own), windows \(windows), crossing \(crossing) > \(optimum)")
                if windows > 0 { windowed += 1 }
            }
        }
        #expect(instances.count > 100)
        #expect(windowed > 20, "\(windowed) blocks whose windows bound something")
    }

    /// Two branches, `left` and `right`, leave a tensor of 2 bytes live beside each other whatever
    /// the order: while `left` runs, either `right` has run and `r` waits for `join`, or it has
    /// not and `b` waits for it. No tensor is live across `left` in every order, so the forced-live
    /// estimate is 0; the minimum cut over the orders finds the 2 bytes, 1 more than fit beside
    /// `left`'s 4 at capacity 5 (and the same at `right`), and the estimate counts that byte's
    /// store and reload as soon as `split` has run: the tensors that can make it up are activations
    /// without a DRAM copy, so evicting one costs its store before its reload (2, where counting
    /// the reload alone gave 1). A search stopped after one expansion reports it, and stays below
    /// the optimum of 8: the branch that runs first finds the other's input waiting, the one that
    /// runs second the other's result, so each evicts a 2-byte tensor, stored and loaded back.
    @Test func anUnsettledSearchCountsWhatEveryOrderKeepsLive() throws {
        let (optimum, stopped) = try Self.stoppedEarly(
            "either-branch", sizes: ["in": 1, "a": 2, "b": 2, "l": 2, "r": 2, "out": 1], inputs: ["in"], capacity: 5,
            operators: [
                .init(name: "split", type: "Op", inputs: ["in"], outputs: ["a", "b"]),
                .init(name: "left", type: "Op", inputs: ["a"], outputs: ["l"]),
                .init(name: "right", type: "Op", inputs: ["b"], outputs: ["r"]),
                .init(name: "join", type: "Op", inputs: ["l", "r"], outputs: ["out"]),
            ])
        #expect(optimum == 8)
        #expect(stopped.lowerBound == 2)
    }

    /// A graph input is in DRAM already, so evicting it never costs a store, even before its first
    /// load, when it has no copy in the search's state yet. Here `x` (4 bytes) is read by `A` and
    /// `C` and crosses `B`, whose operands leave 1 byte of the capacity of 9: 3 bytes of `x` must
    /// be off chip while `B` runs, and the only plan reloads `x` for `C` (4 bytes). After `D`, the
    /// only operator ready at the start, `x` is not loaded yet: the estimate must price those 3
    /// bytes as reloads (3), not as activations stored and loaded back (6, above the optimum).
    @Test func anInputLetGoOwesOnlyItsReload() throws {
        let (optimum, stopped) = try Self.stoppedEarly(
            "input-let-go", sizes: ["y": 1, "x": 4, "d": 1, "a": 4, "b": 4, "out": 1], inputs: ["x", "y"], capacity: 9,
            operators: [
                .init(name: "D", type: "Op", inputs: ["y"], outputs: ["d"]),
                .init(name: "A", type: "Op", inputs: ["x", "d"], outputs: ["a"]),
                .init(name: "B", type: "Op", inputs: ["a"], outputs: ["b"]),
                .init(name: "C", type: "Op", inputs: ["x", "b"], outputs: ["out"]),
            ])
        #expect(optimum == 4)
        #expect(stopped.lowerBound == 3)
    }

    /// A tensor off chip that an ancestor of the crowded operator still reads must be loaded for
    /// that ancestor and evicted again: being off chip now does not make up the crowded operator's
    /// excess for free. Here `L`, `M`, `A`, `B` and `C` form a chain at a capacity of 6; `M`
    /// evicts `x` (2 bytes, a graph input, so the eviction is free), `A` reads it back (2), and
    /// `B` crowds it out again, for `C` to read it back (2): the optimum is 4. Stopped after `M`,
    /// the estimate owes `x`'s reload (2) and the byte `B` needs off chip once more (1): 3. An
    /// estimate that counted `x`, off chip after `M`, towards `B`'s excess gave 2.
    @Test func anAncestorsReaderOwesASecondReload() throws {
        let (optimum, stopped) = try Self.stoppedEarly(
            "ancestor-reads", sizes: ["y": 1, "x": 2, "l": 3, "m": 2, "a": 2, "b": 3, "out": 1], inputs: ["x", "y"], capacity: 6,
            operators: [
                .init(name: "L", type: "Op", inputs: ["x", "y"], outputs: ["l"]),
                .init(name: "M", type: "Op", inputs: ["l"], outputs: ["m"]),
                .init(name: "A", type: "Op", inputs: ["x", "m"], outputs: ["a"]),
                .init(name: "B", type: "Op", inputs: ["a"], outputs: ["b"]),
                .init(name: "C", type: "Op", inputs: ["x", "b"], outputs: ["out"]),
            ], states: 3)
        #expect(optimum == 4)
        #expect(stopped.lowerBound == 3)
    }

    /// The graph of `operators` over tensors of `sizes` (`inputs` are graph inputs, the rest
    /// activations; `out` is the output) at `capacity`, activations only: its exhaustive optimum,
    /// which the settled search must meet, and the search's outcome when stopped once it has made
    /// `states` states (two: after expanding its start; three on a chain: after two moves), which
    /// must not have settled.
    static func stoppedEarly(_ name: String, sizes: [String: Int], inputs: Set<String>, capacity: Int,
                                         operators: [GraphDocument.OperatorEntry], states: Int = 2) throws
        -> (optimum: Int, stopped: SegmentTrafficSearch.Outcome)
    {
        let tensors = sizes.sorted { $0.key < $1.key }.map { Tensor(name: $0.key, bytes: $0.value, kind: inputs.contains($0.key) ? .input : .activation) }
        let graph = try Graph(document: GraphDocument(name: name, tensors: tensors, operators: operators, outputs: ["out"]))
        let config = Configuration(capacity: capacity, alignment: 1, tensors: .activations)
        let optimum = try #require(ExhaustiveSearch(graph: graph, config: config).minimumNonCompulsory())
        #expect(try Self.search(graph, config, Array(graph.operators.indices)).lowerBound == optimum)
        var limit = SearchLimit()
        let stopped = try #require(SegmentTrafficSearch(graph: graph, configuration: config).run(Array(graph.operators.indices), stateBudget: states, limit: &limit))
        #expect(stopped.order == nil)
        return (optimum, stopped)
    }

    /// Blocks with an optimum to check against, in two kinds: whole random graphs where the
    /// exhaustive oracle finds one (seeds `wholeGraphSeeds`, 5 operators), and the later segments
    /// of random staged graphs (3 stages of 4 operators), where tensors of an earlier block come
    /// in resident and owe their reloads; each at `M_R` and one byte more.
    static func blocksOfBothKinds(wholeGraphSeeds: ClosedRange<UInt64>) throws
        -> [[(seed: UInt64, graph: Graph, config: Configuration, operators: [OperatorID])]]
    {
        let wholeGraphs = try ExhaustiveSearch.solvedInstances(seeds: wholeGraphSeeds, operators: 5, extras: [0, 1]).map {
            ($0.seed, $0.graph, $0.config, Array($0.graph.operators.indices))
        }
        let segments = try (UInt64(1)...40).flatMap { seed in
            let graph = try randomStagedGraph(seed: seed, stages: 3, operatorsPerStage: 4)
            return graph.separatedSegments(order: Array(graph.operators.indices), reach: graph.reachability()).dropFirst()
                .filter { $0.count > 1 }
                .flatMap { segment in [0, 1].map { (seed, graph, Configuration.atMR(of: graph, plus: $0), segment) } }
        }
        return [wholeGraphs, segments]
    }

    /// A search stopped early reports the largest least estimate it had open, which must never
    /// exceed the block's optimum: the estimate is admissible at every state budget, not only at
    /// the end. The search is the same at every budget up to where it stops, so a larger budget
    /// never lowers the bound (the least estimate open may fall, since the estimate is not
    /// consistent). Budgets past 40 states let the search run the maximum flows that lift its
    /// states' estimates, each charged as ``SegmentTrafficSearch/statesPerFlow`` states. The
    /// blocks are whole graphs, and the segments of staged graphs, where tensors of an earlier
    /// block come in resident and owe their reloads.
    @Test func searchesStoppedEarlyStayBelowTheOptimum() throws {
        var rose = [0, 0]
        var flows = 0
        for (kind, blocks) in try Self.blocksOfBothKinds(wholeGraphSeeds: 1...40).enumerated() {
            for (seed, graph, config, operators) in blocks {
                let optimum = try Self.search(graph, config, operators).lowerBound
                var last = 0
                for budget in Array(1...40) + Array(stride(from: 60, through: 600, by: 20)) {
                    var limit = SearchLimit()
                    let outcome = try #require(SegmentTrafficSearch(graph: graph, configuration: config).run(operators, stateBudget: budget, limit: &limit))
                    #expect(outcome.lowerBound <= optimum, "seed \(seed), capacity \(config.capacity), \(operators), \(budget) states: \(outcome.lowerBound) > \(optimum)")
                    #expect(outcome.lowerBound >= last, "seed \(seed), capacity \(config.capacity), \(operators), \(budget) states: \(outcome.lowerBound) < \(last)")
                    flows += outcome.flows
                    if outcome.lowerBound > last { rose[kind] += 1 }
                    last = outcome.lowerBound
                    if outcome.order != nil { break }
                }
            }
        }
        #expect(rose[0] > 10)
        #expect(rose[1] > 10, "\(rose[1])")
        #expect(flows > 100, "\(flows)")
    }

    /// A state where some operator has more ways to make room than the search tries is left
    /// unexpanded, open for good: its estimate caps the bound, and a plan dearer than that cap is
    /// not called optimal. With at most one or two eviction sets per move, many states are left so;
    /// the bound must still never exceed the block's optimum, a settled order must meet it, and a
    /// plan handed over instead must be valid and no cheaper than it. The cap must claim
    /// something where the search used to claim nothing.
    @Test func statesWithTooManyWaysToMakeRoomCapTheBound() throws {
        var capped = 0
        var handedOver = 0
        for (seed, graph, config, operators) in try Self.blocksOfBothKinds(wholeGraphSeeds: 1...60).joined() {
            let optimum = try Self.search(graph, config, operators).lowerBound
            for sets in [1, 2] {
                var limit = SearchLimit()
                let outcome = try #require(SegmentTrafficSearch(graph: graph, configuration: config)
                    .run(operators, stateBudget: 1_000_000, limit: &limit, evictionSetLimit: sets))
                let context = "seed \(seed), capacity \(config.capacity), \(operators), \(sets) sets"
                #expect(outcome.lowerBound <= optimum, "\(context): \(outcome.lowerBound) > \(optimum)")
                if outcome.order != nil { #expect(outcome.lowerBound == optimum, "\(context)") }
                if outcome.unexpanded > 0 && outcome.lowerBound > 0 { capped += 1 }
                #expect(outcome.beams.count <= 1, "\(context): the search's own plan, no beam")
                if let plan = outcome.beams.first {
                    handedOver += 1
                    // Each operator after its predecessors among the block's.
                    let position = Dictionary(uniqueKeysWithValues: plan.order.enumerated().map { ($1, $0) })
                    #expect(Set(plan.order) == Set(operators) && plan.order.count == operators.count, "\(context)")
                    #expect(plan.order.allSatisfy { o in graph.predecessors[o].allSatisfy { position[$0].map { $0 < position[o]! } ?? true } }, "\(context)")
                    #expect(plan.traffic >= optimum && plan.traffic > outcome.lowerBound, "\(context): \(plan.traffic)")
                }
            }
        }
        #expect(capped > 20, "\(capped)")
        #expect(handedOver > 0)
    }

    /// Any set of operators searched as a window (``SegmentTrafficSearch/Scope/window``) bounds
    /// the whole graph's optimum, settled or stopped early: every subset of the operators of
    /// random graphs, convex or not. Searched as a separated block instead, some windows exceed
    /// the optimum (a tensor made outside would come in resident, one read outside would have to
    /// survive the window), which shows that the window's own assumptions are what keep it below.
    @Test func everyWindowStaysBelowTheOptimum() throws {
        var positive = 0
        var wrongAsSeparated = 0
        for (seed, graph, config, optimum) in try ExhaustiveSearch.solvedInstances(seeds: 1...40, operators: 4, extras: [0, 1]) {
            let search = SegmentTrafficSearch(graph: graph, configuration: config)
            let m = graph.operators.count
            for mask in 1..<(1 << m) {
                let window = (0..<m).filter { mask & (1 << $0) != 0 }
                for budget in [2, 1_000_000] {
                    var limit = SearchLimit()
                    let outcome = try #require(search.run(window, scope: .window, stateBudget: budget, limit: &limit))
                    #expect(outcome.lowerBound <= optimum, "seed \(seed), capacity \(config.capacity), \(window), \(budget) states: \(outcome.lowerBound) > \(optimum)")
                    if budget > 2, outcome.lowerBound > 0 { positive += 1 }
                }
                var limit = SearchLimit()
                if let separated = search.run(window, stateBudget: 1_000_000, limit: &limit), separated.lowerBound > optimum { wrongAsSeparated += 1 }
            }
        }
        #expect(positive > 50, "\(positive)")
        #expect(wrongAsSeparated > 0)
    }

    /// An input from outside with one reader in the block (a weight) is not tracked: it takes
    /// room only while its reader runs, in every plan. So a block whose operators touch more than
    /// 128 tensors in all may still be searched. (The oracle tests above, a third of them with
    /// weights, check that this changes no optimum.)
    @Test func weightsWithOneReaderAreNotTracked() throws {
        let graph = try randomTinyGraph(seed: 7, operators: 90, withWeights: true)
        let operators = Array(graph.operators.indices)
        let touched = Set(operators.flatMap { graph.residentInputs(of: $0, in: .all) + graph.operators[$0].outputs })
        #expect(touched.count > SegmentTrafficSearch.maximumSize)
        let config = Configuration.atMR(of: graph, tensors: .all)
        let search = SegmentTrafficSearch(graph: graph, configuration: config)
        for scope in [SegmentTrafficSearch.Scope.separated, .window] {
            #expect(search.accepts(operators, scope: scope))
            var limit = SearchLimit()
            #expect(search.run(operators, scope: scope, stateBudget: 1_000, limit: &limit) != nil)
        }
    }

    /// Random graphs of 10 to 14 operators, a third with weights, at `M_R` plus each of `extras`
    /// bytes: too large for the exhaustive oracle, small enough for the search without pruning.
    static func mediumInstances(extras: [Int]) throws -> [(seed: UInt64, graph: Graph, config: Configuration)] {
        try (UInt64(1)...150).flatMap { seed in
            let setting: TensorSetting = seed % 3 == 0 ? .all : .activations
            let graph = try randomTinyGraph(seed: seed, operators: 10 + Int(seed % 5), withWeights: setting == .all)
            return extras.map { (seed, graph, Configuration.atMR(of: graph, tensors: setting, plus: $0)) }
        }
    }

    /// `operators` searched twice with a million states each, once with `first` and once with
    /// `second` of the search's savings (dominance pruning, moves that lose nothing); both
    /// outcomes when both searches settled, else `nil`.
    static func settledBoth(_ search: SegmentTrafficSearch, _ operators: [OperatorID], scope: SegmentTrafficSearch.Scope = .separated,
                            _ first: (pruning: Bool, reducing: Bool), _ second: (pruning: Bool, reducing: Bool)) throws
        -> (first: SegmentTrafficSearch.Outcome, second: SegmentTrafficSearch.Outcome)?
    {
        var limit = SearchLimit()
        let a = try #require(search.run(operators, scope: scope, stateBudget: 1_000_000, limit: &limit, pruning: first.pruning, reducing: first.reducing))
        let b = try #require(search.run(operators, scope: scope, stateBudget: 1_000_000, limit: &limit, pruning: second.pruning, reducing: second.reducing))
        guard a.order != nil, b.order != nil else { return nil }
        return (a, b)
    }

    /// A state is not expanded when another with the same operators run can become it at no more
    /// traffic. That must leave every optimum as it is, which the search without pruning (checked
    /// against the exhaustive oracle above) tells on graphs too large for the oracle, and it should
    /// save states where the search has more than one way to evict.
    @Test func dominanceKeepsTheOptimumWithFewerStates() throws {
        var with = 0
        var without = 0
        var pruned = 0
        var spilling = 0
        for (seed, graph, config) in try Self.mediumInstances(extras: [0, 1, 2]) {
            let operators = Array(graph.operators.indices)
            let search = SegmentTrafficSearch(graph: graph, configuration: config)
            guard let (a, b) = try Self.settledBoth(search, operators, (pruning: true, reducing: true), (pruning: false, reducing: true))
            else { continue }
            #expect(graph.scheduleProblem(a.order!) == nil)
            #expect(a.lowerBound == b.lowerBound, "seed \(seed), capacity \(config.capacity): \(a.lowerBound) with pruning, \(b.lowerBound) without")
            #expect(b.pruned == 0)
            if b.lowerBound > 0 { spilling += 1 }
            with += a.states
            without += b.states
            pruned += a.pruned
        }
        #expect(spilling > 100)
        #expect(pruned > 0)
        #expect(with < without, "\(with) states with pruning, \(without) without")
    }

    /// Where a ready operator is the last reader of tensors without a DRAM copy, each no smaller
    /// than what it makes, the search only runs it (`Block.freeMove`). That must leave every
    /// optimum as it is, which the search that tries every move tells: on whole graphs too large
    /// for the oracle, on the separated segments of staged graphs (where an earlier block's
    /// tensors come in with a copy and a later block's are kept) and on their windows. And it
    /// should save states.
    @Test func movesThatLoseNothingKeepTheOptimumWithFewerStates() throws {
        let wholeGraphs = try Self.mediumInstances(extras: [0, 1, 2]).map { ($0.seed, $0.graph, $0.config, Array($0.graph.operators.indices)) }
        let segments = try (UInt64(1)...60).flatMap { seed in
            let graph = try randomStagedGraph(seed: seed, stages: 3, operatorsPerStage: 5)
            return graph.separatedSegments(order: Array(graph.operators.indices), reach: graph.reachability()).filter { $0.count > 1 }
                .flatMap { segment in [0, 1].map { (seed, graph, Configuration.atMR(of: graph, plus: $0), segment) } }
        }
        var with = 0
        var without = 0
        var spilling = 0
        var settled = 0
        for (kind, blocks) in [wholeGraphs, segments].enumerated() {
            for (seed, graph, config, operators) in blocks {
                let search = SegmentTrafficSearch(graph: graph, configuration: config)
                for scope in kind == 0 ? [SegmentTrafficSearch.Scope.separated] : [.separated, .window] {
                    guard let (a, b) = try Self.settledBoth(search, operators, scope: scope, (pruning: false, reducing: true),
                                                            (pruning: false, reducing: false))
                    else { continue }
                    #expect(Set(a.order!) == Set(operators))
                    #expect(a.lowerBound == b.lowerBound, "seed \(seed), capacity \(config.capacity), \(operators), \(scope): \(a.lowerBound) reduced, \(b.lowerBound) not")
                    settled += 1
                    if b.lowerBound > 0 { spilling += 1 }
                    with += a.states
                    without += b.states
                }
            }
        }
        #expect(settled > 300)
        #expect(spilling > 100)
        #expect(with < without, "\(with) states reduced, \(without) not")
    }

    /// Four chains of four operators over tensors of one size, from one input to one join, as a
    /// RandWire stage's nodes are: the search runs each chain's steps in one order among their
    /// interleavings, at the same optimum, and where something spills in a fraction of the states.
    @Test func chainsRunInOneOrder() throws {
        var tensors = [Tensor(name: "in", bytes: 2, kind: .input)]
        var ops: [GraphDocument.OperatorEntry] = []
        for c in 0..<4 {
            for k in 0..<4 {
                tensors.append(Tensor(name: "t\(c)\(k)", bytes: 2, kind: .activation))
                ops.append(.init(name: "op\(c)\(k)", type: "Op", inputs: [k == 0 ? "in" : "t\(c)\(k - 1)"], outputs: ["t\(c)\(k)"]))
            }
        }
        tensors.append(Tensor(name: "out", bytes: 1, kind: .activation))
        ops.append(.init(name: "join", type: "Op", inputs: (0..<4).map { "t\($0)3" }, outputs: ["out"]))
        let graph = try Graph(document: GraphDocument(name: "chains", tensors: tensors, operators: ops, outputs: ["out"]))
        let operators = Array(graph.operators.indices)
        var spilled = false
        for capacity in [12, 9] {
            let search = SegmentTrafficSearch(graph: graph, configuration: Configuration(capacity: capacity, alignment: 1, tensors: .activations))
            // Both settle.
            let (a, b) = try #require(try Self.settledBoth(search, operators, (pruning: false, reducing: true), (pruning: false, reducing: false)))
            #expect(a.lowerBound == b.lowerBound, "capacity \(capacity): \(a.lowerBound) reduced, \(b.lowerBound) not")
            // Where something spills the search walks every cheaper state first, interleavings
            // and all; where nothing does it dives to a complete one either way.
            if b.lowerBound > 0 {
                spilled = true
                #expect(a.states * 4 < b.states, "capacity \(capacity): \(a.states) states reduced, \(b.states) not")
            }
        }
        #expect(spilled)
    }

    /// The beam searches are heuristics for blocks the exact search cannot settle: their orders
    /// must be valid and their traffic never below the block's optimum; a wide beam should meet the optimum
    /// on most small blocks, and a beam of one state still finish; one past its deadline gives up.
    @Test func beamOrdersAreValidAndNeverBelowTheOptimum() throws {
        var met = 0
        var spilling = 0
        for (seed, graph, config) in try Self.mediumInstances(extras: [0]) {
            let operators = Array(graph.operators.indices)
            let search = SegmentTrafficSearch(graph: graph, configuration: config)
            var limit = SearchLimit()
            let exact = try #require(search.run(operators, stateBudget: 1_000_000, limit: &limit, beamWidth: 500))
            guard exact.order != nil else { continue }
            // A settled block needs no beam, and is charged none.
            #expect(exact.beams.isEmpty && exact.beamChildren == 0)
            for width in [1, 500] {
                // One state is too few to settle any block, so the search hands over to the beam.
                var one = SearchLimit()
                let outcome = try #require(search.run(operators, stateBudget: 1, limit: &one, beamWidth: width))
                // Two beams, one per accounting of stores; a whole graph has no other block, so
                // the accountings agree.
                #expect(outcome.beams.count == 2, "seed \(seed), width \(width)")
                let beam = try #require(outcome.beams.first, "seed \(seed), width \(width)")
                #expect(outcome.beams.last?.traffic == beam.traffic, "seed \(seed), width \(width)")
                // Every depth of each beam makes at least one child: the work charged for them.
                #expect(outcome.beamChildren >= 2 * operators.count, "seed \(seed), width \(width)")
                for plan in outcome.beams {
                    #expect(graph.scheduleProblem(plan.order) == nil)
                    #expect(plan.order.count == operators.count)
                    #expect(plan.traffic >= exact.lowerBound, "seed \(seed), width \(width): \(plan.traffic) < \(exact.lowerBound)")
                }
                if width == 500 && exact.lowerBound > 0 {
                    spilling += 1
                    if beam.traffic == exact.lowerBound { met += 1 }
                }
            }
            // A beam past its deadline gives no order.
            var late = SearchLimit()
            let gaveUp = try #require(search.run(operators, stateBudget: 1, limit: &late, beamWidth: 500, beamDeadline: .now))
            #expect(gaveUp.beams.isEmpty && gaveUp.beamChildren == 0)
        }
        #expect(spilling > 30)
        #expect(met * 10 >= spilling * 9, "met \(met) of \(spilling)")
    }

    /// Wider beams (the plan lane's, `DivideAndConquerPlanner.segmentBeams`) run only where the
    /// narrow ones' children, scaled, fit in the limit; each ranking keeps the cheaper of its two
    /// orders; and a limit the first depth already passes leaves no order.
    @Test func widerBeamsKeepTheCheaperOrderWithinTheirChildLimit() throws {
        var cheaper = 0
        for (seed, graph, config) in try Self.mediumInstances(extras: [0]) {
            let operators = Array(graph.operators.indices)
            let search = SegmentTrafficSearch(graph: graph, configuration: config)
            func beams(wider: Int?, childLimit: Int?) throws -> SegmentTrafficSearch.Outcome {
                var one = SearchLimit()
                return try #require(search.run(operators, stateBudget: 1, limit: &one, beamWidth: 1, widerBeam: wider, beamChildLimit: childLimit))
            }
            let narrow = try beams(wider: nil, childLimit: nil)
            guard narrow.beams.count == 2, narrow.beams[0].traffic > 0 else { continue }
            let wide = try beams(wider: 500, childLimit: nil)
            #expect(wide.beams.count == 2 && wide.beamChildren > narrow.beamChildren, "seed \(seed)")
            for (a, b) in zip(wide.beams, narrow.beams) {
                #expect(a.traffic <= b.traffic, "seed \(seed)")
                #expect(graph.scheduleProblem(a.order) == nil && a.order.count == operators.count)
            }
            if zip(wide.beams, narrow.beams).contains(where: { $0.traffic < $1.traffic }) { cheaper += 1 }
            // Scaled 500 times, the narrow beams' children do not fit in what they made.
            let limited = try beams(wider: 500, childLimit: narrow.beamChildren)
            #expect(limited.beamChildren == narrow.beamChildren, "seed \(seed)")
            #expect(limited.beams.map(\.order) == narrow.beams.map(\.order), "seed \(seed)")
            // A block of more than one operator makes children at its first depth, past a limit of none.
            let none = try beams(wider: 500, childLimit: 0)
            #expect(none.beams.isEmpty && none.beamChildren > 0, "seed \(seed)")
        }
        #expect(cheaper > 0)
    }

    /// With in-place on an output may take an input's bytes, which the search does not model.
    @Test func inPlaceIsDeclined() throws {
        let graph = try randomInPlaceGraph(seed: 1, operators: 4)
        var limit = SearchLimit()
        let config = Configuration(capacity: 1000, alignment: 1, tensors: .activations, inPlace: .on)
        #expect(SegmentTrafficSearch(graph: graph, configuration: config).run(Array(graph.operators.indices), stateBudget: 100, limit: &limit) == nil)
    }
}
