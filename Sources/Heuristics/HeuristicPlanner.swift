public import DNNGraph
public import Scratchpad

/// A heuristic plan together with the replay that certified it.
public struct CertifiedPlan: Sendable {
    public var plan: Plan
    public var report: SimulationReport

    public init(plan: Plan, report: SimulationReport) {
        self.plan = plan
        self.report = report
    }
}

/// The heuristics compilers use today, as complete plans that have passed the simulator.
public enum HeuristicPlanner {
    /// Runs `order` with on-line allocation and eviction, then replays the result.
    ///
    /// - Throws: ``PlanningFailure`` when fragmentation leaves no room for an operator's operands
    ///   (a result to report), or `InvalidPlanError` if the plan breaks a rule (a bug).
    public static func plan(graph: Graph, configuration: Configuration, order: [OperatorID], scheduleName: String,
                            replacement: ReplacementPolicy = .belady, allocation: AllocationPolicy = .bestFit) throws -> CertifiedPlan
    {
        let planner = OnlinePlanner(graph: graph, configuration: configuration, order: order,
                                    replacement: replacement, allocation: allocation)
        let (steps, final) = try planner.makeSteps()
        let method = "heuristic:\(scheduleName)+\(replacement.rawValue)+\(allocation.rawValue)"
        let draft = Plan(graph: graph.name, configuration: configuration, steps: steps, final: final, method: method)
        let (plan, report) = try Simulator(graph: graph).certify(draft)
        return CertifiedPlan(plan: plan, report: report)
    }
}
