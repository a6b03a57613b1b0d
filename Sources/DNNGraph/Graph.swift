/// Index of a tensor in ``Graph/tensors``.
public typealias TensorID = Int
/// Index of an operator in ``Graph/operators``; also its position in the default schedule.
public typealias OperatorID = Int

/// The role a tensor plays in the graph, which decides where it starts and whether it can be
/// dropped without a copy.
public enum TensorKind: String, Codable, Sendable, CaseIterable, JSONEnumeration {
    /// Read by name; an unknown name is refused with the valid ones listed.
    public init(from decoder: any Decoder) throws { self = try Self.decodingCase(from: decoder) }

    /// A graph input such as the image. It starts in DRAM.
    case input
    /// A parameter. It starts in DRAM and is read-only.
    case weight
    /// Produced by exactly one operator of the graph.
    case activation
}

/// A named block of bytes that operators read or write.
public struct Tensor: Hashable, Sendable, Codable {
    public var name: String
    /// Size in bytes; always positive in a validated graph.
    public var bytes: Int
    public var kind: TensorKind
    /// Kept for reports and importers; the planner only looks at ``bytes``.
    public var shape: [Int]?
    public var dtype: String?
    /// Set on the slices the tiling transform makes: the range of the original tensor it holds.
    package var sliceOf: SliceOrigin?

    public init(name: String, bytes: Int, kind: TensorKind, shape: [Int]? = nil, dtype: String? = nil) {
        self.name = name
        self.bytes = bytes
        self.kind = kind
        self.shape = shape
        self.dtype = dtype
    }
}

/// One node of the operator graph, with its operands resolved to tensor indices.
public struct Operator: Hashable, Sendable {
    public var name: String
    /// The operator type as the framework names it (`Conv`, `Add`, ...).
    public var type: String
    /// Input tensors in the order the operator reads them; a tensor may appear twice (`Mul(x, x)`).
    public var inputs: [TensorID]
    public var outputs: [TensorID]
    /// The graph file's override of ``InPlaceTable`` for this operator (`nil`: the type decides).
    public var inPlace: Bool?
    /// ONNX attributes by name (empty when the file gives none).
    package var attributes: [String: AttributeValue] = [:]
    /// Set on the tiles the tiling transform makes: the range of the original output it produces.
    package var tileOf: TileOrigin?

    public init(name: String, type: String, inputs: [TensorID], outputs: [TensorID], inPlace: Bool? = nil) {
        self.name = name
        self.type = type
        self.inputs = inputs
        self.outputs = outputs
        self.inPlace = inPlace
    }
}

/// A validated DNN operator graph: the input of every planner in Cosma.
///
/// A graph is a DAG of operators over tensors. Every activation has exactly one producer; inputs
/// and weights have none and start in DRAM. The order of ``operators`` is the *default schedule*,
/// the order in which the framework listed them, which is a topological order. Build one from
/// canonical JSON with `Graph/init(json:source:)` or from a ``GraphDocument``; construction
/// validates everything, so a `Graph` value is always well-formed.
///
/// Derived facts (producers, consumers, in-place candidates) are computed once at construction:
/// O(V + E) for the adjacency, O(V·E/64) for the ancestor and descendant counts.
public struct Graph: Sendable {
    public let name: String
    public let tensors: [Tensor]
    public let operators: [Operator]
    /// Tensors that must end up in DRAM.
    public let outputs: [TensorID]

    /// The operator that writes each tensor; `nil` for inputs and weights.
    public let producer: [OperatorID?]
    /// Operators that read each tensor, each once, in default-schedule order.
    public let consumers: [[OperatorID]]
    /// Whether each tensor is a graph output.
    public let isOutput: [Bool]
    /// Direct predecessors of each operator (producers of its inputs), without duplicates.
    public let predecessors: [[OperatorID]]
    /// Direct successors of each operator, without duplicates.
    public let successors: [[OperatorID]]

    let tensorIndex: [String: TensorID]
    let operatorIndex: [String: OperatorID]
    /// Each operator's ``inPlaceCandidates(of:)``.
    let inPlaceCandidateLists: [[TensorID]]

    /// Looks a tensor up by name.
    public func tensorID(named name: String) -> TensorID? { tensorIndex[name] }
    /// Looks an operator up by name.
    public func operatorID(named name: String) -> OperatorID? { operatorIndex[name] }

    /// Distinct tensors an operator touches (inputs then outputs), the operands that must be
    /// resident while it runs.
    public func operands(of op: OperatorID) -> [TensorID] {
        var seen = Set<TensorID>()
        return (operators[op].inputs + operators[op].outputs).filter { seen.insert($0).inserted }
    }

    /// Distinct input tensors of an operator.
    public func distinctInputs(of op: OperatorID) -> [TensorID] {
        var seen = Set<TensorID>()
        return operators[op].inputs.filter { seen.insert($0).inserted }
    }

