import DNNGraph
import Foundation
import Scratchpad
import Testing

/// op1 Relu(x) -> a; op2 Relu(a) -> b; op3 Softmax(b) -> c; op4 Add(c, a) -> d; op5 Mul(d) -> e;
/// op6 Relu(e) -> f. Outputs d and f. Every tensor is 100 bytes but e (50); `overrides` sets
/// operators' `"inPlace"` fields.
func inPlaceChain(overrides: [String: Bool] = [:]) throws -> Graph {
    func op(_ name: String, _ type: String, _ inputs: [String], _ output: String) -> GraphDocument.OperatorEntry {
        .init(name: name, type: type, inputs: inputs, outputs: [output], inPlace: overrides[name])
    }
    return try Graph(document: GraphDocument(
        name: "in-place-chain",
        tensors: ["x", "a", "b", "c", "d", "e", "f"].map {
            Tensor(name: $0, bytes: $0 == "e" ? 50 : 100, kind: $0 == "x" ? .input : .activation)
        },
        operators: [
            op("op1", "Relu", ["x"], "a"), op("op2", "Relu", ["a"], "b"), op("op3", "Softmax", ["b"], "c"),
            op("op4", "Add", ["c", "a"], "d"), op("op5", "Mul", ["d"], "e"), op("op6", "Relu", ["e"], "f"),
        ],
        outputs: ["d", "f"]))
}

/// A valid plan at capacity 300 with one in-place write: d over c at op4.
func inPlaceSteps() -> [Step] {
    [
        Step(op: "op1", load: [at("x", 0)], outputs: [at("a", 100)]),
        Step(op: "op2", free: ["x"], outputs: [at("b", 0)]),
        Step(op: "op3", outputs: [at("c", 200)]),
        Step(op: "op4", free: ["b"], outputs: [Placement(tensor: "d", offset: 200, inPlaceOf: "c")]),
        Step(op: "op5", free: ["a"], outputs: [at("e", 0)]),
        Step(op: "op6", store: ["d"], free: ["d"], outputs: [at("f", 100)]),
    ]
}

func replayInPlace(_ steps: [Step], mode: InPlaceMode = .on, graph: Graph? = nil) throws -> SimulationReport {
    let g = try graph ?? inPlaceChain()
    let config = Configuration(capacity: 300, inPlace: mode)
    return Simulator(graph: g).run(Plan(graph: g.name, configuration: config, steps: steps, final: ["f"]))
}

/// The rules about in-place writes that a report breaks.
func inPlaceRules(_ report: SimulationReport) -> Set<Rule> {
    let own: Set<Rule> = [.inPlaceNotAllowed, .inPlaceNotInput, .inPlaceReadLater, .inPlaceNotResident, .inPlaceMustSurvive,
                          .inPlaceSize, .inPlaceOffset]
    return rules(report).intersection(own)
}

/// `inPlaceSteps()` with step `k` (0-based) replaced.
func inPlaceSteps(replacing k: Int, with step: Step, andThen edit: (inout [Step]) -> Void = { _ in }) -> [Step] {
    var steps = inPlaceSteps()
    steps[k] = step
    edit(&steps)
    return steps
}

@Suite struct InPlaceSimulatorTests {
    @Test func validInPlaceWriteSharesTheInputsBytes() throws {
        let r = try replayInPlace(inPlaceSteps())
        #expect(r.violations.isEmpty, "\(r.violations)")
        // op3 holds a, b and c; op4 holds a and d over c, not a, c and d.
        #expect(r.peakOccupancy == 300)
        #expect(r.traffic == Traffic(total: 300, compulsory: 300))
    }

    @Test func modeOffRejectsAnyInPlaceWrite() throws {
        #expect(inPlaceRules(try replayInPlace(inPlaceSteps(), mode: .off)) == [.inPlaceNotAllowed])
    }

    @Test func typeOutsideTheTableIsRejected() throws {
        // Softmax is not elementwise; b dies at op3, so only the type is wrong.
        let steps = inPlaceSteps(replacing: 2, with: Step(op: "op3", outputs: [Placement(tensor: "c", offset: 0, inPlaceOf: "b")])) {
            $0[3] = Step(op: "op4", outputs: [Placement(tensor: "d", offset: 0, inPlaceOf: "c")])
            $0[4] = Step(op: "op5", free: ["a"], outputs: [at("e", 100)])
            $0[5] = Step(op: "op6", store: ["d"], free: ["d"], outputs: [at("f", 0)])
        }
        #expect(inPlaceRules(try replayInPlace(steps)) == [.inPlaceNotAllowed])
        // The graph may allow it per operator, and forbid a type of the table.
        #expect(try replayInPlace(steps, graph: inPlaceChain(overrides: ["op3": true])).violations.isEmpty)
        let forbidden = try inPlaceChain(overrides: ["op3": true, "op4": false])
        #expect(inPlaceRules(try replayInPlace(steps, graph: forbidden)) == [.inPlaceNotAllowed])
    }

