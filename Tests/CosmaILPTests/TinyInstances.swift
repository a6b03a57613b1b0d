import CosmaTestSupport
import DNNGraph
import Scratchpad

/// A random tiny graph of activations only, with the smallest capacity it runs at (`M_R`): the
/// instance the planner tests solve exactly, seed after seed.
func tinyActivationsAtMR(seed: UInt64, operators: Int) throws -> (graph: Graph, configuration: Configuration) {
    let graph = try randomTinyGraph(seed: seed, operators: operators, withWeights: false)
    return (graph, .atMR(of: graph))
}
