import DNNGraph
import Foundation
import ONNXImport
import Testing

/// The exported models, by graph name.
let exportedModels: [String] = {
    let files = (try? FileManager.default.contentsOfDirectory(atPath: Paths.models.path)) ?? []
    return files.filter { $0.hasSuffix(".onnx") }.map { String($0.dropLast(5)) }.sorted()
}()

/// Parameter counts published for each architecture (see models/README.md for the sources).
let publishedParameters: [String: Double] = [
    "resnet50": 25.557032e6, "densenet121": 7.978856e6, "resnext50_32x4d": 25.028904e6,
    "r2plus1d_18": 31.505325e6, "s3d": 8.320048e6, "fcn_resnet50": 32.9e6, "lraspp_mobilenet_v3_large": 3.221538e6,
    "deeplabv3_resnet50": 39.6e6, "transformer": 44.140544e6, "vit_b_16": 86.567656e6,
    "nasnet_a_mobile": 5.3e6, "amoebanet": 5.1e6, "pnasnet5_large": 86.1e6, "darts_v2": 4.7e6,
]

@Suite(.tags(.realModel)) struct BenchmarkGraphTests {
    @Test func everyModelOfThePaperIsExported() {
        #expect(Set(exportedModels) == Set(publishedParameters.keys))
    }

    @Test(arguments: exportedModels)
    func importReproducesTheCommittedGraph(model: String) throws {
        let graph = try ONNXImporter(options: ONNXImportOptions(elementBytes: 1))
            .importGraph(from: Paths.models.appendingPathComponent("\(model).onnx"))
        let committed = try String(contentsOf: Paths.graphs.appendingPathComponent("\(model).json"), encoding: .utf8)
        #expect(graph.canonicalJSON() == committed, "graphs/\(model).json is stale: run tools/import_graphs.sh")
    }

    /// At one byte per element, weight bytes count parameters (plus a few bytes of integer shape
    /// operands, which keep their 8 bytes per element).
    @Test(arguments: exportedModels)
    func weightBytesMatchThePublishedParameterCount(model: String) throws {
        let graph = try Graph(contentsOf: Paths.graphs.appendingPathComponent("\(model).json"))
        let weights = graph.tensors.filter { $0.kind == .weight }.reduce(0) { $0 + $1.bytes }
        let published = try #require(publishedParameters[model])
        let deviation = Double(weights) / published - 1
        #expect(abs(deviation) < 0.01, "\(model): \(weights) weight bytes, \(deviation * 100)% off")
    }
}
