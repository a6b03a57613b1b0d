import Foundation
import Testing

@Suite struct ImportCommandTests {
    @Test func importsAModelAndTheGraphValidates() throws {
        let out = try CLI.temporaryFile("tiny_conv.json")
        let r = try CLI.run(["import", "Tests/Fixtures/onnx/tiny_conv.onnx", "-o", out.path, "--element-bytes", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("graph 'tiny_conv', 2 operators"))
        let valid = try CLI.run(["validate", out.path])
        #expect(valid.status == 0, "\(valid.stderr)")
    }

    @Test func fusionAndDimensionsReachTheImporter() throws {
        let out = try CLI.temporaryFile("graph.json")
        let fused = try CLI.run(["import", "Tests/Fixtures/onnx/conv_activations.onnx", "-o", out.path, "--fuse-activations"])
        #expect(fused.status == 0, "\(fused.stderr)")
        #expect(try String(contentsOf: out, encoding: .utf8).contains("\"type\": \"Conv+Relu\""))
        let fixed = try CLI.run(["import", "Tests/Fixtures/onnx/broken_symbolic_dim.onnx", "-o", out.path, "--dim", "N=1"])
        #expect(fixed.status == 0, "\(fixed.stderr)")
    }

    @Test func unusableModelExitsWithTwoAndWritesNothing() throws {
        let out = try CLI.temporaryFile("never.json")
        let r = try CLI.run(["import", "Tests/Fixtures/onnx/broken_missing_shape.onnx", "-o", out.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("broken_missing_shape.onnx: tensor 'r'") && r.stderr.contains("shape inference"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func malformedDimensionIsAUsageError() throws {
        let r = try CLI.run(["import", "Tests/Fixtures/onnx/tiny_conv.onnx", "-o", "/dev/null", "--dim", "N"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--dim expects NAME=VALUE"))
    }
}

@Suite struct GenerateCommandTests {
    @Test func randWireWithTheRecordedSeedIsTheCommittedGraph() throws {
        let out = try CLI.temporaryFile("randwire_ws.json")
        let r = try CLI.run(["generate", "randwire", "--model", "ws", "--seed", "1", "-o", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        let committed = CLI.root.appendingPathComponent("graphs/randwire_ws.json")
        #expect(try Data(contentsOf: out) == Data(contentsOf: committed))
    }

    @Test func oddNeighbourCountIsRejected() throws {
        let r = try CLI.run(["generate", "randwire", "--model", "ws", "--seed", "1", "--k", "3", "-o", "/dev/null"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--k must be even"))
    }

    @Test func graphsTableHasARowPerGraph() throws {
        let r = try CLI.run(["graphs-table", "graphs/tiny.json", "graphs/resnet50.json", "--source", "tiny=by hand"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = r.stdout.split(separator: "\n")
        #expect(rows.count == 4)
        #expect(rows[2].hasPrefix("| tiny | by hand | 2 | 4 | 1024 | 4096 | 288 |"))
    }
}
