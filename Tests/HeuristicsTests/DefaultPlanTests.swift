import DNNGraph
import Heuristics
import Scratchpad
import Testing

/// x -> a -> b -> c -> d, and e = f(d, a): the skip tensor a (100 bytes) is alive across the
/// whole chain. At capacity 250 it must leave while c is made and come back for e.
func skipChain() throws -> Graph {
    let sizes = ["x": 100, "a": 100, "b": 100, "c": 100, "d": 100, "e": 50]
    return try Graph(document: GraphDocument(
        name: "skip",
        tensors: ["x", "a", "b", "c", "d", "e"].map { Tensor(name: $0, bytes: sizes[$0]!, kind: $0 == "x" ? .input : .activation) },
        operators: [
            .init(name: "op1", type: "Conv", inputs: ["x"], outputs: ["a"]),
            .init(name: "op2", type: "Conv", inputs: ["a"], outputs: ["b"]),
            .init(name: "op3", type: "Conv", inputs: ["b"], outputs: ["c"]),
            .init(name: "op4", type: "Conv", inputs: ["c"], outputs: ["d"]),
            .init(name: "op5", type: "Add", inputs: ["d", "a"], outputs: ["e"]),
        ],
        outputs: ["e"]))
}

@Suite struct DefaultPlanTests {
    @Test(arguments: ReplacementPolicy.allCases, AllocationPolicy.allCases)
    func spillsTheSkipTensorOnce(replacement: ReplacementPolicy, allocation: AllocationPolicy) throws {
        let g = try skipChain()
        let order = Array(g.operators.indices)
        let roomy = try HeuristicPlanner.plan(graph: g, configuration: Configuration(capacity: 300), order: order,
                                              scheduleName: "default", replacement: replacement, allocation: allocation)
        #expect(roomy.report.traffic.nonCompulsory == 0)
        #expect(roomy.plan.traffic == roomy.report.traffic)
        // a is stored once (100) and loaded once (100).
        let tight = try HeuristicPlanner.plan(graph: g, configuration: Configuration(capacity: 250), order: order,
                                              scheduleName: "default", replacement: replacement, allocation: allocation)
        #expect(tight.report.traffic.nonCompulsory == 200)
        #expect(tight.report.storedBytes[1] == 100 && tight.report.loadedBytes[1] == 100)
        #expect(tight.plan.method == "heuristic:default+\(replacement.rawValue)+\(allocation.rawValue)")
    }

    @Test func fragmentationIsAFailureNotACrash() throws {
        // Two 100-byte tensors sit at [0,100) and [150,250) of 300 bytes; a 150-byte tensor that
        // needs both resident finds only 50- and 50-byte gaps.
        let g = try Graph(document: GraphDocument(
            name: "frag",
            tensors: [
                Tensor(name: "x", bytes: 100, kind: .input), Tensor(name: "gap", bytes: 50, kind: .activation),
                Tensor(name: "y", bytes: 100, kind: .activation), Tensor(name: "big", bytes: 100, kind: .activation),
                Tensor(name: "z", bytes: 50, kind: .activation),
            ],
            operators: [
                .init(name: "p", type: "Op", inputs: ["x"], outputs: ["gap"]),
                .init(name: "q", type: "Op", inputs: ["gap"], outputs: ["y"]),
                .init(name: "r", type: "Op", inputs: ["x", "y"], outputs: ["big"]),
                .init(name: "s", type: "Op", inputs: ["big", "x", "y"], outputs: ["z"]),
            ],
            outputs: ["z"]))
        do {
            let result = try HeuristicPlanner.plan(graph: g, configuration: Configuration(capacity: 350), order: [0, 1, 2, 3],
                                                   scheduleName: "default", replacement: .belady, allocation: .firstFit)
            #expect(result.report.isValid)
        } catch let failure as PlanningFailure {
            #expect(failure.description.contains("fragmentation"))
        }
    }
}
