import Heuristics
package import MILP
public import Scratchpad

/// How a planner's answer stands. Only ``optimal`` claims a proof, and only for the full problem
/// (schedule, addresses and replacement together).
public enum PlanStatus: String, Sendable {
    /// The plan's non-compulsory traffic equals a proven lower bound.
    case optimal
    /// A valid plan, not proven optimal; ``PlanResult/bound`` and ``PlanResult/gap`` say how far
    /// it may be from the optimum.
    case feasible
    /// The time budget ran out before the method finished; the best plan found so far is returned.
    case timeLimit
}

/// The answer of every planning method (the exact method, divide and conquer, and the two
/// together): a simulated plan, what is proven about it, where time went, and the trace of what
/// the planner did.
///
/// Status and bound are derived here and nowhere else: a plan that meets a proven bound is
/// optimal, whatever stopped the method; otherwise the method says why it is unproven. Only
/// Cosma's planners make one (the initialiser has `package` access), so no code outside the
/// package can call a plan optimal.
public struct PlanResult: Sendable {
    public let status: PlanStatus
    /// The plan, labelled with what is proven about it (``Plan/solver``), so that a written plan
    /// file says it too.
    public let result: CertifiedPlan
    /// A proven lower bound on non-compulsory traffic, in bytes (at most the plan's).
    public let bound: Int
    /// Seconds spent building programs (and packing).
    public var buildSeconds: Double
    /// Seconds spent inside the solver.
    public var solveSeconds: Double
    /// What the planner did, stage by stage.
    public var trace: PlanTrace
    /// The work units spent, in the deterministic mode (``ExactOptions/deterministic``); `nil`
    /// under a wall-clock budget. A deterministic plan's file then carries no times, so that two
    /// runs write the same bytes.
    public var work: Double?
    /// The size of the capacity program, when one was built.
    public var capacityProgram: ProgramSize?
    /// Whether `bound` already holds what divide and conquer's `CrossingBound` would add: it
    /// includes that bound, or it comes from the capacity program solved to optimality, the
    /// tightest bound Cosma knows. Polishing then aims at ``bound`` instead of computing a bound
    /// again.
    public var boundSettled: Bool
    /// The heuristics' plans (``ExactPlanner/baselinePlans()``) when the method ran them itself as
    /// its warm starts (empty when they were given): divide and conquer starts from them instead
    /// of running every baseline again.
    package var baselines: [CertifiedPlan]

    /// The result for `plan` with the proven `bound`: optimal when the plan meets it, else
    /// `unproven`.
    package init(plan: CertifiedPlan, bound: Int, unproven: PlanStatus = .feasible, solver: SolverBackend,
                buildSeconds: Double, solveSeconds: Double, trace: PlanTrace, capacityProgram: ProgramSize? = nil,
                boundSettled: Bool = false, baselines: [CertifiedPlan] = [], work: Double? = nil) {
        let traffic = plan.report.traffic.nonCompulsory
        let status: PlanStatus = traffic <= bound ? .optimal : unproven
        let bound = min(bound, traffic)
        self.status = status
        self.bound = bound
        self.result = plan.labelled(SolverRecord(
            name: solver.rawValue, status: status.rawValue, bound: Double(bound),
            gap: Self.gap(traffic: traffic, bound: bound), seconds: work == nil ? solveSeconds : nil,
            buildSeconds: work == nil ? buildSeconds : nil))
        self.work = work
        self.buildSeconds = buildSeconds
        self.solveSeconds = solveSeconds
        self.trace = trace
        self.capacityProgram = capacityProgram
        self.boundSettled = boundSettled
        self.baselines = baselines
    }

    public var nonCompulsory: Int { result.report.traffic.nonCompulsory }

    /// Relative gap between the plan and the bound (0 when optimal).
    public var gap: Double { Self.gap(traffic: nonCompulsory, bound: bound) }

    /// The relative gap of `traffic` above `bound` (0 without traffic).
    static func gap(traffic: Int, bound: Int) -> Double {
        traffic == 0 ? 0 : Double(traffic - bound) / Double(traffic)
    }

    /// This result followed by `polish`, timed by `timing` under `budget`, which has just ended:
    /// the cheaper plan, the larger bound, both traces and both times.
    package func followed(by polish: PlanResult, timing: StageTiming, budget: TimeBudget, solver: SolverBackend) -> PlanResult {
        var trace = self.trace
        trace.record(timing.started)
        trace.append(polish.trace)
        trace.record(timing.ended(budget))
        let work = timing.work(budget)
        let better = polish.nonCompulsory < nonCompulsory ? polish : self
        return PlanResult(plan: better.result, bound: max(bound, polish.bound), unproven: status, solver: solver,
                          buildSeconds: buildSeconds + polish.buildSeconds, solveSeconds: solveSeconds + polish.solveSeconds,
                          trace: trace, capacityProgram: capacityProgram, boundSettled: boundSettled || polish.boundSettled,
                          work: work.map { $0 + (polish.work ?? 0) })
    }
}

/// The size of an integer program as built (before the solver's presolve).
public struct ProgramSize: Sendable, Hashable {
    public var variables: Int
    public var rows: Int
    public var nonzeros: Int

    package init(_ model: Model) {
        variables = model.variableCount
        rows = model.constraintCount
        nonzeros = model.entryCount
    }
}

/// Traffic is whole bytes, so a bound `b` proves `ceil(b)`; the tolerance absorbs the solver's
/// arithmetic (a bound of 1233.9999999 proves 1234) and is far below one byte at any model size.
/// A bound that is not a finite number of bytes (GLPK reports an infinite node bound when it stops
/// before its best node's LP is solved) proves nothing, so it counts as 0.
func roundedBound(_ raw: Double) -> Int {
    guard raw.isFinite, abs(raw) < 1e15 else { return 0 }
    return max(0, Int((raw - 1e-6 - 1e-9 * abs(raw)).rounded(.up)))
}

/// A planner could not produce any plan.
public struct ExactFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
