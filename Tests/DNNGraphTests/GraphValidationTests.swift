import DNNGraph
import Foundation
import Testing

/// A document with the tiny graph of docs/formats.md, to be broken one way at a time.
func tinyDocument() -> GraphDocument {
    GraphDocument(
        name: "tiny",
        tensors: [
            Tensor(name: "x", bytes: 1024, kind: .input),
            Tensor(name: "w1", bytes: 288, kind: .weight),
            Tensor(name: "a1", bytes: 2048, kind: .activation),
            Tensor(name: "y", bytes: 2048, kind: .activation),
        ],
        operators: [
            .init(name: "conv1", type: "Conv", inputs: ["x", "w1"], outputs: ["a1"]),
            .init(name: "relu1", type: "Relu", inputs: ["a1"], outputs: ["y"]),
        ],
        outputs: ["y"])
}

func problems(_ document: GraphDocument) -> [GraphProblem] {
    do {
        _ = try Graph(document: document)
        return []
    } catch {
        return error.problems
    }
}

@Suite struct GraphValidationTests {
    @Test func validGraphHasDerivedFacts() throws {
        let g = try Graph(document: tinyDocument())
        #expect(g.producer == [nil, nil, 0, 1])
        #expect(g.consumers == [[0], [0], [1], []])
        #expect(g.predecessors == [[], [0]])
        #expect(g.successors == [[1], []])
        #expect(g.isOutput == [false, false, false, true])
        #expect(g.operands(of: 0) == [0, 1, 2])
    }

    @Test func duplicateNames() {
        var d = tinyDocument()
        d.tensors.append(Tensor(name: "x", bytes: 1, kind: .input))
        d.operators.append(.init(name: "relu1", type: "Relu", inputs: ["x"], outputs: ["a1"]))
        let p = problems(d)
        #expect(p.contains(.duplicateTensor("x")))
        #expect(p.contains(.duplicateOperator("relu1")))
        #expect(p.contains(.twoProducers(tensor: "a1", first: "conv1", second: "relu1")))
    }

    @Test func unknownTensors() {
        var d = tinyDocument()
        d.operators[1].inputs = ["a2"]
        d.outputs = ["z"]
        let p = problems(d)
        #expect(p.contains(.unknownTensor("a2", operator: "relu1")))
        #expect(p.contains(.unknownOutput("z")))
    }

    @Test func producersMustBeUniqueAndPresent() {
        var d = tinyDocument()
        d.tensors.append(Tensor(name: "orphan", bytes: 8, kind: .activation))
        d.operators[1].outputs = ["y", "x"]
        let p = problems(d)
        #expect(p.contains(.noProducer("orphan")))
        #expect(p.contains(.producedNonActivation(tensor: "x", kind: .input, operator: "relu1")))
    }

    @Test func nonPositiveSizes() {
        var d = tinyDocument()
        d.tensors[0].bytes = 0
        d.tensors[2].bytes = -5
        let p = problems(d)
        #expect(p.contains(.nonPositiveSize(tensor: "x", bytes: 0)))
        #expect(p.contains(.nonPositiveSize(tensor: "a1", bytes: -5)))
    }

    @Test func outputsMustBeActivations() {
        var d = tinyDocument()
        d.outputs = ["y", "x", "y"]
        let p = problems(d)
        #expect(p.contains(.outputNotActivation(tensor: "x", kind: .input)))
        #expect(p.contains(.duplicateOutput("y")))
        d.outputs = []
        #expect(problems(d).contains(.noGraphOutputs))
    }

    @Test func operatorsNeedOutputs() {
        var d = tinyDocument()
        d.operators.append(.init(name: "sink", type: "Print", inputs: ["y"], outputs: []))
        #expect(problems(d).contains(.noOutputs(operator: "sink")))
    }