    @Test func inputReadLaterIsRejected() throws {
        // op4 still reads a.
        let steps = inPlaceSteps(replacing: 1, with: Step(op: "op2", free: ["x"], outputs: [Placement(tensor: "b", offset: 100, inPlaceOf: "a")]))
        let r = try replayInPlace(steps)
        #expect(inPlaceRules(r) == [.inPlaceReadLater])
    }

    @Test func inputNotResidentIsRejected() throws {
        let steps = inPlaceSteps(replacing: 3, with: Step(op: "op4", store: ["c"], free: ["b", "c"],
                                                           outputs: [Placement(tensor: "d", offset: 200, inPlaceOf: "c")]))
        #expect(inPlaceRules(try replayInPlace(steps)) == [.inPlaceNotResident])
    }

    @Test func graphInputMustSurvive() throws {
        let steps = inPlaceSteps(replacing: 0, with: Step(op: "op1", load: [at("x", 0)], outputs: [Placement(tensor: "a", offset: 0, inPlaceOf: "x")])) {
            $0[1] = Step(op: "op2", outputs: [at("b", 100)])
            $0[3] = Step(op: "op4", free: ["b"], outputs: [Placement(tensor: "d", offset: 200, inPlaceOf: "c")])
            $0[4] = Step(op: "op5", free: ["a"], outputs: [at("e", 0)])
        }
        #expect(inPlaceRules(try replayInPlace(steps)) == [.inPlaceMustSurvive])
    }

    @Test func graphOutputMustSurvive() throws {
        // d is a graph output: e may not take its bytes (nor has it d's size).
        let steps = inPlaceSteps(replacing: 4, with: Step(op: "op5", store: ["d"], free: ["a"],
                                                           outputs: [Placement(tensor: "e", offset: 200, inPlaceOf: "d")])) {
            $0[5] = Step(op: "op6", outputs: [at("f", 0)])
        }
        #expect(inPlaceRules(try replayInPlace(steps)) == [.inPlaceMustSurvive, .inPlaceSize])
    }

    @Test func tensorThatIsNotAnInputIsRejected() throws {
        let steps = inPlaceSteps(replacing: 3, with: Step(op: "op4", outputs: [Placement(tensor: "d", offset: 0, inPlaceOf: "b")]))
        #expect(inPlaceRules(try replayInPlace(steps)).contains(.inPlaceNotInput))
    }

    @Test func sizeMismatchIsRejected() throws {
        // e has 50 bytes, f 100.
        let steps = inPlaceSteps(replacing: 5, with: Step(op: "op6", store: ["d"], free: ["d"],
                                                           outputs: [Placement(tensor: "f", offset: 0, inPlaceOf: "e")]))
        #expect(inPlaceRules(try replayInPlace(steps)) == [.inPlaceSize])
    }

    @Test func offsetOtherThanTheInputsIsRejected() throws {
        let steps = inPlaceSteps(replacing: 3, with: Step(op: "op4", free: ["b"], outputs: [Placement(tensor: "d", offset: 0, inPlaceOf: "c")]))
        #expect(inPlaceRules(try replayInPlace(steps)) == [.inPlaceOffset])
    }

    @Test func planAndGraphFormatsCarryTheModel() throws {
        let g = try inPlaceChain(overrides: ["op3": true])
        let plan = Plan(graph: g.name, configuration: Configuration(capacity: 300, inPlace: .on), steps: inPlaceSteps(), final: ["f"])
        let text = plan.json()
        #expect(text.contains("\"inPlace\": \"on\"") && text.contains("\"inPlaceOf\": \"c\""))
        let read = try Plan(json: Data(text.utf8), source: "plan")
        #expect(read == plan)
        #expect(read.configuration.inPlace == .on)
        // Plans of the paper's model print as before: no mode, no inPlaceOf.
        let off = Plan(graph: g.name, configuration: Configuration(capacity: 300), steps: [], final: [])
        #expect(!off.json().contains("inPlace"))
        let again = try Graph(json: Data(g.canonicalJSON().utf8), source: "graph")
        #expect(again.operators.map(\.inPlace) == [nil, nil, true, nil, nil, nil])
        #expect(again.inPlaceCandidateTable() == [[], [1], [2], [3, 1], [], []])
    }
}
