package import Foundation
import DNNGraph
import Scratchpad
import ONNXImport

/// The entry points the fuzzers drive (`make fuzz`, `Sources/CosmaFuzz`) and the corpus replay
/// test runs (`Tests/FuzzCorpusTests`): one per parser, each from raw bytes to the checks a
/// user's file goes through.
///
/// An input may be accepted or refused with an `InputError`; anything else (a trap on overflow,
/// an out-of-range index, a hang) is a bug, which is what the fuzzers look for.
package enum FuzzTarget: String, CaseIterable, Sendable {
    /// The graph reader and validator, then the budgets every command computes first.
    case graph
    /// The plan reader, then the simulator on `graphs/tiny.json`'s graph.
    case plan
    /// The ONNX importer, then the budgets of the graph it makes.
    case onnx

    /// Runs one input; returns whether it was accepted (false: refused with a clear error).
    @discardableResult
    package func run(_ data: Data) -> Bool {
        do throws(InputError) {
            switch self {
            case .graph:
                exercise(try Graph(json: data, source: "fuzz input"))
            case .plan:
                let plan = try Plan(json: data, source: "fuzz input")
                _ = Simulator(graph: Self.planGraph).run(plan)
            case .onnx:
                exercise(try ONNXImporter().importGraph(serialized: data, name: "fuzz", source: "fuzz input"))
            }
            return true
        } catch {
            // Refused input must say something: an empty message would be a useless error.
            precondition(!error.message.isEmpty, "an input error without a message")
            return false
        }
    }

    /// What every command computes from a graph it has read: the no-spill budgets of the file
    /// order in both settings.
    private func exercise(_ graph: Graph) {
        for setting in TensorSetting.allCases {
            _ = Budgets(graph: graph, setting: setting, alignment: 1)
        }
    }

    /// The inputs of a corpus folder, by name: its entries (not recursive), hidden
    /// ones left out, sorted, so that the replay tool and the corpus test run the same inputs in
    /// the same order. None when the folder cannot be read.
    package static func inputNames(inFolder path: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }

    /// The graph plans are replayed on: `graphs/tiny.json`, so that the fuzzer can reach deep
    /// simulator states with short inputs.
    static let planGraph: Graph = {
        let json = """
            {"format": "cosma-graph/1", "name": "tiny", "tensors": [
              {"name": "x", "bytes": 1024, "kind": "input"}, {"name": "w1", "bytes": 288, "kind": "weight"},
              {"name": "a1", "bytes": 2048, "kind": "activation"}, {"name": "y", "bytes": 2048, "kind": "activation"}],
             "operators": [{"name": "conv1", "type": "Conv", "inputs": ["x", "w1"], "outputs": ["a1"]},
              {"name": "relu1", "type": "Relu", "inputs": ["a1"], "outputs": ["y"]}],
             "outputs": ["y"]}
            """
        do {
            return try Graph(json: Data(json.utf8), source: "tiny")
        } catch {
            preconditionFailure("the built-in graph is invalid: \(error)")
        }
    }()
}
