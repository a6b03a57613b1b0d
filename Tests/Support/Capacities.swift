package import DNNGraph
package import Scratchpad

extension Configuration {
    /// `graph` at `extra` bytes above its `M_R` for `tensors`, with no alignment.
    ///
    /// `M_R` is the least capacity at which every operator fits on its own, so the least at which
    /// any plan exists; just above it spilling is all but certain and the schedule matters most.
    /// That is where the tests compare planners with their oracles.
    package static func atMR(of graph: Graph, tensors: TensorSetting = .activations, plus extra: Int = 0) -> Configuration {
        Configuration(capacity: Budgets(graph: graph, setting: tensors, alignment: 1).mR + extra, tensors: tensors)
    }
}
