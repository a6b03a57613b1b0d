/// The operator types whose output may take the bytes of one of their inputs (docs/in-place.md).
///
/// Production runtimes (TFLite's arena, TVM, XLA, HMCOS) let an elementwise operator write its
/// result over an input that dies there, and treat reshapes as views of their input's bytes.
/// Both are the same event for a plan: the output is placed at the input's address and the input's
/// stay ends at that operator. The table lists the types for which this is safe because each
/// output element depends only on the input elements at the same position (or, for a view, the
/// bytes do not change at all). A graph file extends or narrows it per operator with
/// `"inPlace": true` or `false`.
public enum InPlaceTable {
    /// Elementwise unary and binary operators (ONNX names), plus `WeightedSum`, the elementwise
    /// aggregation of RandWire's nodes. `BatchNormalization` and `Dropout` count in inference.
    public static let elementwise: Set<String> = [
        "Abs", "Add", "BatchNormalization", "Ceil", "Clip", "Cos", "Div", "Dropout", "Elu", "Erf", "Exp", "Floor",
        "Gelu", "HardSigmoid", "HardSwish", "LeakyRelu", "Log", "Max", "Min", "Mish", "Mul", "Neg", "Pow", "PRelu",
        "Reciprocal", "Relu", "Round", "Selu", "Sigmoid", "Sign", "Sin", "Softplus", "Softsign", "Sqrt", "Sub", "Sum",
        "Tanh", "ThresholdedRelu", "WeightedSum",
    ]
    /// Operators whose output is a view of their input's bytes.
    public static let views: Set<String> = ["Flatten", "Identity", "Reshape", "Squeeze", "Unsqueeze"]

    /// Whether operators of `type` may work in place, absent an override in the graph.
    public static func allows(_ type: String) -> Bool { elementwise.contains(type) || views.contains(type) }
}

extension Operator {
    /// Whether the operator may work in place at all: the graph's override, else ``InPlaceTable``.
    var allowsInPlace: Bool { inPlace ?? InPlaceTable.allows(type) }
}

extension Graph {
    /// Whether `op` may work in place at all: the graph's override, else ``InPlaceTable``.
    public func allowsInPlace(_ op: OperatorID) -> Bool { operators[op].allowsInPlace }

    /// The inputs whose bytes the single output of `op` may take whenever the input dies at `op`.
    ///
    /// These are the conditions that do not depend on the schedule: the operator may work in place
    /// and has one output; the input is an activation (a weight is read-only and a graph input
    /// must survive for the caller) that is not a graph output, of the same size as the output.
    /// The remaining conditions (no later reader, resident) belong to a plan. Found once, when the
    /// graph is built: the schedulers ask for every operator's candidates on each order they try.
    public func inPlaceCandidates(of op: OperatorID) -> [TensorID] { inPlaceCandidateLists[op] }

    /// For each operator, the inputs whose bytes its output may take (``inPlaceCandidates(of:)``).
    public func inPlaceCandidateTable() -> [[TensorID]] { inPlaceCandidateLists }

    /// ``inPlaceCandidates(of:)`` of every operator, from the parts of a graph under construction.
    static func inPlaceCandidateLists(operators: [Operator], tensors: [Tensor], isOutput: [Bool]) -> [[TensorID]] {
        operators.map { o in
            guard o.allowsInPlace, o.outputs.count == 1 else { return [] }
            let out = o.outputs[0]
            var seen = Set<TensorID>()
            return o.inputs.filter {
                seen.insert($0).inserted && tensors[$0].kind == .activation && !isOutput[$0] && tensors[$0].bytes == tensors[out].bytes
            }
        }
    }
}
