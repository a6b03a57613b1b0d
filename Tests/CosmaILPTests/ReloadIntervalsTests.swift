import CosmaILP
import CosmaTestSupport
import DNNGraph
import Foundation
@testable import MILP
import Scratchpad
import Testing

@Suite struct ReloadIntervalsTests {
    static func reloads(_ graph: Graph, _ config: Configuration) -> ReloadIntervals {
        let problem = PlanningProblem(graph: graph, configuration: config)
        return CrossingBound(problem: problem).reloads
    }

    /// An encoder output `mem` that every decoder layer reads, while each layer's two-step
    /// feed-forward block fills the scratchpad (a Transformer in miniature). With `projections`,
    /// layers after the first read it through a projection that may run any time after the
    /// encoder, so a schedule may spill the projection instead of `mem`.
    static func encoderDecoder(layers: Int, projections: Bool) throws -> Graph {
        var tensors = [Tensor(name: "src", bytes: 1, kind: .input), Tensor(name: "mem", bytes: 1, kind: .activation)]
        var ops: [GraphDocument.OperatorEntry] = [.init(name: "encoder", type: "Op", inputs: ["src"], outputs: ["mem"])]
        var stream: String?
        for j in 0..<layers {
            var attended = "mem"
            if projections && j > 0 {
                attended = "k\(j)"
                tensors.append(Tensor(name: attended, bytes: 1, kind: .activation))
                ops.append(.init(name: "project\(j)", type: "Op", inputs: ["mem"], outputs: [attended]))
            }
            tensors += ["y", "h", "z"].map { Tensor(name: "\($0)\(j)", bytes: $0 == "h" ? 3 : 1, kind: .activation) }
            ops.append(.init(name: "attend\(j)", type: "Op", inputs: (stream.map { [$0] } ?? []) + [attended], outputs: ["y\(j)"]))
            ops.append(.init(name: "up\(j)", type: "Op", inputs: ["y\(j)"], outputs: ["h\(j)"]))
            ops.append(.init(name: "down\(j)", type: "Op", inputs: ["h\(j)"], outputs: ["z\(j)"]))
            stream = "z\(j)"
        }
        return try Graph(document: GraphDocument(name: "encoder-decoder", tensors: tensors, operators: ops, outputs: [stream!]))
    }

    /// The rows that keep the order variables of an interval consistent come in operator order.
    /// They had come in a dictionary's order, which changes from process to process: CBC's search
    /// then differed, and so did the bound a node limit left, which broke `--deterministic`
    /// between two runs (RandWire-BA at `M_H`: 3,076,416, 2,845,238 or 2,807,020 bytes).
    @Test func orderRowsFollowTheOperators() throws {
        var rows = 0
        for (seed, graph, config, _) in try ExhaustiveSearch.solvedInstances(seeds: 1...60, operators: 4, extras: [0, 1, 2]) {
            let model = Self.reloads(graph, config).model
            var previous: (interval: Int, op: Int)?
            for row in 0..<model.constraintCount {
                let entries = model.rowStarts[row]..<model.rowStarts[row + 1]
                let names = entries.map { model.variableNames[Int(model.entryColumns[$0])] ?? "" }
                guard names.count == 2, names.allSatisfy({ $0.hasPrefix("before_") }),
                      let plus = entries.first(where: { model.entryValues[$0] > 0 }) else { continue }
                let parts = (model.variableNames[Int(model.entryColumns[plus])] ?? "").split(separator: "_")
                let current = (interval: Int(parts[1])!, op: Int(parts[2])!)
                if let previous, previous.interval == current.interval {
                    #expect(previous.op <= current.op, "seed \(seed): row \(row)")
                }
                previous = current
                rows += 1
            }
        }
        #expect(rows > 0)
    }

    @Test(arguments: SolverBackend.allCases)
    func boundNeverExceedsTheExhaustiveOptimum(solver: SolverBackend) throws {
        var positive = 0
        for (seed, graph, config, optimum) in try ExhaustiveSearch.solvedInstances(seeds: 1...60, operators: 4, extras: [0, 1, 2]) {
            let bound = try Self.reloads(graph, config).bound(solver: solver, timeLimit: 10)
            #expect(bound <= optimum, "seed \(seed), capacity \(config.capacity)")
            if bound > 0 { positive += 1 }
        }
        #expect(positive > 0)
    }

