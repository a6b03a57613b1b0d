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
