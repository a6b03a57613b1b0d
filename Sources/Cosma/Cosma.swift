@_exported public import DNNGraph
@_exported public import Heuristics
@_exported public import ONNXImport
@_exported public import Scratchpad
public import Foundation

/// The entry points a compiler pipeline needs: load a graph, make a plan, check a plan.
///
/// Every plan these functions return has passed the ``Simulator``; a plan that broke a rule would
/// be thrown as an `InvalidPlanError`, never returned.
///
/// ```swift
/// import Cosma
///
/// let graph = try Cosma.loadGraph(at: URL(fileURLWithPath: "graphs/resnet50.json"))
/// let config = Configuration(capacity: 2 << 20, tensors: .activations)
/// let result = try Cosma.heuristicPlan(for: graph, configuration: config)
/// print(result.report.traffic.nonCompulsory)
/// ```
public enum Cosma {
    /// Reads and validates a canonical JSON graph.
    public static func loadGraph(at url: URL) throws(InputError) -> Graph {
        try Graph(contentsOf: url)
    }

    /// Imports an ONNX model (see ``ONNXImporter`` for what the graph keeps and drops).
    public static func importONNX(at url: URL, options: ONNXImportOptions = ONNXImportOptions()) throws(InputError) -> Graph {
        try ONNXImporter(options: options).importGraph(from: url)
    }

    /// The budgets of a graph that need no search (`M_R`, the default order's peak).
    public static func budgets(for graph: Graph, tensors: TensorSetting, alignment: Int = 1) -> Budgets {
        Budgets(graph: graph, setting: tensors, alignment: alignment)
    }

    /// Resolves a capacity such as `512KiB` or `M_R` for a graph and setting into a configuration,
    /// rejecting capacities below `M_R` with the operator that cannot run.
    public static func configuration(for graph: Graph, capacity: CapacitySpec, tensors: TensorSetting,
                                     alignment: Int = 1) throws(InputError) -> Configuration
    {
        guard alignment >= 1 else {
            throw InputError(source: "alignment", message: "alignment must be at least 1 byte, got \(alignment)")
        }
        let bytes = try budgets(for: graph, tensors: tensors, alignment: alignment).resolve(capacity)
        let configuration = Configuration(capacity: bytes, alignment: alignment, tensors: tensors)
        try graph.checkFeasible(configuration)
        return configuration
    }

    /// The default (file) order run with on-line best-fit allocation and Belady eviction: a simple,
    /// always-available plan.
    public static func heuristicPlan(for graph: Graph, configuration: Configuration,
                                     replacement: ReplacementPolicy = .belady,
                                     allocation: AllocationPolicy = .bestFit) throws -> CertifiedPlan
    {
        try HeuristicPlanner.plan(graph: graph, configuration: configuration, order: Array(graph.operators.indices),
                                  scheduleName: "default", replacement: replacement, allocation: allocation)
    }

    /// Replays any plan (for example one written by another tool) and reports its traffic and
    /// every rule it breaks.
    public static func simulate(_ plan: Plan, on graph: Graph, configuration: Configuration? = nil) -> SimulationReport {
        Simulator(graph: graph).run(plan, configuration: configuration)
    }
}
