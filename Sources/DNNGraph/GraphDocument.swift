import Foundation

/// The canonical JSON form of a graph, with operands named rather than indexed.
///
/// This is what `graphs/*.json` holds and what importers write:
///
/// ```json
/// {
///   "name": "tiny",
///   "tensors": [
///     {"name": "x",  "bytes": 1024, "kind": "input"},
///     {"name": "a1", "bytes": 2048, "kind": "activation"}
///   ],
///   "operators": [{"name": "conv1", "type": "Conv", "inputs": ["x"], "outputs": ["a1"]}],
///   "outputs": ["a1"]
/// }
/// ```
///
/// A document may be invalid; ``Graph/init(document:)`` checks it.
public struct GraphDocument: Codable, Sendable, Equatable {
    public struct OperatorEntry: Codable, Sendable, Equatable {
        public var name: String
        public var type: String
        public var inputs: [String]
        public var outputs: [String]
        /// Overrides ``InPlaceTable`` for this operator: `true` lets its output take the bytes of
        /// an input that dies there, `false` forbids it; absent, the operator's type decides.
        public var inPlace: Bool?
        /// ONNX attributes by name; optional in files.
        package var attributes: [String: AttributeValue]?
        /// Provenance of a tile operator; optional in files.
        package var tileOf: TileOrigin?

        public init(name: String, type: String, inputs: [String], outputs: [String], inPlace: Bool? = nil) {
            self.name = name
            self.type = type
            self.inputs = inputs
            self.outputs = outputs
            self.inPlace = inPlace
        }
    }

    public var name: String
    public var tensors: [Tensor]
    public var operators: [OperatorEntry]
    public var outputs: [String]

    public init(name: String, tensors: [Tensor], operators: [OperatorEntry], outputs: [String]) {
        self.name = name
        self.tensors = tensors
        self.operators = operators
        self.outputs = outputs
    }
}

extension Graph {
    /// The graph in its canonical, name-based form.
    public var document: GraphDocument {
        GraphDocument(
            name: name,
            tensors: tensors,
            operators: operators.map {
                var entry = GraphDocument.OperatorEntry(name: $0.name, type: $0.type,
                      inputs: $0.inputs.map { tensors[$0].name }, outputs: $0.outputs.map { tensors[$0].name },
                      inPlace: $0.inPlace)
                entry.attributes = $0.attributes.isEmpty ? nil : $0.attributes
                entry.tileOf = $0.tileOf
                return entry
            },
            outputs: outputs.map { tensors[$0].name })
    }

    /// Parses and validates canonical JSON.
    /// - Parameter source: how to name the input in messages, usually its path.
    public init(json data: Data, source: String) throws(InputError) {
        if Self.looksLikeONNX(data, source: source) {
            throw InputError(source: source, message: "this is an ONNX model, not a Cosma graph (JSON); convert it first with `cosma import \(source) -o graph.json` and give graph.json")
        }
        try DocumentFormat.graph.check(data, source: source)
        let document = try decodeJSON(GraphDocument.self, from: data, source: source)
        do {
            try self.init(document: document)
        } catch {
            throw InputError(source: source, message: error.description)
        }
    }

