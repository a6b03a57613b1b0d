import DNNGraph
import Foundation
import ONNXImport
import ONNXProto
import SwiftProtobuf
import Testing

/// Small models built in the test, for the cases the fixture files do not cover.
struct ModelBuilder {
    var graph = Onnx_GraphProto()

    static let float = Int32(Onnx_TensorProto.DataType.float.rawValue)

    private func value(_ name: String, _ dims: [Int64]) -> Onnx_ValueInfoProto {
        var info = Onnx_ValueInfoProto()
        info.name = name
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Self.float
        tensor.shape.dim = dims.map { d in
            var dimension = Onnx_TensorShapeProto.Dimension()
            dimension.dimValue = d
            return dimension
        }
        info.type.tensorType = tensor
        return info
    }

    mutating func input(_ name: String, _ dims: [Int64]) { graph.input.append(value(name, dims)) }
    mutating func output(_ name: String, _ dims: [Int64]) { graph.output.append(value(name, dims)) }
    mutating func intermediate(_ name: String, _ dims: [Int64]) { graph.valueInfo.append(value(name, dims)) }

    mutating func initializer(_ name: String, _ dims: [Int64]) {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dims = dims
        tensor.dataType = Self.float
        graph.initializer.append(tensor)
    }

    mutating func node(_ type: String, _ inputs: [String], _ outputs: [String], name: String = "") {
        var node = Onnx_NodeProto()
        node.opType = type
        node.input = inputs
        node.output = outputs
        if !name.isEmpty { node.name = name }
        graph.node.append(node)
    }

    func importGraph(_ options: ONNXImportOptions = ONNXImportOptions()) throws -> Graph {
        var model = Onnx_ModelProto()
        model.irVersion = 8
        model.graph = graph
        return try ONNXImporter(options: options).importGraph(serialized: try model.serializedBytes(), name: "built", source: "built.onnx")
    }
}

@Suite struct BuiltModelTests {
    @Test func emptyTensorsAreLeftOutOfTheOperands() throws {
        var m = ModelBuilder()
        m.input("x", [1, 2, 4, 4])
        m.initializer("roi", [0])
        m.initializer("scales", [4])
        m.output("y", [1, 2, 8, 8])
        m.node("Resize", ["x", "roi", "scales"], ["y"], name: "resize")
        let g = try m.importGraph()
        #expect(g.names(try g.op("resize").inputs) == ["x", "scales"])
        #expect(g.tensorID(named: "roi") == nil)
    }

    @Test func graphInputThatIsAlsoAnInitializerIsAWeight() throws {
        var m = ModelBuilder()
        m.input("x", [2, 4])
        m.input("w", [4, 4])
        m.initializer("w", [4, 4])
        m.output("y", [2, 4])
        m.node("MatMul", ["x", "w"], ["y"], name: "matmul")
        let g = try m.importGraph()
        #expect(try g.tensor("w").kind == .weight)
        #expect(try g.tensor("x").kind == .input)
    }

    @Test func unnamedNodesAreNamedByTypeAndPosition() throws {
        var m = ModelBuilder()
        m.input("x", [4])
        m.intermediate("a", [4])
        m.output("y", [4])
        m.node("Relu", ["x"], ["a"])
        m.node("Relu", ["a"], ["y"])
        #expect(try m.importGraph().operators.map(\.name) == ["Relu_0", "Relu_1"])
    }

    @Test func repeatedNodeNamesAreMadeUnique() throws {
        var m = ModelBuilder()
        m.input("x", [4])
        m.intermediate("a", [4])
        m.output("y", [4])
        m.node("Relu", ["x"], ["a"], name: "act")
        m.node("Sigmoid", ["a"], ["y"], name: "act")
        #expect(try m.importGraph().operators.map(\.name) == ["act", "act_1"])
    }

    @Test func identityThatOutputsAGraphInputStaysACopy() throws {
        var m = ModelBuilder()
        m.input("x", [4])
        m.output("y", [4])
        m.node("Identity", ["x"], ["y"], name: "copy")
        let g = try m.importGraph()
        #expect(g.types == ["Identity"])
        #expect(g.names(g.outputs) == ["y"])
    }

    @Test func identityOfAnOutputUnderTwoNamesStaysACopy() throws {
        var m = ModelBuilder()
        m.input("x", [4])
        m.output("a", [4])
        m.output("b", [4])
        m.node("Relu", ["x"], ["a"], name: "relu")
        m.node("Identity", ["a"], ["b"], name: "copy")
        let g = try m.importGraph()
        #expect(g.types == ["Relu", "Identity"])
        #expect(g.names(g.outputs) == ["a", "b"])
    }

    @Test func chainedNoOpsRenameTheProducedTensor() throws {
        var m = ModelBuilder()
        m.input("x", [4])
        m.intermediate("a", [4])
        m.intermediate("i", [4])
        m.output("y", [4])
        m.node("Relu", ["x"], ["a"], name: "relu")
        m.node("Identity", ["a"], ["i"])
        m.node("Dropout", ["i"], ["y"])
        let g = try m.importGraph()
        #expect(g.types == ["Relu"])
        #expect(g.names(try g.op("relu").outputs) == ["y"])
        #expect(g.names(g.outputs) == ["y"])
    }

    @Test func fusionSkipsGraphOutputsAndMultiOutputProducers() throws {
        var m = ModelBuilder()
        m.input("x", [2, 4])
        m.initializer("w", [4, 4])
        m.output("h", [2, 4])
        m.intermediate("s0", [1, 4])
        m.intermediate("s1", [1, 4])
        m.output("r0", [1, 4])
        m.output("r1", [1, 4])
        m.node("MatMul", ["x", "w"], ["h"], name: "matmul")
        m.node("Split", ["h"], ["s0", "s1"], name: "split")
        m.node("Relu", ["s0"], ["r0"], name: "relu0")
        m.node("Relu", ["s1"], ["r1"], name: "relu1")
        let g = try m.importGraph(ONNXImportOptions(fuseActivations: true))
        #expect(g.types == ["MatMul", "Split", "Relu", "Relu"])
    }

    @Test func subgraphsAreRejected() throws {
        var m = ModelBuilder()
        m.input("c", [1])
        m.output("y", [1])
        m.node("If", ["c"], ["y"], name: "branch")
        var attribute = Onnx_AttributeProto()
        attribute.name = "then_branch"
        attribute.g = Onnx_GraphProto()
        m.graph.node[0].attribute = [attribute]
        let error = try #require(#expect(throws: InputError.self) { try m.importGraph() })
        #expect(error.message.contains("node 'branch' (If) has a subgraph"))
    }

    @Test func undeclaredOperandIsNamedWithItsReader() throws {
        var m = ModelBuilder()
        m.input("x", [4])
        m.output("y", [4])
        m.node("Add", ["x", "ghost"], ["y"], name: "add")
        let error = try #require(#expect(throws: InputError.self) { try m.importGraph() })
        #expect(error.message.contains("tensor 'ghost', read by node 'add', is not a graph input"))
    }

    @Test func emptyModelIsNotONNX() throws {
        let error = try #require(#expect(throws: InputError.self) {
            try ONNXImporter().importGraph(serialized: Data(), name: "empty", source: "empty.onnx")
        })
        #expect(error.message.contains("not an ONNX model"))
    }
}
