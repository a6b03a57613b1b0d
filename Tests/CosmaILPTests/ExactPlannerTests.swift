@testable import CosmaILP
import CosmaTestSupport
import DNNGraph
import Heuristics
import MILP
import Scratchpad
import Testing
import Foundation

@Suite struct ExactPlannerTests {
    /// Seeded random tiny graphs of four to seven operators at capacities from M_R upwards: what
    /// the planner proves optimal must equal the exhaustive optimum, every bound it reports must
    /// be at most it, and CBC and GLPK must agree whenever both prove an optimum. The search is cut
    /// off at the best plan either solver returns (a simulated plan, so the optimum is at most its
    /// traffic); that changes how much it explores, not what it finds.
    @Test func matchesExhaustiveSearch() throws {
        var proven = 0
        var skipped = 0
        var sizes: [Int: Int] = [:]
        for seed in UInt64(1)...24 {
            let setting: TensorSetting = seed % 3 == 0 ? .all : .activations
            let graph = try randomTinyGraph(seed: seed, operators: 4 + Int(seed % 4), withWeights: setting == .all)
            for extra in [0, 2] {
                let config = Configuration.atMR(of: graph, tensors: setting, plus: extra)
                let search = ExhaustiveSearch(graph: graph, config: config)
                guard search.fits else {
                    skipped += 1
                    continue
                }
                var results: [SolverBackend: PlanResult] = [:]
                for solver in SolverBackend.allCases {
                    results[solver] = try ExactPlanner(graph: graph, configuration: config, options: ExactOptions(solver: solver)).solve()
                }
                let cutoff = results.values.map(\.nonCompulsory).min()!
                guard let optimum = search.minimumNonCompulsory(cutoff: cutoff) else {
                    skipped += 1
                    continue
                }
                sizes[graph.operators.count, default: 0] += 1
                for (solver, result) in results {
                    let traffic = result.nonCompulsory
                    let place = "seed \(seed) capacity \(config.capacity) \(solver)"
                    #expect(result.result.report.isValid, "\(place)")
                    #expect(result.bound <= optimum, "\(place): bound \(result.bound) above optimum \(optimum)")
                    #expect(traffic >= optimum, "\(place): plan \(traffic) below optimum \(optimum)")
                    if result.status == .optimal {
                        proven += 1
                        #expect(traffic == optimum, "\(place): claimed optimal \(traffic), exhaustive \(optimum)")
                    }
                }
                if results.values.allSatisfy({ $0.status == .optimal }) {
                    #expect(Set(results.values.map(\.nonCompulsory)).count == 1, "seed \(seed) capacity \(config.capacity): CBC and GLPK disagree")
                }
            }
        }
        #expect(skipped <= 4, "the exhaustive search gave up on \(skipped) instances")
        #expect(sizes[7, default: 0] >= 8, "only \(sizes[7, default: 0]) seven-operator instances were checked")
        #expect(proven >= 80, "only \(proven) of 96 solves proven optimal")
    }
}

@Suite struct ExactPlannerVariantsTests {
    /// With the schedule fixed, the plan follows it, and it never beats the free schedule.
    @Test(arguments: SolverBackend.allCases)
    func fixedScheduleIsKept(solver: SolverBackend) throws {
        for seed in UInt64(100)...110 {
            let (graph, config) = try tinyActivationsAtMR(seed: seed, operators: 5)
            let order = Array(graph.operators.indices.reversed()).sorted { graph.topologicalLevels()[$0] < graph.topologicalLevels()[$1] }
            let fixed = try ExactPlanner(graph: graph, configuration: config, fixedOrder: order, options: ExactOptions(solver: solver)).solve()
            let free = try ExactPlanner(graph: graph, configuration: config, options: ExactOptions(solver: solver)).solve()
            #expect(fixed.result.plan.steps.map(\.op) == order.map { graph.operators[$0].name }, "seed \(seed)")
            #expect(fixed.result.report.isValid && free.result.report.isValid, "seed \(seed)")
            if fixed.status == .optimal && free.status == .optimal {
                #expect(free.nonCompulsory <= fixed.nonCompulsory, "seed \(seed)")
            }
        }
    }

