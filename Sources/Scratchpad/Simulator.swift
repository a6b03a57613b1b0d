package import DNNGraph

/// The execution rules (docs/execution-rules.md), one case each, so that every
/// violation says which rule it broke.
public enum Rule: String, Sendable, Codable, CaseIterable {
    /// Read by name; an unknown name is refused with the valid ones listed.
    public init(from decoder: any Decoder) throws { self = try Self.decodingCase(from: decoder) }

    /// A step names an operator the graph does not have.
    case unknownOperator
    /// An operator runs twice.
    case operatorRepeated
    /// An operator never runs.
    case operatorMissing
    /// A step names a tensor the graph does not have.
    case unknownTensor
    /// A weight appears in a plan made for the `activations` setting, where weights are not tracked.
    case untrackedTensor
    /// A tensor is stored, stored in `final`, or freed while it is not resident.
    case notResident
    /// A tensor still needed later (or a graph output not yet in DRAM) is freed with no DRAM copy.
    case freeWithoutCopy
    /// A tensor is loaded although DRAM holds no copy of it.
    case loadWithoutCopy
    /// A tensor is loaded while it is already resident.
    case alreadyResident
    /// An operator runs while one of its inputs is not resident.
    case inputNotResident
    /// An operator runs before the producer of one of its inputs.
    case dependency
    /// An output of the operator is not placed, placed twice, or a non-output is placed.
    case outputs
    /// An offset is not a multiple of the alignment.
    case misaligned
    /// A tensor's range leaves `[0, capacity)`.
    case outOfBounds
    /// Two resident tensors share addresses.
    case overlap
    /// A graph output never reaches DRAM.
    case outputNotStored
    /// The traffic the plan claims differs from the replay.
    case trafficMismatch
    /// An output is written in place although the plan's mode is off or the operator may not work
    /// in place (its type is not in ``InPlaceTable``, the graph forbids it, or it has several outputs).
    case inPlaceNotAllowed
    /// An output is written in place of a tensor that is not an input of the operator.
    case inPlaceNotInput
    /// An output is written in place of an input that a later step still reads.
    case inPlaceReadLater
    /// An output is written in place of an input that is not resident.
    case inPlaceNotResident
    /// An output is written in place of a tensor that must survive: a weight, a graph input or a
    /// graph output.
    case inPlaceMustSurvive
    /// An output is written in place of an input of a different size.
    case inPlaceSize
    /// An output written in place is not placed at its input's offset.
    case inPlaceOffset
}

/// One broken rule, where it happened and which tensors it involves.
public struct Violation: Hashable, Sendable, CustomStringConvertible {
    /// Index of the step (0-based), or `nil` for the plan as a whole and its `final` list.
    public var step: Int?
    public var op: String?
    public var rule: Rule
    public var tensors: [String]
    public var message: String

    public var description: String {
        let place = step.map { "step \($0 + 1)" + (op.map { " ('\($0)')" } ?? "") } ?? "plan"
        return "\(place): [\(rule.rawValue)] \(message)"
    }

    package var jsonValue: JSONValue {
        .object([
            ("step", step.map { .int($0 + 1) } ?? .null), ("op", op.map { .string($0) } ?? .null),
            ("rule", .string(rule.rawValue)), ("tensors", .array(tensors.map { .string($0) })),
            ("message", .string(message)),
        ])
    }
}

/// What a replay found: the traffic a plan causes and every rule it breaks.
public struct SimulationReport: Sendable {
    public var traffic: Traffic
    /// Bytes loaded into the scratchpad, per tensor index.
    public var loadedBytes: [Int]
    /// Bytes stored to DRAM, per tensor index.
    public var storedBytes: [Int]
    /// The most occupied bytes resident while an operator ran.
    public var peakOccupancy: Int
    /// The highest address any resident tensor reached (end of its range).
    public var peakAddress: Int
    public var violations: [Violation]

    public var isValid: Bool { violations.isEmpty }
}

