public import DNNGraph

/// A plan together with the replay that certified it. Only the `Simulator` makes one (through
/// ``init(certifying:graph:)``), and its plan cannot be changed afterwards except for the
/// solver's record, which the replay does not read: every certified plan is a plan that passed
/// the simulator.
public struct CertifiedPlan: Sendable {
    public private(set) var plan: Plan
    public let report: SimulationReport
    /// How often the on-line planner's fallbacks fired while making the plan (heuristic plans only).
    package var fallbacks = FallbackCounts()

    /// Replays a freshly made plan and keeps it with its replay, or throws `InvalidPlanError` if
    /// it breaks a rule: the one door through which every Cosma planner hands out a plan.
    public init(certifying plan: Plan, graph: Graph) throws(InvalidPlanError) {
        (self.plan, self.report) = try Simulator(graph: graph).certify(plan)
    }

    /// The same plan with `solver` saying what is proven about it.
    package func labelled(_ solver: SolverRecord) -> CertifiedPlan {
        var labelled = self
        labelled.plan.solver = solver
        return labelled
    }
}
