import DNNGraph
import Foundation
import ONNXImport
import Testing

func importFixture(_ name: String, _ options: ONNXImportOptions = ONNXImportOptions()) throws -> Graph {
    try ONNXImporter(options: options).importGraph(from: Paths.fixture(name))
}

extension Graph {
    func tensor(_ name: String) throws -> Tensor {
        tensors[try #require(tensorID(named: name), "no tensor '\(name)'")]
    }

    func op(_ name: String) throws -> Operator {
        operators[try #require(operatorID(named: name), "no operator '\(name)'")]
    }

    func names(_ ids: [TensorID]) -> [String] { ids.map { tensors[$0].name } }

    var types: [String] { operators.map(\.type) }
}

@Suite struct FixtureImportTests {
    @Test func multiOutputOperatorKeepsEveryOutput() throws {
        let g = try importFixture("multi_output_split.onnx")
        let split = try g.op("split")
        #expect(g.names(split.outputs) == ["s0", "s1"])
        #expect(try g.tensor("s0").bytes == 3 * 64 * 4)
        #expect(try g.tensor("s1").bytes == 5 * 64 * 4)
        #expect(try g.tensor("split").kind == .weight)
        #expect(try g.tensor("split").dtype == "int64")
    }

    @Test func multiOutputsOfDifferentTypesAreBothGraphOutputs() throws {
        let g = try importFixture("multi_output_topk.onnx", ONNXImportOptions(elementBytes: 1))
        #expect(g.names(g.outputs) == ["values", "indices"])
        #expect(try g.tensor("values").bytes == 5)
        // Integer tensors keep their size when floating point is quantised.
        #expect(try g.tensor("indices").bytes == 5 * 8)
        #expect(try g.tensor("indices").dtype == "int64")
        #expect(try g.tensor("values").dtype == "int8")
    }

    @Test func constantNodesBecomeWeightsWithoutProducer() throws {
        let g = try importFixture("constant_nodes.onnx")
        #expect(!g.types.contains("Constant"))
        let w = try g.tensor("w")
        #expect(w.kind == .weight && w.bytes == 4 * 4 * 3 * 3 * 4)
        let bias = try g.tensor("bias")
        #expect(bias.kind == .weight && bias.bytes == 4 && bias.shape == [])
        #expect(g.producer[try #require(g.tensorID(named: "bias"))] == nil)
    }

    @Test func sharedWeightIsOneTensorReadTwice() throws {
        let g = try importFixture("shared_weight.onnx")
        let w = try #require(g.tensorID(named: "w_shared"))
        #expect(g.consumers[w].count == 2)
        #expect(g.tensors.filter { $0.kind == .weight }.count == 1)
        #expect(g.consumers[try #require(g.tensorID(named: "x"))].count == 2)
    }

    @Test func graphOutputMayAlsoBeConsumed() throws {
        let g = try importFixture("output_also_consumed.onnx")
        let features = try #require(g.tensorID(named: "features"))
        #expect(g.isOutput[features])
        #expect(g.consumers[features].map { g.operators[$0].name } == ["conv2"])
        #expect(g.names(g.outputs).sorted() == ["features", "y"])
    }

    @Test(arguments: ["stripped_initializers.onnx", "external_data.onnx"])
    func weightsAreSizedWithoutTheirData(file: String) throws {
        let g = try importFixture(file)
        #expect(g.tensors.filter { $0.kind == .weight }.allSatisfy { $0.bytes > 0 })
        if file == "stripped_initializers.onnx" {
            #expect(try g.tensor("fc_w").bytes == 10 * 1024 * 4)
        } else {
            #expect(try g.tensor("w").bytes == 1152)
        }
    }

    @Test func strippedAndCompleteWeightsImportAlike() throws {
        let g = try importFixture("tiny_conv.onnx")
        #expect(try g.tensor("w").bytes == 4 * 3 * 3 * 3 * 4)
        #expect(g.types == ["Conv", "Relu"])
    }

    @Test func noOpsAreDroppedAndTheGraphOutputKeepsItsName() throws {
        let g = try importFixture("identity_dropout.onnx")
        #expect(g.types == ["Conv", "Relu"])
        #expect(g.names(g.outputs) == ["y"])
        #expect(g.names(try g.op("relu").outputs) == ["y"])
        #expect(g.tensorID(named: "mask") == nil)
    }

    @Test func unfusedImportKeepsEveryActivation() throws {
        let g = try importFixture("conv_activations.onnx")
        #expect(g.types.filter { $0 == "Conv" }.count == 5)
        #expect(g.operators.count == 11)
    }

    @Test func fusionFoldsSingleConsumerActivations() throws {
        let g = try importFixture("conv_activations.onnx", ONNXImportOptions(fuseActivations: true))
        #expect(g.types == ["Conv+Relu", "Conv+Clip", "Conv+Sigmoid", "Conv+HardSwish", "Conv", "Relu", "Add"])
        let conv1 = try g.op("conv1")
        #expect(g.names(conv1.outputs) == ["a1"])
        #expect(g.tensorID(named: "c1") == nil)
        // Clip's bounds stay operands, so the weight bytes do not change.
        #expect(g.names(try g.op("conv2").inputs) == ["a1", "w2", "b2", "clip_min", "clip_max"])
        // c5 has two readers, so its Relu stays.
        #expect(g.names(try g.op("relu_of_shared").inputs) == ["c5"])
    }

    @Test func elementBytesAppliesToFloatingPointOnly() throws {
        let g = try importFixture("multi_output_split.onnx", ONNXImportOptions(elementBytes: 1))
        #expect(try g.tensor("c").bytes == 8 * 64)
        #expect(try g.tensor("c").dtype == "int8")
        #expect(try g.tensor("split").bytes == 2 * 8)
    }

    @Test func unnamedGraphTakesTheFileName() throws {
        #expect(try importFixture("tiny_conv.onnx").name == "tiny_conv")
        #expect(try importFixture("tiny_conv.onnx", ONNXImportOptions(graphName: "t")).name == "t")
    }

    @Test func symbolicDimensionTakesTheGivenValue() throws {
        let g = try importFixture("broken_symbolic_dim.onnx", ONNXImportOptions(dimensions: ["N": 2]))
        #expect(try g.tensor("x").shape == [2, 4, 8, 8])
    }
}

@Suite struct ImportErrorTests {
    func failure(_ file: String, _ options: ONNXImportOptions = ONNXImportOptions()) throws -> String {
        let error = try #require(#expect(throws: InputError.self) { try importFixture(file, options) })
        #expect(error.source == Paths.fixture(file).path)
        return error.message
    }

    /// Each broken fixture, with what its message must say: the file is checked by `failure`.
    static let brokenFixtures: [(file: String, says: [String])] = [
        ("broken_truncated.onnx", ["not a readable ONNX model", "truncated or not a binary .onnx file"]),
        ("broken_random_bytes.onnx", ["not a readable ONNX model", "truncated or not a binary .onnx file"]),
        ("broken_not_onnx.json", ["not a readable ONNX model", "truncated or not a binary .onnx file"]),
        ("broken_missing_shape.onnx", ["tensor 'r' (output of node 'relu')", "run ONNX shape inference first"]),
        ("broken_symbolic_dim.onnx", ["tensor 'x' (graph input) has the symbolic dimension 'N' in shape [N, 4, 8, 8]", "--dim N="]),
        ("broken_string_tensor.onnx", ["tensor 'words'", "STRING"]),
        ("no_such_model.onnx", ["does not exist"]),
    ]

    @Test(arguments: brokenFixtures)
    func brokenModelIsExplained(file: String, says fragments: [String]) throws {
        let message = try failure(file)
        for fragment in fragments {
            #expect(message.contains(fragment), "\(file): \(message)")
        }
    }

    @Test func unsupportedElementSizeIsRejected() throws {
        #expect(try failure("tiny_conv.onnx", ONNXImportOptions(elementBytes: 3)).contains("element size 3 bytes"))
    }
}
