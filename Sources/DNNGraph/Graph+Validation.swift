extension Graph {
    /// Every tensor's index by name, with the problems of the tensor list (duplicate and empty
    /// names, sizes that are not positive).
    static func indexTensors(_ document: GraphDocument, problems: inout [GraphProblem]) -> [String: TensorID] {
        var tensorIndex: [String: TensorID] = [:]
        for (i, t) in document.tensors.enumerated() {
            if tensorIndex[t.name] != nil {
                problems.append(.duplicateTensor(t.name))
            } else {
                tensorIndex[t.name] = i
            }
            if t.bytes <= 0 { problems.append(.nonPositiveSize(tensor: t.name, bytes: t.bytes)) }
            if t.name.isEmpty { problems.append(.emptyName(what: "tensor #\(i)")) }
        }
        return tensorIndex
    }

    /// The graph outputs, in the document's order, and which tensors they are, with the problems
    /// of the output list (unknown, repeated, not activations, none at all).
    static func resolveOutputs(_ document: GraphDocument, tensorIndex: [String: TensorID],
                               problems: inout [GraphProblem]) -> (outputs: [TensorID], isOutput: [Bool]) {
        var outputs: [TensorID] = []
        var isOutput = [Bool](repeating: false, count: document.tensors.count)
        for name in document.outputs {
            guard let t = tensorIndex[name] else {
                problems.append(.unknownOutput(name))
                continue
            }
            if document.tensors[t].kind != .activation {
                problems.append(.outputNotActivation(tensor: name, kind: document.tensors[t].kind))
            } else if isOutput[t] {
                problems.append(.duplicateOutput(name))
            } else {
                isOutput[t] = true
                outputs.append(t)
            }
        }
        if document.outputs.isEmpty { problems.append(.noGraphOutputs) }
        return (outputs, isOutput)
    }
}
