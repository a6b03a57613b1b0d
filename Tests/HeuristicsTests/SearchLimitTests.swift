import DNNGraph
import Foundation
@testable import Heuristics
import Scratchpad
import Testing

/// The minimum-peak search under a planner's share of the budget (``SearchLimit``): a spent,
/// passed or cancelled limit returns the first incumbent (the better of the file and greedy
/// orders) at once, and a count of states bounds the work. Every case is decided by counts or by
/// an instant already passed, never by how fast the machine is.
@Suite struct SearchLimitTests {
    /// The full search's minimum, the reference for bounds.
    static func minimumPeak(_ graph: Graph) -> Int {
        graph.schedule(.mpmfSearch, setting: .activations, alignment: 1, scheduler: MinimumPeakScheduler(exactStateBudget: 10_000_000))
            .peakBytes
    }

    /// What every schedule the search returns must be: a valid order, its peak measured, a bound
    /// that is one, and a proof only of the minimum.
    static func expectSound(_ schedule: Schedule, _ graph: Graph, minimum: Int, _ comment: Comment) {
        #expect(graph.scheduleProblem(schedule.order) == nil, comment)
        #expect(graph.peakLiveBytes(order: schedule.order, setting: .activations, alignment: 1) == schedule.peakBytes, comment)
        #expect((schedule.lowerBound ?? 0) <= minimum, comment)
        #expect(!schedule.provenMinimal || schedule.peakBytes == minimum, comment)
    }

    static let limitsSpentAtOnce: [(String, SearchLimit)] = [
        ("no state left", .spent),
        ("deadline passed", SearchLimit(deadline: ContinuousClock.now)),
    ]

    @Test(arguments: limitsSpentAtOnce)
    func aSpentLimitReturnsTheFirstIncumbent(name: String, limit: SearchLimit) throws {
        for seed in UInt64(1)...30 {
            let graph = try TestGraphs.random(operators: 14, seed: seed)
            let schedule = graph.schedule(.mpmfSearch, setting: .activations, alignment: 1, scheduler: MinimumPeakScheduler(limit: limit))
            let first = min(graph.schedule(.default, setting: .activations, alignment: 1).peakBytes,
                            graph.schedule(.greedy, setting: .activations, alignment: 1).peakBytes)
            #expect(schedule.searchStates == 0, "\(name), seed \(seed)")
            #expect(schedule.peakBytes == first, "\(name), seed \(seed)")
            Self.expectSound(schedule, graph, minimum: Self.minimumPeak(graph), "\(name), seed \(seed)")
        }
    }

    @Test(arguments: [10, 100, 1000])
    func aStateLimitBoundsTheWork(states: Int) throws {
        for seed in UInt64(1)...30 {
            let graph = try TestGraphs.random(operators: 14, seed: seed)
            let schedule = graph.schedule(.mpmfSearch, setting: .activations, alignment: 1,
                                          scheduler: MinimumPeakScheduler(limit: SearchLimit(states: states)))
            // A search stops at the first state it pops past its count: each overshoots by at
            // most one state's successors, and the search runs at most 18 of them.
            #expect(schedule.searchStates <= states + 18 * graph.operators.count, "seed \(seed)")
            Self.expectSound(schedule, graph, minimum: Self.minimumPeak(graph), "seed \(seed)")
        }
    }

    /// NASNet-A Mobile's proof takes millions of states; 20,000 leave it unproven, promptly, with
    /// a valid order and bound.
    @Test(.tags(.realModel)) func aStateLimitStopsALongProof() throws {
        let graph = try Self.nasnet()
        let schedule = graph.schedule(.mpmfSearch, setting: .activations, alignment: 1,
                                      scheduler: MinimumPeakScheduler(limit: SearchLimit(states: 20_000)))
        #expect(schedule.searchStates <= 20_000 + graph.operators.count)
        #expect(!schedule.provenMinimal)
        #expect(graph.scheduleProblem(schedule.order) == nil)
        #expect((schedule.lowerBound ?? .max) <= schedule.peakBytes)
    }

    /// SIGINT in `cosma solve` and the C library's cancel flag cancel the planning task: the
    /// search then creates no state and returns the first incumbent.
    @Test(.tags(.realModel)) func aCancelledTaskStopsTheSearch() async throws {
        let graph = try Self.nasnet()
        let task = Task { () -> Schedule in
            withUnsafeCurrentTask { $0?.cancel() }
            return graph.schedule(.mpmfSearch, setting: .activations, alignment: 1)
        }
        let schedule = await task.value
        #expect(schedule.searchStates == 0)
        #expect(!schedule.provenMinimal)
        #expect(graph.scheduleProblem(schedule.order) == nil)
    }

    static func nasnet() throws -> Graph {
        let url = BaselineCombinationTests.repositoryGraphs.first { $0.lastPathComponent == "nasnet_a_mobile.json" }
        return try Graph(contentsOf: try #require(url))
    }
}
