@testable import CosmaILP
import CosmaTestSupport
import DNNGraph
import MILP
import Scratchpad
import Testing

/// The exact method under the in-place model (docs/in-place.md) against ``ExhaustiveSearch`` over
/// every schedule, every in-place choice, replacement and address, on tiny graphs with
/// elementwise operators, views, a residual `Add` and a diamond.
@Suite struct ExactInPlaceTests {
    /// A graph whose first tensor is the input `in` and the others activations; `outputs` are
    /// the graph's outputs.
    static func graph(_ name: String, _ tensors: [(String, Int)], _ ops: [(type: String, inputs: [String], output: String)],
                      outputs: [String]) throws -> Graph {
        let all = tensors.enumerated().map { i, t in Tensor(name: t.0, bytes: t.1, kind: i == 0 ? .input : .activation) }
        let entries = ops.enumerated().map { i, o in GraphDocument.OperatorEntry(name: "op\(i)", type: o.type, inputs: o.inputs, outputs: [o.output]) }
        return try Graph(document: GraphDocument(name: name, tensors: all, operators: entries, outputs: outputs))
    }

    /// Hand-made graphs: what each exercises is in its name.
    static func handMade() throws -> [Graph] {
        [
            // Relu and Sigmoid work in place on a chain.
            try graph("elementwise-chain", [("in", 2), ("a", 4), ("b", 4), ("c", 4), ("d", 3), ("out", 3)],
                      [("Conv", ["in"], "a"), ("Relu", ["a"], "b"), ("Sigmoid", ["b"], "c"), ("Conv", ["c"], "d"), ("Relu", ["d"], "out")],
                      outputs: ["out"]),
            // A skip tensor waits across a wide elementwise step: in place it need not be spilled.
            try graph("residual-add", [("in", 2), ("a", 2), ("b", 6), ("c", 6), ("d", 2), ("out", 2)],
                      [("Conv", ["in"], "a"), ("Conv", ["a"], "b"), ("Relu", ["b"], "c"), ("Conv", ["c"], "d"), ("Add", ["a", "d"], "out")],
                      outputs: ["out"]),
            // The same with two elementwise steps in a row beside the skip.
            try graph("residual-two-steps", [("in", 2), ("a", 3), ("b", 5), ("c", 5), ("e", 5), ("d", 3), ("out", 3)],
                      [("Conv", ["in"], "a"), ("Conv", ["a"], "b"), ("Relu", ["b"], "c"), ("Sigmoid", ["c"], "e"), ("Conv", ["e"], "d"),
                       ("Add", ["a", "d"], "out")],
                      outputs: ["out"]),
            // A view of a tensor read later is a copy; a view of a dying one aliases it.
            try graph("views", [("in", 2), ("a", 3), ("v", 3), ("b", 4), ("f", 4), ("g", 3), ("out", 3)],
                      [("Conv", ["in"], "a"), ("Reshape", ["a"], "v"), ("Conv", ["v"], "b"), ("Flatten", ["b"], "f"),
                       ("Conv", ["f"], "g"), ("Add", ["a", "g"], "out")],
                      outputs: ["out"]),
            // The Relu works in place only if the schedule runs it after the other reader of `a`.
            try graph("diamond", [("in", 2), ("a", 4), ("b", 4), ("c", 3), ("e", 4), ("d", 4), ("out", 2)],
                      [("Conv", ["in"], "a"), ("Relu", ["a"], "b"), ("Conv", ["a"], "c"), ("Conv", ["c"], "e"),
                       ("Add", ["b", "e"], "d"), ("Conv", ["d"], "out")],
                      outputs: ["out"]),
        ]
    }

    /// The hand-made graphs and a few seeded random ones, each at capacities from the in-place
    /// `M_R` up past the paper model's `M_R`, with in-place on.
    static func instances() throws -> [(graph: Graph, config: Configuration)] {
        let random = try (UInt64(1)...6).map { try randomInPlaceGraph(seed: $0 + 400, operators: 5 + Int($0 % 2), sizes: 1...4) }
        var result: [(graph: Graph, config: Configuration)] = []
        for graph in try handMade() + random {
            let on = Budgets(graph: graph, setting: .activations, alignment: 1, inPlace: .on).mR
            let off = Budgets(graph: graph, setting: .activations, alignment: 1).mR
            for capacity in Set([on, on + 1, on + 2, off, off + 1, off + 2]).sorted() where capacity <= 30 {
                result.append((graph, Configuration(capacity: capacity, alignment: 1, tensors: .activations, inPlace: .on)))
            }
        }
        return result
    }

