import DNNGraph
import Foundation
import Scratchpad
import Testing
@testable import Tiling

/// A chain x → conv(3 rows, pad 1) → a → conv(3 rows, pad 1) → b → relu → y over `rows` rows of one
/// channel, one byte per element; `middle` replaces the second convolution's type.
func chain(rows: Int, middle: String = "Conv") throws -> Graph {
    let shape = [1, 1, rows, 1]
    let names = ["x", "a", "b", "y"]
    var tensors = names.map { Tensor(name: $0, bytes: rows, kind: $0 == "x" ? .input : .activation, shape: shape) }
    tensors += ["w1", "w2"].map { Tensor(name: $0, bytes: 3, kind: .weight, shape: [1, 1, 3, 1]) }
    let window: [String: AttributeValue] = ["kernel_shape": .ints([3, 1]), "pads": .ints([1, 0, 1, 0])]
    var conv1 = GraphDocument.OperatorEntry(name: "conv1", type: "Conv", inputs: ["x", "w1"], outputs: ["a"])
    var conv2 = GraphDocument.OperatorEntry(name: "conv2", type: middle, inputs: ["a", "w2"], outputs: ["b"])
    conv1.attributes = window
    conv2.attributes = window
    let relu = GraphDocument.OperatorEntry(name: "relu", type: "Relu", inputs: ["b"], outputs: ["y"])
    return try Graph(document: GraphDocument(name: "chain", tensors: tensors, operators: [conv1, conv2, relu], outputs: ["y"]))
}

@Suite struct TilerTests {
    @Test func tilesReadTheirBandAndHaloAsSlices() throws {
        let g = try chain(rows: 8)
        let tiled = try Tiler(setting: .activations).checkedTile(g, capacity: 10)
        #expect(TilingCheck.problems(tiled: tiled.graph, original: g) == [])
        // conv1's tiles read rows 0..<5 and 3..<8 of x: x is cut at 3 and 5, no byte twice.
        let x = tiled.graph.tensors.filter { $0.sliceOf?.tensor == "x" }
        #expect(x.map { $0.sliceOf!.start..<$0.sliceOf!.end } == [0..<3, 3..<5, 5..<8])
        #expect(x.reduce(0) { $0 + $1.bytes } == 8)
        let first = try #require(tiled.graph.operators.first { $0.tileOf?.operator == "conv1" })
        #expect(first.inputs.map { tiled.graph.tensors[$0].name } == ["x@2[0:3]", "x@2[3:5]", "w1"])
        #expect(tiled.graph.workingSets(setting: .activations, alignment: 1).max()! <= 10)
        #expect(tiled.tiles == 6)
    }

    @Test func operatorsThatFitAndUnknownTypesStayWhole() throws {
        let g = try chain(rows: 8, middle: "MyOp")
        // At 16 bytes the convolutions (16 bytes each) fit whole: nothing is split.
        let same = try Tiler(setting: .activations).checkedTile(g, capacity: 16)
        #expect(same.tiles == 0 && same.graph.canonicalJSON() == g.canonicalJSON())
        // At 10 bytes MyOp, whose receptive field is unknown, cannot be tiled: the error names it.
        #expect(throws: TilingFailure.self) { try Tiler(setting: .activations).checkedTile(g, capacity: 10) }
        do {
            _ = try Tiler(setting: .activations).checkedTile(g, capacity: 10)
        } catch {
            #expect(error.operatorName == "conv2" && error.graphMinimum == 16)
            #expect(error.message.contains("'conv2'") && error.message.contains("16 bytes"))
        }
        // A MyOp that fits is left whole next to tiled operators and reads every slice.
        let mixed = try chain(rows: 8, middle: "MyOp")
        let relaxed = try Tiler(setting: .activations).checkedTile(mixed, capacity: 16)
        #expect(relaxed.graph.operatorID(named: "conv2") != nil)
    }

