package import DNNGraph

/// What one tile of an operator reads of one of its inputs.
package enum Need: Hashable, Sendable {
    /// Every byte of the input.
    case whole
    /// The rows `range` of axis `axis` of the input (and every index of its other axes).
    case range(axis: Int, Range<Int>)
}

/// Receptive fields: which part of each input a range of an operator's output depends on.
///
/// A tile of an operator produces the range `start ..< end` of one axis of its single output. For
/// the operator types below the inputs it needs follow from the ONNX semantics of the type and its
/// attributes; every other type has no rule and is never tiled, because a wrong receptive field
/// would make a plan that reads data it never loaded.
///
/// - Convolution and pooling along a spatial axis: output row `o` reads input rows
///   `o·s − p_begin ... o·s − p_begin + d·(k − 1)`, clamped to the input (rows in the padding are
///   not data). A band reads the hull of its rows' windows, so with dilation the rows between taps
///   are read too. Along output channels a convolution reads the weight and bias rows of those
///   channels and, when grouped, only the input channels of the groups they belong to.
/// - Elementwise operators (with numpy broadcasting, and BatchNormalization's per-channel
///   parameters) read the same range of every input that has the axis at full size, and the whole
///   of an input broadcast along it.
/// - Concat along another axis than its own reads the same range of every input.
/// - MatMul and Gemm along output rows read those rows of the left operand and the whole right
///   operand; along output columns, the whole left operand and those columns of the right one.
/// - Softmax and LayerNormalization along an axis they do not normalise over read the same range.
///
/// - Global pooling along channels reads the same channels.
/// - Transpose reads the same band of the axis `perm` sends there; Reshape, Flatten, Squeeze and
///   Unsqueeze along an axis that they and every axis before it keep read the same band.
/// - Pad, Slice and Resize along an axis whose extent they keep read the same band (the pad and
///   slice amounts are operand tensors that graphs do not keep, so this assumes no negative pads
///   and no reversal); Resize along a scaled axis reads a hull of the rows its interpolation uses.
///
/// Operators that reduce over the axis (global pooling along rows, reductions, softmax over it)
/// and those that mix it (other reshapes, Gather, Expand) have no rule for it.
package enum ReceptiveField {
    /// Unary elementwise operators, which may also follow a fused operator (`Conv+Relu`).
    static let unary: Set<String> = [
        "Relu", "Sigmoid", "HardSigmoid", "HardSwish", "Erf", "Tanh", "Clip", "LeakyRelu", "Sqrt", "Exp", "Neg",
        "Abs", "Softplus", "Elu", "Selu", "Gelu", "Cast",
    ]
    /// Elementwise operators with any number of (broadcast) inputs.
    static let elementwise: Set<String> = unary.union([
        "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "WeightedSum", "PRelu",
    ])

    /// Pooling over all spatial positions: tileable along channels only.
    static let globalPools: Set<String> = ["GlobalAveragePool", "GlobalMaxPool"]

    /// The type a rule is looked up by: `Conv` for `Conv+Relu` when every fused part is unary, and
    /// `nil` when a fused part is not (its receptive field is unknown).
    static func baseType(_ type: String) -> String? {
        let parts = type.split(separator: "+").map(String.init)
        guard let first = parts.first, parts.dropFirst().allSatisfy(unary.contains) else { return nil }
        return first
    }

    /// The axes of its output along which an operator can be tiled, most preferred first: image rows
    /// or matrix rows (axis `rank − 2`), then channels (axis 1) and columns (the last axis), which
    /// split the weights where they dominate.
    package static func axes(of op: Operator, in graph: Graph) -> [Int] {
        guard op.outputs.count == 1, let shape = graph.tensors[op.outputs[0]].shape, shape.count >= 2 else { return [] }
        var result: [Int] = []
        for axis in [shape.count - 2, 1, shape.count - 1] where !result.contains(axis) && shape[axis] >= 2 {
            if needs(of: op, in: graph, axis: axis, range: 0..<1) != nil { result.append(axis) }
        }
        return result
    }

    /// What a tile producing `range` of `axis` of the operator's output reads of each input, in the
    /// order of ``Operator/inputs``; `nil` when the operator cannot be tiled along `axis`.
    package static func needs(of op: Operator, in graph: Graph, axis: Int, range: Range<Int>) -> [Need]? {
        guard op.outputs.count == 1, let out = graph.tensors[op.outputs[0]].shape, axis >= 0, axis < out.count,
              let type = baseType(op.type)
        else { return nil }
        let shapes = op.inputs.map { graph.tensors[$0].shape }
        guard shapes.allSatisfy({ $0 != nil }) else { return nil }
        let ins = shapes.map { $0! }
        let a = op.attributes
        switch type {
        case "Conv": return conv(ins, out, a, axis: axis, range: range)
        case "MaxPool", "AveragePool":
            guard axis >= 1, let x = ins.first, x.count == out.count else { return nil }
            if axis == 1 { return [.range(axis: 1, range)] }
            guard let window = Window(a, axis: axis, input: x[axis], output: out[axis], kernel: nil) else { return nil }
            return [.range(axis: axis, window.rows(range))]
        case let t where globalPools.contains(t):
            guard axis == 1, ins.count == 1, ins[0].count == out.count else { return nil }
            return [.range(axis: 1, range)]
        case "BatchNormalization":
            guard axis != 1, ins.first?.count == out.count else { return nil }
            return [.range(axis: axis, range)] + Array(repeating: .whole, count: ins.count - 1)
        case "Concat":
            guard let c = a["axis"]?.int, (c + out.count) % out.count != axis else { return nil }
            return ins.map { $0.count == out.count ? .range(axis: axis, range) : .whole }
        case "MatMul": return matMul(ins, out, axis: axis, range: range)
        case "Transpose":
            guard let perm = a["perm"]?.ints, perm.count == out.count, ins.count == 1 else { return nil }
            return [.range(axis: perm[axis], range)]
        case "Reshape", "Flatten", "Squeeze", "Unsqueeze":
            // Row-major layout: while every axis up to this one keeps its extent, a band of the
            // output holds the same elements as that band of the input.
            guard let x = ins.first, x.count > axis, Array(x.prefix(axis + 1)) == Array(out.prefix(axis + 1)) else { return nil }
            return [.range(axis: axis, range)] + Array(repeating: .whole, count: ins.count - 1)
        case "Pad", "Slice":
            // Their amounts are operand tensors whose data graphs do not keep; an axis whose extent
            // the operator keeps is taken as untouched (no negative padding, no reversal).
            guard let x = ins.first, x.count == out.count, x[axis] == out[axis] else { return nil }
            return [.range(axis: axis, range)] + Array(repeating: .whole, count: ins.count - 1)
        case "Resize": return resize(ins, out, a, axis: axis, range: range)
        case "Gemm": return gemm(ins, out, a, axis: axis, range: range)
        case "Softmax", "LayerNormalization":
            let first = ((a["axis"]?.int ?? -1) + out.count) % out.count
            guard axis < first, ins.first?.count == out.count else { return nil }
            return [.range(axis: axis, range)] + Array(repeating: .whole, count: ins.count - 1)
        case let t where elementwise.contains(t):
            return ins.map { broadcast($0, out, axis: axis, range: range) }
        default:
            return nil
        }
    }

    /// Numpy broadcasting: the input's axis aligned from the right, read in range when it has the
    /// output's size there, whole when it is broadcast along it.
    static func broadcast(_ shape: [Int], _ out: [Int], axis: Int, range: Range<Int>) -> Need {
        let aligned = axis - (out.count - shape.count)
        guard aligned >= 0, shape[aligned] == out[axis], out[axis] > 1 else { return .whole }
        return .range(axis: aligned, range)
    }

    static func conv(_ ins: [[Int]], _ out: [Int], _ a: [String: AttributeValue], axis: Int, range: Range<Int>) -> [Need]? {
        guard ins.count >= 2, ins[0].count == out.count, ins[1].count == out.count, axis >= 1 else { return nil }
        let (x, w) = (ins[0], ins[1])
        if axis == 1 {
            let groups = a["group"]?.int ?? 1
            guard groups >= 1, out[1] % groups == 0, x[1] % groups == 0 else { return nil }
            let outPerGroup = out[1] / groups
            let inPerGroup = x[1] / groups
            let input: Need = groups == 1
                ? .whole
                : .range(axis: 1, range.lowerBound / outPerGroup * inPerGroup ..< ((range.upperBound - 1) / outPerGroup + 1) * inPerGroup)
            return [input, .range(axis: 0, range)] + ins.dropFirst(2).map { $0.count == 1 ? .range(axis: 0, range) : .whole }
        }
        guard let window = Window(a, axis: axis, input: x[axis], output: out[axis], kernel: w[axis]) else { return nil }
        return [.range(axis: axis, window.rows(range))] + Array(repeating: .whole, count: ins.count - 1)
    }

    /// Resize: an axis it keeps is read band for band; along a scaled axis, the rows the band's
    /// first and last output rows map to (`coordinate_transformation_mode`), widened by one row
    /// before and two after, which covers nearest, linear and cubic interpolation.
    static func resize(_ ins: [[Int]], _ out: [Int], _ a: [String: AttributeValue], axis: Int, range: Range<Int>) -> [Need]? {
        guard let x = ins.first, x.count == out.count else { return nil }
        let rest = Array(repeating: Need.whole, count: ins.count - 1)
        if x[axis] == out[axis] { return [.range(axis: axis, range)] + rest }
        let (n, m) = (Double(x[axis]), Double(out[axis]))
        let map: (Int) -> Double
        switch a["coordinate_transformation_mode"]?.string ?? "half_pixel" {
        case "half_pixel", "pytorch_half_pixel": map = { (Double($0) + 0.5) * n / m - 0.5 }
        case "asymmetric": map = { Double($0) * n / m }
        case "align_corners": map = { m > 1 ? Double($0) * (n - 1) / (m - 1) : 0 }
        default: return nil
        }
        let lower = max(0, Int(map(range.lowerBound).rounded(.down)) - 1)
        let upper = min(x[axis], Int(map(range.upperBound - 1).rounded(.down)) + 3)
        return [.range(axis: axis, lower..<max(lower, upper))] + rest
    }

    static func matMul(_ ins: [[Int]], _ out: [Int], axis: Int, range: Range<Int>) -> [Need]? {
        guard ins.count == 2, ins[0].count >= 2, ins[1].count >= 2 else { return nil }
        let rank = out.count
        if axis == rank - 2 { return [.range(axis: ins[0].count - 2, range), .whole] }
        if axis == rank - 1 { return [.whole, .range(axis: ins[1].count - 1, range)] }
        return ins.map { broadcast($0, out, axis: axis, range: range) }
    }

    static func gemm(_ ins: [[Int]], _ out: [Int], _ a: [String: AttributeValue], axis: Int, range: Range<Int>) -> [Need]? {
        guard ins.count >= 2, out.count == 2, ins[0].count == 2, ins[1].count == 2 else { return nil }
        let transA = (a["transA"]?.int ?? 0) != 0
        let transB = (a["transB"]?.int ?? 0) != 0
        // Shapes that do not multiply as the attributes say (a file that omits transB) get no rule.
        let (m, k) = transA ? (ins[0][1], ins[0][0]) : (ins[0][0], ins[0][1])
        let (k2, n) = transB ? (ins[1][1], ins[1][0]) : (ins[1][0], ins[1][1])
        guard m == out[0], n == out[1], k == k2 else { return nil }
        let bias = ins.dropFirst(2).map { broadcast($0, out, axis: axis, range: range) }
        if axis == 0 { return [.range(axis: transA ? 1 : 0, range), .whole] + bias }
        return [.whole, .range(axis: transB ? 0 : 1, range)] + bias
    }
}

