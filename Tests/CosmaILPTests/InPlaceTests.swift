@testable import CosmaILP
import DNNGraph
import Foundation
@testable import Heuristics
import MILP
import Scratchpad
import CosmaTestSupport
import Testing

/// The in-place model (docs/in-place.md) against exhaustive search over schedules and in-place
/// choices, on seeded random graphs with elementwise operators.
@Suite struct InPlaceTests {
    /// The smallest peak over every order and every choice of in-place writes in it, counted
    /// directly from producers and readers (shares no code with the model it judges): at each
    /// operator, its output may take the bytes of one input whose last reader it is, if the type
    /// is elementwise, the input an activation that is not a graph output, and the sizes equal.
    static func enumeratedMinimumPeak(_ graph: Graph, alignment: Int) -> Int {
        var best = Int.max
        for order in allOrders(graph) {
            var position = [Int](repeating: 0, count: graph.operators.count)
            for (k, o) in order.enumerated() { position[o] = k }
            var first = [Int](repeating: 0, count: graph.tensors.count)
            var last = [Int](repeating: -1, count: graph.tensors.count)
            for t in graph.tensors.indices {
                let readers = graph.consumers[t].map { position[$0] }
                if let p = graph.producer[t] {
                    first[t] = position[p]
                    last[t] = max(position[p], readers.max() ?? 0)
                } else if let r = readers.min() {
                    first[t] = r
                    last[t] = readers.max()!
                }
            }
            // Per position, the inputs the output may overwrite; each choice is none or one of them.
            let options: [[TensorID?]] = order.enumerated().map { k, o in
                let op = graph.operators[o]
                guard ["Relu", "Add", "Identity"].contains(op.type) else { return [nil] }
                let out = op.outputs[0]
                return [nil] + Set(op.inputs).sorted().filter { x in
                    graph.producer[x] != nil && !graph.isOutput[x] && graph.tensors[x].bytes == graph.tensors[out].bytes && last[x] == k
                }
            }
            func peak(_ choice: [TensorID?]) -> Int {
                var end = last
                for case let x? in choice { end[x] -= 1 }
                return order.indices.map { k in
                    graph.tensors.indices.filter { first[$0] <= k && k <= end[$0] }
                        .reduce(0) { $0 + roundUp(graph.tensors[$1].bytes, to: alignment) }
                }.max() ?? 0
            }
            forEachChoice(options) { choice in best = min(best, peak(choice)) }
        }
        return best
    }

    static let cases: [(seed: UInt64, alignment: Int)] = (UInt64(1)...12).map { ($0, $0 % 3 == 0 ? 8 : 1) }

    @Test(arguments: SolverBackend.allCases)
    func minimumPeakProgramMatchesEnumeration(solver: SolverBackend) throws {
        for (seed, alignment) in Self.cases {
            let graph = try randomInPlaceGraph(seed: seed, operators: 4 + Int(seed % 4))
            let exact = Self.enumeratedMinimumPeak(graph, alignment: alignment)
            let program = MinimumPeakProgram(graph: graph, setting: .activations, alignment: alignment, inPlace: .on)
            let file = Array(graph.operators.indices)
            let start = program.values(for: file)
            #expect(program.model.maximumViolation(at: program.model.variables.map { start[$0] ?? 0 }) < 1e-9, "seed \(seed)")
            let result = try solver.solve(program.model)
            #expect(result.status == .optimal, "seed \(seed)")
            let solution = try #require(result.solution, "seed \(seed)")
            #expect(Int(solution.objective.rounded()) * program.unit == exact, "seed \(seed)")
            let order = program.order(from: solution)
            #expect(graph.peakLiveBytes(order: order, setting: .activations, alignment: alignment, inPlace: .on) == exact, "seed \(seed)")
        }
    }