    @Test func theCheckFindsWhatIsWrong() throws {
        let g = try chain(rows: 8)
        let tiled = try Tiler(setting: .activations).checkedTile(g, capacity: 10).graph
        var document = tiled.document
        // A tile that drops its halo slice reads less than its receptive field needs.
        let i = try #require(document.operators.firstIndex { $0.tileOf?.operator == "conv1" })
        document.operators[i].inputs.removeAll { $0 == "x@2[3:5]" }
        let broken = try Graph(document: document)
        #expect(TilingCheck.problems(tiled: broken, original: g).contains { $0.contains("does not read 'x@2[3:5]'") })
        // A slice with the wrong size breaks byte conservation.
        document = tiled.document
        let s = try #require(document.tensors.firstIndex { $0.name == "x@2[0:3]" })
        document.tensors[s].bytes += 1
        #expect(!TilingCheck.problems(tiled: try Graph(document: document), original: g).isEmpty)
    }

    static let graphs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../graphs").standardized

    /// Every benchmark graph, tiled in each setting for the first of a few capacities where the
    /// transform can (256 KiB, 448 KiB, 1 MiB, 2 MiB for activations; 1, 2, 4 MiB for all tensors): each
    /// tensor's slices add up to its bytes, compulsory traffic is unchanged (but for rows no window
    /// reads), and the check against the original passes. Every graph but `tiny` (whose M_R is 4 KiB) is tiled in the activations setting.
    @Test func bytesAreConservedOnEveryBenchmarkGraph() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.graphs.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count >= 17)
        var tiledGraphs: [TensorSetting: Set<String>] = [:]
        for file in files {
            let g = try Graph(contentsOf: Self.graphs.appendingPathComponent(file))
            for (setting, capacities) in [(TensorSetting.activations, [256 << 10, 448 << 10, 1 << 20, 2 << 20]), (.all, [1 << 20, 2 << 20, 4 << 20])] {
                let mR = Budgets(graph: g, setting: setting, alignment: 1).mR
                guard let tiled = capacities.lazy.filter({ $0 < mR }).compactMap({ try? Tiler(setting: setting).tile(g, capacity: $0) }).first
                else { continue }
                tiledGraphs[setting, default: []].insert(file)
                #expect(TilingCheck.problems(tiled: tiled.graph, original: g) == [], "\(file) \(setting)")
                var bytes: [String: Int] = [:]
                for t in tiled.graph.tensors { bytes[t.sliceOf?.tensor ?? t.name, default: 0] += t.bytes }
                #expect(g.tensors.allSatisfy { bytes[$0.name] == $0.bytes }, "\(file) \(setting)")
                // Compulsory traffic is unchanged but for rows that no window reads (the last row of
                // a strided convolution without padding): a slice of its own without readers, never loaded.
                let unread = tiled.graph.tensors.indices.filter { t in
                    tiled.graph.tensors[t].sliceOf != nil && tiled.graph.tensors[t].kind != .activation
                        && tiled.graph.consumers[t].isEmpty && tiled.graph.isTracked(t, in: setting)
                }.reduce(0) { $0 + tiled.graph.tensors[$1].bytes }
                #expect(tiled.graph.compulsoryTraffic(in: setting) == g.compulsoryTraffic(in: setting) - unread, "\(file) \(setting)")
            }
        }
        #expect(tiledGraphs[.activations] == Set(files).subtracting(["tiny.json"]), "\(tiledGraphs[.activations] ?? [])")
        #expect((tiledGraphs[.all]?.count ?? 0) >= 12, "\(tiledGraphs[.all] ?? [])")
    }

    /// Below the smallest capacity tiling reaches, the failure names the operator that cannot be
    /// tiled small enough and a capacity that works, confirmed by tiling: on ResNet-50 the estimate
    /// of one operator (the downsampling convolution's 28672 bytes) is not enough, global average
    /// pooling needs 100353 bytes.
    @Test func aFailureNamesACapacityThatWorks() throws {
        let g = try Graph(contentsOf: Self.graphs.appendingPathComponent("resnet50.json"))
        let tiler = Tiler(setting: .activations)
        var failure: TilingFailure?
        do {
            _ = try tiler.checkedTile(g, capacity: 2048)
        } catch {
            failure = error
        }
        let f = try #require(failure)
        #expect(f.operatorMinimum > 2048 && f.message.contains("operator '\(f.operatorName)'"))
        #expect(f.graphMinimum == 100353 && f.message.contains("at least 100353 bytes"), "\(f.message)")
        #expect(throws: Never.self) { try tiler.checkedTile(g, capacity: f.graphMinimum) }
        #expect(throws: TilingFailure.self) { try tiler.checkedTile(g, capacity: f.graphMinimum - 1) }
    }
}
