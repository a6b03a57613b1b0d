import CosmaTestSupport
import DNNGraph
@testable import Heuristics
import Scratchpad
import Testing

@Suite struct SpillAwareOrderSearchTests {
    /// Random graphs at capacities between their largest working set and their default peak, where
    /// the order matters.
    static func instance(seed: UInt64) throws -> (Graph, Configuration) {
        let graph = try randomTinyGraph(seed: seed, operators: 9, withWeights: false)
        let order = Array(graph.operators.indices)
        let workingSet = graph.operators.indices.map { op in
            graph.residentOperands(of: op, in: .activations).reduce(0) { $0 + graph.tensors[$1].bytes }
        }.max()!
        let peak = graph.peakLiveBytes(order: order, setting: .activations, alignment: 1)
        return (graph, Configuration(capacity: max(workingSet + 1, (workingSet + peak) / 2)))
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func neverWorseThanItsStartsAndAlwaysSimulated(seed: UInt64) throws {
        let (graph, configuration) = try Self.instance(seed: seed)
        let start = Array(graph.operators.indices)
        let search = SpillAwareOrderSearch(graph: graph, configuration: configuration, evaluations: 200, seed: seed)
        guard let outcome = search.run(from: [start]) else {
            // The on-line planner may fail on every order at a tight capacity; then so must the start.
            #expect(throws: (any Error).self, "seed \(seed)") {
                try HeuristicPlanner.plan(graph: graph, configuration: configuration, order: start, scheduleName: "default",
                                          replacement: .belady, allocation: .lifetimeFit)
            }
            return
        }
        #expect(outcome.evaluated <= 200, "seed \(seed)")
        let replay = Simulator(graph: graph).run(outcome.best.plan)
        #expect(replay.isValid, "seed \(seed): \(replay.violations)")
        #expect(graph.positions(of: outcome.order).count == graph.operators.count)
        #expect(outcome.best.plan.steps.map(\.op) == outcome.order.map { graph.operators[$0].name }, "seed \(seed)")
        if let startPlan = try? HeuristicPlanner.plan(graph: graph, configuration: configuration, order: start, scheduleName: "default",
                                                      replacement: .belady, allocation: .lifetimeFit) {
            #expect(outcome.best.report.traffic.nonCompulsory <= startPlan.report.traffic.nonCompulsory, "seed \(seed)")
        }
    }

    @Test func sameSeedAndEvaluationsSameOrder() throws {
        let (graph, configuration) = try Self.instance(seed: 11)
        let search = SpillAwareOrderSearch(graph: graph, configuration: configuration, evaluations: 120, seed: 3)
        let first = search.run(from: [Array(graph.operators.indices)])
        let second = search.run(from: [Array(graph.operators.indices)])
        #expect(first?.order == second?.order)
    }

    /// Where the order is all that matters: two independent chains, each holding a large tensor
    /// across a long stretch. Interleaving them keeps both large tensors alive at once and forces a
    /// spill; running one chain after the other needs none. The search finds the second from the
    /// first.
    @Test func findsTheOrderThatAvoidsSpilling() throws {
        let document = GraphDocument(
            name: "two-chains",
            tensors: [
                Tensor(name: "x", bytes: 1, kind: .input),
                Tensor(name: "a0", bytes: 10, kind: .activation), Tensor(name: "a1", bytes: 1, kind: .activation),
                Tensor(name: "a2", bytes: 1, kind: .activation), Tensor(name: "a3", bytes: 1, kind: .activation),
                Tensor(name: "b0", bytes: 10, kind: .activation), Tensor(name: "b1", bytes: 1, kind: .activation),
                Tensor(name: "b2", bytes: 1, kind: .activation), Tensor(name: "b3", bytes: 1, kind: .activation),
            ],
            operators: [
                .init(name: "A0", type: "Op", inputs: ["x"], outputs: ["a0"]),
                .init(name: "B0", type: "Op", inputs: ["x"], outputs: ["b0"]),
                .init(name: "A1", type: "Op", inputs: ["a0"], outputs: ["a1"]),
                .init(name: "B1", type: "Op", inputs: ["b0"], outputs: ["b1"]),
                .init(name: "A2", type: "Op", inputs: ["a1"], outputs: ["a2"]),
                .init(name: "B2", type: "Op", inputs: ["b1"], outputs: ["b2"]),
                .init(name: "A3", type: "Op", inputs: ["a2", "a0"], outputs: ["a3"]),
                .init(name: "B3", type: "Op", inputs: ["b2", "b0"], outputs: ["b3"]),
            ],
            outputs: ["a3", "b3"])
        let graph = try Graph(document: document)
        let configuration = Configuration(capacity: 14)
        let interleaved = Array(graph.operators.indices)
        let before = try HeuristicPlanner.plan(graph: graph, configuration: configuration, order: interleaved, scheduleName: "default",
                                               replacement: .belady, allocation: .lifetimeFit)
        #expect(before.report.traffic.nonCompulsory > 0)
        let outcome = try #require(SpillAwareOrderSearch(graph: graph, configuration: configuration, evaluations: 300).run(from: [interleaved]))
        #expect(outcome.best.report.traffic.nonCompulsory == 0)
    }