    @Test func searchesAndBoundsMatchEnumeration() throws {
        for (seed, alignment) in Self.cases {
            let graph = try randomInPlaceGraph(seed: seed + 50, operators: 4 + Int(seed % 5))
            let exact = Self.enumeratedMinimumPeak(graph, alignment: alignment)
            let schedule = MinimumPeakScheduler().schedule(graph, setting: .activations, alignment: alignment, inPlace: .on)
            #expect(schedule.provenMinimal && schedule.peakBytes == exact, "seed \(seed): \(schedule.peakBytes) vs \(exact)")
            let budgets = Budgets(graph: graph, setting: .activations, alignment: alignment, inPlace: .on)
            #expect(budgets.mR <= exact && PeakLowerBound(graph: graph, setting: .activations, alignment: alignment, inPlace: .on).bytes <= exact)
            let off = MinimumPeakScheduler().schedule(graph, setting: .activations, alignment: alignment)
            #expect(schedule.peakBytes <= off.peakBytes)
            // Window relaxations of a subset stay lower bounds.
            let model = LiveMemoryModel(graph: graph, setting: .activations, alignment: alignment, inPlace: .on)
            let window = Array(schedule.order.prefix(3))
            let relaxed = BestFirstPeakSearch(model: model, reach: graph.reachability(), subset: window).run(cutoff: Int.max, stateBudget: 10_000)
            #expect(relaxed.lowerBound <= exact, "seed \(seed)")
        }
    }

    /// The heuristics plan in place, and the simulator accepts their plans: the arenas at the
    /// in-place minimum peak with no spill, the on-line planner at `M_R`.
    @Test func heuristicPlansWriteInPlaceAndPassTheSimulator() throws {
        var inPlaceWrites = 0
        for (seed, alignment) in Self.cases {
            let graph = try randomInPlaceGraph(seed: seed + 200, operators: 5 + Int(seed % 4))
            let schedule = MinimumPeakScheduler().schedule(graph, setting: .activations, alignment: alignment, inPlace: .on)
            let atPeak = Configuration(capacity: schedule.peakBytes, alignment: alignment, inPlace: .on)
            if let arena = try HeuristicPlanner.staticArenaPlan(graph: graph, configuration: atPeak, order: schedule.order, scheduleName: "mpmf") {
                #expect(arena.report.traffic.nonCompulsory == 0)
                inPlaceWrites += arena.plan.steps.flatMap(\.outputs).filter { $0.inPlaceOf != nil }.count
            }
            // The largest working set of this order: M_R with in-place on counts a write at each
            // operator where some order allows one, this order perhaps not.
            let full = graph.workingSets(setting: .activations, alignment: alignment)
            let writes = Set(graph.inPlaceWrites(order: schedule.order).map(\.op))
            let need = graph.operators.indices.map { o in
                full[o] - (writes.contains(o) ? roundUp(graph.tensors[graph.operators[o].outputs[0]].bytes, to: alignment) : 0)
            }.max()!
            #expect(need >= Budgets(graph: graph, setting: .activations, alignment: alignment, inPlace: .on).mR)
            let atMR = Configuration(capacity: need, alignment: alignment, inPlace: .on)
            for allocator in ArenaAllocator.allCases {
                _ = try HeuristicPlanner.plan(graph: graph, configuration: atMR, order: schedule.order, scheduleName: "mpmf",
                                              arena: allocator, fallback: .defragment)
            }
        }
        #expect(inPlaceWrites > 0)
    }

    /// Every graph of `graphs/`: `M_R` and `M_P` with in-place on are at most their values with it
    /// off, and `M_P` is proven with it on wherever it is with it off, by the same combinatorial
    /// stages under the same work limit (no solver time limit decides).
    @Test(.tags(.realModel)) func inPlaceBudgetsOfRealModelsAreNoLarger() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../graphs").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count >= 18)
        let options = MinimumPeakOptions(scheduler: MinimumPeakScheduler(exactStateBudget: 20_000, windowSizes: [16, 32]), timeLimit: 0)
        for file in files {
            let graph = try Graph(contentsOf: root.appendingPathComponent(file))
            let off = MinimumPeakResult(graph: graph, setting: .activations, alignment: 1, options: options).schedule
            let on = MinimumPeakResult(graph: graph, setting: .activations, alignment: 1, inPlace: .on, options: options).schedule
            #expect(on.peakBytes <= off.peakBytes, "\(file)")
            #expect(!off.provenMinimal || on.provenMinimal, "\(file): proven off, not on")
            if off.provenMinimal && on.provenMinimal { #expect(on.peakBytes <= off.peakBytes) }
            #expect(Budgets(graph: graph, setting: .activations, alignment: 1, inPlace: .on).mR
                    <= Budgets(graph: graph, setting: .activations, alignment: 1).mR, "\(file)")
        }
    }
}
