import Cosma
package import DNNGraph
import Scratchpad
package import Heuristics
import MILP
import CosmaILP
internal import Foundation

/// A way to plan one graph at one capacity, as a batch runs it: the single list of methods a batch
/// knows. Adding a method (divide and conquer, say) is one case here, its name, and its `run` arm.
package enum BatchMethod: Hashable, Sendable, CustomStringConvertible {
    /// Cosma's joint program over order, addresses and replacement (``Cosma/solve(_:configuration:fixedOrder:options:)``).
    case exact
    /// The joint program with the order fixed to the minimum-peak (MPMF) schedule: only replacement
    /// and addresses are optimised.
    case fixedSchedule
    /// Divide and conquer (``Cosma/Method/divideAndConquer``): the best baseline, improved one
    /// segment of its schedule at a time, for graphs too large for the joint program.
    case divideAndConquer
    /// A compiler heuristic: an order, TensorFlow Lite's arena or on-line allocation, and eviction.
    case baseline(Baseline)

    /// The name in `--methods`, in result files and in report columns.
    package var description: String {
        switch self {
        case .exact: "exact"
        case .fixedSchedule: "fixed-schedule"
        case .divideAndConquer: "divide-and-conquer"
        case .baseline(let b): b.description
        }
    }

    /// Cosma's own methods, in the order reports list them.
    package static let cosmaMethods: [BatchMethod] = [.exact, .fixedSchedule, .divideAndConquer]

    /// The COSMA paper's four baselines.
    package static let paperBaselines: [BatchMethod] = Baseline.paper.map(BatchMethod.baseline)

    /// Whether this is one of Cosma's own methods (compared against the baselines in reports).
    package var isCosma: Bool {
        if case .baseline = self { return false }
        return true
    }

    /// Whether this is one of the four baselines of the COSMA paper.
    package var isPaperBaseline: Bool {
        if case .baseline(let b) = self { return Baseline.paper.contains(b) }
        return false
    }

    /// Words `--methods` accepts besides single method names, each standing for several methods.
    package static let groups: [(name: String, methods: [BatchMethod], help: String)] = [
        ("paper-baselines", Baseline.paper.map(BatchMethod.baseline),
         "the COSMA paper's four baselines: default or mpmf order, belady or greedy replacement, best-fit"),
        ("production", Baseline.production.map(BatchMethod.baseline),
         "what compilers ship beside them: TVM's hill-climbing arena, then size-aware Belady or LRU, on the default or mpmf order"),
        ("strict-paper-baselines", Baseline.paper.map { .baseline($0.strictVariant) },
         "the paper's four as the paper ran them: failing on fragmentation instead of evicting further and compacting"),
        ("heuristics", (Baseline.all + Baseline.production).map(BatchMethod.baseline),
         "every order, replacement and allocation Cosma implements, and the production ones"),
    ]

    /// The methods one word of `--methods` names: `exact`, `fixed-schedule`, a group such as
    /// `paper-baselines`, or one baseline as `schedule+replacement+allocation` (allocation
    /// defaults to best-fit).
    package static func parse(_ word: String) throws(InputError) -> [BatchMethod] {
        let w = word.trimmingCharacters(in: .whitespaces).lowercased()
        if let single = cosmaMethods.first(where: { $0.description == w }) { return [single] }
        if let group = groups.first(where: { $0.name == w }) { return group.methods }
        if let baseline = Baseline(name: w) { return [.baseline(baseline)] }
        let names = cosmaMethods.map(\.description) + groups.map(\.name)
        throw InputError(
            source: "--methods",
            message: "'\(word)' is not a method; use \(names.joined(separator: ", ")) or a baseline written schedule+replacement+allocation[+arena][+strict] (schedules \(ScheduleKind.allCases.map(\.rawValue).joined(separator: "/")), replacements \(ReplacementPolicy.allCases.map(\.rawValue).joined(separator: "/")), allocations \(AllocationPolicy.allCases.map(\.rawValue).joined(separator: "/")), arenas \(ArenaAllocator.allCases.map(\.rawValue).joined(separator: "/")))")
    }

    /// Parses a comma-separated `--methods` list, keeping the first occurrence of each method.
    package static func parseList(_ words: [String]) throws(InputError) -> [BatchMethod] {
        var methods: [BatchMethod] = []
        for word in words.flatMap({ $0.split(separator: ",").map(String.init) }) where !word.isEmpty {
            for method in try parse(word) where !methods.contains(method) { methods.append(method) }
        }
        guard !methods.isEmpty else { throw InputError(source: "--methods", message: "no method given; for example --methods exact,paper-baselines") }
        return methods
    }

    /// Runs the method. Every plan it returns went through the simulator (``CertifiedPlan``); a
    /// method that cannot plan returns a failure outcome, and only a rule-breaking plan (a bug)
    /// or a solver that cannot run throws.
    package func run(graph: Graph, configuration: Configuration, settings: MethodSettings) throws -> MethodOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        func elapsed() -> Double { (clock.now - start).inSeconds }
        switch self {
        case .exact, .fixedSchedule, .divideAndConquer:
            let order = self == .fixedSchedule
                ? Cosma.schedule(.mpmf, for: graph, tensors: configuration.tensors, alignment: configuration.alignment).order : nil
            let options = ExactOptions(solver: settings.solver, timeLimit: settings.timeLimit, deterministic: settings.deterministic)
            do {
                let result = self == .divideAndConquer
                    ? try Cosma.solve(graph, configuration: configuration, method: .divideAndConquer, options: options)
                    : try Cosma.solve(graph, configuration: configuration, fixedOrder: order, options: options)
                return MethodOutcome(status: RowStatus(result.status), plan: result.result, bound: result.bound, gap: result.gap,
                                     buildSeconds: result.buildSeconds, solveSeconds: result.solveSeconds,
                                     methodSeconds: elapsed(), reason: nil)
            } catch let failure as ExactFailure {
                return .failed(failure.description, methodSeconds: elapsed())
            }
        case .baseline(let baseline):
            let outcome = try Cosma.baselines([baseline], for: graph, configuration: configuration)[0]
            switch outcome.result {
            case .success(let plan):
                return MethodOutcome(status: .heuristic, plan: plan, bound: nil, gap: nil, buildSeconds: nil, solveSeconds: nil,
                                     methodSeconds: elapsed(), reason: nil)
            case .failure(let failure):
                return .failed(failure.description, methodSeconds: elapsed())
            }
        }
    }
}

