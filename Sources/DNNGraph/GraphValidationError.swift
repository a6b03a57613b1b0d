/// One thing wrong with a graph, phrased so that the user knows what to fix.
public enum GraphProblem: Equatable, Sendable, CustomStringConvertible {
    case duplicateTensor(String)
    case duplicateOperator(String)
    case emptyName(what: String)
    case nonPositiveSize(tensor: String, bytes: Int)
    case sizeTooLarge(tensor: String, bytes: Int)
    case totalTooLarge(bytes: Int)
    case unknownTensor(String, operator: String)
    case noOutputs(operator: String)
    case repeatedOutput(operator: String)
    case producedNonActivation(tensor: String, kind: TensorKind, operator: String)
    case twoProducers(tensor: String, first: String, second: String)
    case noProducer(String)
    case unknownOutput(String)
    case outputNotActivation(tensor: String, kind: TensorKind)
    case duplicateOutput(String)
    case noGraphOutputs
    case cycle([String])
    case notTopological(consumer: String, producer: String)

    public var description: String {
        switch self {
        case .duplicateTensor(let n):
            "tensor '\(n)' is declared twice; give every tensor a unique name"
        case .duplicateOperator(let n):
            "operator '\(n)' is declared twice; give every operator a unique name"
        case .emptyName(let what):
            "\(what) has an empty name; give it a unique name"
        case .nonPositiveSize(let t, let b):
            "tensor '\(t)' has size \(b) bytes; sizes must be positive"
        case .sizeTooLarge(let t, let b):
            "tensor '\(t)' has size \(b) bytes, more than the \(Graph.maximumBytes) bytes (1 PiB) Cosma accepts; check the size (bytes, not bits or elements)"
        case .totalTooLarge(let b):
            "the tensors add up to \(b == Int.max ? "more than \(Int.max)" : "\(b)") bytes, more than the \(Graph.maximumBytes) bytes (1 PiB) Cosma accepts; check the sizes (bytes, not bits or elements)"
        case .unknownTensor(let t, let o):
            "operator '\(o)' uses tensor '\(t)', which is not declared in \"tensors\"; declare it or fix the name"
        case .noOutputs(let o):
            "operator '\(o)' has no outputs; every operator must produce at least one tensor"
        case .repeatedOutput(let o):
            "operator '\(o)' lists the same output twice; list each output once"
        case .producedNonActivation(let t, let k, let o):
            "operator '\(o)' produces tensor '\(t)' of kind \(k.rawValue); only activations have producers, so declare it as \"activation\""
        case .twoProducers(let t, let a, let b):
            "tensor '\(t)' is produced by both '\(a)' and '\(b)'; every activation has exactly one producer"
        case .noProducer(let t):
            "activation '\(t)' has no producer; declare it as \"input\" or \"weight\", or add the operator that writes it"
        case .unknownOutput(let t):
            "graph output '\(t)' is not declared in \"tensors\"; declare it or fix the name"
        case .outputNotActivation(let t, let k):
            "graph output '\(t)' is of kind \(k.rawValue) and already lives in DRAM; list only activations as outputs"
        case .duplicateOutput(let t):
            "graph output '\(t)' is listed twice in \"outputs\"; list it once"
        case .noGraphOutputs:
            "the graph lists no \"outputs\"; name at least one tensor that must end up in DRAM"
        case .cycle(let ops):
            "the operators form a cycle: \((ops + [ops[0]]).map { "'\($0)'" }.joined(separator: " -> ")); the graph must be acyclic"
        case .notTopological(let c, let p):
            "operator '\(c)' reads a tensor produced by '\(p)', which is listed after it; list operators in an order that can run (the file's order is the default schedule)"
        }
    }
}

/// A graph that failed validation, with every problem found.
public struct GraphValidationError: Error, Sendable, CustomStringConvertible {
    public var graph: String
    public var problems: [GraphProblem]

    public var description: String {
        let head = problems.count == 1 ? "invalid graph '\(graph)'" : "invalid graph '\(graph)' (\(problems.count) problems)"
        return ([head + ":"] + problems.map { "  - \($0)" }).joined(separator: "\n")
    }
}

/// Unusable input: a file that cannot be read, parsed or validated. The message names the file,
/// the item, and what to do.
public struct InputError: Error, Sendable, CustomStringConvertible {
    /// The file (or other source) the input came from.
    public var source: String
    public var message: String

    public init(source: String, message: String) {
        self.source = source
        self.message = message
    }

    public var description: String { "\(source): \(message)" }
}
