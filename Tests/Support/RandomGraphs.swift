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