/// Replays plans against the execution rules (docs/execution-rules.md). It is the oracle for every plan Cosma prints, writes or
/// counts, so it is deliberately plain: one pass over the steps, a dictionary of resident ranges,
/// and a check per rule.
///
/// The replay goes on after a violation so that one run reports everything wrong, applying each
/// action as far as it can (a free still frees; an overlapping placement still places).
package struct Simulator: Sendable {
    package let graph: Graph

    package init(graph: Graph) { self.graph = graph }

    /// Replays `plan` on `configuration` (by default the one the plan records).
    package func run(_ plan: Plan, configuration: Configuration? = nil) -> SimulationReport {
        let config = configuration ?? plan.configuration
        var replay = Replay(graph: graph, config: config)
        replay.run(plan)
        return replay.report(claimed: plan.traffic)
    }
}

private struct Replay {
    let graph: Graph
    let config: Configuration
    var resident: [TensorID: Int] = [:]
    var hasCopy: [Bool]
    var produced: [Bool]
    var loaded: [Int]
    var stored: [Int]
    var violations: [Violation] = []
    var peakOccupancy = 0
    var peakAddress = 0
    var step: Int?
    var op: String?
    /// The last step that reads each tensor, by the plan's order.
    var lastRead: [Int]

    init(graph: Graph, config: Configuration) {
        self.graph = graph
        self.config = config
        hasCopy = graph.tensors.map { $0.kind != .activation }
        produced = [Bool](repeating: false, count: graph.tensors.count)
        loaded = [Int](repeating: 0, count: graph.tensors.count)
        stored = [Int](repeating: 0, count: graph.tensors.count)
        lastRead = [Int](repeating: -1, count: graph.tensors.count)
    }

    mutating func flag(_ rule: Rule, _ tensors: [TensorID], _ message: String) {
        violations.append(Violation(step: step, op: op, rule: rule, tensors: tensors.map { graph.tensors[$0].name }, message: message))
    }

    func name(_ t: TensorID) -> String { "'\(graph.tensors[t].name)'" }

    /// Resolves a tensor name, flagging unknown and untracked tensors.
    mutating func resolve(_ tensorName: String) -> TensorID? {
        guard let t = graph.tensorID(named: tensorName) else {
            violations.append(Violation(step: step, op: op, rule: .unknownTensor, tensors: [tensorName],
                                        message: "tensor '\(tensorName)' is not in graph '\(graph.name)'"))
            return nil
        }
        guard graph.isTracked(t, in: config.tensors) else {
            flag(.untrackedTensor, [t], "weight \(name(t)) is not tracked in the 'activations' setting; weights stream from DRAM and must not appear in the plan (use the 'all' setting to plan them)")
            return nil
        }
        return t
    }

    mutating func run(_ plan: Plan) {
        var ran = [Bool](repeating: false, count: graph.operators.count)
        let ops: [OperatorID?] = plan.steps.map { graph.operatorID(named: $0.op) }
        for (k, o) in ops.enumerated() {
            guard let o else { continue }
            for t in graph.distinctInputs(of: o) { lastRead[t] = max(lastRead[t], k) }
        }
        for (k, s) in plan.steps.enumerated() {
            step = k
            op = s.op
            guard let o = ops[k] else {
                violations.append(Violation(step: k, op: s.op, rule: .unknownOperator, tensors: [],
                                            message: "operator '\(s.op)' is not in graph '\(graph.name)'"))
                continue
            }
            if ran[o] {
                flag(.operatorRepeated, [], "operator '\(s.op)' already ran; each operator runs exactly once")
                continue
            }
            ran[o] = true
            for n in s.store { if let t = resolve(n) { storeTensor(t) } }
            for n in s.free { if let t = resolve(n) { free(t, at: k) } }
            for p in s.load { if let t = resolve(p.tensor) { load(t, at: p.offset) } }
            execute(o, outputs: s.outputs)
        }
        step = nil
        op = nil
        let missing = graph.operators.indices.filter { !ran[$0] }
        if !missing.isEmpty {
            let names = missing.prefix(5).map { "'\(graph.operators[$0].name)'" }.joined(separator: ", ")
            violations.append(Violation(step: nil, op: nil, rule: .operatorMissing, tensors: [],
                                        message: "\(missing.count) operator(s) never run: \(names)\(missing.count > 5 ? ", ..." : "")"))
        }
        for n in plan.final { if let t = resolve(n) { storeTensor(t) } }
        for t in graph.outputs where !hasCopy[t] {
            flag(.outputNotStored, [t], "graph output \(name(t)) never reaches DRAM; store it in a step or in \"final\"")
        }
    }

