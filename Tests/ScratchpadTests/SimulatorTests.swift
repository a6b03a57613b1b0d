import DNNGraph
import Scratchpad
import Testing

/// op1: x -> a; op2: a -> b; op3: a -> c. Outputs b and c. Every tensor is 100 bytes, w is 50.
func fork() throws -> Graph {
    try Graph(document: GraphDocument(
        name: "fork",
        tensors: [
            Tensor(name: "x", bytes: 100, kind: .input), Tensor(name: "w", bytes: 50, kind: .weight),
            Tensor(name: "a", bytes: 100, kind: .activation), Tensor(name: "b", bytes: 100, kind: .activation),
            Tensor(name: "c", bytes: 100, kind: .activation),
        ],
        operators: [
            .init(name: "op1", type: "Conv", inputs: ["x", "w"], outputs: ["a"]),
            .init(name: "op2", type: "Relu", inputs: ["a"], outputs: ["b"]),
            .init(name: "op3", type: "Sigmoid", inputs: ["a"], outputs: ["c"]),
        ],
        outputs: ["b", "c"]))
}

func at(_ tensor: String, _ offset: Int) -> Placement { Placement(tensor: tensor, offset: offset) }

/// The cheapest plan at capacity 200: x, then a beside it, b over x, b stored and c over it.
func goodSteps() -> [Step] {
    [
        Step(op: "op1", load: [at("x", 0)], outputs: [at("a", 100)]),
        Step(op: "op2", free: ["x"], outputs: [at("b", 0)]),
        Step(op: "op3", store: ["b"], free: ["b"], outputs: [at("c", 0)]),
    ]
}

func replay(_ steps: [Step], final: [String] = ["c"], capacity: Int = 200, alignment: Int = 1,
            tensors: TensorSetting = .activations, traffic: Traffic? = nil) throws -> SimulationReport {
    let g = try fork()
    let config = Configuration(capacity: capacity, alignment: alignment, tensors: tensors)
    return Simulator(graph: g).run(Plan(graph: g.name, configuration: config, steps: steps, final: final, traffic: traffic))
}

func rules(_ report: SimulationReport) -> Set<Rule> { Set(report.violations.map(\.rule)) }

@Suite struct SimulatorTests {
    @Test func goodPlanCostsOnlyCompulsoryTraffic() throws {
        let r = try replay(goodSteps())
        #expect(r.violations.isEmpty)
        #expect(r.traffic == Traffic(total: 300, compulsory: 300))
        #expect(r.loadedBytes == [100, 0, 0, 0, 0])
        #expect(r.storedBytes == [0, 0, 0, 100, 100])
        #expect(r.peakOccupancy == 200)
        #expect(r.peakAddress == 200)
    }

    @Test func spillingCostsStoreAndEveryReload() throws {
        // a is spilled after op1 and reloaded twice: 100 stored + 2 x 100 loaded on top of 300.
        let steps = [
            Step(op: "op1", load: [at("x", 0)], outputs: [at("a", 100)]),
            Step(op: "op2", store: ["a"], free: ["x", "a"], load: [at("a", 0)], outputs: [at("b", 100)]),
            Step(op: "op3", store: ["b"], free: ["b", "a"], load: [at("a", 100)], outputs: [at("c", 0)]),
        ]
        let r = try replay(steps)
        #expect(r.violations.isEmpty)
        #expect(r.traffic == Traffic(total: 600, compulsory: 300))
        #expect(r.traffic.nonCompulsory == 300)
        #expect(r.loadedBytes[2] == 200)
        #expect(r.storedBytes[2] == 100)
    }

    @Test func weightsCountInSettingAll() throws {
        let g = try fork()
        #expect(g.compulsoryTraffic(in: .activations) == 300)
        #expect(g.compulsoryTraffic(in: .all) == 350)
        var steps = goodSteps()
        steps[0].load = [at("x", 0), at("w", 200)]
        steps[1].free = ["x", "w"]
        let r = try replay(steps, capacity: 250, tensors: .all)
        #expect(r.violations.isEmpty)
        #expect(r.traffic == Traffic(total: 350, compulsory: 350))
        let missing = try replay(goodSteps(), capacity: 250, tensors: .all)
        #expect(rules(missing) == [.inputNotResident])
        #expect(missing.violations[0].tensors == ["w"])
    }

    @Test func weightsAreNotPlannedInSettingActivations() throws {
        var steps = goodSteps()
        steps[0].load.append(at("w", 200))
        let r = try replay(steps, capacity: 250)
        #expect(rules(r) == [.untrackedTensor])
    }

    @Test func unknownNames() throws {
        var steps = goodSteps()
        steps[0].load.append(at("ghost", 150))
        steps.append(Step(op: "op9"))
        let r = try replay(steps)
        #expect(rules(r) == [.unknownTensor, .unknownOperator])
        #expect(r.violations.first { $0.rule == .unknownTensor }?.tensors == ["ghost"])
    }

    @Test func operatorsRunExactlyOnce() throws {
        var steps = goodSteps()
        steps.insert(Step(op: "op1"), at: 1)
        #expect(rules(try replay(steps)) == [.operatorRepeated])
        let missing = try replay(Array(goodSteps().prefix(2)), final: ["b"])
        #expect(rules(missing) == [.operatorMissing, .outputNotStored])
        #expect(missing.violations.first { $0.rule == .outputNotStored }?.tensors == ["c"])
    }

