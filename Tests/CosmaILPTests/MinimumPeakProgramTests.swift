@testable import CosmaILP
import DNNGraph
import Heuristics
import MILP
import Scratchpad
import CosmaTestSupport
import Testing

/// The minimum-peak program against an enumeration of every order, on seeded random graphs wide
/// enough for orders to differ.
@Suite struct MinimumPeakProgramTests {
    /// A random graph of `operators` operators: each reads one to three earlier tensors (or one of
    /// two graph inputs), sometimes a weight, and writes one or two tensors of 1 to 40 bytes.
    static func randomGraph(seed: UInt64, operators: Int) throws -> Graph {
        var rng = SplitMix64(seed: seed)
        var tensors = (0..<2).map { Tensor(name: "in\($0)", bytes: Int.random(in: 1...40, using: &rng), kind: .input) }
        var available = tensors.map(\.name)
        var read = Set<String>()
        var ops: [GraphDocument.OperatorEntry] = []
        for i in 0..<operators {
            var inputs = Set<String>()
            for _ in 0..<Int.random(in: 1...3, using: &rng) { inputs.insert(available.randomElement(using: &rng)!) }
            var names = inputs.sorted()
            read.formUnion(inputs)
            if Bool.random(using: &rng) {
                tensors.append(Tensor(name: "w\(i)", bytes: Int.random(in: 1...20, using: &rng), kind: .weight))
                names.append("w\(i)")
            }
            let outputs = (0..<Int.random(in: 1...2, using: &rng)).map { "t\(i)_\($0)" }
            for o in outputs { tensors.append(Tensor(name: o, bytes: Int.random(in: 1...40, using: &rng), kind: .activation)) }
            available += outputs
            ops.append(.init(name: "op\(i)", type: "Op", inputs: names, outputs: outputs))
        }
        let outputs = tensors.filter { $0.kind == .activation && !read.contains($0.name) }.map(\.name)
        return try Graph(document: GraphDocument(name: "random-\(seed)", tensors: tensors, operators: ops, outputs: outputs))
    }

    /// The smallest peak over every topological order, by enumeration (shares no code with the
    /// searches or the program).
    static func enumeratedMinimumPeak(_ graph: Graph, setting: TensorSetting, alignment: Int) -> Int {
        allOrders(graph).map { graph.peakLiveBytes(order: $0, setting: setting, alignment: alignment) }.min() ?? 0
    }

    static let cases: [(seed: UInt64, setting: TensorSetting, alignment: Int)] = (UInt64(1)...16).map { seed in
        (seed, seed % 2 == 0 ? .all : .activations, seed % 3 == 0 ? 8 : 1)
    }

    @Test(arguments: SolverBackend.allCases)
    func optimumEqualsEnumeration(solver: SolverBackend) throws {
        for (seed, setting, alignment) in Self.cases {
            let graph = try Self.randomGraph(seed: seed, operators: 3 + Int(seed % 5))
            let exact = Self.enumeratedMinimumPeak(graph, setting: setting, alignment: alignment)
            let program = MinimumPeakProgram(graph: graph, setting: setting, alignment: alignment)
            let result = try solver.solve(program.model)
            #expect(result.status == .optimal, "seed \(seed)")
            let solution = try #require(result.solution, "seed \(seed)")
            #expect(Int(solution.objective.rounded()) * program.unit == exact, "seed \(seed)")
            let order = program.order(from: solution)
            #expect(graph.scheduleProblem(order) == nil, "seed \(seed)")
            #expect(graph.peakLiveBytes(order: order, setting: setting, alignment: alignment) == exact, "seed \(seed)")
        }
    }

