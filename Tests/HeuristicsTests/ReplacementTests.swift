import DNNGraph
import Heuristics
import Scratchpad
import Testing

@Suite struct ReplacementTests {
    func plan(_ graph: Graph, capacity: Int, _ replacement: ReplacementPolicy) throws -> CertifiedPlan {
        try HeuristicPlanner.plan(graph: graph, configuration: Configuration(capacity: capacity), order: Array(graph.operators.indices),
                                  scheduleName: "default", replacement: replacement)
    }

    /// Hand traces of ``TestGraphs/beladyVersusGreedy()`` (all sizes in bytes).
    ///
    /// At 60: `R` finds x@0, q@20, z@40 and needs 20 bytes. Belady stores and drops `q` (20 + its
    /// reload 20 = 40). Greedy drops `x` (reload 20), but `S` then reloads `x` into the last gap and
    /// must still evict `q` for `s`: 20 + 40 = 60.
    /// At 65: the same choice, but `s` fits in [60, 65) after `x` returns, so greedy pays only the
    /// reload of `x` (20) while Belady still pays 40.
    @Test(arguments: [(60, 40, 60), (65, 40, 20)])
    func beladyAndGreedyDiffer(capacity: Int, belady: Int, greedy: Int) throws {
        let graph = try TestGraphs.beladyVersusGreedy()
        #expect(try plan(graph, capacity: capacity, .belady).report.traffic.nonCompulsory == belady)
        #expect(try plan(graph, capacity: capacity, .greedy).report.traffic.nonCompulsory == greedy)
    }

    @Test func greedyEvictsTheCheapestWindowAtOnce() throws {
        let graph = try TestGraphs.beladyVersusGreedy()
        let steps = try plan(graph, capacity: 65, .greedy).plan.steps
        #expect(steps[1].free == ["x"])
        #expect(steps[1].store.isEmpty)
        #expect(steps[1].outputs == [Placement(tensor: "r", offset: 0)])
    }

    @Test(arguments: ReplacementPolicy.allCases)
    func fragmentationDefeatsTheOnlineAllocator(replacement: ReplacementPolicy) throws {
        let graph = try TestGraphs.fragmentation()
        // Step 3 ('C'): x is dead and b can go, but a@10 must stay: 20 bytes free in two 10-byte gaps.
        let failure = try #require(throws: PlanningFailure.self) { try plan(graph, capacity: 30, replacement) }
        #expect(failure.step == 2)
        #expect(failure.op == "C")
        #expect(failure.tensor == "c")
        #expect(failure.bytesNeeded == 20)
        #expect(failure.largestGap == 10)
        #expect(failure.freeBytes == 20)
    }

    @Test func theMinimumPeakOrderAvoidsTheFragmentation() throws {
        let graph = try TestGraphs.fragmentation()
        let schedule = graph.schedule(.mpmfSearch, setting: .activations, alignment: 1)
        #expect(schedule.peakBytes == 30)
        let result = try HeuristicPlanner.plan(graph: graph, configuration: Configuration(capacity: 30), order: schedule.order,
                                               scheduleName: "mpmf")
        #expect(result.report.traffic.nonCompulsory == 0)
    }

    /// Hand trace at 65 bytes of the file order of ``TestGraphs/twoBranches()``: `b` does not fit
    /// next to x and a, so `a` is stored (50); `A2` reloads `a` (50) after storing `b` (50);
    /// `B2` reloads `b` (50): 200 bytes. The minimum-peak order fits the arena: 0.
    @Test(arguments: ReplacementPolicy.allCases)
    func minimumPeakOrderSavesTraffic(replacement: ReplacementPolicy) throws {
        let graph = try TestGraphs.twoBranches()
        let config = Configuration(capacity: 65)
        // No mpmf order is given (only CosmaILP's program makes it): the search's order runs, and says so.
        let outcomes = try Baseline.run([ScheduleKind.default, .mpmf].map { Baseline(schedule: $0, replacement: replacement) },
                                        graph: graph, configuration: config)
        #expect(try outcomes[0].result.get().report.traffic.nonCompulsory == 200)
        #expect(try outcomes[1].result.get().report.traffic.nonCompulsory == 0)
        #expect(outcomes[1].baseline.schedule == .mpmfSearch)
        #expect(try outcomes[1].result.get().plan.method == "heuristic:mpmf-search+tflite-arena")
    }
}

/// Cosma's own additions to the on-line planner, on the graph where the compilers' heuristics fail.
@Suite struct OnlineRepairTests {
    /// Hand trace at 30 bytes: `a` goes above `x` (which dies first), `b` between them; at `C`
    /// Belady stores `b` (10) and `c` fits where `x` and `b` were; `D` reloads `b` (10): 20 bytes.
    @Test func lifetimeFitAvoidsTheFragmentation() throws {
        let result = try TestGraphs.planFragmentation(allocation: .lifetimeFit)
        #expect(result.report.traffic.nonCompulsory == 20)
    }

    /// Hand trace with best fit: at `C` the store of `b` (10) is not enough, so the scratchpad is
    /// emptied: `a` is stored (10) and reloaded at 0 (10) next to `c`; `D` reloads `b` (10): 40.
    @Test func compactingInsteadOfFailing() throws {
        let result = try TestGraphs.planFragmentation(allocation: .bestFit, fallback: .flush)
        #expect(result.report.traffic.nonCompulsory == 40)
        #expect(result.plan.method == "heuristic:default+belady+best-fit+compact")
    }
}
