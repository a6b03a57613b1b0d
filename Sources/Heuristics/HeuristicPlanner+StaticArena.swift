package import DNNGraph
package import Scratchpad

extension HeuristicPlanner {
    /// Cosma's own zero-spill heuristic: when a schedule's peak live bytes fit the capacity, pack
    /// its tensors with the ``StaticAllocator`` (a search, where TensorFlow Lite's arena planner
    /// makes one greedy pass and may fragment past the capacity) and run it without spilling
    /// (method `heuristic:<schedule>+static-arena`).
    ///
    /// It is not one of the COSMA paper's baselines, which keep TensorFlow Lite's allocator. A
    /// plan it returns has no non-compulsory traffic, which no plan beats.
    ///
    /// - Returns: `nil` when the peak exceeds the capacity or no packing was found within
    ///   `nodeLimit` search nodes; the cost is then one profile of the schedule, or the greedy
    ///   packings and the bounded search.
    /// - Throws: `InvalidPlanError` if the plan breaks a rule (a bug).
    package static func staticArenaPlan(graph: Graph, configuration: Configuration, order: [OperatorID], scheduleName: String,
                                       nodeLimit: Int = 100_000) throws -> CertifiedPlan?
    {
        let setting = configuration.tensors
        guard graph.peakLiveBytes(order: order, setting: setting, alignment: configuration.alignment, inPlace: configuration.inPlace)
                <= configuration.capacity,
              let arena = graph.staticArenaPlan(order: order, setting: setting, alignment: configuration.alignment,
                                                capacity: configuration.capacity, inPlace: configuration.inPlace, nodeLimit: nodeLimit)
        else { return nil }
        let planner = OnlinePlanner(graph: graph, configuration: configuration, order: order, preassigned: arena.offsets)
        let (steps, final) = try planner.makeSteps()
        let draft = Plan(graph: graph.name, configuration: configuration, steps: steps, final: final,
                         method: "heuristic:\(scheduleName)+static-arena")
        return try CertifiedPlan(certifying: draft, graph: graph)
    }
}