    mutating func storeTensor(_ t: TensorID) {
        guard resident[t] != nil else {
            flag(.notResident, [t], "cannot store \(name(t)): it is not resident")
            return
        }
        stored[t] += graph.tensors[t].bytes
        hasCopy[t] = true
    }

    mutating func free(_ t: TensorID, at k: Int) {
        guard resident[t] != nil else {
            flag(.notResident, [t], "cannot free \(name(t)): it is not resident")
            return
        }
        let neededLater = lastRead[t] >= k || graph.isOutput[t]
        if neededLater && !hasCopy[t] {
            let why = lastRead[t] >= k ? "step \(lastRead[t] + 1) still reads it" : "it is a graph output"
            flag(.freeWithoutCopy, [t], "frees \(name(t)) without a DRAM copy although \(why); store it first")
        }
        resident[t] = nil
    }

    mutating func load(_ t: TensorID, at offset: Int) {
        if resident[t] != nil {
            flag(.alreadyResident, [t], "cannot load \(name(t)): it is already resident")
            return
        }
        guard hasCopy[t] else {
            let why = produced[t] ? "it was never stored" : "it has not been produced"
            flag(.loadWithoutCopy, [t], "cannot load \(name(t)): DRAM holds no copy (\(why))")
            return
        }
        loaded[t] += graph.tensors[t].bytes
        place(t, at: offset)
    }

    /// Puts a tensor at an offset, checking alignment, bounds and overlap with the resident set.
    mutating func place(_ t: TensorID, at offset: Int) {
        let size = config.occupied(graph.tensors[t].bytes)
        if offset % config.alignment != 0 {
            flag(.misaligned, [t], "\(name(t)) at offset \(offset) is not a multiple of the alignment \(config.alignment)")
        }
        if offset < 0 || offset + size > config.capacity {
            flag(.outOfBounds, [t], "\(name(t)) at [\(offset), \(offset + size)) leaves the scratchpad [0, \(config.capacity))")
        }
        func overlaps(_ other: TensorID, _ o: Int) -> Bool { offset < o + config.occupied(graph.tensors[other].bytes) && o < offset + size }
        // A valid placement overlaps nothing: the resident set is sorted (so that violations are
        // listed by address) only when something overlaps, not for every placement of a long plan.
        if resident.contains(where: { overlaps($0.key, $0.value) }) {
            for (other, o) in resident.sorted(by: { $0.value < $1.value }) where overlaps(other, o) {
                let otherSize = config.occupied(graph.tensors[other].bytes)
                flag(.overlap, [t, other], "\(name(t)) at [\(offset), \(offset + size)) overlaps \(name(other)) at [\(o), \(o + otherSize))")
            }
        }
        resident[t] = offset
        peakAddress = max(peakAddress, offset + size)
    }

    mutating func execute(_ o: OperatorID, outputs: [Placement]) {
        for t in graph.residentInputs(of: o, in: config.tensors) where resident[t] == nil {
            if let p = graph.producer[t], !produced[t] {
                flag(.dependency, [t], "reads \(name(t)) before its producer '\(graph.operators[p].name)' has run")
            } else {
                flag(.inputNotResident, [t], "input \(name(t)) is not resident when the operator runs; load it first")
            }
        }
        var placed = Set<TensorID>()
        for p in outputs {
            guard let t = graph.tensorID(named: p.tensor) else {
                _ = resolve(p.tensor)
                continue
            }
            guard graph.operators[o].outputs.contains(t) else {
                flag(.outputs, [t], "\(name(t)) is not an output of this operator")
                continue
            }
            guard placed.insert(t).inserted else {
                flag(.outputs, [t], "output \(name(t)) is placed twice")
                continue
            }
            if let x = p.inPlaceOf {
                handOver(o, from: x, to: t, at: p.offset)
            }
            place(t, at: p.offset)
            produced[t] = true
        }
        for t in graph.operators[o].outputs where !placed.contains(t) {
            flag(.outputs, [t], "output \(name(t)) is not given an offset; every output must be placed")
            produced[t] = true
        }
        let occupancy = resident.keys.reduce(0) { $0 + config.occupied(graph.tensors[$1].bytes) }
        peakOccupancy = max(peakOccupancy, occupancy)
    }

