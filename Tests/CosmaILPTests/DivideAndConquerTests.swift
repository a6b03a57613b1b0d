import CosmaILP
import CosmaTestSupport
import DNNGraph
@testable import DivideAndConquer
import Foundation
import Heuristics
import MILP
import Scratchpad
import Testing

@Suite struct MaxFlowTests {
    @Test func matchesTheCheapestCutByEnumeration() {
        var rng = SplitMix64(seed: 42)
        for trial in 0..<200 {
            let n = Int.random(in: 3...7, using: &rng)
            var edges: [(Int, Int, Int)] = []
            for _ in 0..<Int.random(in: 2...14, using: &rng) {
                let a = Int.random(in: 0..<n, using: &rng)
                let b = Int.random(in: 0..<n, using: &rng)
                if a != b { edges.append((a, b, Int.random(in: 0...9, using: &rng))) }
            }
            var network = MaxFlow(nodes: n)
            for (a, b, c) in edges { network.addEdge(from: a, to: b, capacity: c) }
            let flow = network.maximumFlow(from: 0, to: n - 1)
            // Source side: every subset holding node 0 and not node n-1.
            var cheapest = Int.max
            for mask in 0..<(1 << n) where mask & 1 == 1 && mask & (1 << (n - 1)) == 0 {
                let cut = edges.reduce(0) { $0 + ((mask >> $1.0) & 1 == 1 && (mask >> $1.1) & 1 == 0 ? $1.2 : 0) }
                cheapest = min(cheapest, cut)
            }
            #expect(flow == cheapest, "trial \(trial)")
        }
    }
}

@Suite struct CrossingTests {
    /// Bytes crossing `o` in `order`: existing before it runs, read after, not its operands.
    static func crossing(_ graph: Graph, order: [OperatorID], at o: OperatorID, setting: TensorSetting) -> Int {
        let position = graph.positions(of: order)
        let operands = Set(graph.residentOperands(of: o, in: setting))
        var bytes = 0
        for t in graph.tensors.indices where graph.isTracked(t, in: setting) && !operands.contains(t) {
            let reads = graph.consumers[t].map { position[$0] }
            let after = reads.contains { $0 > position[o] }
            let before = graph.producer[t].map { position[$0] < position[o] } ?? reads.contains { $0 < position[o] }
            if before && after { bytes += graph.tensors[t].bytes }
        }
        return bytes
    }

    @Test func minimumCrossingAndPeakBoundMatchEnumeratedSchedules() throws {
        for seed in UInt64(1)...40 {
            let setting: TensorSetting = seed % 2 == 0 ? .all : .activations
            let graph = try randomTinyGraph(seed: seed, operators: 4 + Int(seed % 4), withWeights: setting == .all)
            let analysis = CrossingAnalysis(graph: graph, setting: setting, alignment: 1)
            let orders = allOrders(graph)
            for o in graph.operators.indices {
                let fewest = orders.map { Self.crossing(graph, order: $0, at: o, setting: setting) }.min()!
                #expect(analysis.minimumCrossing(o) == fewest, "seed \(seed), operator \(o)")
            }
            let minimumPeak = orders.map { graph.liveProfile(order: $0, setting: setting, alignment: 1).max() ?? 0 }.min()!
            #expect(analysis.peakLowerBound() <= minimumPeak, "seed \(seed)")
        }
    }

    @Test(arguments: SolverBackend.allCases)
    func trafficBoundNeverExceedsTheOptimum(solver: SolverBackend) throws {
        var positive = 0
        for (seed, graph, config, optimum) in try ExhaustiveSearch.solvedInstances(seeds: 1...14, operators: 3, extras: [0, 2]) {
            let bound = try CrossingBound(problem: PlanningProblem(graph: graph, configuration: config)).solve(with: solver, timeLimit: 10)
            #expect(bound <= optimum, "seed \(seed), capacity \(config.capacity)")
            if bound > 0 { positive += 1 }
        }
        // The bound is only worth reporting if it is not always zero on instances that spill.
        #expect(positive > 0)
    }

