extension Graph {
    /// The largest byte count Cosma accepts anywhere: a tensor, the sum of a graph's tensors, a
    /// capacity or an offset (1 PiB, 2^50). Every sum and rounding of such counts stays far below
    /// `Int.max` (2^63), so no arithmetic on addresses can overflow, and every count is exact as a
    /// `Double`, which the integer programs use. Absurd but well-formed numbers are refused here,
    /// at the boundary, with a message, instead of trapping deep inside a method.
    public static let maximumBytes = 1 << 50

    /// The largest alignment accepted (1 GiB, 2^30), so that rounding a size up stays in range.
    public static let maximumAlignment = 1 << 30

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
            if t.bytes > maximumBytes { problems.append(.sizeTooLarge(tensor: t.name, bytes: t.bytes)) }
            if t.name.isEmpty { problems.append(.emptyName(what: "tensor #\(i)")) }
        }
        // Checked: the sum of sizes that are each in range can still overflow.
        var total = 0
        for t in document.tensors where t.bytes > 0 && t.bytes <= maximumBytes {
            let (sum, overflow) = total.addingReportingOverflow(t.bytes)
            total = overflow ? Int.max : sum
        }
        if total > maximumBytes { problems.append(.totalTooLarge(bytes: total)) }
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
