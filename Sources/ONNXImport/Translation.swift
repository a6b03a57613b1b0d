internal import DNNGraph
internal import ONNXProto

/// An operator on its way into the graph; operands are named by their ONNX values, before
/// renaming.
struct PendingOperator {
    var name: String
    var type: String
    var inputs: [String]
    var outputs: [String]
    var attributes: [String: AttributeValue] = [:]
}

/// One import: walks the ONNX graph once, dropping no-ops and constants, then sizes the values
/// the remaining operators touch.
struct Translation {
    let graph: Onnx_GraphProto
    let options: ONNXImportOptions
    let source: String

    /// What the model declares about each value; initializers and constants override `value_info`.
    private var declared: [String: ValueType] = [:]
    /// Initializers and `Constant` outputs.
    private var weights: Set<String> = []
    private let graphInputs: Set<String>
    private let graphOutputs: Set<String>
    /// Values that some node reads or that are graph outputs.
    private let used: Set<String>
    /// A dropped no-op's output, mapped to the value it copies.
    private var alias: [String: String] = [:]
    /// A copied value that takes the name of the graph output a dropped no-op produced.
    private var renamed: [String: String] = [:]
    private var producer: [String: Int] = [:]
    private var operators: [PendingOperator] = []

    init(graph: Onnx_GraphProto, options: ONNXImportOptions, source: String) {
        self.graph = graph
        self.options = options
        self.source = source
        graphInputs = Set(graph.input.map(\.name))
        graphOutputs = Set(graph.output.map(\.name))
        used = graphOutputs.union(graph.node.flatMap(\.input))
        for info in graph.valueInfo + graph.input + graph.output {
            if let type = ValueType(info) { declared[info.name] = type }
        }
        for initializer in graph.initializer {
            declared[initializer.name] = ValueType(element: initializer.dataType, dims: initializer.dims)
            weights.insert(initializer.name)
        }
    }

    private func resolve(_ value: String) -> String {
        var value = value
        while let next = alias[value] { value = next }
        return value
    }

    private func fail(_ message: String) -> InputError {
        InputError(source: source, message: message)
    }

    mutating func document(name: String) throws(InputError) -> GraphDocument {
        var names = Set<String>()
        for (index, node) in graph.node.enumerated() {
            try add(node, index: index, names: &names)
        }
        if options.fuseActivations { fuseActivations() }
        return try materialize(name: name)
    }

    private mutating func add(_ node: Onnx_NodeProto, index: Int, names: inout Set<String>) throws(InputError) {
        let label = node.name.isEmpty ? "\(node.opType)_\(index)" : node.name
        if node.attribute.contains(where: { $0.hasG || !$0.graphs.isEmpty }) {
            throw fail("node '\(label)' (\(node.opType)) has a subgraph; Cosma imports flat graphs only, so unroll or remove control flow (If, Loop, Scan) before importing")
        }
        let outputs = node.output.filter { !$0.isEmpty }
        if node.opType == "Constant", node.domain.isEmpty || node.domain == "ai.onnx", let output = outputs.first {
            if let type = ValueType(constant: node) { declared[output] = type }
            weights.insert(output)
            return
        }
        if dropNoOp(node, outputs: outputs) { return }
        var name = label
        if !names.insert(name).inserted {
            name = "\(label)_\(index)"
            names.insert(name)
        }
        for output in outputs { producer[output] = operators.count }
        operators.append(PendingOperator(name: name, type: node.opType, inputs: node.input.filter { !$0.isEmpty }.map(resolve),
                                         outputs: outputs, attributes: Translation.attributes(of: node)))
    }

    /// Drops `Identity` and inference-mode `Dropout` when the graph loses nothing by it.
    /// - Returns: whether the node was dropped.
    private mutating func dropNoOp(_ node: Onnx_NodeProto, outputs: [String]) -> Bool {
        guard node.opType == "Identity" || node.opType == "Dropout", node.domain.isEmpty || node.domain == "ai.onnx",
              let input = node.input.first, !input.isEmpty, let output = node.output.first, !output.isEmpty,
              !outputs.dropFirst().contains(where: used.contains)
        else { return false }
        let copied = resolve(input)
        if graphOutputs.contains(output) {
            // The output must keep its name; the copied tensor can take it only if an operator
            // writes it and it is not an output under its own name already.
            guard producer[copied] != nil, renamed[copied] == nil, !graphOutputs.contains(copied) else { return false }
            renamed[copied] = output
        }
        alias[output] = copied
        return true
    }