    /// Warm-started with the file order and bounded by ``PeakLowerBound``, as `MinimumPeakResult`
    /// runs it: the bounds cut nothing optimal away.
    @Test(arguments: SolverBackend.allCases)
    func boundsAndStartKeepTheOptimum(solver: SolverBackend) throws {
        for (seed, setting, alignment) in Self.cases {
            let graph = try Self.randomGraph(seed: seed + 100, operators: 4 + Int(seed % 4))
            let exact = Self.enumeratedMinimumPeak(graph, setting: setting, alignment: alignment)
            let file = Array(graph.operators.indices)
            let lower = PeakLowerBound(graph: graph, setting: setting, alignment: alignment).bytes
            #expect(lower <= exact, "seed \(seed)")
            let program = MinimumPeakProgram(graph: graph, setting: setting, alignment: alignment, lowerBound: lower,
                                             upperBound: graph.peakLiveBytes(order: file, setting: setting, alignment: alignment))
            var options = SolveOptions()
            options.mipStart = program.values(for: file)
            #expect(program.model.maximumViolation(at: program.model.variables.map { options.mipStart[$0] ?? 0 }) < 1e-9,
                    "seed \(seed): the start must satisfy the program")
            let result = try solver.solve(program.model, options: options)
            #expect(result.status == .optimal, "seed \(seed)")
            #expect(result.objective.map { Int($0.rounded()) * program.unit } == exact, "seed \(seed)")
        }
    }

    /// With the searches switched off, the program alone proves the minimum and says so.
    @Test(arguments: SolverBackend.allCases)
    func programProvesWhatTheSearchesLeaveOpen(solver: SolverBackend) throws {
        let scheduler = MinimumPeakScheduler(exactStateBudget: 0, beamWidth: 1, windowSizes: [])
        var byProgram = 0
        for (seed, setting, alignment) in Self.cases {
            let graph = try Self.randomGraph(seed: seed + 200, operators: 5 + Int(seed % 3))
            let exact = Self.enumeratedMinimumPeak(graph, setting: setting, alignment: alignment)
            let result = MinimumPeakResult(graph: graph, setting: setting, alignment: alignment,
                                           options: MinimumPeakOptions(scheduler: scheduler, solver: solver, timeLimit: 30))
            #expect(result.programError == nil)
            #expect(result.schedule.provenMinimal, "seed \(seed)")
            #expect(result.schedule.peakBytes == exact, "seed \(seed)")
            #expect(graph.peakLiveBytes(order: result.schedule.order, setting: setting, alignment: alignment) == exact, "seed \(seed)")
            if case .program = result.schedule.proof { byProgram += 1 }
        }
        #expect(byProgram >= 4, "only \(byProgram) instances needed the program")
    }

    /// In the deterministic mode the program counts work units, not seconds: stopped by a limit
    /// far short of its proof, it stops at the same node under load as without, with the same order.
    @Test(arguments: SolverBackend.allCases)
    func aDeterministicProgramStopsAtTheSameNodeUnderLoad(solver: SolverBackend) throws {
        let scheduler = MinimumPeakScheduler(exactStateBudget: 0, beamWidth: 1, windowSizes: [])
        let graph = try Self.randomGraph(seed: 31, operators: 24)
        var options = MinimumPeakOptions(scheduler: scheduler, solver: solver, timeLimit: 0.05)
        options.deterministic = true
        let quiet = MinimumPeakResult(graph: graph, setting: .activations, alignment: 1, options: options)
        let load = try BusyLoad()
        defer { load.stop() }
        let loaded = MinimumPeakResult(graph: graph, setting: .activations, alignment: 1, options: options)
        load.stop()
        #expect(quiet.programError == nil && quiet.programStatus == .timeLimit && !quiet.schedule.provenMinimal,
                "the limit must stop the program short of its proof: \(String(describing: quiet.programStatus))")
        #expect(quiet.programStatus == loaded.programStatus)
        #expect(quiet.schedule.order == loaded.schedule.order && quiet.schedule.peakBytes == loaded.schedule.peakBytes)
        #expect(quiet.schedule.lowerBound == loaded.schedule.lowerBound)
    }
}