    /// The exact planner proves every instance optimal and its optimum is the exhaustive one; its
    /// plans pass the simulator with their in-place writes, and some instance needs in-place to
    /// reach its optimum (the optimum is below the paper model's at the same capacity).
    @Test(arguments: SolverBackend.allCases)
    func exactProgramMatchesExhaustiveSearch(solver: SolverBackend) throws {
        var cheaperInPlace = 0
        var writes = 0
        var solved = 0
        let instances = try Self.instances()
        for (graph, config) in instances {
            let place = "\(graph.name) at \(config.capacity) with \(solver)"
            let planner = ExactPlanner(graph: graph, configuration: config, options: ExactOptions(solver: solver))
            let search = ExhaustiveSearch(graph: graph, config: config)
            try #require(search.fits, "\(place)")
            guard let optimum = search.minimumNonCompulsory() else {
                // In-place `M_R` counts every operator's saving where some schedule allows it,
                // which no single schedule may allow at once: then there is no plan, and the
                // planner says so rather than return one.
                #expect(throws: ExactFailure.self, "\(place)") { try planner.solve() }
                continue
            }
            solved += 1
            let result = try planner.solve()
            #expect(result.result.report.isValid, "\(place)")
            #expect(result.status == .optimal && result.nonCompulsory == optimum, "\(place): \(result.nonCompulsory) (\(result.status)) vs \(optimum)")
            #expect(result.bound <= optimum, "\(place): bound \(result.bound) above \(optimum)")
            writes += result.result.plan.steps.flatMap(\.outputs).filter { $0.inPlaceOf != nil }.count
            var off = config
            off.inPlace = .off
            if config.capacity >= Budgets(graph: graph, setting: .activations, alignment: 1).mR,
               let paper = ExhaustiveSearch(graph: graph, config: off).minimumNonCompulsory(), optimum < paper {
                cheaperInPlace += 1
            }
        }
        #expect(solved >= 30, "only \(solved) of \(instances.count) instances have a plan")
        #expect(writes > 0 && cheaperInPlace >= 3, "writes \(writes), instances cheaper in place \(cheaperInPlace)")
    }

    /// The address program alone (no warm start, no packer) is the full in-place problem: its
    /// optimum is the exhaustive one and its solution, read as a plan with its in-place writes,
    /// passes the simulator at that traffic.
    @Test(arguments: SolverBackend.allCases)
    func addressProgramIsTheInPlaceProblem(solver: SolverBackend) throws {
        var writes = 0
        for (graph, config) in try Self.instances() {
            let place = "\(graph.name) at \(config.capacity) with \(solver)"
            guard let optimum = ExhaustiveSearch(graph: graph, config: config).minimumNonCompulsory() else { continue }
            let problem = PlanningProblem(graph: graph, configuration: config)
            let program = JointProgram(problem: problem, mode: .addresses)
            let outcome = try solver.solve(program.model)
            let solution = try #require(outcome.solution, "\(place): \(outcome.status)")
            #expect(outcome.status == .optimal && Int(solution.objective.rounded()) == optimum, "\(place): \(solution.objective) vs \(optimum)")
            let residency = program.residency(from: solution)
            writes += residency.writes.count
            let plan = residency.plan(offsets: program.offsets(for: residency, from: solution), problem: problem, method: "test")
            let certified = try CertifiedPlan(certifying: plan, graph: graph)
            #expect(certified.report.traffic.nonCompulsory == optimum, "\(place)")
        }
        #expect(writes > 0)
    }

    /// Every bound the exact method and divide and conquer use, computed under the in-place
    /// model, stays at or below the exhaustive in-place optimum: the covers, the crossing bound,
    /// and the capacity program's optimum. The covers also hold as rows of the program.
    @Test(arguments: SolverBackend.allCases)
    func boundsNeverExceedTheInPlaceOptimum(solver: SolverBackend) throws {
        for (graph, config) in try Self.instances() {
            let place = "\(graph.name) at \(config.capacity) with \(solver)"
            guard let optimum = ExhaustiveSearch(graph: graph, config: config).minimumNonCompulsory() else { continue }
            let problem = PlanningProblem(graph: graph, configuration: config)
            let covers = try ForcedLiveCovers(problem: problem).bound(solver: solver, timeLimit: nil)
            let crossing = try CrossingBound(problem: problem).solve(with: solver, timeLimit: nil)
            #expect(covers <= optimum && crossing <= optimum, "\(place): covers \(covers), crossing \(crossing), optimum \(optimum)")
            // With the in-place model's M_P, enumerated over every order, the peak cover too.
            let (order, minimumPeak) = allOrders(graph).map {
                ($0, graph.liveProfile(order: $0, setting: config.tensors, alignment: config.alignment, inPlace: .on).max() ?? 0)
            }.min { $0.1 < $1.1 }!
            let peak = try CrossingBound(problem: problem, peakBound: minimumPeak, order: order).solve(with: solver, timeLimit: nil)
            #expect(peak <= optimum, "\(place): with the peak cover \(peak), optimum \(optimum)")
            let program = JointProgram(problem: problem)
            let outcome = try solver.solve(program.model)
            #expect(outcome.status == .optimal, "\(place)")
            let relaxation = Int((try #require(outcome.objective, "\(place)")).rounded())
            #expect(relaxation <= optimum, "\(place): capacity program \(relaxation), optimum \(optimum)")
        }
    }

    /// The search is a real oracle for the in-place model: on the residual graph at the paper
    /// model's `M_R` it finds a plan with no spill only when outputs may take their inputs' bytes.
    @Test func exhaustiveSearchSeesInPlaceWrites() throws {
        let graph = try Self.handMade()[1]
        let mR = Budgets(graph: graph, setting: .activations, alignment: 1).mR
        let on = Configuration(capacity: mR - 2, alignment: 1, tensors: .activations, inPlace: .on)
        var off = on
        off.inPlace = .off
        #expect(ExhaustiveSearch(graph: graph, config: on).minimumNonCompulsory() == 0)
        #expect(ExhaustiveSearch(graph: graph, config: off).minimumNonCompulsory() == nil)
    }
}