    @Test func trafficBoundStaysBelowProvenOptimaOfRealModels() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
        // ResNet-50 with weights at M_R: the exact program proves 602,112 bytes (results/exact.md).
        let graph = try Graph(contentsOf: root.appendingPathComponent("graphs/resnet50.json"))
        let config = Configuration(capacity: Budgets(graph: graph, setting: .all, alignment: 1).mR, tensors: .all)
        let exact = try ExactPlanner(graph: graph, configuration: config).solve()
        try #require(exact.status == .optimal)
        let bound = try CrossingBound(problem: PlanningProblem(graph: graph, configuration: config)).solve(with: .cbc, timeLimit: 10)
        #expect(bound <= exact.nonCompulsory)
    }
}

@Suite struct SegmentTests {
    @Test func segmentProblemMovesOnlyTheSegmentsOperators() throws {
        for seed in UInt64(1)...20 {
            let graph = try randomTinyGraph(seed: seed, operators: 8, withWeights: false)
            let order = Array(graph.operators.indices)
            let free = 2..<6
            let config = Configuration(capacity: 1000, tensors: .activations)
            let problem = PlanningProblem(graph: graph, configuration: config, order: order, free: free)
            for (k, op) in order.enumerated() where !free.contains(k) {
                #expect(problem.operatorWindow[op] == k...k, "seed \(seed)")
            }
            // Every position of every window is taken by some valid order that keeps the rest.
            let reachable = allOrders(graph).filter { o in o.indices.allSatisfy { free.contains($0) || o[$0] == order[$0] } }
            for k in free {
                let op = order[k]
                let used = Set(reachable.map { $0.firstIndex(of: op)! })
                #expect(used == Set(problem.operatorWindow[op]), "seed \(seed), operator \(op)")
            }
        }
    }

    @Test func packerKeepsFixedItemsAndPacksAroundThem() {
        let packer = StayPacker(capacity: 10, alignment: 1)
        let items = [StayPacker.Item(size: 4, first: 0, last: 3), .init(size: 6, first: 1, last: 2), .init(size: 4, first: 3, last: 5)]
        // Item 0 holds 6..<10; item 1 fits below it; item 2 overlaps only item 0 and reuses 0..<4.
        #expect(packer.pack(items, fixed: [6, nil, nil]) == [6, 0, 0])
        // With item 2 also alive at position 2 there is no room left for it.
        let crowded = [items[0], items[1], StayPacker.Item(size: 4, first: 2, last: 5)]
        #expect(packer.pack(crowded, fixed: [6, nil, nil]) == nil)
        #expect(packer.pack(items, fixed: [6, 3, nil]) == nil, "fixed items that collide")
    }

    /// Items drawn from three kinds, so that most have a twin (same size and lifetime), some
    /// fixed where a packing of all of them puts them: what the packer returns keeps the fixed
    /// ones and is valid, and it completes the packing it was cut from.
    @Test func packerCompletesPackingsOfRepeatedItems() {
        var completed = 0
        var instances = 0
        for seed in UInt64(0)..<150 {
            var random = SeededGenerator(seed: 9000 + seed)
            let kinds = (0..<3).map { _ in
                let first = random.nextInt(below: 4)
                return StayPacker.Item(size: 1 + random.nextInt(below: 3), first: first, last: first + random.nextInt(below: 4 - first))
            }
            let items = (0..<(3 + random.nextInt(below: 6))).map { _ in kinds[random.nextInt(below: kinds.count)] }
            let peak = (0..<4).map { t in items.filter { $0.first <= t && t <= $0.last }.reduce(0) { $0 + $1.size } }.max()!
            let packer = StayPacker(capacity: peak + random.nextInt(below: 2), alignment: 1)
            guard let whole = packer.pack(items) else { continue }
            instances += 1
            let fixed = whole.map { random.nextInt(below: 3) == 0 ? $0 : nil }
            guard let offsets = packer.pack(items, fixed: fixed) else { continue }
            completed += 1
            for (i, item) in items.enumerated() {
                #expect(fixed[i] == nil || offsets[i] == fixed[i], "seed \(seed): item \(i) moved")
                #expect(offsets[i] >= 0 && offsets[i] + item.size <= packer.capacity, "seed \(seed)")
                for (j, other) in items.enumerated() where j > i && item.first <= other.last && other.first <= item.last {
                    #expect(offsets[i] + item.size <= offsets[j] || offsets[j] + other.size <= offsets[i], "seed \(seed): \(i) and \(j) collide")
                }
            }
        }
        #expect(instances >= 100)
        #expect(completed == instances, "completed \(completed) of \(instances) packings")
    }
}

