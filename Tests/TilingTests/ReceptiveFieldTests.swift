import DNNGraph
import Testing
@testable import Tiling

/// A graph of one operator over tensors of the given shapes (one byte per element); the first
/// input is the graph input, the others weights.
func oneOperator(_ type: String, inputs: [[Int]], output: [Int], attributes: [String: AttributeValue] = [:]) throws -> Graph {
    var tensors = inputs.enumerated().map { i, shape in
        Tensor(name: "in\(i)", bytes: shape.reduce(1, *), kind: i == 0 ? .input : .weight, shape: shape)
    }
    tensors.append(Tensor(name: "out", bytes: output.reduce(1, *), kind: .activation, shape: output))
    var op = GraphDocument.OperatorEntry(name: "op", type: type, inputs: inputs.indices.map { "in\($0)" }, outputs: ["out"])
    op.attributes = attributes
    return try Graph(document: GraphDocument(name: "one", tensors: tensors, operators: [op], outputs: ["out"]))
}

func needs(_ g: Graph, axis: Int, _ range: Range<Int>) -> [Need]? {
    ReceptiveField.needs(of: g.operators[0], in: g, axis: axis, range: range)
}

/// Receptive fields worked out by hand from the ONNX definitions: output row `o` of a window reads
/// input rows `o·stride − pad_begin ... o·stride − pad_begin + dilation·(kernel − 1)`, clamped.
@Suite struct ReceptiveFieldTests {
    @Test func convolutionWithStrideTwo() throws {
        // 8 rows, kernel 3, stride 2, pads 1 and 1: 4 output rows.
        let g = try oneOperator("Conv", inputs: [[1, 2, 8, 8], [3, 2, 3, 3], [3]], output: [1, 3, 4, 4],
                                attributes: ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1])])
        // Rows 1 and 2 read 1 ... 2·2 − 1 + 2 = 5.
        #expect(needs(g, axis: 2, 1..<3) == [.range(axis: 2, 1..<6), .whole, .whole])
        // Row 0 starts in the padding: rows 0 ... 1.
        #expect(needs(g, axis: 2, 0..<1) == [.range(axis: 2, 0..<2), .whole, .whole])
        // Row 3 reads 5 ... 7 (its last tap, row 7, is real; the window ends there).
        #expect(needs(g, axis: 2, 3..<4) == [.range(axis: 2, 5..<8), .whole, .whole])
    }

    @Test func dilatedConvolution() throws {
        // Kernel 3, dilation 2, pads 2: the taps of row o are o − 2, o, o + 2.
        let g = try oneOperator("Conv", inputs: [[1, 1, 8, 8], [1, 1, 3, 3]], output: [1, 1, 8, 8],
                                attributes: ["kernel_shape": .ints([3, 3]), "dilations": .ints([2, 2]), "pads": .ints([2, 2, 2, 2])])
        #expect(needs(g, axis: 2, 0..<2) == [.range(axis: 2, 0..<4), .whole])
        #expect(needs(g, axis: 2, 6..<8) == [.range(axis: 2, 4..<8), .whole])
        #expect(needs(g, axis: 2, 3..<4) == [.range(axis: 2, 1..<6), .whole])
    }

    @Test func asymmetricPaddingCountsOnlyTheBeginning() throws {
        // pads [H begin 2, W begin 0, H end 0, W end 0]: output row o reads o − 2 ... o.
        let g = try oneOperator("Conv", inputs: [[1, 1, 6, 4], [1, 1, 3, 1]], output: [1, 1, 6, 4],
                                attributes: ["kernel_shape": .ints([3, 1]), "pads": .ints([2, 0, 0, 0])])
        #expect(needs(g, axis: 2, 0..<3) == [.range(axis: 2, 0..<3), .whole])
        #expect(needs(g, axis: 2, 3..<6) == [.range(axis: 2, 1..<6), .whole])
        // SAME_UPPER with stride 2 over 7 rows: 4 outputs, 2 rows of padding, 1 before.
        let same = try oneOperator("Conv", inputs: [[1, 1, 7, 7], [1, 1, 3, 3]], output: [1, 1, 4, 4],
                                   attributes: ["auto_pad": .string("SAME_UPPER"), "strides": .ints([2, 2])])
        #expect(needs(same, axis: 2, 0..<1) == [.range(axis: 2, 0..<2), .whole])
        #expect(needs(same, axis: 2, 3..<4) == [.range(axis: 2, 5..<7), .whole])
    }

    @Test func groupedConvolutionAlongOutputChannels() throws {
        // 8 input and 4 output channels in 2 groups: output channels 0-1 read inputs 0-3.
        let g = try oneOperator("Conv", inputs: [[1, 8, 5, 5], [4, 4, 1, 1], [4]], output: [1, 4, 5, 5],
                                attributes: ["kernel_shape": .ints([1, 1]), "group": .int(2)])
        #expect(needs(g, axis: 1, 0..<2) == [.range(axis: 1, 0..<4), .range(axis: 0, 0..<2), .range(axis: 0, 0..<2)])
        #expect(needs(g, axis: 1, 1..<3) == [.range(axis: 1, 0..<8), .range(axis: 0, 1..<3), .range(axis: 0, 1..<3)])
        // Depthwise: channel c reads channel c only.
        let dw = try oneOperator("Conv", inputs: [[1, 6, 5, 5], [6, 1, 3, 3]], output: [1, 6, 5, 5],
                                 attributes: ["kernel_shape": .ints([3, 3]), "pads": .ints([1, 1, 1, 1]), "group": .int(6)])
        #expect(needs(dw, axis: 1, 2..<4) == [.range(axis: 1, 2..<4), .range(axis: 0, 2..<4)])
        // Without groups every output channel reads every input channel.
        let dense = try oneOperator("Conv", inputs: [[1, 6, 5, 5], [4, 6, 1, 1]], output: [1, 4, 5, 5])
        #expect(needs(dense, axis: 1, 0..<1) == [.whole, .range(axis: 0, 0..<1)])
    }

    @Test func pooling() throws {
        // MaxPool kernel 3, stride 2, pad 1 over 7 rows: 4 outputs; row 3 reads 5 ... 7, clamped to 6.
        let g = try oneOperator("MaxPool", inputs: [[1, 2, 7, 7]], output: [1, 2, 4, 4],
                                attributes: ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1])])
        #expect(needs(g, axis: 2, 3..<4) == [.range(axis: 2, 5..<7)])
        #expect(needs(g, axis: 1, 1..<2) == [.range(axis: 1, 1..<2)])
        // Global pooling reduces the rows: only channels can be tiled.
        let global = try oneOperator("GlobalAveragePool", inputs: [[1, 4, 7, 7]], output: [1, 4, 1, 1])
        #expect(needs(global, axis: 2, 0..<1) == nil)
        #expect(needs(global, axis: 1, 0..<2) == [.range(axis: 1, 0..<2)])
    }

    @Test func elementwiseWithBroadcasting() throws {
        let g = try oneOperator("Add", inputs: [[1, 4, 6, 6], [4, 1, 1], [1, 1, 6, 1], [6]], output: [1, 4, 6, 6])
        // Full-size operands read the band; those broadcast along the rows are read whole.
        #expect(needs(g, axis: 2, 2..<4) == [.range(axis: 2, 2..<4), .whole, .range(axis: 2, 2..<4), .whole])
        let relu = try oneOperator("Relu", inputs: [[1, 4, 6, 6]], output: [1, 4, 6, 6])
        #expect(needs(relu, axis: 2, 0..<3) == [.range(axis: 2, 0..<3)])
        let bn = try oneOperator("BatchNormalization", inputs: [[1, 6, 6, 6], [6], [6], [6], [6]], output: [1, 6, 6, 6])
        #expect(needs(bn, axis: 2, 0..<3) == [.range(axis: 2, 0..<3), .whole, .whole, .whole, .whole])
    }

    @Test func matMulAndGemm() throws {
        let g = try oneOperator("MatMul", inputs: [[1, 10, 16], [16, 5]], output: [1, 10, 5])
        #expect(needs(g, axis: 1, 2..<5) == [.range(axis: 1, 2..<5), .whole])
        #expect(needs(g, axis: 2, 1..<3) == [.whole, .range(axis: 1, 1..<3)])
        let gemm = try oneOperator("Gemm", inputs: [[4, 16], [8, 16], [8]], output: [4, 8], attributes: ["transB": .int(1)])
        #expect(needs(gemm, axis: 0, 1..<2) == [.range(axis: 0, 1..<2), .whole, .whole])
        #expect(needs(gemm, axis: 1, 2..<6) == [.whole, .range(axis: 0, 2..<6), .range(axis: 0, 2..<6)])
    }

    @Test func reductionsAndReshapesAreNotTiledAlongTheAxisTheyMix() throws {
        let softmax = try oneOperator("Softmax", inputs: [[1, 2, 9, 9]], output: [1, 2, 9, 9], attributes: ["axis": .int(-1)])
        #expect(needs(softmax, axis: 2, 0..<3) == [.range(axis: 2, 0..<3)])
        #expect(needs(softmax, axis: 3, 0..<3) == nil)
        let concat = try oneOperator("Concat", inputs: [[1, 2, 4, 4], [1, 3, 4, 4]], output: [1, 5, 4, 4], attributes: ["axis": .int(1)])
        #expect(needs(concat, axis: 2, 1..<2) == [.range(axis: 2, 1..<2), .range(axis: 2, 1..<2)])
        #expect(needs(concat, axis: 1, 0..<2) == nil)
        let reshape = try oneOperator("Reshape", inputs: [[1, 4, 6, 6], [4]], output: [1, 4, 36, 1])
        #expect(needs(reshape, axis: 2, 0..<6) == nil)
    }
}
