import DNNGraph
import MILP
import Scratchpad
import Testing
import Tiling
import CosmaILP

/// The exact planner on a tiled graph: tiles are ordinary operators and slices ordinary tensors,
/// so the exact plan must match exhaustive search, with either solver.
@Suite struct TiledGraphTests {
    /// x → conv (3 rows, pad 1) → a → conv (3 rows, pad 1) → y over 6 rows of one channel, one
    /// byte per element, tiled for 8 bytes: two bands per convolution, halos as slices of their own.
    static func tiledChain() throws -> (original: Graph, tiled: Graph) {
        let shape = [1, 1, 6, 1]
        var tensors = ["x", "a", "y"].map { Tensor(name: $0, bytes: 6, kind: $0 == "x" ? .input : .activation, shape: shape) }
        tensors += ["w1", "w2"].map { Tensor(name: $0, bytes: 3, kind: .weight, shape: [1, 1, 3, 1]) }
        let window: [String: AttributeValue] = ["kernel_shape": .ints([3, 1]), "pads": .ints([1, 0, 1, 0])]
        var conv1 = GraphDocument.OperatorEntry(name: "conv1", type: "Conv", inputs: ["x", "w1"], outputs: ["a"])
        var conv2 = GraphDocument.OperatorEntry(name: "conv2", type: "Conv", inputs: ["a", "w2"], outputs: ["y"])
        conv1.attributes = window
        conv2.attributes = window
        let original = try Graph(document: GraphDocument(name: "chain", tensors: tensors, operators: [conv1, conv2], outputs: ["y"]))
        return (original, try Tiler(setting: .activations).checkedTile(original, capacity: 8).graph)
    }

    @Test(arguments: SolverBackend.allCases)
    func exactPlanOfATiledGraphMatchesExhaustiveSearch(solver: SolverBackend) throws {
        let (original, tiled) = try Self.tiledChain()
        #expect(Budgets(graph: original, setting: .activations, alignment: 1).mR == 12)
        #expect(tiled.operators.count == 4 && tiled.operators.allSatisfy { $0.tileOf != nil })
        for capacity in [8, 9, 10] {
            let config = Configuration(capacity: capacity, alignment: 1, tensors: .activations)
            let search = ExhaustiveSearch(graph: tiled, config: config)
            try #require(search.fits)
            let result = try ExactPlanner(graph: tiled, configuration: config, options: ExactOptions(solver: solver)).solve()
            #expect(result.result.report.isValid)
            let optimum = try #require(search.minimumNonCompulsory(cutoff: result.nonCompulsory))
            #expect(result.status == .optimal, "capacity \(capacity)")
            #expect(result.nonCompulsory == optimum, "capacity \(capacity): exact \(result.nonCompulsory), exhaustive \(optimum)")
            #expect(result.bound <= optimum)
        }
    }
}
