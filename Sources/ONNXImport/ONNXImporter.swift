package import DNNGraph
package import Foundation
internal import ONNXProto
internal import SwiftProtobuf

/// How `ONNXImporter` turns an ONNX model into a graph.
public struct ONNXImportOptions: Sendable, Hashable {
    /// Bytes per element of every floating-point tensor: 1 is the COSMA paper's int8 setting, and
    /// 1, 2, 4 or 8 are accepted. `nil` keeps each tensor's own element size. Integer and boolean
    /// tensors (shape operands of `Reshape`, `TopK` indices, masks) always keep theirs, because
    /// quantising a network does not change them.
    public var elementBytes: Int?
    /// Folds every unary activation (`ONNXImporter/fusableActivations`) into the operator that
    /// produces its input, as accelerator compilers do, when nothing else reads that input.
    public var fuseActivations: Bool
    /// Values for symbolic dimensions (`dim_param`), such as `["N": 1]` for a dynamic batch.
    public var dimensions: [String: Int]
    /// The graph's name; by default the file name without its extension (exporters often call
    /// every graph `main_graph`).
    public var graphName: String?

    public init(elementBytes: Int? = nil, fuseActivations: Bool = false, dimensions: [String: Int] = [:],
                graphName: String? = nil)
    {
        self.elementBytes = elementBytes
        self.fuseActivations = fuseActivations
        self.dimensions = dimensions
        self.graphName = graphName
    }
}

/// Reads an ONNX model into a Cosma ``Graph``.
///
/// The graph keeps the model's granularity: one operator per ONNX node, named after the node
/// (unnamed nodes get `OpType_<index>`, the index being the node's position in the file), one
/// tensor per ONNX value, named after the value, and the file's node order as the default
/// schedule. The importer needs only declarations, never tensor data, so weightless files
/// (initializers without data, or with external data that is absent) import like complete ones.
///
/// - Sizes: elements times the element size of the value's type, from the initializer, the
///   `Constant` node, the graph input or output, or `value_info`. A rank-0 tensor has one element.
/// - Kinds: graph inputs are `input` tensors, except those that are also initializers, which are
///   weights. Initializers and the outputs of `Constant` nodes are `weight` tensors without a
///   producer: a compiler folds constants, so a `Constant` node is not an operator.
/// - Empty tensors (a zero dimension, such as an empty `roi` of `Resize`) carry no data and are
///   dropped from the operands of their readers.
/// - `Identity` and `Dropout` (inference mode) are dropped; their readers read the input instead.
///   When such a node produces a graph output, the tensor it copies takes the output's name. The
///   node stays an operator only where it must copy: when it turns a graph input or weight into an
///   output, or when the copied tensor is already a graph output.
/// - With ``ONNXImportOptions/fuseActivations``, `Conv -> Relu` becomes one operator of type
///   `Conv+Relu` that keeps the producer's name and writes the activation's output; the
///   activation's constant operands (such as the bounds of `Clip`) become operands of the fused
///   operator.
///
/// ```swift
/// let importer = ONNXImporter(options: ONNXImportOptions(elementBytes: 1))
/// let graph = try importer.importGraph(from: URL(fileURLWithPath: "models/onnx/resnet50.onnx"))
/// print(graph.canonicalJSON())
/// ```
///
/// Import runs in time linear in the size of the model.
package struct ONNXImporter: Sendable {
    package var options: ONNXImportOptions

    /// Unary elementwise operators that ``ONNXImportOptions/fuseActivations`` folds into their
    /// producer.
    package static let fusableActivations: Set<String> = [
        "Relu", "LeakyRelu", "PRelu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Elu", "Selu",
        "Celu", "Softplus", "Softsign", "ThresholdedRelu", "Gelu", "Mish",
    ]

    package init(options: ONNXImportOptions = ONNXImportOptions()) {
        self.options = options
    }

    /// Reads a binary `.onnx` file.
    ///
    /// - Throws: an `InputError` naming the file, the node or tensor, and the fix: for a file
    ///   that is not ONNX or is truncated, a value without a shape (run ONNX shape inference
    ///   first), a symbolic dimension without a value in ``ONNXImportOptions/dimensions``, an
    ///   element type Cosma cannot size, or a model that is not a valid graph.
    package func importGraph(from url: URL) throws(InputError) -> Graph {
        let name = options.graphName ?? url.deletingPathExtension().lastPathComponent
        return try importGraph(serialized: try readInput(url), name: name, source: url.path)
    }

    /// Reads a serialized ONNX `ModelProto`.
    /// - Parameters:
    ///   - name: the graph's name (``ONNXImportOptions/graphName`` is ignored).
    ///   - source: how to name the input in messages, usually its path.
    package func importGraph(serialized data: Data, name: String, source: String) throws(InputError) -> Graph {
        if let bytes = options.elementBytes, ElementType.storageName(bytes: bytes) == nil {
            throw InputError(source: source, message: "element size \(bytes) bytes is not supported; use 1 (int8), 2, 4 or 8")
        }
        let model: Onnx_ModelProto
        do {
            model = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            throw InputError(source: source, message: "not a readable ONNX model (protobuf decoding failed: \(error)); the file is truncated or not a binary .onnx file, so export it again (torch.onnx.export or onnx.save)")
        }
        guard model.hasGraph, !model.graph.node.isEmpty else {
            throw InputError(source: source, message: "not an ONNX model: it holds no graph with nodes; check that this is a binary .onnx file")
        }
        var translation = Translation(graph: model.graph, options: options, source: source)
        let document = try translation.document(name: name)
        do {
            return try Graph(document: document)
        } catch {
            throw InputError(source: source, message: error.description)
        }
    }
}