    /// Whether an input that should be JSON is a binary ONNX model: named `.onnx`, or starting
    /// with the protobuf tag of `ModelProto.ir_version` (field 1, varint: byte 0x08) where JSON
    /// would start with `{`.
    static func looksLikeONNX(_ data: Data, source: String) -> Bool {
        guard let first = data.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }), first != UInt8(ascii: "{") else { return false }
        return source.lowercased().hasSuffix(".onnx") || first == 0x08
    }

    /// Reads and validates a canonical JSON graph file.
    public init(contentsOf url: URL) throws(InputError) {
        try self.init(json: try readInput(url), source: url.path)
    }

    /// Canonical JSON, one tensor or operator per line so that diffs of `graphs/` stay readable.
    public func canonicalJSON() -> String {
        func quote(_ s: String) -> String { jsonString(s) }
        var lines: [String] = []
        lines.append("{")
        lines.append("  \"format\": \(quote(DocumentFormat.graph.rawValue)),")
        lines.append("  \"name\": \(quote(name)),")
        lines.append("  \"tensors\": [")
        for (i, t) in tensors.enumerated() {
            var fields = ["\"name\": \(quote(t.name))", "\"bytes\": \(t.bytes)", "\"kind\": \(quote(t.kind.rawValue))"]
            if let shape = t.shape { fields.append("\"shape\": [\(shape.map(String.init).joined(separator: ", "))]") }
            if let dtype = t.dtype { fields.append("\"dtype\": \(quote(dtype))") }
            if let origin = t.sliceOf { fields.append("\"sliceOf\": \(origin.json)") }
            lines.append("    {\(fields.joined(separator: ", "))}\(i + 1 < tensors.count ? "," : "")")
        }
        lines.append("  ],")
        lines.append("  \"operators\": [")
        for (i, o) in operators.enumerated() {
            let ins = o.inputs.map { quote(tensors[$0].name) }.joined(separator: ", ")
            let outs = o.outputs.map { quote(tensors[$0].name) }.joined(separator: ", ")
            var extra = o.inPlace.map { ", \"inPlace\": \($0)" } ?? ""
            if !o.attributes.isEmpty { extra += ", \"attributes\": \(o.attributes.json)" }
            if let origin = o.tileOf { extra += ", \"tileOf\": \(origin.json)" }
            lines.append("    {\"name\": \(quote(o.name)), \"type\": \(quote(o.type)), \"inputs\": [\(ins)], \"outputs\": [\(outs)]\(extra)}\(i + 1 < operators.count ? "," : "")")
        }
        lines.append("  ],")
        lines.append("  \"outputs\": [\(outputs.map { quote(tensors[$0].name) }.joined(separator: ", "))]")
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// JSON string literal with the escapes RFC 8259 requires.
func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

extension Graph {
    /// The graph of `members` alone (listed in an order that respects their dependencies): a tensor
    /// that an operator outside makes becomes an input (a weight stays a weight), a tensor the
    /// members make that none of them reads, or that an operator outside reads too, becomes an
    /// output, and readers outside are dropped.
    ///
    /// A plan of the whole graph, restricted to the members' steps and the tensors they touch, is a
    /// plan of this graph that costs no more than those steps did (the first load of an input is
    /// compulsory, and an output's one store too). So where the members run as one block in every
    /// schedule (``separatedSegments(order:reach:)``), any lower bound on this graph's traffic
    /// bounds what the block costs, and the blocks' bounds add up. A tensor a later block reads is
    /// an output here, its store free, because the blocks count each store in the last block that
    /// reads the tensor (the segment traffic search's accounting), never in the one that makes it.
    package func inducedSubgraph(_ members: [OperatorID]) throws(GraphValidationError) -> Graph {
        let inside = Set(members)
        var used: [TensorID] = []
        var seen = Set<TensorID>()
        for o in members {
            for t in operators[o].inputs + operators[o].outputs where seen.insert(t).inserted { used.append(t) }
        }
        let read = Set(members.flatMap { operators[$0].inputs })
        let entries = members.map { o in
            GraphDocument.OperatorEntry(name: operators[o].name, type: operators[o].type,
                                        inputs: operators[o].inputs.map { tensors[$0].name },
                                        outputs: operators[o].outputs.map { tensors[$0].name }, inPlace: operators[o].inPlace)
        }
        let parts = used.map { t in
            var tensor = tensors[t]
            if producer[t].map({ !inside.contains($0) }) ?? false, tensor.kind == .activation { tensor.kind = .input }
            return tensor
        }
        // Made inside and read nowhere inside, or read outside too (by a later block, which pays
        // its store) or a graph output.
        let readOutside = tensorsReadOutside(members)
        let outputs = used.filter { t in
            producer[t].map(inside.contains) == true && (!read.contains(t) || isOutput[t] || readOutside.contains(t))
        }.map { tensors[$0].name }
        return try Graph(document: GraphDocument(name: "\(name)-part", tensors: parts, operators: entries, outputs: outputs))
    }
}