    @Test func cycleNamesItsOperators() {
        let d = GraphDocument(
            name: "loop",
            tensors: [
                Tensor(name: "x", bytes: 1, kind: .input), Tensor(name: "a", bytes: 1, kind: .activation),
                Tensor(name: "b", bytes: 1, kind: .activation), Tensor(name: "c", bytes: 1, kind: .activation),
            ],
            operators: [
                .init(name: "start", type: "Op", inputs: ["x"], outputs: ["a"]),
                .init(name: "p", type: "Add", inputs: ["a", "c"], outputs: ["b"]),
                .init(name: "q", type: "Relu", inputs: ["b"], outputs: ["c"]),
            ],
            outputs: ["c"])
        let p = problems(d)
        #expect(p.count == 1)
        guard case .cycle(let ops) = p.first else {
            Issue.record("expected a cycle, got \(p)")
            return
        }
        #expect(Set(ops) == ["p", "q"])
        #expect(p[0].description.contains("'p'") && p[0].description.contains("'q'"))
    }

    @Test func selfLoopIsACycle() {
        var d = tinyDocument()
        d.operators[1].inputs = ["a1", "y"]
        #expect(problems(d) == [.cycle(["relu1"])])
    }

    @Test func fileOrderMustBeRunnable() {
        var d = tinyDocument()
        d.operators.swapAt(0, 1)
        #expect(problems(d) == [.notTopological(consumer: "relu1", producer: "conv1")])
    }

    @Test func everyProblemIsReportedAtOnce() {
        var d = tinyDocument()
        d.tensors[1].bytes = 0
        d.operators[0].inputs.append("nope")
        d.outputs.append("missing")
        let error = #expect(throws: GraphValidationError.self) { try Graph(document: d) }
        #expect(error?.problems.count == 3)
        #expect(error?.description.contains("3 problems") == true)
    }
}

@Suite struct GraphJSONTests {
    @Test func canonicalJSONRoundTrips() throws {
        let g = try Graph(document: tinyDocument())
        let again = try Graph(json: Data(g.canonicalJSON().utf8), source: "round-trip")
        #expect(again.document == g.document)
        #expect(again.canonicalJSON() == g.canonicalJSON())
    }

    @Test(arguments: [
        ("{\n  \"name\": \"t\",,\n}", 2, 15),
        ("{\"name\": \"t\", \"tensors\": [1 2]}", 1, 29),
        ("{\n\n  \"name\": tru\n}", 3, 14),
        ("", 1, 1),
        ("{\"a\": \"unterminated}", 1, 21),
    ])
    func malformedJSONGivesLineAndColumn(text: String, line: Int, column: Int) {
        let error = #expect(throws: InputError.self) { try Graph(json: Data(text.utf8), source: "bad.json") }
        #expect(error?.source == "bad.json")
        #expect(error?.message.contains("line \(line), column \(column)") == true, "\(error?.message ?? "")")
    }

    @Test func schemaErrorsNameTheItem() {
        let text = """
            {"name": "t", "tensors": [{"name": "x", "bytes": 1, "kind": "input"}, {"name": "y", "bytes": "big", "kind": "activation"}],
             "operators": [], "outputs": []}
            """
        let error = #expect(throws: InputError.self) { try Graph(json: Data(text.utf8), source: "g.json") }
        #expect(error?.message.contains("tensors[1].bytes") == true, "\(error?.message ?? "")")
        let missing = #"{"name": "t", "tensors": [], "outputs": []}"#
        let error2 = #expect(throws: InputError.self) { try Graph(json: Data(missing.utf8), source: "g.json") }
        #expect(error2?.message.contains("operators") == true)
        let kind = #"{"name": "t", "tensors": [{"name": "x", "bytes": 1, "kind": "buffer"}], "operators": [], "outputs": []}"#
        let error3 = #expect(throws: InputError.self) { try Graph(json: Data(kind.utf8), source: "g.json") }
        #expect(error3?.message.contains("tensors[0].kind") == true, "\(error3?.message ?? "")")
    }

    @Test func validationErrorsNameTheFile() {
        var d = tinyDocument()
        d.outputs = ["nope"]
        let data = try! JSONEncoder().encode(d)
        let error = #expect(throws: InputError.self) { try Graph(json: data, source: "graphs/x.json") }
        #expect(error?.description.hasPrefix("graphs/x.json: invalid graph 'tiny'") == true)
        #expect(error?.description.contains("'nope'") == true)
    }

    @Test func missingFileIsReported() {
        let error = #expect(throws: InputError.self) { try Graph(contentsOf: URL(fileURLWithPath: "/no/such/graph.json")) }
        #expect(error?.description == "/no/such/graph.json: the file does not exist; check the path")
    }
}
