import ArgumentParser
import Cosma
import DNNGraph
import Scratchpad
import Heuristics
import MILP
import CosmaILP
import DivideAndConquer
import ONNXImport
import Foundation

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn an ONNX model into a canonical JSON graph.",
        discussion: """
            The model needs static shapes on every value: run ONNX shape inference first \
            (onnx.shape_inference.infer_shapes). Tensor data is never read, so weightless models import \
            like complete ones. Identity and Dropout are dropped; Constant nodes become weights.
            """)

    @Argument(help: "The model, a binary .onnx file.")
    var model: String

    @Option(name: [.short, .long], help: "Write the graph to this JSON file.")
    var output: String

    @Option(name: .long, help: "Store every floating-point tensor at this many bytes per element (1 = int8, the paper's setting; 2, 4 or 8); integer tensors keep their size.")
    var elementBytes: Int?

    @Flag(name: .long, help: "Fold unary activations (Relu, Clip, Sigmoid, HardSwish, ...) into their producer, as Conv+Relu.")
    var fuseActivations = false

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Give a symbolic dimension a value (repeatable).", valueName: "NAME=VALUE"))
    var dim: [String] = []

    @Option(name: .long, help: "The graph's name (default: the file name without extension).")
    var name: String?

    func validate() throws {
        _ = try dimensions()
    }

    private func dimensions() throws(ValidationError) -> [String: Int] {
        var values: [String: Int] = [:]
        for (name, text) in try assignments(dim, option: "--dim") {
            guard let value = Int(text), value > 0 else {
                throw ValidationError("--dim \(name) needs a positive integer value, got '\(text)'")
            }
            values[name] = value
        }
        return values
    }

    func run() throws {
        let options = ONNXImportOptions(elementBytes: elementBytes, fuseActivations: fuseActivations,
                                        dimensions: try dimensions(), graphName: name)
        try reportingErrors {
            try checkOutputPath(output)
            let graph = try Cosma.importONNX(at: URL(fileURLWithPath: model), options: options)
            try writeOutput(graph.canonicalJSON(), to: output)
            let weights = graph.tensors.filter { $0.kind == .weight }.reduce(0) { $0 + $1.bytes }
            print("\(output): graph '\(graph.name)', \(graph.operators.count) operators, \(graph.tensors.count) tensors, \(weights) weight bytes")
        }
    }
}

/// Splits repeatable `NAME=VALUE` options.
func assignments(_ entries: [String], option: String) throws(ValidationError) -> [(name: String, value: String)] {
    var result: [(name: String, value: String)] = []
    for entry in entries {
        let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("\(option) expects NAME=VALUE, got '\(entry)'") }
        result.append((parts[0], parts[1]))
    }
    return result
}
