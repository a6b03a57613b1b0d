package import DNNGraph

/// A random DAG of a few operators with small tensors: each operator reads one or two earlier
/// tensors and writes one (sometimes two); tensors nobody reads are graph outputs.
package func randomTinyGraph(seed: UInt64, operators: Int, withWeights: Bool) throws -> Graph {
    var rng = SplitMix64(seed: seed)
    var tensors = [Tensor(name: "in", bytes: Int.random(in: 1...3, using: &rng), kind: .input)]
    var ops: [GraphDocument.OperatorEntry] = []
    var available = ["in"]
    var read = Set<String>()
    for i in 0..<operators {
        var inputs = [available.randomElement(using: &rng)!]
        if Bool.random(using: &rng), let other = available.randomElement(using: &rng), other != inputs[0] { inputs.append(other) }
        if withWeights && Bool.random(using: &rng) {
            tensors.append(Tensor(name: "w\(i)", bytes: Int.random(in: 1...2, using: &rng), kind: .weight))
            inputs.append("w\(i)")
        }
        read.formUnion(inputs)
        var outputs = ["t\(i)"]
        if Int.random(in: 0..<5, using: &rng) == 0 { outputs.append("t\(i)b") }
        for o in outputs { tensors.append(Tensor(name: o, bytes: Int.random(in: 1...3, using: &rng), kind: .activation)) }
        available += outputs
        ops.append(.init(name: "op\(i)", type: "Op", inputs: inputs, outputs: outputs))
    }
    let outputs = available.filter { !read.contains($0) && $0 != "in" }
    return try Graph(document: GraphDocument(name: "random-\(seed)", tensors: tensors, operators: ops, outputs: outputs))
}

/// A random graph for the in-place model (docs/in-place.md): operators read one or two earlier
/// tensors; about half are elementwise (`Relu`, `Add`, `Identity`) with an output of their first
/// input's size, the others `Conv` of a random size in `sizes`.
package func randomInPlaceGraph(seed: UInt64, operators: Int, sizes: ClosedRange<Int> = 4...40) throws -> Graph {
    var rng = SplitMix64(seed: seed)
    var tensors = [Tensor(name: "in", bytes: Int.random(in: sizes, using: &rng), kind: .input)]
    var available = ["in"]
    var read = Set<String>()
    var ops: [GraphDocument.OperatorEntry] = []
    for i in 0..<operators {
        var inputs = [available.randomElement(using: &rng)!]
        if Bool.random(using: &rng), let other = available.randomElement(using: &rng), other != inputs[0] { inputs.append(other) }
        read.formUnion(inputs)
        let elementwise = Int.random(in: 0..<3, using: &rng) > 0
        let type = elementwise ? (inputs.count == 2 ? "Add" : ["Relu", "Identity"].randomElement(using: &rng)!) : "Conv"
        let first = tensors.first { $0.name == inputs[0] }!.bytes
        let bytes = elementwise ? first : Int.random(in: sizes, using: &rng)
        tensors.append(Tensor(name: "t\(i)", bytes: bytes, kind: .activation))
        available.append("t\(i)")
        ops.append(.init(name: "op\(i)", type: type, inputs: inputs, outputs: ["t\(i)"]))
    }
    let outputs = tensors.filter { $0.kind == .activation && !read.contains($0.name) }.map(\.name)
    return try Graph(document: GraphDocument(name: "in-place-\(seed)", tensors: tensors, operators: ops, outputs: outputs))
}
