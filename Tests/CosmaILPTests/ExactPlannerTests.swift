import CosmaILP
import DNNGraph
import MILP
import Scratchpad
import Testing

@Suite struct ExactPlannerTests {
    /// Seeded random tiny graphs at capacities from M_R upwards: what the planner proves optimal
    /// must equal the exhaustive optimum, and every bound it reports must be at most it.
    @Test func matchesExhaustiveSearch() throws {
        var proven = 0
        var skipped = 0
        for seed in UInt64(1)...24 {
            let setting: TensorSetting = seed % 3 == 0 ? .all : .activations
            let graph = try randomTinyGraph(seed: seed, operators: 3 + Int(seed % 3), withWeights: setting == .all)
            let mR = Budgets(graph: graph, setting: setting, alignment: 1).mR
            for extra in [0, 2] {
                let config = Configuration(capacity: mR + extra, alignment: 1, tensors: setting)
                guard let optimum = ExhaustiveSearch(graph: graph, config: config).minimumNonCompulsory() else {
                    skipped += 1
                    continue
                }
                for solver in SolverBackend.allCases {
                let result = try ExactPlanner(graph: graph, configuration: config, options: ExactOptions(solver: solver)).solve()
                let traffic = result.nonCompulsory
                #expect(result.result.report.isValid, "seed \(seed)")
                #expect(result.bound <= optimum, "seed \(seed) capacity \(config.capacity): bound \(result.bound) above optimum \(optimum)")
                #expect(traffic >= optimum, "seed \(seed) capacity \(config.capacity): plan \(traffic) below optimum \(optimum)")
                if result.status == .optimal {
                    proven += 1
                    #expect(traffic == optimum, "seed \(seed) capacity \(config.capacity): claimed optimal \(traffic), exhaustive \(optimum)")
                }
                }
            }
        }
        #expect(skipped <= 4, "the exhaustive search gave up on \(skipped) instances")
        #expect(proven >= 80, "only \(proven) of 96 solves proven optimal")
    }
}
