import DNNGraph
import Testing

@Suite struct SyntheticGraphsTests {
    @Test(arguments: [1, 2, 3, 10, 1000])
    func residualNetworkHasExactlyTheRequestedOperators(operators: Int) throws {
        let graph = try Graph(document: SyntheticGraphs.residualNetwork(operators: operators, seed: 7))
        #expect(graph.operators.count == operators)
        #expect(graph.outputs.count == 1)
    }

    @Test func residualNetworkIsReproducibleFromItsSeed() {
        #expect(SyntheticGraphs.residualNetwork(operators: 50, seed: 3) == SyntheticGraphs.residualNetwork(operators: 50, seed: 3))
        #expect(SyntheticGraphs.residualNetwork(operators: 50, seed: 3) != SyntheticGraphs.residualNetwork(operators: 50, seed: 4))
    }

    @Test func residualNetworkHasSkipConnections() throws {
        let graph = try Graph(document: SyntheticGraphs.residualNetwork(operators: 200, seed: 1))
        #expect(graph.tensors.indices.contains { graph.consumers[$0].count >= 2 })
    }
}
