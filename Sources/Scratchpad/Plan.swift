public import DNNGraph
public import Foundation

/// A tensor put at a scratchpad offset. A plan read from JSON refuses offsets no scratchpad has
/// (``Plan/init(from:)``).
public struct Placement: Hashable, Sendable, Codable {
    public var tensor: String
    public var offset: Int
    /// For an output written in place: the input whose bytes it takes (same offset); that input's
    /// stay ends as the operator runs. Only in plans made with ``InPlaceMode/on``.
    public var inPlaceOf: String?

    public init(tensor: String, offset: Int, inPlaceOf: String? = nil) {
        self.tensor = tensor
        self.offset = offset
        self.inPlaceOf = inPlaceOf
    }
}

/// What happens around one operator: before it runs, `store`, then `free`, then `load`; then the
/// operator runs and its outputs are placed.
public struct Step: Hashable, Sendable, Codable {
    public var op: String
    /// Resident tensors copied to DRAM; they stay resident.
    public var store: [String]
    /// Tensors dropped from the scratchpad.
    public var free: [String]
    /// Tensors copied from DRAM into the scratchpad.
    public var load: [Placement]
    /// Where each output of the operator is written.
    public var outputs: [Placement]

    public init(op: String, store: [String] = [], free: [String] = [], load: [Placement] = [], outputs: [Placement] = []) {
        self.op = op
        self.store = store
        self.free = free
        self.load = load
        self.outputs = outputs
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        op = try c.decode(String.self, forKey: .op)
        store = try c.decodeIfPresent([String].self, forKey: .store) ?? []
        free = try c.decodeIfPresent([String].self, forKey: .free) ?? []
        load = try c.decodeIfPresent([Placement].self, forKey: .load) ?? []
        outputs = try c.decodeIfPresent([Placement].self, forKey: .outputs) ?? []
    }
}

/// Off-chip traffic in bytes.
public struct Traffic: Hashable, Sendable, Codable {
    public var total: Int
    /// What any plan pays: first loads of inputs (and weights in setting `all`), stores of outputs.
    public var compulsory: Int
    /// `total - compulsory`: the objective every Cosma method minimises.
    public var nonCompulsory: Int

    public init(total: Int, compulsory: Int) {
        self.total = total
        self.compulsory = compulsory
        self.nonCompulsory = total - compulsory
    }
}

/// How a solver ended, as recorded in a plan.
public struct SolverRecord: Hashable, Sendable, Codable {
    public var name: String
    /// `optimal`, `feasible`, `timeLimit`, ... Only `optimal` claims a proof.
    public var status: String
    /// The best lower bound on non-compulsory traffic that the solver proved.
    public var bound: Double?
    /// Relative gap between the plan's traffic and ``bound``.
    public var gap: Double?
    /// Solve time in seconds, model building excluded.
    public var seconds: Double?
    /// Model building time in seconds.
    public var buildSeconds: Double?

    public init(name: String, status: String, bound: Double? = nil, gap: Double? = nil, seconds: Double? = nil, buildSeconds: Double? = nil) {
        self.name = name
        self.status = status
        self.bound = bound
        self.gap = gap
        self.seconds = seconds
        self.buildSeconds = buildSeconds
    }
}

/// A complete answer for one graph and configuration: operator order, tensor addresses and every
/// spill and reload (docs/formats.md, with the rules in docs/execution-rules.md).
///
/// Plans name tensors and operators, so a plan file can be read without the code that wrote it.
/// `Simulator` replays a plan and is the judge of whether it is valid and what it costs.
public struct Plan: Hashable, Sendable, Codable {
    public var graph: String
    public var capacity: Int
    public var alignment: Int
    public var tensors: TensorSetting
    /// The in-place model the plan was made under; a replay uses it too.
    public var inPlace: InPlaceMode
    public var steps: [Step]
    /// Graph outputs stored after the last step.
    public var final: [String]
    /// The traffic the producer of the plan claims; the simulator checks it.
    public var traffic: Traffic?
    /// The method that made the plan (`cosma-ilp`, `heuristic:default+belady+best-fit`, ...).
    public var method: String?
    public var solver: SolverRecord?

