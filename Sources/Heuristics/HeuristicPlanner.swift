public import DNNGraph
public import Scratchpad

/// The heuristics compilers use today, as complete plans that have passed the simulator.
///
/// Allocation follows the COSMA paper's baselines: when TensorFlow Lite's arena planner
/// (`Graph.arenaPlan(order:setting:alignment:)`) packs the whole schedule into the capacity,
/// the plan uses its offsets and spills nothing (method `heuristic:<schedule>+tflite-arena`).
/// Otherwise the schedule runs on-line (``OnlinePlanner``): each tensor goes into a free gap
/// chosen by the ``AllocationPolicy`` and the ``ReplacementPolicy`` evicts when none fits
/// (method `heuristic:<schedule>+<replacement>+<allocation>`).
public enum HeuristicPlanner {
    /// Runs `order` as described above, then replays the result.
    ///
    /// - Throws: ``PlanningFailure`` when fragmentation leaves no room for an operator's operands
    ///   (a result to report), or `InvalidPlanError` if the plan breaks a rule (a bug).
    public static func plan(graph: Graph, configuration: Configuration, order: [OperatorID], scheduleName: String,
                            replacement: ReplacementPolicy = .belady, allocation: AllocationPolicy = .bestFit,
                            compactsOnFailure: Bool = false) throws -> CertifiedPlan
    {
        let arena = graph.arenaPlan(order: order, setting: configuration.tensors, alignment: configuration.alignment)
        let fits = arena.arenaBytes <= configuration.capacity
        let planner = OnlinePlanner(graph: graph, configuration: configuration, order: order,
                                    replacement: replacement, allocation: allocation,
                                    preassigned: fits ? arena.offsets : [:], compactsOnFailure: compactsOnFailure)
        let (steps, final) = try planner.makeSteps()
        let method = "heuristic:\(scheduleName)+"
            + (fits ? "tflite-arena" : "\(replacement.rawValue)+\(allocation.rawValue)\(compactsOnFailure ? "+compact" : "")")
        let draft = Plan(graph: graph.name, configuration: configuration, steps: steps, final: final, method: method)
        return try CertifiedPlan(certifying: draft, graph: graph)
    }
}