/// The sliding window of a convolution or pooling along one spatial axis.
struct Window {
    var kernel: Int
    var stride: Int
    var dilation: Int
    /// Padding before the first row.
    var padBegin: Int
    var input: Int

    /// Reads `kernel_shape`, `strides`, `dilations`, `pads` and `auto_pad` for spatial `axis`
    /// (`axis − 2` in the lists); `kernel` is the weight's extent when the attribute is absent.
    init?(_ a: [String: AttributeValue], axis: Int, input: Int, output: Int, kernel: Int?) {
        let i = axis - 2
        func entry(_ key: String, _ index: Int, default value: Int) -> Int? {
            guard let list = a[key]?.ints else { return value }
            return index < list.count ? list[index] : nil
        }
        guard i >= 0, let k = a["kernel_shape"] == nil ? kernel : entry("kernel_shape", i, default: 0), k >= 1,
              let s = entry("strides", i, default: 1), let d = entry("dilations", i, default: 1), s >= 1, d >= 1
        else { return nil }
        (self.kernel, self.stride, self.dilation, self.input) = (k, s, d, input)
        switch a["auto_pad"]?.string ?? "NOTSET" {
        case "NOTSET":
            let spatial = (a["pads"]?.ints?.count ?? 0) / 2
            guard let p = a["pads"] == nil ? 0 : (i < spatial ? a["pads"]?.ints?[i] : nil), p >= 0 else { return nil }
            padBegin = p
        case "VALID": padBegin = 0
        case let mode where mode == "SAME_UPPER" || mode == "SAME_LOWER":
            let total = max(0, (output - 1) * s + d * (k - 1) + 1 - input)
            padBegin = mode == "SAME_UPPER" ? total / 2 : total - total / 2
        default: return nil
        }
    }

    /// The input rows output rows `range` read, clamped to the input; empty when the band lies in
    /// the padding only.
    func rows(_ range: Range<Int>) -> Range<Int> {
        let lower = max(0, range.lowerBound * stride - padBegin)
        let upper = min(input, (range.upperBound - 1) * stride - padBegin + dilation * (kernel - 1) + 1)
        return lower < upper ? lower..<upper : lower..<lower
    }
}