    /// The last-resort plan exists at M_R and costs exactly a store and a reload of every
    /// activation read after its producer's step.
    /// A minimum-peak schedule the caller has (`cosma solve` at a named budget) replaces the
    /// baselines' own search: the `mpmf-search` plans follow its order, and it comes back as the
    /// schedule behind them. Here it is the order with the highest peak, which no search returns.
    @Test func baselinesFollowAGivenMinimumPeakSchedule() throws {
        let (graph, config) = try tinyActivationsAtMR(seed: 7, operators: 6)
        let profiles = allOrders(graph).map { (order: $0, peak: graph.liveProfile(order: $0, setting: config.tensors, alignment: 1).max() ?? 0) }
        let worst = profiles.max { $0.peak < $1.peak }!
        try #require(worst.peak > profiles.map(\.peak).min()!)
        let given = Schedule(order: worst.order, peakBytes: worst.peak, algorithm: .fileOrder)
        let baselines = try ExactPlanner(graph: graph, configuration: config).baselines(minimumPeak: given)
        #expect(baselines.minimumPeak?.order == worst.order)
        let followers = baselines.plans.filter { $0.plan.method?.hasPrefix("heuristic:mpmf-search+") == true }
        #expect(!followers.isEmpty)
        for plan in followers { #expect(Residency.order(of: plan.plan, graph: graph) == worst.order) }
        let searched = try ExactPlanner(graph: graph, configuration: config).baselines()
        #expect(searched.minimumPeak?.order != worst.order)
    }

    @Test func spillingEverythingIsAlwaysValid() throws {
        let (graph, config) = try tinyActivationsAtMR(seed: 7, operators: 6)
        let planner = ExactPlanner(graph: graph, configuration: config)
        let plan = try planner.spillEverything()
        #expect(plan.report.isValid)
        var expected = 0
        for t in graph.tensors.indices {
            let reads = graph.consumers[t].count
            if graph.producer[t] != nil, reads > 0 {
                expected += graph.tensors[t].bytes * (reads + (graph.isOutput[t] ? 0 : 1))
            } else if graph.producer[t] == nil, reads > 1 {
                expected += graph.tensors[t].bytes * (reads - 1)
            }
        }
        #expect(plan.report.traffic.nonCompulsory == expected)
    }

    /// A chain whose only order peaks at 15 bytes, where TensorFlow Lite's arena needs 16 and
    /// every on-line allocator fails (see `TestGraphs.arenaFragments` in the heuristics tests):
    /// the static-arena heuristic packs it, so the warm start spills nothing and the planner
    /// stops before any program.
    @Test func staticArenaEndsTheSolveWhereTheTFLiteArenaFragments() throws {
        let graph = try Graph(document: GraphDocument(
            name: "arena-fragments",
            tensors: [Tensor(name: "x", bytes: 1, kind: .input)]
                + [("a", 7), ("b", 3), ("c", 5), ("d", 8), ("y", 1)].map { Tensor(name: $0.0, bytes: $0.1, kind: .activation) },
            operators: [("P0", ["x"], ["a"]), ("P1", ["a"], ["b"]), ("P2", ["a", "b"], ["c"]), ("P3", ["c"], ["d"]), ("P4", ["d"], ["y"])]
                .map { .init(name: $0.0, type: "Op", inputs: $0.1, outputs: $0.2) },
            outputs: ["y"]))
        let result = try ExactPlanner(graph: graph, configuration: Configuration(capacity: 15)).solve()
        #expect(result.status == .optimal)
        #expect(result.nonCompulsory == 0)
        #expect(result.result.plan.method?.hasSuffix("+static-arena") == true)
        // Every on-line heuristic gives up here; divide and conquer's lenient warm starts run
        // them again compacting the scratchpad, so that it is never worse than any heuristic.
        let planner = ExactPlanner(graph: graph, configuration: Configuration(capacity: 15))
        let online = { (plans: [CertifiedPlan]) in plans.filter { $0.plan.method?.hasSuffix("+static-arena") == false } }
        #expect(online(try planner.baselines().plans).isEmpty)
        let lenient = try planner.baselines(lenient: true).plans
        #expect(!online(lenient).isEmpty && lenient.allSatisfy(\.report.isValid))
    }
}

/// Real models whose proofs once depended on luck or patience, with their weights at `M_R`.
@Suite(.tags(.realModel)) struct ExactPlannerRealModelTests {
    /// `graphs/NAME.json` with its weights at `M_R`.
    static func withWeightsAtMR(_ name: String) throws -> (Graph, Configuration) {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
        let graph = try Graph(contentsOf: root.appendingPathComponent("graphs/\(name).json"))
        return (graph, Configuration.atMR(of: graph, tensors: .all))
    }

    /// The exact planner's answer on `graphs/NAME.json` with its weights at `M_R`, simulated and
    /// proven optimal.
    static func solveWithWeightsAtMR(_ name: String, solver: SolverBackend,
                                     reductions: JointProgram.Reductions = .all) throws -> PlanResult {
        let (graph, configuration) = try withWeightsAtMR(name)
        // No time limit: every stage runs to completion, so what is proven does not depend on the
        // machine's speed.
        let options = ExactOptions(solver: solver, reductions: reductions)
        let result = try ExactPlanner(graph: graph, configuration: configuration, options: options).solve()
        #expect(result.result.report.isValid)
        #expect(result.status == .optimal, "\(result.trace.lines)")
        return result
    }

    /// DenseNet-121: the capacity program's stays pack, which proves them optimal at once. They
    /// pack only because the packer tries interchangeable blocks (the four parameters of each
    /// batch normalisation) in one order; before that, the proof depended on divide and conquer
    /// finding the optimum in time and failed in about half the runs.
    /// The fixed-schedule start is left out: it finds the same plan (GLPK needs 80 s for it
    /// without a time limit), and only the packed relaxation proves it.
    @Test(arguments: SolverBackend.allCases)
    func provesDenseNetByPackingTheRelaxation(solver: SolverBackend) throws {
        let result = try Self.solveWithWeightsAtMR("densenet121", solver: solver, reductions: .all.subtracting([.fixedScheduleStart]))
        #expect(result.nonCompulsory == 1_204_224)
        #expect(result.trace.packed(in: .capacityProgram), "\(result.trace.lines)")
        #expect(result.trace.bounds.contains { $0.stage == .capacityProgram && $0.bytes == 1_204_224 }, "\(result.trace.lines)")
        #expect(result.trace.improvements.last?.stage == .capacityProgram, "\(result.trace.lines)")
    }

    /// ViT-B/16: the fixed-schedule program on the heuristics' order meets the crossing bound,
    /// so no time-indexed program is solved. (CBC took 38 s to prove the same plan through the
    /// capacity program: 25 s of it to close the last 16 bytes.)
    @Test(arguments: SolverBackend.allCases)
    func provesViTWithoutTheCapacityProgram(solver: SolverBackend) throws {
        let result = try Self.solveWithWeightsAtMR("vit_b_16", solver: solver)
        #expect(result.nonCompulsory == 3_631_376)
        #expect(!result.trace.ran(.capacityProgram), "\(result.trace.lines)")
        #expect(result.trace.improvements.last?.stage == .fixedSchedule, "\(result.trace.lines)")
        #expect(result.trace.bounds.contains { $0.stage == .crossingBound && $0.bytes == 3_631_376 }, "\(result.trace.lines)")
    }

    /// ViT-B/16's capacity program started from the fixed-schedule plan, with a time limit that
    /// ends while CBC would still be preprocessing: CBC 2.10.8 crashed the process there until the
    /// MILP layer learnt to skip its preprocessing in that case.
    @Test func cbcSurvivesATimeLimitInsidePreprocessingWithAStart() throws {
        let (graph, configuration) = try Self.withWeightsAtMR("vit_b_16")
        let fixed = try ExactPlanner(graph: graph, configuration: configuration, fixedOrder: Array(graph.operators.indices)).solve()
        let problem = PlanningProblem(graph: graph, configuration: configuration)
        let program = JointProgram(problem: problem)
        var options = SolveOptions()
        options.timeLimit = 1
        options.mipStart = program.values(for: Residency.read(fixed.result.plan, graph: graph).residency.trimmed(problem))
        let outcome = try SolverBackend.cbc.solve(program.model, options: options)
        #expect(outcome.solution != nil)
    }
}

/// The LP file of `--write-lp` must mean the same program to CBC's own command-line solver.
@Suite struct LPFileTests {
    @Test func cbcCommandLineSolvesTheWrittenProgramToTheSameOptimum() throws {
        let cbc = URL(fileURLWithPath: "/usr/bin/cbc")
        try #require(FileManager.default.isExecutableFile(atPath: cbc.path), "the coinor-cbc package provides /usr/bin/cbc; `make test` installs it")
        for seed in UInt64(200)...204 {
            let graph = try randomTinyGraph(seed: seed, operators: 5, withWeights: true)
            let config = Configuration.atMR(of: graph, tensors: .all)
            let program = JointProgram(problem: PlanningProblem(graph: graph, configuration: config))
            let ours = try SolverBackend.cbc.solve(program.model)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("cosma-\(UUID().uuidString).lp")
            defer { try? FileManager.default.removeItem(at: file) }
            try program.model.writeLP(to: file)
            let process = Process()
            process.executableURL = cbc
            process.arguments = [file.path, "solve", "quit"]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("Objective value:") }, "seed \(seed): \(output)")
            let value = try #require(Double(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)))
            #expect(abs(value - (ours.objective ?? .nan)) < 1e-6, "seed \(seed): cbc says \(value), we say \(ours.objective ?? .nan)")
        }
    }
}

