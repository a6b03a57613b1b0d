import CosmaTestSupport
import DNNGraph
@testable import Heuristics
import Scratchpad
import Testing

@Suite struct MinimumPeakSchedulerTests {
    /// The smallest peak over every topological order, by enumeration.
    static func bruteForceMinimumPeak(_ graph: Graph, setting: TensorSetting, alignment: Int) -> Int {
        allOrders(graph).map { graph.peakLiveBytes(order: $0, setting: setting, alignment: alignment) }.min() ?? 0
    }

    @Test func minimumPeakOrderBeatsTheFileOrder() throws {
        let graph = try TestGraphs.twoBranches()
        let file = graph.schedule(.default, setting: .activations, alignment: 1)
        let mpmf = graph.schedule(.mpmfSearch, setting: .activations, alignment: 1)
        // File order A, B, A2, B2, J holds x, a and b while B runs: 10 + 50 + 50.
        #expect(file.peakBytes == 110)
        // A, A2, B, B2, J: at most x, a, a2 (65) or x, a2, b (65).
        #expect(mpmf.peakBytes == 65)
        #expect(mpmf.provenMinimal)
        #expect(graph.peakLiveBytes(order: mpmf.order, setting: .activations, alignment: 1) == 65)
        #expect(graph.scheduleProblem(mpmf.order) == nil)
    }

    @Test(arguments: TensorSetting.allCases, [1, 16])
    func matchesExhaustiveSearchOnSmallRandomGraphs(setting: TensorSetting, alignment: Int) throws {
        for seed in UInt64(1)...60 {
            let graph = try TestGraphs.random(operators: Int(seed % 8) + 1, seed: seed)
            let schedule = graph.schedule(.mpmfSearch, setting: setting, alignment: alignment)
            let exact = Self.bruteForceMinimumPeak(graph, setting: setting, alignment: alignment)
            #expect(schedule.provenMinimal, "seed \(seed)")
            #expect(schedule.peakBytes == exact, "seed \(seed)")
            #expect(graph.peakLiveBytes(order: schedule.order, setting: setting, alignment: alignment) == schedule.peakBytes, "seed \(seed)")
            #expect(graph.scheduleProblem(schedule.order) == nil, "seed \(seed)")
        }
    }

    /// The bounds of every stage are valid: the forced-live bound and the exact minimum of every
    /// window relaxation never exceed the true minimum, and the full best-first search finds it.
    @Test(arguments: TensorSetting.allCases, [1, 16])
    func lowerBoundsNeverExceedTheMinimum(setting: TensorSetting, alignment: Int) throws {
        for seed in UInt64(1)...60 {
            let graph = try TestGraphs.random(operators: Int(seed % 8) + 1, seed: seed)
            let exact = Self.bruteForceMinimumPeak(graph, setting: setting, alignment: alignment)
            #expect(PeakLowerBound(graph: graph, setting: setting, alignment: alignment).bytes <= exact, "seed \(seed)")
            let model = LiveMemoryModel(graph: graph, setting: setting, alignment: alignment)
            let reach = graph.reachability()
            let full = BestFirstPeakSearch(model: model, reach: reach).run(cutoff: Int.max, stateBudget: 1_000_000)
            #expect(full.exhaustive && full.best?.peak == exact, "seed \(seed)")
            if let order = full.best?.order {
                #expect(graph.scheduleProblem(order) == nil, "seed \(seed)")
                #expect(graph.peakLiveBytes(order: order, setting: setting, alignment: alignment) == exact, "seed \(seed)")
            }
            // Windows of the file order and scattered subsets alike.
            let n = graph.operators.count
            var subsets = (1...n).flatMap { size in (0...(n - size)).map { Array($0..<($0 + size)) } }
            subsets += (0..<n).map { skip in (0..<n).filter { $0 != skip } } + [(0..<n).filter { $0 % 2 == 0 }]
            for subset in subsets where !subset.isEmpty {
                let relaxed = BestFirstPeakSearch(model: model, reach: reach, subset: subset).run(cutoff: Int.max, stateBudget: 1_000_000)
                #expect(relaxed.exhaustive, "seed \(seed)")
                #expect(relaxed.lowerBound <= exact, "seed \(seed) subset \(subset): relaxation \(relaxed.lowerBound) above \(exact)")
            }
            // The whole graph as a "window" is the exact problem again.
            let everything = BestFirstPeakSearch(model: model, reach: reach, subset: Array(0..<n)).run(cutoff: Int.max, stateBudget: 1_000_000)
            #expect(everything.best?.peak == exact, "seed \(seed)")
        }
    }

    /// A search cut short still returns a valid bound, never a proof (the reference is the full
    /// search, checked against enumeration above).
    @Test func truncatedSearchGivesABoundNotAProof() throws {
        for seed in UInt64(1)...40 {
            let graph = try TestGraphs.random(operators: 14, seed: seed)
            let model = LiveMemoryModel(graph: graph, setting: .activations, alignment: 1)
            let reach = graph.reachability()
            let exact = try #require(BestFirstPeakSearch(model: model, reach: reach).run(cutoff: Int.max, stateBudget: 10_000_000).best).peak
            for budget in [1, 5, 50] {
                let search = BestFirstPeakSearch(model: model, reach: reach).run(cutoff: Int.max, stateBudget: budget)
                #expect(search.lowerBound <= exact, "seed \(seed)")
                #expect(!search.exhaustive || search.best?.peak == exact, "seed \(seed)")
            }
        }
    }

    @Test func beamSearchNeverClaimsAProof() throws {
        let graph = try TestGraphs.twoBranches()
        let beam = MinimumPeakScheduler(exactStateBudget: 0, beamWidth: 1, windowSizes: [])
        let schedule = graph.schedule(.mpmfSearch, setting: .activations, alignment: 1, scheduler: beam)
        #expect(!schedule.provenMinimal)
        #expect(schedule.proof == nil)
        var budgets = Budgets(graph: graph, setting: .activations, alignment: 1)
        budgets.record(schedule)
        #expect(budgets.mP == nil)
    }

    @Test func provenPeakFillsTheBudgets() throws {
        let graph = try TestGraphs.twoBranches()
        var budgets = Budgets(graph: graph, setting: .activations, alignment: 1)
        budgets.record(graph.schedule(.mpmfSearch, setting: .activations, alignment: 1))
        #expect(budgets.mP == 65)
        #expect(budgets.mH == 62)
        #expect(try budgets.resolve(.budget(.mH)) == 62)
    }

    @Test func greedyAndMinimumPeakOrdersAreValidOnALargeSyntheticNetwork() throws {
        let graph = try Graph(document: SyntheticGraphs.residualNetwork(operators: 1000, seed: 11))
        for setting in TensorSetting.allCases {
            let greedy = graph.schedule(.greedy, setting: setting, alignment: 1)
            let mpmf = graph.schedule(.mpmfSearch, setting: setting, alignment: 1)
            #expect(graph.scheduleProblem(greedy.order) == nil)
            #expect(graph.scheduleProblem(mpmf.order) == nil)
            #expect(mpmf.peakBytes <= min(greedy.peakBytes, graph.schedule(.default, setting: setting, alignment: 1).peakBytes))
        }
    }
}