    /// Folds single-consumer activations into their producer (see ``ONNXImporter``).
    private mutating func fuseActivations() {
        let outputRoots = Set(graph.output.map { resolve($0.name) })
        var readers: [String: Int] = [:]
        for op in operators {
            for input in Set(op.inputs) { readers[input, default: 0] += 1 }
        }
        var fused = Set<Int>()
        for i in operators.indices where ONNXImporter.fusableActivations.contains(operators[i].type) {
            let activation = operators[i]
            guard activation.outputs.count == 1, let data = activation.inputs.first, let p = producer[data],
                  operators[p].outputs == [data], readers[data] == 1, !outputRoots.contains(data),
                  activation.inputs.dropFirst().allSatisfy({ producer[$0] == nil })
            else { continue }
            operators[p].type += "+" + activation.type
            operators[p].inputs += activation.inputs.dropFirst()
            operators[p].outputs = activation.outputs
            producer[activation.outputs[0]] = p
            fused.insert(i)
        }
        operators = operators.indices.filter { !fused.contains($0) }.map { operators[$0] }
        producer = [:]
        for (i, op) in operators.enumerated() {
            for output in op.outputs { producer[output] = i }
        }
    }

    /// Sizes every value the operators touch and assembles the canonical document.
    private func materialize(name: String) throws(InputError) -> GraphDocument {
        var sized: [String: SizedValue] = [:]
        var tensors: [Tensor] = []
        func size(_ value: String) throws(InputError) -> SizedValue {
            if let known = sized[value] { return known }
            let kind: TensorKind
            let role: String
            if weights.contains(value) {
                (kind, role) = (.weight, "weight")
            } else if let p = producer[value] {
                (kind, role) = (.activation, "output of node '\(operators[p].name)'")
            } else {
                (kind, role) = (.input, "graph input")
            }
            guard let type = declared[value] else {
                throw fail("tensor '\(value)' (\(role)) has no type or shape; run ONNX shape inference first (onnx.shape_inference.infer_shapes(model, strict_mode=True, data_prop=True)) and import the inferred model")
            }
            let result = try type.sized(dimensions: options.dimensions, elementBytes: options.elementBytes) { message in
                fail("tensor '\(value)' (\(role)) \(message)")
            }
            if result.elements == 0 && kind == .activation {
                throw fail("tensor '\(value)' (\(role)) has no elements; Cosma cannot plan an empty activation, so remove the operator that produces it")
            }
            sized[value] = result
            guard result.elements > 0 else { return result }
            tensors.append(Tensor(name: renamed[value] ?? value, bytes: result.bytes, kind: kind, shape: result.shape, dtype: result.dtype))
            return result
        }
        let read = Set(operators.flatMap(\.inputs))
        for input in graph.input where !weights.contains(input.name) && read.contains(input.name) {
            _ = try size(input.name)
        }
        var entries: [GraphDocument.OperatorEntry] = []
        for op in operators {
            var inputs: [String] = []
            for input in op.inputs {
                guard weights.contains(input) || producer[input] != nil || graphInputs.contains(input) else {
                    throw fail("tensor '\(input)', read by node '\(op.name)', is not a graph input, an initializer or the output of any node; the model is malformed, so export it again")
                }
                if try size(input).elements > 0 { inputs.append(renamed[input] ?? input) }
            }
            for output in op.outputs { _ = try size(output) }
            var entry = GraphDocument.OperatorEntry(name: op.name, type: op.type, inputs: inputs, outputs: op.outputs.map { renamed[$0] ?? $0 })
            entry.attributes = op.attributes.isEmpty ? nil : op.attributes
            entries.append(entry)
        }
        let outputs = graph.output.map { resolve($0.name) }.map { renamed[$0] ?? $0 }
        return GraphDocument(name: name, tensors: tensors, operators: entries, outputs: outputs)
    }

    /// A node's attributes that are numbers, strings or lists of them; tensor- and graph-valued
    /// ones carry no shape information the tiling transform uses, so they are left out.
    static func attributes(of node: Onnx_NodeProto) -> [String: AttributeValue] {
        // Floats go through their shortest decimal form so that 0.2 is written as 0.2, not as
        // the nearest double of the nearest float.
        func decimal(_ f: Float) -> Double { Double(String(f)) ?? Double(f) }
        var result: [String: AttributeValue] = [:]
        for a in node.attribute where !a.name.isEmpty {
            switch a.type {
            case .int: result[a.name] = .int(Int(a.i))
            case .float: result[a.name] = .float(decimal(a.f))
            case .string: result[a.name] = .string(String(decoding: a.s, as: UTF8.self))
            case .ints: result[a.name] = .ints(a.ints.map { Int($0) })
            case .floats: result[a.name] = .floats(a.floats.map(decimal))
            case .strings: result[a.name] = .strings(a.strings.map { String(decoding: $0, as: UTF8.self) })
            default: continue
            }
        }
        return result
    }
}
