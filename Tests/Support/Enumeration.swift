package import DNNGraph

/// Every topological order of a small graph: the schedules exhaustive oracles in the tests range
/// over. It shares no code with the schedulers and planners it judges.
package func allOrders(_ graph: Graph) -> [[OperatorID]] {
    var result: [[OperatorID]] = []
    var order: [OperatorID] = []
    var done = [Bool](repeating: false, count: graph.operators.count)
    func extend() {
        if order.count == graph.operators.count {
            result.append(order)
            return
        }
        for op in graph.operators.indices where !done[op] && graph.predecessors[op].allSatisfy({ done[$0] }) {
            done[op] = true
            order.append(op)
            extend()
            order.removeLast()
            done[op] = false
        }
    }
    extend()
    return result
}