/// What every method of a batch is given besides the graph and configuration.
package struct MethodSettings: Hashable, Sendable {
    /// The MILP solver of the exact methods.
    package var solver: SolverBackend
    /// Seconds the exact methods may spend in the solver.
    package var timeLimit: Double
    /// ``timeLimit`` counts work units instead of seconds (``ExactOptions/deterministic``).
    package var deterministic: Bool

    package init(solver: SolverBackend = .cbc, timeLimit: Double = 60, deterministic: Bool = false) {
        self.solver = solver
        self.timeLimit = timeLimit
        self.deterministic = deterministic
    }
}

/// What one method produced on one instance.
package struct MethodOutcome: Sendable {
    package var status: RowStatus
    /// The certified plan, when the method found one.
    package var plan: CertifiedPlan?
    /// A proven lower bound on non-compulsory traffic (exact methods only).
    package var bound: Int?
    package var gap: Double?
    package var buildSeconds: Double?
    package var solveSeconds: Double?
    /// Everything the method did, in seconds (see ``ResultRow/methodSeconds``).
    package var methodSeconds: Double
    /// Why there is no plan.
    package var reason: String?

    static func failed(_ reason: String, methodSeconds: Double) -> MethodOutcome {
        MethodOutcome(status: .failed, plan: nil, bound: nil, gap: nil, buildSeconds: nil, solveSeconds: nil, methodSeconds: methodSeconds,
                      reason: reason)
    }
}