/// Interchangeable branches are taken in a canonical order by the covers; the bound they give must
/// still hold for every order, so the planner's answer must match the exhaustive optimum.
@Suite struct InterchangeableBranchTests {
    /// Three identical conv-relu branches from one input, joined by a concatenation (the shape of
    /// DeepLabV3's atrous pyramid), at M_R and just above.
    func branches() throws -> Graph {
        var tensors = [Tensor(name: "in", bytes: 2, kind: .input)]
        var ops: [GraphDocument.OperatorEntry] = []
        for i in 0..<3 {
            tensors += [Tensor(name: "w\(i)", bytes: 1, kind: .weight), Tensor(name: "a\(i)", bytes: 2, kind: .activation),
                        Tensor(name: "b\(i)", bytes: 2, kind: .activation)]
            ops.append(.init(name: "conv\(i)", type: "Conv", inputs: ["in", "w\(i)"], outputs: ["a\(i)"]))
            ops.append(.init(name: "relu\(i)", type: "Relu", inputs: ["a\(i)"], outputs: ["b\(i)"]))
        }
        tensors.append(Tensor(name: "out", bytes: 6, kind: .activation))
        ops.append(.init(name: "concat", type: "Concat", inputs: ["b0", "b1", "b2"], outputs: ["out"]))
        return try Graph(document: GraphDocument(name: "branches", tensors: tensors, operators: ops, outputs: ["out"]))
    }

