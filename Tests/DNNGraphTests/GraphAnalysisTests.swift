import DNNGraph
import Testing

/// A diamond: a -> (b, c) -> d, plus an independent operator e reading the input.
func diamond() throws -> Graph {
    try Graph(document: GraphDocument(
        name: "diamond",
        tensors: [
            Tensor(name: "x", bytes: 10, kind: .input),
            Tensor(name: "ta", bytes: 1, kind: .activation), Tensor(name: "tb", bytes: 1, kind: .activation),
            Tensor(name: "tc", bytes: 1, kind: .activation), Tensor(name: "td", bytes: 1, kind: .activation),
            Tensor(name: "te", bytes: 1, kind: .activation),
        ],
        operators: [
            .init(name: "a", type: "Op", inputs: ["x"], outputs: ["ta"]),
            .init(name: "b", type: "Op", inputs: ["ta"], outputs: ["tb"]),
            .init(name: "c", type: "Op", inputs: ["ta", "ta"], outputs: ["tc"]),
            .init(name: "d", type: "Add", inputs: ["tb", "tc"], outputs: ["td"]),
            .init(name: "e", type: "Op", inputs: ["x"], outputs: ["te"]),
        ],
        outputs: ["td", "te"]))
}

@Suite struct GraphAnalysisTests {
    @Test func levelsAndWindows() throws {
        let g = try diamond()
        #expect(g.topologicalLevels() == [0, 1, 1, 2, 0])
        let (anc, desc) = g.ancestorAndDescendantCounts()
        #expect(anc == [0, 1, 1, 3, 0])
        #expect(desc == [3, 1, 1, 0, 0])
        #expect(g.positionWindows() == [0...1, 1...3, 1...3, 3...4, 0...4])
    }

    @Test func repeatedInputsCountOnce() throws {
        let g = try diamond()
        #expect(g.distinctInputs(of: 2) == [1])
        #expect(g.consumers[1] == [1, 2])
    }

    @Test func scheduleChecks() throws {
        let g = try diamond()
        #expect(g.scheduleProblem([4, 0, 2, 1, 3]) == nil)
        #expect(g.scheduleProblem([0, 1, 3, 2, 4])?.contains("'d' is scheduled before 'c'") == true)
        #expect(g.scheduleProblem([0, 1, 2, 3])?.contains("lists 4 operators") == true)
        #expect(g.scheduleProblem([0, 0, 1, 2, 3])?.contains("twice") == true)
    }

    /// Ancestor counts on a long chain with skips, checked against a direct DFS count; the bitset
    /// words must carry over 64-operator boundaries.
    @Test func ancestorCountsOnALongGraph() throws {
        var tensors = [Tensor(name: "in", bytes: 1, kind: .input)]
        var ops: [GraphDocument.OperatorEntry] = []
        for i in 0..<150 {
            tensors.append(Tensor(name: "t\(i)", bytes: 1, kind: .activation))
            var inputs = [i == 0 ? "in" : "t\(i - 1)"]
            if i >= 3 && i % 3 == 0 { inputs.append("t\(i - 3)") }
            ops.append(.init(name: "op\(i)", type: "Op", inputs: inputs, outputs: ["t\(i)"]))
        }
        let g = try Graph(document: GraphDocument(name: "chain", tensors: tensors, operators: ops, outputs: ["t149"]))
        let (anc, desc) = g.ancestorAndDescendantCounts()
        #expect(anc == Array(0..<150))
        #expect(desc == (0..<150).map { 149 - $0 })
    }
}