    /// Checks an in-place write of output `t` over input `xName` (docs/in-place.md) and ends the
    /// input's stay, so that the output takes its bytes.
    mutating func handOver(_ o: OperatorID, from xName: String, to t: TensorID, at offset: Int) {
        guard let x = resolve(xName) else { return }
        let operation = graph.operators[o]
        if config.inPlace == .off {
            flag(.inPlaceNotAllowed, [t, x], "\(name(t)) is written in place of \(name(x)) but the plan's in-place mode is off; plan with --in-place on")
        } else if !graph.allowsInPlace(o) || operation.outputs.count != 1 {
            let why = operation.outputs.count != 1 ? "it has \(operation.outputs.count) outputs" : "type '\(operation.type)' is not in the in-place table and the graph does not mark it \"inPlace\": true"
            flag(.inPlaceNotAllowed, [t, x], "operator '\(operation.name)' may not work in place: \(why)")
        }
        guard operation.inputs.contains(x) else {
            flag(.inPlaceNotInput, [t, x], "\(name(t)) is written in place of \(name(x)), which is not an input of '\(operation.name)'")
            return
        }
        if lastRead[x] > step ?? 0 {
            flag(.inPlaceReadLater, [t, x], "\(name(t)) overwrites \(name(x)) although step \(lastRead[x] + 1) still reads it")
        }
        if graph.tensors[x].kind != .activation || graph.isOutput[x] {
            let what = graph.isOutput[x] ? "a graph output" : graph.tensors[x].kind == .weight ? "a weight" : "a graph input"
            flag(.inPlaceMustSurvive, [t, x], "\(name(t)) overwrites \(name(x)), which is \(what) and must survive")
        }
        if graph.tensors[x].bytes != graph.tensors[t].bytes {
            flag(.inPlaceSize, [t, x], "\(name(t)) has \(graph.tensors[t].bytes) bytes but \(name(x)) has \(graph.tensors[x].bytes); in place needs the same size")
        }
        guard let at = resident[x] else {
            flag(.inPlaceNotResident, [t, x], "\(name(t)) is written in place of \(name(x)), which is not resident")
            return
        }
        if at != offset {
            flag(.inPlaceOffset, [t, x], "\(name(t)) is written in place of \(name(x)) at offset \(offset), but \(name(x)) sits at \(at)")
        }
        resident[x] = nil
    }

    mutating func report(claimed: Traffic?) -> SimulationReport {
        let total = loaded.reduce(0, +) + stored.reduce(0, +)
        let traffic = Traffic(total: total, compulsory: graph.compulsoryTraffic(in: config.tensors))
        if let claimed, claimed != traffic {
            violations.append(Violation(step: nil, op: nil, rule: .trafficMismatch, tensors: [],
                                        message: "the plan claims traffic total \(claimed.total), compulsory \(claimed.compulsory), non-compulsory \(claimed.nonCompulsory), but the replay gives \(traffic.total), \(traffic.compulsory), \(traffic.nonCompulsory)"))
        }
        return SimulationReport(traffic: traffic, loadedBytes: loaded, storedBytes: stored, peakOccupancy: peakOccupancy,
                                peakAddress: peakAddress, violations: violations)
    }
}

/// A plan that some Cosma code produced broke a rule. This is always a bug in that code, never an
/// output: the violations say where.
public struct InvalidPlanError: Error, Sendable, CustomStringConvertible {
    public var method: String
    public var violations: [Violation]

    public var description: String {
        (["internal error: the plan made by \(method) breaks the execution rules; please report this bug:"]
            + violations.prefix(10).map { "  - \($0)" }).joined(separator: "\n")
    }
}

extension Simulator {
    /// Replays a freshly made plan and returns it with the traffic the replay measured, or throws
    /// if the plan breaks any rule. Every plan Cosma prints, writes or counts passes through here.
    package func certify(_ plan: Plan) throws(InvalidPlanError) -> (plan: Plan, report: SimulationReport) {
        var checked = plan
        let report = run(plan)
        guard report.isValid else { throw InvalidPlanError(method: plan.method ?? "an unnamed method", violations: report.violations) }
        checked.traffic = report.traffic
        return (checked, report)
    }
}

extension Rule: JSONEnumeration {}
