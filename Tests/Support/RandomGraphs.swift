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

/// A random graph of `stages` stages, each ending in a join that reads every tensor of the stage
/// that nothing else reads: the joins are separators (``Graph/separatedSegments(order:reach:)``),
/// like the ends of RandWire stages. Every stage has the same random shape and sizes, so that where
/// one must spill the others must too. Each stage's first operator reads the previous join's output
/// (or the input), later ones a tensor of their own stage, and sometimes one of an earlier stage,
/// so that some tensors outlive the segment that makes them.
package func randomStagedGraph(seed: UInt64, stages: Int, operatorsPerStage: Int) throws -> Graph {
    var skips = SplitMix64(seed: seed ^ 0x5CA1_AB1E)
    var tensors = [Tensor(name: "in", bytes: 1 + Int(seed % 3), kind: .input)]
    var ops: [GraphDocument.OperatorEntry] = []
    var earlier: [String] = []
    var entry = "in"
    for s in 0..<stages {
        var rng = SplitMix64(seed: seed)
        var stage = [entry]
        var read = Set<String>()
        for i in 0..<operatorsPerStage {
            var inputs = [i == 0 ? entry : stage[Int.random(in: 0..<stage.count, using: &rng)]]
            let other = stage[Int.random(in: 0..<stage.count, using: &rng)]
            if Bool.random(using: &rng), other != inputs[0] { inputs.append(other) }
            if !earlier.isEmpty, Int.random(in: 0..<4, using: &skips) == 0, let old = earlier.randomElement(using: &skips) { inputs.append(old) }
            read.formUnion(inputs)
            let name = "s\(s)t\(i)"
            tensors.append(Tensor(name: name, bytes: Int.random(in: 1...3, using: &rng), kind: .activation))
            ops.append(.init(name: "s\(s)op\(i)", type: "Op", inputs: inputs, outputs: [name]))
            stage.append(name)
        }
        let join = "s\(s)join"
        tensors.append(Tensor(name: join, bytes: Int.random(in: 1...3, using: &rng), kind: .activation))
        ops.append(.init(name: join, type: "Join", inputs: stage.dropFirst().filter { !read.contains($0) }, outputs: [join]))
        earlier += stage.dropFirst()
        entry = join
    }
    return try Graph(document: GraphDocument(name: "staged-\(seed)", tensors: tensors, operators: ops, outputs: [entry]))
}
