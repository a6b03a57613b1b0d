import DNNGraph

/// Breadth-first dynamic programming over down-sets (sets of operators closed under
/// predecessors), minimising the peak live bytes of a schedule.
///
/// Layer `k` holds every down-set of `k` operators reachable with a peak below ``bound``, each
/// with the lowest peak of any order that runs exactly it; a down-set reached twice keeps the
/// better order. The live bytes after a down-set do not depend on the order that ran it (see
/// ``LiveMemoryModel``), so the last layer holds an order of minimum peak: this is the classic
/// exact algorithm for minimum-memory scheduling, exponential only in the graph's width.
///
/// When more than ``exactStateBudget`` states have been created, every later layer keeps only
/// its best ``beamWidth`` states by (peak, live bytes): the search becomes a beam search and
/// stops claiming optimality. Width 1 with no exact budget is the memory-aware greedy scheduler.
/// Cost: O(states · ready operators · (operands + N/64)).
struct DownSetSearch {
    let model: LiveMemoryModel
    let beamWidth: Int
    let exactStateBudget: Int
    /// Only orders whose peak is strictly below it are searched for; `Int.max` searches all.
    let bound: Int

    struct Result {
        /// The best order found below ``DownSetSearch/bound``, with its peak.
        var best: (order: [OperatorID], peak: Int)?
        /// Whether every state below the bound was explored, which proves ``best`` minimal (or,
        /// when it is `nil`, that no order beats the bound).
        var exhaustive: Bool
    }

    private struct Node {
        var done: OperatorSet
        var live: Int
        var peak: Int
        var ready: [OperatorID]
        var parent: Int
        var op: OperatorID
    }

    func run() -> Result {
        let n = model.graph.operators.count
        var layer = [Node(done: OperatorSet(count: n), live: 0, peak: 0, ready: model.sources, parent: -1, op: -1)]
        var history: [[(parent: Int, op: OperatorID)]] = []
        var created = 0
        var exhaustive = true
        for _ in 0..<n {
            var index: [OperatorSet: Int] = [:]
            var next: [Node] = []
            for (i, node) in layer.enumerated() {
                for op in node.ready {
                    let (running, after) = model.transition(after: node.done, live: node.live, running: op)
                    let peak = max(node.peak, running)
                    guard peak < bound else { continue }
                    var done = node.done
                    done.insert(op)
                    if let j = index[done] {
                        if peak < next[j].peak {
                            next[j].peak = peak
                            next[j].parent = i
                            next[j].op = op
                        }
                        continue
                    }
                    index[done] = next.count
                    let ready = (node.ready.filter { $0 != op } + model.newlyReady(after: op, done: done)).sorted()
                    next.append(Node(done: done, live: after, peak: peak, ready: ready, parent: i, op: op))
                }
            }
            guard !next.isEmpty else { return Result(best: nil, exhaustive: exhaustive) }
            created += next.count
            if created > exactStateBudget && next.count > beamWidth {
                exhaustive = false
                let keep = next.indices.sorted { (next[$0].peak, next[$0].live, $0) < (next[$1].peak, next[$1].live, $1) }
                next = keep.prefix(beamWidth).map { next[$0] }
            }
            history.append(next.map { ($0.parent, $0.op) })
            layer = next
        }
        var order: [OperatorID] = []
        var i = 0
        for step in history.reversed() {
            order.append(step[i].op)
            i = step[i].parent
        }
        return Result(best: (order.reversed(), layer[0].peak), exhaustive: exhaustive)
    }
}