    /// Builds and validates a graph, reporting every problem found rather than the first.
    public init(document: GraphDocument) throws(GraphValidationError) {
        var problems: [GraphProblem] = []
        let tensorIndex = Graph.indexTensors(document, problems: &problems)
        var operatorIndex: [String: OperatorID] = [:]
        var operators: [Operator] = []
        var producer = [OperatorID?](repeating: nil, count: document.tensors.count)
        for (i, o) in document.operators.enumerated() {
            if operatorIndex[o.name] != nil {
                problems.append(.duplicateOperator(o.name))
            } else {
                operatorIndex[o.name] = i
            }
            if o.name.isEmpty { problems.append(.emptyName(what: "operator #\(i)")) }
            if o.outputs.isEmpty { problems.append(.noOutputs(operator: o.name)) }
            func resolve(_ names: [String]) -> [TensorID] {
                names.compactMap { n in
                    guard let id = tensorIndex[n] else {
                        problems.append(.unknownTensor(n, operator: o.name))
                        return nil
                    }
                    return id
                }
            }
            let ins = resolve(o.inputs)
            let outs = resolve(o.outputs)
            if Set(outs).count != outs.count { problems.append(.repeatedOutput(operator: o.name)) }
            for t in Set(outs) {
                let tensor = document.tensors[t]
                if tensor.kind != .activation {
                    problems.append(.producedNonActivation(tensor: tensor.name, kind: tensor.kind, operator: o.name))
                } else if let first = producer[t] {
                    problems.append(.twoProducers(tensor: tensor.name, first: document.operators[first].name, second: o.name))
                } else {
                    producer[t] = i
                }
            }
            var op = Operator(name: o.name, type: o.type, inputs: ins, outputs: outs, inPlace: o.inPlace)
            op.attributes = o.attributes ?? [:]
            op.tileOf = o.tileOf
            operators.append(op)
        }
        for (t, tensor) in document.tensors.enumerated() where tensor.kind == .activation && producer[t] == nil {
            problems.append(.noProducer(tensor.name))
        }
        let (outputs, isOutput) = Graph.resolveOutputs(document, tensorIndex: tensorIndex, problems: &problems)
        if !problems.isEmpty { throw GraphValidationError(graph: document.name, problems: problems) }

        var consumers = [[OperatorID]](repeating: [], count: document.tensors.count)
        var predecessors = [[OperatorID]](repeating: [], count: operators.count)
        var successors = [[OperatorID]](repeating: [], count: operators.count)
        for (i, o) in operators.enumerated() {
            for t in Set(o.inputs).sorted() {
                consumers[t].append(i)
                if let p = producer[t], !predecessors[i].contains(p) {
                    predecessors[i].append(p)
                    successors[p].append(i)
                }
            }
        }
        if let cycle = Graph.findCycle(successors: successors) {
            throw GraphValidationError(graph: document.name, problems: [.cycle(cycle.map { operators[$0].name })])
        }
        if let (early, late) = Graph.firstOrderViolation(predecessors: predecessors) {
            throw GraphValidationError(graph: document.name, problems: [
                .notTopological(consumer: operators[early].name, producer: operators[late].name),
            ])
        }
        self.name = document.name
        self.tensors = document.tensors
        self.operators = operators
        self.outputs = outputs
        self.producer = producer
        self.consumers = consumers
        self.isOutput = isOutput
        self.predecessors = predecessors
        self.successors = successors
        self.tensorIndex = tensorIndex
        self.operatorIndex = operatorIndex
        self.inPlaceCandidateLists = Graph.inPlaceCandidateLists(operators: operators, tensors: document.tensors, isOutput: isOutput)
    }

    /// A cycle as a list of operators, each feeding the next and the last feeding the first.
    static func findCycle(successors: [[OperatorID]]) -> [OperatorID]? {
        enum Mark { case new, open, done }
        var mark = [Mark](repeating: .new, count: successors.count)
        var parent = [OperatorID](repeating: -1, count: successors.count)
        // Iterative DFS: deep chains (thousands of operators) must not overflow the stack.
        for root in successors.indices where mark[root] == .new {
            var stack: [(OperatorID, Int)] = [(root, 0)]
            mark[root] = .open
            while let (node, next) = stack.last {
                if next < successors[node].count {
                    stack[stack.count - 1].1 += 1
                    let s = successors[node][next]
                    switch mark[s] {
                    case .new:
                        mark[s] = .open
                        parent[s] = node
                        stack.append((s, 0))
                    case .open:
                        var cycle = [node]
                        var walk = node
                        while walk != s {
                            walk = parent[walk]
                            cycle.append(walk)
                        }
                        return cycle.reversed()
                    case .done:
                        continue
                    }
                } else {
                    mark[node] = .done
                    stack.removeLast()
                }
            }
        }
        return nil
    }

    /// The default schedule must be runnable as written; returns a consumer listed before its producer.
    static func firstOrderViolation(predecessors: [[OperatorID]]) -> (OperatorID, OperatorID)? {
        for (i, preds) in predecessors.enumerated() {
            if let late = preds.first(where: { $0 > i }) { return (i, late) }
        }
        return nil
    }
}