    public init(graph: String, configuration: Configuration, steps: [Step], final: [String],
                traffic: Traffic? = nil, method: String? = nil, solver: SolverRecord? = nil) {
        self.graph = graph
        self.capacity = configuration.capacity
        self.alignment = configuration.alignment
        self.tensors = configuration.tensors
        self.inPlace = configuration.inPlace
        self.steps = steps
        self.final = final
        self.traffic = traffic
        self.method = method
        self.solver = solver
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        graph = try c.decodeIfPresent(String.self, forKey: .graph) ?? ""
        capacity = try c.decode(Int.self, forKey: .capacity)
        alignment = try c.decodeIfPresent(Int.self, forKey: .alignment) ?? 1
        if let problem = Configuration.problem(capacity: capacity) {
            throw DecodingError.dataCorruptedError(forKey: .capacity, in: c, debugDescription: problem)
        }
        if let problem = Configuration.problem(alignment: alignment) {
            throw DecodingError.dataCorruptedError(forKey: .alignment, in: c, debugDescription: problem)
        }
        tensors = try c.decodeIfPresent(TensorSetting.self, forKey: .tensors) ?? .activations
        inPlace = try c.decodeIfPresent(InPlaceMode.self, forKey: .inPlace) ?? .off
        steps = try c.decode([Step].self, forKey: .steps)
        try Self.checkOffsets(steps, codingPath: c.codingPath + [CodingKeys.steps])
        final = try c.decodeIfPresent([String].self, forKey: .final) ?? []
        traffic = try c.decodeIfPresent(Traffic.self, forKey: .traffic)
        method = try c.decodeIfPresent(String.self, forKey: .method)
        solver = try c.decodeIfPresent(SolverRecord.self, forKey: .solver)
    }

    public var configuration: Configuration {
        Configuration(capacity: capacity, alignment: alignment, tensors: tensors, inPlace: inPlace)
    }

    /// Refuses offsets outside `0 ... Graph.maximumBytes`, which no scratchpad has, so that the
    /// simulator's address arithmetic cannot overflow. It runs after the placements are decoded
    /// (their decoder stays the synthesised one) and names the placement, `steps[i].load[j].offset`.
    private static func checkOffsets(_ steps: [Step], codingPath: [any CodingKey]) throws {
        for (i, step) in steps.enumerated() {
            for (list, placements) in [("load", step.load), ("outputs", step.outputs)] {
                guard let j = placements.firstIndex(where: { !(0...Graph.maximumBytes).contains($0.offset) }) else { continue }
                throw DecodingError.dataCorrupted(DecodingError.Context(
                    codingPath: codingPath + [JSONKey(i), JSONKey(list), JSONKey(j), JSONKey("offset")],
                    debugDescription: "offset \(placements[j].offset) is outside 0 ... \(Graph.maximumBytes) (1 PiB); give the tensor's byte address in the scratchpad"))
            }
        }
    }

    /// Reads a plan file.
    public init(contentsOf url: URL) throws(InputError) {
        try self.init(json: try readInput(url), source: url.path)
    }

    /// Reads a plan from JSON; `source` names it in messages. A plan without `"format"` is read
    /// as `DocumentFormat/plan`; another format is refused.
    public init(json data: Data, source: String) throws(InputError) {
        try DocumentFormat.plan.check(data, source: source)
        self = try decodeJSON(Plan.self, from: data, source: source)
    }

    /// The plan as JSON in the documented key order, one step per line.
    public func json() -> String { jsonValue.formatted(expandDepth: 2) }

    /// The plan as a JSON value in the documented key order (``DocumentFormat/plan``).
    package var jsonValue: JSONValue {
        func placements(_ p: [Placement]) -> JSONValue {
            .array(p.map { placement in
                var fields: [(String, JSONValue)] = [("tensor", .string(placement.tensor)), ("offset", .int(placement.offset))]
                if let x = placement.inPlaceOf { fields.append(("inPlaceOf", .string(x))) }
                return .object(fields)
            })
        }
        let stepValues: [JSONValue] = steps.map { s in
            var fields: [(String, JSONValue)] = [("op", .string(s.op))]
            if !s.store.isEmpty { fields.append(("store", .array(s.store.map { .string($0) }))) }
            if !s.free.isEmpty { fields.append(("free", .array(s.free.map { .string($0) }))) }
            if !s.load.isEmpty { fields.append(("load", placements(s.load))) }
            fields.append(("outputs", placements(s.outputs)))
            return .object(fields)
        }
        var fields: [(String, JSONValue)] = [
            DocumentFormat.plan.field, ("graph", .string(graph)), ("capacity", .int(capacity)), ("alignment", .int(alignment)),
            ("tensors", .string(tensors.rawValue)),
        ]
        // Absent means off, so plans of the paper's model read and print as before.
        if inPlace == .on { fields.append(("inPlace", .string(inPlace.rawValue))) }
        fields += [("steps", .array(stepValues)), ("final", .array(final.map { .string($0) }))]
        if let traffic { fields.append(("traffic", traffic.jsonValue)) }
        if let method { fields.append(("method", .string(method))) }
        if let solver {
            var s: [(String, JSONValue)] = [("name", .string(solver.name)), ("status", .string(solver.status))]
            if let b = solver.bound { s.append(("bound", .double(b))) }
            if let g = solver.gap { s.append(("gap", .double(g))) }
            if let t = solver.seconds { s.append(("seconds", .double(t))) }
            if let t = solver.buildSeconds { s.append(("buildSeconds", .double(t))) }
            fields.append(("solver", .object(s)))
        }
        return .object(fields)
    }
}

extension Traffic {
    package var jsonValue: JSONValue {
        .object([("total", .int(total)), ("compulsory", .int(compulsory)), ("nonCompulsory", .int(nonCompulsory))])
    }
}

