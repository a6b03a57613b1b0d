package import DNNGraph
package import Scratchpad

/// The heuristics compilers use today, as complete plans that have passed the simulator.
///
/// Allocation follows the COSMA paper's baselines: when TensorFlow Lite's arena planner
/// (`Graph.arenaPlan(order:setting:alignment:)`) packs the whole schedule into the capacity,
/// the plan uses its offsets and spills nothing (method `heuristic:<schedule>+tflite-arena`).
/// Otherwise the schedule runs on-line (``OnlinePlanner``): each tensor goes into a free gap
/// chosen by the ``AllocationPolicy`` and the ``ReplacementPolicy`` evicts when none fits
/// (method `heuristic:<schedule>+<replacement>+<allocation>`). Another ``ArenaAllocator`` may
/// replace TensorFlow Lite's (method `heuristic:<schedule>+<allocator>` when its arena fits).
package enum HeuristicPlanner {
    /// Runs `order` as described above, then replays the result.
    ///
    /// - Parameters:
    ///   - arena: the allocator for the whole schedule without spills.
    ///   - fallback: what the on-line planner does when operands do not fit.
    ///   - releases: residency advice, by position (``OnlinePlanner/releases``).
    /// - Throws: ``PlanningFailure`` when fragmentation leaves no room for an operator's operands
    ///   (a result to report), or `InvalidPlanError` if the plan breaks a rule (a bug).
    package static func plan(graph: Graph, configuration: Configuration, order: [OperatorID], scheduleName: String,
                            replacement: ReplacementPolicy = .belady, allocation: AllocationPolicy = .bestFit,
                            arena allocator: ArenaAllocator = .tflite, fallback: OnlineFallback = .fail,
                            releases: [[TensorID]] = []) throws -> CertifiedPlan
    {
        let arena = graph.arenaPlan(order: order, setting: configuration.tensors, alignment: configuration.alignment,
                                    allocator: allocator, target: configuration.capacity, inPlace: configuration.inPlace)
        let fits = arena.arenaBytes <= configuration.capacity
        let planner = OnlinePlanner(graph: graph, configuration: configuration, order: order,
                                    replacement: replacement, allocation: allocation,
                                    preassigned: fits ? arena.offsets : [:], fallback: fallback, releases: releases)
        let made = try planner.makeStepsCountingFallbacks()
        let suffix = switch fallback {
        case .fail, .defragment: ""
        case .flush: "+compact"
        }
        let method = "heuristic:\(scheduleName)+"
            + (fits ? allocator.rawValue : "\(replacement.rawValue)+\(allocation.rawValue)\(suffix)")
        let draft = Plan(graph: graph.name, configuration: configuration, steps: made.steps, final: made.final, method: method)
        var certified = try CertifiedPlan(certifying: draft, graph: graph)
        certified.fallbacks = made.fallbacks
        return certified
    }
}
