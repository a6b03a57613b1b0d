import Cosma
import CosmaILP
import MILP
import DivideAndConquer
import DNNGraph
import Scratchpad
import Foundation

/// What a call of the C library answers: its return code and the JSON it hands back.
struct Answer: Sendable {
    /// 0 success, 1 no valid plan (or, from a replay, a plan that breaks a rule), 2 unusable input.
    var code: Int32
    var json: JSONValue

    /// Runs a call, turning every error into its code and `{"error": ...}` answer.
    static func catching(_ body: () throws -> Answer) -> Answer {
        do {
            return try body()
        } catch {
            let failure = CallFailure(error)
                ?? CallFailure(code: 1, message: "internal error: \(error)", item: "cosma", fix: "report this bug with the input that caused it")
            return Answer(code: failure.code, json: failure.jsonValue)
        }
    }
}

/// The calls of `cosma.h`, in Swift: text in, ``Answer`` out. Each call owns everything it
/// creates, so calls from several threads share nothing but the solvers, which serialise
/// themselves (CBC behind one process-wide lock in the MILP layer).
enum Calls {
    /// `cosma_plan`: a plan with its summary. `progress` receives solver reports.
    static func plan(graph graphJSON: String, options optionsJSON: String?,
                     progress: (@Sendable (SolveProgress) -> Void)? = nil) -> Answer
    {
        Answer.catching {
            let options = try CallOptions(json: optionsJSON)
            // The minimum peak behind M_P and M_H solves too: contained like the planner.
            return try SolverContainment.with(options.solverIsolation, timeLimit: nil) { _ in
                try plan(graph: graphJSON, options: options, progress: progress)
            }
        }
    }

    private static func plan(graph graphJSON: String, options: CallOptions,
                             progress: (@Sendable (SolveProgress) -> Void)?) throws -> Answer
    {
        let graph = try Graph(json: Data(graphJSON.utf8), source: "graph")
        // As in `cosma solve`: proving M_P for M_H spends the time limit too (a work limit counts
        // the planner alone), and the planner gets what is left.
        let clock = options.deterministic ? nil : TimeBudget(seconds: options.timeLimit)
        let minimumPeak = MinimumPeakOptions(deterministic: options.deterministic, sharing: clock)
        let (configuration, schedule) = try Cosma.resolve(try options.requiredCapacity(), for: graph,
                                                          tensors: options.tensors ?? .activations, alignment: options.alignment ?? 1,
                                                          inPlace: options.inPlace ?? .off, minimumPeak: minimumPeak)
        let certified: CertifiedPlan
        var exact: PlanResult?
        if let method = options.method.solving {
            let left = clock?.remaining.map { max($0, TimeBudget.smallestShare) } ?? options.timeLimit
            var solverOptions = ExactOptions(solver: options.solver, timeLimit: left, relativeGap: options.gap,
                                             progress: progress, solverIsolation: options.solverIsolation,
                                             deterministic: options.deterministic)
            // The schedule behind a named M_P or M_H, which the planner starts from.
            solverOptions.minimumPeak = schedule
            let result = try Cosma.solve(graph, configuration: configuration, method: method, options: solverOptions,
                                         segmentOperators: options.segmentOps)
            certified = result.result
            exact = result
        } else {
            certified = try Cosma.heuristicPlan(for: graph, configuration: configuration)
        }
        return Answer(code: 0, json: .object([
            DocumentFormat.result.field,
            ("plan", certified.plan.jsonValue),
            ("summary", Cosma.summary(of: certified, graph: graph, exact: exact)),
        ]))
    }

    /// `cosma_simulate`: the replay of any plan; code 1 when it breaks a rule.
    static func simulate(graph graphJSON: String, plan planJSON: String, options optionsJSON: String?) -> Answer {
        Answer.catching {
            let options = try CallOptions(json: optionsJSON)
            let graph = try Graph(json: Data(graphJSON.utf8), source: "graph")
            let plan = try Plan(json: Data(planJSON.utf8), source: "plan")
            let configuration = try Cosma.configuration(replaying: plan, on: graph, capacity: options.capacity,
                                                        tensors: options.tensors, alignment: options.alignment, inPlace: options.inPlace)
            let report = Cosma.simulate(plan, on: graph, configuration: configuration)
            return Answer(code: report.isValid ? 0 : 1, json: .object([
                DocumentFormat.result.field,
                ("simulation", Cosma.simulationReport(report, graph: graph, configuration: configuration)),
            ]))
        }
    }

    /// `cosma_import_onnx`: the graph in canonical JSON, as `cosma import` writes it.
    static func importONNX(path: String, options optionsJSON: String?) -> (code: Int32, text: String) {
        do {
            let options = try ImportCallOptions(json: optionsJSON)
            let graph = try Cosma.importONNX(at: URL(fileURLWithPath: path), options: options.options)
            return (0, graph.canonicalJSON())
        } catch {
            let answer = Answer.catching { throw error }
            return (answer.code, answer.json.formatted(expandDepth: 2))
        }
    }
}
