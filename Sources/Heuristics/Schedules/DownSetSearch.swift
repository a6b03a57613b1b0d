internal import DNNGraph

/// Breadth-first dynamic programming over down-sets (sets of operators closed under
/// predecessors), minimising the peak live bytes of a schedule.
///
/// Layer `k` holds every down-set of `k` operators reachable with a peak below ``bound``, each
/// with the lowest peak of any order that runs exactly it; a down-set reached twice keeps the
/// better order. The live bytes after a down-set do not depend on the order that ran it (see
/// ``LiveMemoryModel``), so the last layer holds an order of minimum peak: this is the classic
/// exact algorithm for minimum-memory scheduling, exponential only in the graph's width.
///
/// Once more than ``exactStateBudget`` candidate states have been evaluated, every layer keeps
/// only its best ``beamWidth`` states by (peak, live bytes): the search becomes a beam search
/// and, as soon as it drops a state, stops claiming optimality. Width 1 with no exact budget is
/// the memory-aware greedy scheduler.
/// Cost: O(states · ready operators · (operands + N/64)).
struct DownSetSearch {
    let model: LiveMemoryModel
    let beamWidth: Int
    let exactStateBudget: Int
    /// Only orders whose peak is strictly below it are searched for; `Int.max` searches all.
    let bound: Int
    /// Whether the search may give up, at `deadline` or when its task is cancelled, returning no
    /// order; the greedy order (width 1), the first incumbent of every planner, never does.
    var stoppable = false
    var deadline: ContinuousClock.Instant? = nil

    struct Result {
        /// The best order found below ``DownSetSearch/bound``, with its peak.
        var best: (order: [OperatorID], peak: Int)?
        /// Whether every state below the bound was explored, which proves ``best`` minimal (or,
        /// when it is `nil`, that no order beats the bound).
        var exhaustive: Bool
        /// States created.
        var states = 0
    }

    private struct Node {
        var done: OperatorSet
        var live: Int
        var peak: Int
        var ready: [OperatorID]
        var parent: Int
        var op: OperatorID
    }

    /// A way to extend a state of the current layer, evaluated before the new state is built.
    private struct Candidate {
        var parent: Int
        var op: OperatorID
        var peak: Int
        var live: Int
    }

    func run() -> Result {
        let n = model.graph.operators.count
        var layer = [Node(done: OperatorSet(count: n), live: 0, peak: 0, ready: model.sources, parent: -1, op: -1)]
        var history: [[(parent: Int, op: OperatorID)]] = []
        var created = 0
        var exhaustive = true
        for _ in 0..<n {
            if stoppable && SearchLimit.expired(deadline) { return Result(best: nil, exhaustive: false, states: created) }
            var candidates: [Candidate] = []
            for (i, node) in layer.enumerated() {
                for op in node.ready {
                    let (running, after) = model.transition(after: node.done, live: node.live, running: op)
                    let peak = max(node.peak, running)
                    if peak < bound { candidates.append(Candidate(parent: i, op: op, peak: peak, live: after)) }
                }
            }
            guard !candidates.isEmpty else { return Result(best: nil, exhaustive: exhaustive, states: created) }
            // Best first, so that the first candidate reaching a down-set is its cheapest way in,
            // and a beam keeps the best states; only the states kept are ever built.
            candidates.sort { ($0.peak, $0.live, $0.parent, $0.op) < ($1.peak, $1.live, $1.parent, $1.op) }
            created += candidates.count
            let limit = created > exactStateBudget ? beamWidth : Int.max
            var seen = Set<OperatorSet>()
            var next: [Node] = []
            for c in candidates {
                var done = layer[c.parent].done
                done.insert(c.op)
                guard seen.insert(done).inserted else { continue }
                guard next.count < limit else {
                    exhaustive = false
                    break
                }
                let ready = (layer[c.parent].ready.filter { $0 != c.op } + model.newlyReady(after: c.op, done: done)).sorted()
                next.append(Node(done: done, live: c.live, peak: c.peak, ready: ready, parent: c.parent, op: c.op))
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
        return Result(best: (order.reversed(), layer[0].peak), exhaustive: exhaustive, states: created)
    }
}
