import DNNGraph
import Foundation
import Heuristics
import Scratchpad
import Testing

/// Every combination on every budget gives a plan the simulator accepts or a clear failure: an
/// invalid plan would be thrown by `HeuristicPlanner`'s certification and fail the test.
@Suite struct BaselineCombinationTests {
    /// Runs every combination at `M_R`, `M_H` and the default order's peak. The minimum-peak order
    /// is computed once per graph and setting (it can take seconds on a NAS network) and shared by
    /// the budgets and every `mpmf` baseline; `M_P` must be proven, or `M_H` would be missing (and
    /// proven by the search, the search's order is the `mpmf` order: the program never runs).
    /// - Parameter atMP: also at `M_P` (the real graphs leave it to `results/paper`, whose test
    ///   checks that no paper baseline fails there: 36 heuristics on 34 graphs take minutes).
    static func checkAll(_ graph: Graph, setting: TensorSetting, alignment: Int, context: String,
                         mpmf known: Schedule? = nil, atMP: Bool = true) throws {
        let mpmf = known ?? graph.schedule(.mpmfSearch, setting: setting, alignment: alignment)
        var budgets = Budgets(graph: graph, setting: setting, alignment: alignment)
        budgets.record(mpmf)
        let mH = try #require(budgets.mH, "\(context): M_P unproven (best order \(mpmf.peakBytes), bound \(mpmf.lowerBound ?? 0))")
        for capacity in [budgets.mR, mH, atMP ? budgets.mP : nil, budgets.defaultPeak].compactMap({ $0 }) {
            let config = Configuration(capacity: capacity, alignment: alignment, tensors: setting)
            for outcome in try Baseline.run(Baseline.all, graph: graph, configuration: config, schedules: [.mpmf: mpmf]) {
                switch outcome.result {
                case .success(let result):
                    #expect(result.report.isValid)
                    if capacity >= outcome.schedule.peakBytes && result.plan.method?.hasSuffix("tflite-arena") == true {
                        #expect(result.report.traffic.nonCompulsory == 0, "\(context) \(outcome.baseline)")
                    }
                case .failure(let failure):
                    // The defragmenting fallback plans at every capacity of at least M_R; only a
                    // working set that alignment makes larger than the capacity can stop it.
                    let impossible = Self.largestAlignedWorkingSet(graph, config) > capacity / alignment * alignment
                    #expect(impossible, "\(context) \(outcome.baseline) fails: \(failure)")
                    #expect(failure.bytesNeeded > failure.largestGap, "\(context) \(outcome.baseline)")
                }
            }
        }
    }

    /// The most any operator needs at once, each operand rounded up to the alignment.
    static func largestAlignedWorkingSet(_ graph: Graph, _ config: Configuration) -> Int {
        graph.operators.indices.map { op in
            graph.residentOperands(of: op, in: config.tensors).reduce(0) { $0 + config.occupied(graph.tensors[$1].bytes) }
        }.max() ?? 0
    }

    @Test(arguments: TensorSetting.allCases, [1, 8])
    func randomGraphs(setting: TensorSetting, alignment: Int) throws {
        for seed in UInt64(100)..<130 {
            let graph = try TestGraphs.random(operators: 5 + Int(seed % 35), seed: seed)
            try Self.checkAll(graph, setting: setting, alignment: alignment, context: "seed \(seed)")
        }
    }

    /// The graphs of the repository's `graphs/` folder.
    static let repositoryGraphs: [URL] = {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("graphs")
        let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
        return files.filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }
    }()

    /// The minimum-peak proofs of the NAS networks and the Transformer take tens of seconds of CPU
    /// in a debug build. They run on a thread of their own, one graph at a time (serialized), so
    /// that they never hold the threads of the test pool that suites waiting on asynchronous work
    /// (solver cancellation) need.
    @Test(.serialized, .tags(.realModel), arguments: repositoryGraphs, TensorSetting.allCases)
    func graphsFolder(file: URL, setting: TensorSetting) async throws {
        let graph = try Graph(contentsOf: file)
        let mpmf = await withCheckedContinuation { (done: CheckedContinuation<Schedule, Never>) in
            Thread { done.resume(returning: graph.schedule(.mpmfSearch, setting: setting, alignment: 1)) }.start()
        }
        try Self.checkAll(graph, setting: setting, alignment: 1, context: file.lastPathComponent, mpmf: mpmf, atMP: false)
    }

    @Test(arguments: TensorSetting.allCases)
    func thousandOperatorNetwork(setting: TensorSetting) throws {
        let graph = try Graph(document: SyntheticGraphs.residualNetwork(operators: 1000, seed: 5))
        try Self.checkAll(graph, setting: setting, alignment: 1, context: graph.name)
    }

    @Test func thePaperHasFourBaselines() {
        #expect(Baseline.paper.map(\.description) == [
            "default+belady+best-fit", "default+greedy+best-fit", "mpmf+belady+best-fit", "mpmf+greedy+best-fit",
        ])
        // Default, mpmf and greedy; mpmf-search only stands in for mpmf in the planners' warm starts.
        #expect(Baseline.all.count == 3 * ReplacementPolicy.allCases.count * AllocationPolicy.allCases.count)
        #expect(!Baseline.all.contains { $0.schedule == .mpmfSearch })
    }
}
