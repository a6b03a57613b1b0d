import DNNGraph
import Heuristics
import Scratchpad
import Testing

/// The defragmenting fallback (``OnlineFallback/defragment``): what the baselines do instead of
/// failing on fragmentation.
@Suite struct DefragmentingFallbackTests {
    /// Hand trace at 30 bytes (file order, Belady, best fit): at `C`, `x` is dead and Belady stores
    /// and drops `b` (10); `a@10` alone still splits the 20 free bytes. Compaction moves `a`, which
    /// has no DRAM copy: stored (10) and reloaded (10) above `c@0`. `D` reloads `b` (10): 40 bytes.
    @Test func compactsTheScatteredOperands() throws {
        let result = try TestGraphs.planFragmentation(fallback: .defragment)
        #expect(result.report.traffic.nonCompulsory == 40)
        #expect(result.fallbacks.compactions == 1)
        #expect(result.fallbacks.storeReloads == 1)
        #expect(result.fallbacks.reloads == 0)
        let c = result.plan.steps[2]
        #expect(c.store == ["b", "a"])
        #expect(c.load == [Placement(tensor: "a", offset: 20)])
        #expect(c.outputs == [Placement(tensor: "c", offset: 0)])
        #expect(result.plan.method == "heuristic:default+belady+best-fit")
    }

    /// The greedy policy stops when every window it could clear holds an operand; the fallback
    /// then evicts further (here `b`, the only non-operand) before compacting.
    @Test func greedyEvictsFurtherBeforeCompacting() throws {
        let graph = try TestGraphs.fragmentation()
        let config = Configuration(capacity: 30)
        let strict = Baseline(schedule: .default, replacement: .greedy, strict: true)
        #expect(throws: PlanningFailure.self) { try strict.plan(graph: graph, configuration: config, schedule: graph.schedule(.default, setting: .activations, alignment: 1)).get() }
        let result = try Baseline(schedule: .default, replacement: .greedy)
            .plan(graph: graph, configuration: config, schedule: graph.schedule(.default, setting: .activations, alignment: 1)).get()
        #expect(result.fallbacks.furtherEvictions == 1)
        #expect(result.fallbacks.compactions == 1)
        #expect(result.report.isValid)
    }

    @Test func namesReadBack() {
        for baseline in Baseline.all + Baseline.production + Baseline.paper.map(\.strictVariant) {
            #expect(Baseline(name: baseline.description) == baseline)
        }
        #expect(Baseline(name: "mpmf+lru+best-fit+hill-climb+strict")?.arena == .hillClimb)
        #expect(Baseline(name: "mpmf+lru+best-fit+nonsense") == nil)
    }
}
