import DNNGraph
import Scratchpad
import Testing

@Suite struct BudgetsTests {
    /// `x -> a -> b` plus a branch `x -> c`, where `c` is joined with `b`: sizes 10, 20, 30, 40, 5.
    static let graph = try! Graph(document: GraphDocument(
        name: "branch",
        tensors: [
            Tensor(name: "x", bytes: 10, kind: .input), Tensor(name: "a", bytes: 20, kind: .activation),
            Tensor(name: "b", bytes: 30, kind: .activation), Tensor(name: "c", bytes: 40, kind: .activation),
            Tensor(name: "y", bytes: 5, kind: .activation),
        ],
        operators: [
            .init(name: "A", type: "Conv", inputs: ["x"], outputs: ["a"]),
            .init(name: "B", type: "Conv", inputs: ["a"], outputs: ["b"]),
            .init(name: "C", type: "Conv", inputs: ["x"], outputs: ["c"]),
            .init(name: "J", type: "Add", inputs: ["b", "c"], outputs: ["y"]),
        ],
        outputs: ["y"]))

    @Test func liveProfileFollowsTheIntervals() {
        // A: x+a; B: x+a+b; C: x+b+c; J: b+c+y.
        #expect(Self.graph.liveProfile(order: [0, 1, 2, 3], setting: .activations, alignment: 1) == [30, 60, 80, 75])
        #expect(Self.graph.liveProfile(order: [2, 0, 1, 3], setting: .activations, alignment: 1) == [50, 70, 90, 75])
    }

    @Test func minimumPeakBudgetsNeedAProof() throws {
        var budgets = Budgets(graph: Self.graph, setting: .activations, alignment: 1)
        #expect(budgets.mR == 75)
        #expect(budgets.defaultPeak == 80)
        #expect(throws: InputError.self) { try budgets.resolve(.budget(.mH)) }
        // An unproven minimum is refused with the bracket that is known.
        budgets.bestPeak = 80
        budgets.mPLowerBound = 76
        do {
            _ = try budgets.resolve(.budget(.mP))
            Issue.record("an unproven M_P must be refused")
        } catch {
            #expect(error.message.contains("the best order found peaks at 80 bytes"))
            #expect(error.message.contains("no order peaks below 76 bytes"))
        }
        budgets.mP = 80
        #expect(try budgets.resolve(.budget(.mP)) == 80)
        #expect(try budgets.resolve(.budget(.mH)) == 77)
    }
}