@Suite struct DivideAndConquerTests {
    @Test(arguments: SolverBackend.allCases)
    func plansAreValidNeverWorseThanBaselinesAndAboveTheOptimum(solver: SolverBackend) throws {
        for seed in UInt64(300)...315 {
            let setting: TensorSetting = seed % 2 == 0 ? .all : .activations
            let graph = try randomTinyGraph(seed: seed, operators: 9, withWeights: setting == .all)
            let mR = Budgets(graph: graph, setting: setting, alignment: 1).mR
            let config = Configuration(capacity: mR + Int(seed % 3), alignment: 1, tensors: setting)
            let baselines = try Baseline.run(Baseline.all, graph: graph, configuration: config).compactMap { try? $0.result.get() }
            let options = DivideAndConquerOptions(solver: solver, timeLimit: 20, segmentOperators: 3)
            let result = try DivideAndConquerPlanner(graph: graph, configuration: config, options: options).solve()
            #expect(result.result.report.isValid, "seed \(seed)")
            if let best = baselines.map(\.report.traffic.nonCompulsory).min() {
                #expect(result.nonCompulsory <= best, "seed \(seed)")
            }
            #expect(result.bound <= result.nonCompulsory, "seed \(seed)")
            // The joint program proves optima of graphs this small (the exhaustive search checks it
            // in ExactPlannerTests); divide and conquer can match them but never beat them.
            let exact = try ExactPlanner(graph: graph, configuration: config, options: ExactOptions(solver: solver)).solve()
            if exact.status == .optimal {
                #expect(result.nonCompulsory >= exact.nonCompulsory, "seed \(seed)")
                #expect(result.bound <= exact.nonCompulsory, "seed \(seed)")
                if result.status == .optimal { #expect(result.nonCompulsory == exact.nonCompulsory, "seed \(seed)") }
            }
        }
    }
}

@Suite struct ChainHoistTests {
    /// Whether every operator runs once and after the producers of its inputs.
    static func isSchedule(_ order: [OperatorID], of graph: Graph) -> Bool {
        guard order.count == graph.operators.count, Set(order).count == order.count else { return false }
        let position = graph.positions(of: order)
        return graph.operators.indices.allSatisfy { o in graph.predecessors[o].allSatisfy { position[$0] < position[o] } }
    }

    @Test func movesGiveSchedulesThatKeepWhatTheyDoNotMove() throws {
        for seed in UInt64(1)...30 {
            let graph = try randomTinyGraph(seed: seed, operators: 9, withWeights: false)
            let order = Array(graph.operators.indices)
            let position = graph.positions(of: order)
            let hoist = ChainHoist(graph: graph)
            for op in order {
                for limit in ChainHoist.chainLimits {
                    for target in 0..<position[op] {
                        let moved = hoist.moving([op], to: target, earlier: true, in: order, position: position, chainLimit: limit)
                        #expect(Self.isSchedule(moved, of: graph), "seed \(seed), op \(op) to \(target)")
                        #expect(moved[..<target] == order[..<target], "seed \(seed): nothing before the target moves")
                        #expect(moved.firstIndex(of: op)! <= position[op], "seed \(seed)")
                    }
                    for target in (position[op] + 1)...order.count {
                        let moved = hoist.moving([op], to: target, earlier: false, in: order, position: position, chainLimit: limit)
                        #expect(Self.isSchedule(moved, of: graph), "seed \(seed), op \(op) before \(target)")
                        #expect(moved[target...] == order[target...], "seed \(seed): nothing from the target on moves")
                        #expect(moved.firstIndex(of: op)! >= position[op], "seed \(seed)")
                    }
                }
            }
        }
    }