    @Test func storeAndFreeNeedResidency() throws {
        var steps = goodSteps()
        steps[0].store = ["x"]
        steps[0].free = ["a"]
        let r = try replay(steps)
        #expect(r.violations.count == 2)
        #expect(rules(r) == [.notResident])
        let final = try replay(goodSteps(), final: ["c", "b"])
        #expect(rules(final) == [.notResident])
        #expect(final.violations[0].step == nil)
    }

    @Test func freeingWithoutACopy() throws {
        // a is still read by op3: dropping it at op3 without a store is illegal.
        var steps = goodSteps()
        steps[2].free = ["b", "a"]
        steps[2].load = [at("a", 100)]
        let r = try replay(steps)
        #expect(rules(r).contains(.freeWithoutCopy))
        #expect(r.violations.first { $0.rule == .freeWithoutCopy }?.tensors == ["a"])
        #expect(rules(r).contains(.loadWithoutCopy))
        // b is a graph output: it counts as needed until stored.
        var dropOutput = goodSteps()
        dropOutput[2].store = []
        let r2 = try replay(dropOutput, final: ["c"])
        #expect(r2.violations.first?.rule == .freeWithoutCopy)
        #expect(r2.violations.first?.tensors == ["b"])
        #expect(r2.violations.first?.message.contains("graph output") == true)
    }

    @Test func loadsNeedACopyAndAFreeSlot() throws {
        var steps = goodSteps()
        steps[1].load = [at("x", 0)]
        steps[1].free = []
        let r = try replay(steps, capacity: 300)
        #expect(rules(r).contains(.alreadyResident))
        var early = goodSteps()
        early[0].load.append(at("c", 150))
        #expect(rules(try replay(early, capacity: 300)).contains(.loadWithoutCopy))
    }

    @Test func inputsMustBeResident() throws {
        var steps = goodSteps()
        steps[0].load = []
        steps[1].free = []
        let r = try replay(steps)
        #expect(rules(r) == [.inputNotResident])
        #expect(r.violations[0].step == 0 && r.violations[0].tensors == ["x"])
    }

    @Test func dependenciesAreEnforced() throws {
        let steps = [
            Step(op: "op2", outputs: [at("b", 0)]),
            Step(op: "op1", load: [at("x", 100)], outputs: [at("a", 0)]),
            Step(op: "op3", store: ["b"], free: ["b", "x"], outputs: [at("c", 100)]),
        ]
        let r = try replay(steps)
        #expect(r.violations.first?.rule == .dependency)
        #expect(r.violations.first?.tensors == ["a"])
    }

    @Test func outputsArePlacedExactlyOnce() throws {
        var missing = goodSteps()
        missing[1].outputs = []
        #expect(rules(try replay(missing)).contains(.outputs))
        var twice = goodSteps()
        twice[1].outputs = [at("b", 0), at("b", 0)]
        #expect(rules(try replay(twice)) == [.outputs])
        var foreign = goodSteps()
        foreign[1].outputs = [at("b", 0), at("c", 0)]
        #expect(rules(try replay(foreign)).contains(.outputs))
    }

    @Test func alignmentBoundsAndOverlap() throws {
        var steps = goodSteps()
        steps[0].outputs = [at("a", 99)]
        let overlap = try replay(steps)
        #expect(rules(overlap) == [.overlap])
        #expect(Set(overlap.violations[0].tensors) == ["a", "x"])
        steps[0].outputs = [at("a", 150)]
        #expect(rules(try replay(steps)) == [.outOfBounds])
        steps[0].outputs = [at("a", -10)]
        #expect(rules(try replay(steps)).contains(.outOfBounds))
        // With 64-byte alignment every tensor occupies 128 bytes.
        let aligned = try replay(goodSteps(), capacity: 256, alignment: 64)
        #expect(rules(aligned) == [.misaligned, .overlap])
        var fixed = goodSteps()
        fixed[0].outputs = [at("a", 128)]
        #expect(try replay(fixed, capacity: 256, alignment: 64).violations.isEmpty)
        #expect(rules(try replay(fixed, capacity: 255, alignment: 64)) == [.outOfBounds])
    }

    @Test func claimedTrafficIsChecked() throws {
        #expect(try replay(goodSteps(), traffic: Traffic(total: 300, compulsory: 300)).violations.isEmpty)
        let wrong = try replay(goodSteps(), traffic: Traffic(total: 200, compulsory: 200))
        #expect(rules(wrong) == [.trafficMismatch])
    }

    @Test func certifyFillsTrafficOrThrows() throws {
        let g = try fork()
        let config = Configuration(capacity: 200)
        let plan = Plan(graph: "fork", configuration: config, steps: goodSteps(), final: ["c"], method: "hand")
        let (checked, _) = try Simulator(graph: g).certify(plan)
        #expect(checked.traffic == Traffic(total: 300, compulsory: 300))
        let broken = Plan(graph: "fork", configuration: config, steps: goodSteps(), final: [], method: "hand")
        #expect(throws: InvalidPlanError.self) { try Simulator(graph: g).certify(broken) }
    }
}