    /// A RandWire node is four operators (weighted sum, ReLU, depthwise and pointwise
    /// convolution), each the only reader of the one before: one chain holds them in a row.
    @Test func chainsAreRandWireNodes() throws {
        let graph = RandWire(model: .wattsStrogatz(k: 4, p: 0.75), nodes: 12, channels: 4, imageSize: 8, seed: 1).makeGraph()
        let chains = SpillAwareOrderSearch.Chains(graph: graph)
        for op in graph.operators.indices where graph.operators[op].name.hasSuffix("_sum") {
            // A node read by one node with a single input runs on into that node's chain.
            let node = String(graph.operators[op].name.dropLast(4))
            let names = chains.chain(of: op).map { graph.operators[$0].name }
            let start = try #require(names.firstIndex(of: "\(node)_sum"))
            #expect(Array(names[start...].prefix(4)) == ["\(node)_sum", "\(node)_relu", "\(node)_dw", node])
        }
        // Every operator lies in exactly one chain, and each chain is a path of the graph.
        var seen = Set<OperatorID>()
        for op in graph.operators.indices {
            let chain = chains.chain(of: op)
            #expect(chain.contains(op))
            if chain.first == op { #expect(chain.allSatisfy { seen.insert($0).inserted }) }
            for (a, b) in zip(chain, chain.dropFirst()) {
                #expect(graph.successors[a] == [b] && graph.predecessors[b] == [a])
            }
        }
        #expect(seen.count == graph.operators.count)
    }

    /// Moves, of single operators and of chains, always give another order that runs every
    /// operator after its producers, and a chain moved lands in one piece.
    @Test(arguments: [UInt64(1), 2, 3])
    func movesKeepOrdersValid(seed: UInt64) throws {
        let graph = RandWire(model: .erdosRenyi(p: 0.3), nodes: 10, channels: 4, imageSize: 8, seed: seed).makeGraph()
        let search = SpillAwareOrderSearch(graph: graph, configuration: Configuration(capacity: 1 << 20))
        let chains = SpillAwareOrderSearch.Chains(graph: graph)
        var rng = SeededGenerator(seed: seed)
        var order = Array(graph.operators.indices)
        var moves = 0
        for _ in 0..<2000 {
            guard let moved = search.randomMove(order, near: [rng.nextInt(below: order.count)], chains: chains, using: &rng) else { continue }
            moves += 1
            #expect(moved != order)
            #expect(moved.sorted() == Array(graph.operators.indices))
            let position = graph.positions(of: moved)
            for op in graph.operators.indices {
                #expect(graph.predecessors[op].allSatisfy { position[$0] < position[op] })
            }
            order = moved
        }
        #expect(moves > 500)
    }

    /// A graph with one order ends its search, though no move exists and its plan spills: each
    /// operator reads the one before, and the first one's input, evicted while the second runs,
    /// is loaded again for the third.
    @Test func oneOrderEndsTheSearch() throws {
        let document = GraphDocument(
            name: "one-order",
            tensors: [
                Tensor(name: "x", bytes: 10, kind: .input), Tensor(name: "a", bytes: 2, kind: .activation),
                Tensor(name: "b", bytes: 2, kind: .activation), Tensor(name: "c", bytes: 1, kind: .activation),
            ],
            operators: [
                .init(name: "A", type: "Op", inputs: ["x"], outputs: ["a"]),
                .init(name: "B", type: "Op", inputs: ["a"], outputs: ["b"]),
                .init(name: "C", type: "Op", inputs: ["x", "b"], outputs: ["c"]),
            ],
            outputs: ["c"])
        let graph = try Graph(document: document)
        let outcome = try #require(SpillAwareOrderSearch(graph: graph, configuration: Configuration(capacity: 13), evaluations: 50)
            .run(from: [[0, 1, 2]]))
        #expect(outcome.best.report.traffic.nonCompulsory == 10)
        #expect(outcome.evaluated < 50)
    }
}
