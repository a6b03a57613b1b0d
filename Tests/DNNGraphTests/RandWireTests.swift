import DNNGraph
import Foundation
import Testing

@Suite struct SeededGeneratorTests {
    @Test func splitMixSeedingAndXoshiroAreTheReferenceAlgorithms() {
        // The first output of the reference xoshiro256** seeded with SplitMix64(0): pinning it pins
        // every generated graph across platforms.
        var rng = SeededGenerator(seed: 0)
        let first = rng.next()
        var again = SeededGenerator(seed: 0)
        #expect(again.next() == first)
        #expect(first == 0x99EC_5F36_CB75_F2B4)
    }

    @Test func boundedDrawsStayInRange() {
        var rng = SeededGenerator(seed: 7)
        for bound in 1...50 {
            let draw = rng.nextInt(below: bound)
            #expect((0..<bound).contains(draw))
            let unit = rng.nextDouble()
            #expect(unit >= 0 && unit < 1)
        }
    }
}

@Suite struct RandWireTests {
    static let models: [RandomGraphModel] = [.wattsStrogatz(k: 4, p: 0.75), .erdosRenyi(p: 0.2), .barabasiAlbert(m: 5)]

    @Test(arguments: models, [UInt64(1), 2, 42])
    func stagesAreDAGsWhereEveryNodeHasAnInput(model: RandomGraphModel, seed: UInt64) {
        let network = RandWire(model: model, seed: seed)
        let stages = network.stageDAGs()
        #expect(stages.map(\.count) == [16, 32, 32], "seed \(seed)")
        for dag in stages {
            for (v, predecessors) in dag.enumerated() {
                #expect(predecessors.allSatisfy { $0 < v }, "seed \(seed): node \(v) has a later predecessor")
            }
        }
        let graph = network.makeGraph()
        // Every random node reads one activation: its aggregate, an earlier node or the stage input.
        for op in graph.operators where op.name.hasPrefix("s") && op.type == "Relu" {
            #expect(op.inputs.count == 1 && graph.tensors[op.inputs[0]].kind == .activation, "seed \(seed): \(op.name)")
        }
        let nodeCount = stages.reduce(0) { $0 + $1.count }
        #expect(graph.operators.filter { $0.name.hasSuffix("_dw") }.count == nodeCount)
    }

    @Test(arguments: models)
    func sameSeedSameGraphOtherSeedOtherGraph(model: RandomGraphModel) {
        let a = RandWire(model: model, seed: 5).makeGraph().canonicalJSON()
        #expect(RandWire(model: model, seed: 5).makeGraph().canonicalJSON() == a)
        #expect(RandWire(model: model, seed: 6).makeGraph().canonicalJSON() != a)
    }

    @Test func edgeCountsFollowEachModel() {
        var rng = SeededGenerator(seed: 3)
        let edges = { (dag: [[Int]]) in dag.reduce(0) { $0 + $1.count } }
        // Rewiring moves links but never adds or removes one.
        #expect(edges(RandomGraphModel.wattsStrogatz(k: 4, p: 0.75).randomDAG(nodes: 32, using: &rng)) == 32 * 2)
        #expect(edges(RandomGraphModel.barabasiAlbert(m: 5).randomDAG(nodes: 32, using: &rng)) == 5 * (32 - 5))
        #expect(edges(RandomGraphModel.erdosRenyi(p: 1).randomDAG(nodes: 10, using: &rng)) == 45)
        #expect(edges(RandomGraphModel.erdosRenyi(p: 0).randomDAG(nodes: 10, using: &rng)) == 0)
    }

    @Test func unrewiredWattsStrogatzIsTheRingLattice() {
        var rng = SeededGenerator(seed: 9)
        let dag = RandomGraphModel.wattsStrogatz(k: 4, p: 0).randomDAG(nodes: 8, using: &rng)
        #expect(dag[0] == [])
        #expect(dag[3] == [1, 2])
        #expect(dag[7] == [0, 1, 5, 6])
    }

    @Test func smallRegimeShapes() throws {
        let graph = RandWire(model: .wattsStrogatz(k: 4, p: 0.75), seed: 1).makeGraph()
        let image = try #require(graph.tensorID(named: "image"))
        #expect(graph.tensors[image].bytes == 3 * 224 * 224)
        let conv2 = try #require(graph.tensorID(named: "conv2"))
        #expect(graph.tensors[conv2].shape == [1, 78, 56, 56])
        let logits = graph.outputs.map { graph.tensors[$0].shape }
        #expect(logits == [[1, 1000]])
        let head = try #require(graph.operatorID(named: "head_relu"))
        let last = graph.tensors[graph.operators[head].inputs[0]]
        #expect(last.shape == [1, 312, 7, 7])
    }

    @Test func regularRegimeShapes() throws {
        let network = RandWire(model: .wattsStrogatz(k: 4, p: 0.75), regime: .regular, channels: 109, seed: 1)
        #expect(network.stageDAGs().map(\.count) == [16, 32, 32, 32])
        let graph = network.makeGraph()
        #expect(graph.operatorID(named: "conv2") == nil, "the regular regime's stem is one convolution")
        let relu1 = try #require(graph.tensorID(named: "relu1"))
        #expect(graph.tensors[relu1].shape == [1, 54, 112, 112])
        // The first random stage works at 56x56 with C channels, the last at 7x7 with 8C.
        let firstNode = try #require(graph.tensorID(named: "s1_n0"))
        #expect(graph.tensors[firstNode].shape == [1, 109, 56, 56])
        let head = try #require(graph.operatorID(named: "head_relu"))
        #expect(graph.tensors[graph.operators[head].inputs[0]].shape == [1, 872, 7, 7])
    }

    /// The seeds and regime recorded in graphs/README.md and tools/import_graphs.sh.
    @Test(arguments: [("ws", RandomGraphModel.wattsStrogatz(k: 4, p: 0.75)), ("er", .erdosRenyi(p: 0.2)), ("ba", .barabasiAlbert(m: 5))])
    func committedGraphsRegenerate(suffix: String, model: RandomGraphModel) throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../graphs/randwire_\(suffix).json").standardized
        let generated = RandWire(model: model, regime: .regular, channels: 109, seed: 1, name: "randwire_\(suffix)")
            .makeGraph().canonicalJSON()
        #expect(try String(contentsOf: file, encoding: .utf8) == generated)
    }
}