    /// The per-operator bounds pay for `mem` once, because every feed-forward step may have to
    /// leave it off chip; the reload intervals pay its store once and a reload before each later
    /// layer, which is the optimum, also when projections let the schedule spill something else.
    @Test(arguments: SolverBackend.allCases, [false, true])
    func reloadsOfATensorEveryLayerReadsAddUp(solver: SolverBackend, projections: Bool) throws {
        let graph = try Self.encoderDecoder(layers: 3, projections: projections)
        let config = Configuration.atMR(of: graph)
        #expect(config.capacity == 4)
        let crossing = CrossingBound(problem: PlanningProblem(graph: graph, configuration: config))
        let optimum = try #require(ExhaustiveSearch(graph: graph, config: config).minimumNonCompulsory())
        #expect(optimum == 3)
        #expect(crossing.reloads.chain.map { graph.operators[$0].name } == ["up0", "down0", "up1", "down1"])
        #expect(try crossing.reloads.bound(solver: solver, timeLimit: nil) == optimum)
        #expect(try #require(crossing.covers).bound(solver: solver, timeLimit: nil) < optimum)
        #expect(crossing.cutBound < optimum)
    }

    /// `t` and `u` must leave the full scratchpad while the two blocks run. `t`'s one reader may
    /// run between the blocks or after both, so no interval surely holds its reload; it is paid
    /// all the same, as is `u`'s before the last operator.
    @Test(arguments: SolverBackend.allCases)
    func aTensorOffChipIsReloadedEvenWhenItsReaderFloats(solver: SolverBackend) throws {
        let tensors = [Tensor(name: "src", bytes: 1, kind: .input)]
            + [("t", 1), ("u", 1), ("a", 1), ("h", 3), ("b", 1), ("r", 1), ("h2", 3), ("c", 1), ("out", 1)]
                .map { Tensor(name: $0.0, bytes: $0.1, kind: .activation) }
        let ops: [GraphDocument.OperatorEntry] = [
            .init(name: "split", type: "Op", inputs: ["src"], outputs: ["t", "u", "a"]),
            .init(name: "up", type: "Op", inputs: ["a"], outputs: ["h"]),
            .init(name: "down", type: "Op", inputs: ["h"], outputs: ["b"]),
            .init(name: "reader", type: "Op", inputs: ["t", "b"], outputs: ["r"]),
            .init(name: "up2", type: "Op", inputs: ["b"], outputs: ["h2"]),
            .init(name: "down2", type: "Op", inputs: ["h2"], outputs: ["c"]),
            .init(name: "last", type: "Op", inputs: ["c", "u"], outputs: ["out"]),
        ]
        let graph = try Graph(document: GraphDocument(name: "floating-reader", tensors: tensors, operators: ops, outputs: ["r", "out"]))
        let config = Configuration(capacity: 4, alignment: 1, tensors: .activations)
        let reloads = Self.reloads(graph, config)
        #expect(reloads.chain.map { graph.operators[$0].name } == ["up", "down", "up2", "down2"])
        let optimum = try #require(ExhaustiveSearch(graph: graph, config: config).minimumNonCompulsory())
        #expect(optimum == 4)
        #expect(try reloads.bound(solver: solver, timeLimit: nil) == optimum)
    }

    @Test(.tags(.realModel)) func boundStaysBelowProvenOptimaOfRealModels() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
        // Capacities and the optima the exact program proves there (results/exact.md).
        let proven: [(graph: String, setting: TensorSetting, capacity: Int, optimum: Int)] = [
            ("resnet50", .all, 2_485_248, 602_112),
            ("resnet50", .all, 2_535_424, 200_704),
            ("densenet121", .activations, 1_605_632, 1_204_224),
            ("densenet121", .activations, 1_856_512, 602_112),
            ("r2plus1d_18", .activations, 57_802_752, 51_380_224),
        ]
        for instance in proven {
            let graph = try Graph(contentsOf: root.appendingPathComponent("graphs/\(instance.graph).json"))
            let config = Configuration(capacity: instance.capacity, tensors: instance.setting)
            let bound = try Self.reloads(graph, config).bound(solver: .cbc, timeLimit: 10)
            #expect(bound <= instance.optimum, "\(instance.graph) \(instance.setting) at \(config.capacity)")
        }
    }
}