    @Test func branchesAreFoundAndTheBoundHolds() throws {
        let graph = try branches()
        let arcs = ForcedLiveCovers.interchangeableBranchArcs(graph, setting: .all)
        #expect(arcs.map { [$0.0, $0.1] } == [[0, 2], [2, 4]])
        for setting in TensorSetting.allCases {
            for extra in [0, 1] {
                let config = Configuration.atMR(of: graph, tensors: setting, plus: extra)
                let result = try ExactPlanner(graph: graph, configuration: config).solve()
                let optimum = try #require(ExhaustiveSearch(graph: graph, config: config).minimumNonCompulsory(cutoff: result.nonCompulsory))
                #expect(result.bound <= optimum, "\(setting) capacity \(config.capacity)")
                #expect(result.status != .optimal || result.nonCompulsory == optimum, "\(setting) capacity \(config.capacity)")
            }
        }
    }
}

/// The repair's reserves: the coarse steps until one packs, then halvings towards the smallest
/// reserve that packs.
@Suite struct RepairReservesTests {
    /// Runs the search against stays that pack at every reserve of at least `threshold`.
    static func tried(packingFrom threshold: Double) -> [Double] {
        var reserves = RepairReserves()
        var tried: [Double] = []
        while let fraction = reserves.next {
            tried.append(fraction)
            reserves.record(packed: fraction >= threshold)
        }
        return tried
    }

    /// Fractions in hundred-thousandths of the capacity, so that halving's rounding does not count.
    static func rounded(_ fractions: [Double]) -> [Double] { fractions.map { ($0 * 100_000).rounded() } }

    @Test func narrowsTowardsTheSmallestReserveThatPacks() {
        // 2% does not pack, 5% does; then 3.5% (no), 4.25% (yes), 3.875% (yes).
        #expect(Self.rounded(Self.tried(packingFrom: 0.0375)) == Self.rounded([0.02, 0.05, 0.035, 0.0425, 0.03875]))
        // The first coarse step packs: the halvings start from no reserve at all.
        #expect(Self.rounded(Self.tried(packingFrom: 0.001)) == Self.rounded([0.02, 0.01, 0.005, 0.0025]))
    }

    @Test func stopsAfterTheCoarseStepsWhenNothingPacks() {
        #expect(Self.tried(packingFrom: 1) == RepairReserves.coarse)
    }

    /// Wherever the threshold lies among the coarse steps, the last reserve that packs is within
    /// an eighth of the coarse interval that holds it, and every reserve tried is distinct.
    @Test func endsWithinAnEighthOfTheCoarseInterval() {
        for threshold in stride(from: 0.001, through: 0.2, by: 0.0037) {
            let tried = Self.tried(packingFrom: threshold)
            let packing = tried.filter { $0 >= threshold }
            let smallest = packing.min()!
            let coarseAbove = RepairReserves.coarse.first { $0 >= threshold }!
            let coarseBelow = RepairReserves.coarse.last { $0 < threshold } ?? 0
            #expect(smallest - threshold <= (coarseAbove - coarseBelow) / 8 + 1e-12, "threshold \(threshold): \(tried)")
            #expect(Set(tried).count == tried.count, "threshold \(threshold): \(tried)")
        }
    }
}