    /// `X` is read right after it is made and again at the end, after a chain whose temporaries
    /// leave no room for it: in file order it must be spilled. Windows of two operators cannot
    /// bring its last reader forward across the chain; hoisting it can, and then nothing spills.
    @Test(arguments: SolverBackend.allCases)
    func hoistingALateReaderRemovesItsSpill(solver: SolverBackend) throws {
        var tensors = [Tensor(name: "in", bytes: 1, kind: .input), Tensor(name: "X", bytes: 4, kind: .activation),
                       Tensor(name: "b", bytes: 1, kind: .activation), Tensor(name: "r", bytes: 1, kind: .activation),
                       Tensor(name: "out", bytes: 1, kind: .activation)]
        var ops: [GraphDocument.OperatorEntry] = [.init(name: "A", type: "Op", inputs: ["in"], outputs: ["X"]),
                                                  .init(name: "B", type: "Op", inputs: ["X"], outputs: ["b"])]
        var previous = "b"
        for i in 1...6 {
            tensors.append(Tensor(name: "c\(i)", bytes: 2, kind: .activation))
            ops.append(.init(name: "C\(i)", type: "Op", inputs: [previous], outputs: ["c\(i)"]))
            previous = "c\(i)"
        }
        ops += [.init(name: "R", type: "Op", inputs: ["X"], outputs: ["r"]), .init(name: "D", type: "Op", inputs: [previous, "r"], outputs: ["out"])]
        let graph = try Graph(document: GraphDocument(name: "late-reader", tensors: tensors, operators: ops, outputs: ["out"]))
        let config = Configuration(capacity: 6, alignment: 1, tensors: .activations)
        let planner = DivideAndConquerPlanner(graph: graph, configuration: config,
                                              options: DivideAndConquerOptions(solver: solver, segmentOperators: 2))
        let start = try HeuristicPlanner.plan(graph: graph, configuration: config, order: Array(graph.operators.indices),
                                              scheduleName: "default", compactsOnFailure: true)
        #expect(start.report.traffic.nonCompulsory > 0)
        let incumbent = try #require(try planner.incumbent(from: start))
        let attempt = try #require(try planner.hoist(incumbent, within: TimeBudget(seconds: 30)))
        let better = try #require(attempt.better)
        #expect(better.traffic == 0)
        #expect(better.certified.report.isValid)
        #expect(Self.isSchedule(better.residency.order, of: graph))
    }
}

@Suite struct SegmentAddressTests {
    /// The address program of a segment re-decides offsets only inside the re-planned positions:
    /// whatever it returns is a valid plan, cheaper than the incumbent, in which a tensor resident
    /// at a position outside them was resident there before, at the same offset (trimming may
    /// shorten a stay, never move it).
    @Test(arguments: SolverBackend.allCases)
    func addressesOutsideTheSegmentStayPut(solver: SolverBackend) throws {
        var improved = 0
        for seed in UInt64(400)...430 {
            let graph = try randomTinyGraph(seed: seed, operators: 9, withWeights: false)
            let mR = Budgets(graph: graph, setting: .activations, alignment: 1).mR
            let config = Configuration(capacity: mR + Int(seed % 3), alignment: 1, tensors: .activations)
            let planner = DivideAndConquerPlanner(graph: graph, configuration: config, options: DivideAndConquerOptions(solver: solver))
            let plans = ExactPlanner(graph: graph, configuration: config).plansFollowing(Array(graph.operators.indices))
            guard let worst = plans.max(by: { $0.report.traffic.nonCompulsory < $1.report.traffic.nonCompulsory }),
                  worst.report.traffic.nonCompulsory > 0,
                  let incumbent = try planner.incumbent(from: worst) else { continue }
            let replanned = 2..<6
            let problem = PlanningProblem(graph: graph, configuration: config, order: incumbent.residency.order, free: 3..<5)
            let attempt = try planner.replan(incumbent, problem: problem, replanned: replanned, mode: .addresses, timeLimit: 20)
            guard let better = attempt.better else { continue }
            improved += 1
            #expect(better.certified.report.isValid, "seed \(seed)")
            #expect(better.traffic < incumbent.traffic, "seed \(seed)")
            for (t, stays) in better.residency.stays.enumerated() {
                for (i, stay) in stays.enumerated() {
                    for k in stay.first...stay.last where !replanned.contains(k) {
                        let j = try #require(incumbent.residency.stays[t].firstIndex { $0.first <= k && k <= $0.last },
                                             "seed \(seed): tensor \(t) resident at \(k) only in the new plan")
                        #expect(incumbent.offsets[t][j] == better.offsets[t][i], "seed \(seed): tensor \(t) moved at \(k), outside the segment")
                    }
                }
            }
        }
        #expect(improved > 0, "no instance exercised the address program")
    }
}
