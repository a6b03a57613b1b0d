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

/// Calls `body` with every way to pick one element of each list of `choices` (one element per
/// list, in order), depth first with the first list varying slowest: the points and choices
/// exhaustive oracles range over, such as an integer program's points or an order's in-place
/// writes. With no lists, `body` runs once with none.
package func forEachChoice<Element>(_ choices: [[Element]], _ body: ([Element]) -> Void) {
    var picked: [Element] = []
    picked.reserveCapacity(choices.count)
    func choose(_ depth: Int) {
        guard depth < choices.count else { return body(picked) }
        for element in choices[depth] {
            picked.append(element)
            choose(depth + 1)
            picked.removeLast()
        }
    }
    choose(0)
}
