internal import CosmaILP
internal import DNNGraph

/// Schedules that carry the reader of a reloaded tensor, with the operators that follow from it,
/// back to where the tensor was still resident, or its last use forward to the reader.
///
/// Segment programs reorder operators only inside a window of a few dozen positions, so they
/// cannot undo a schedule decision whose cost shows up far away. The typical case is a cell that
/// reads its predecessor's input as well as its output: in PNASNet-5 the factorized reduction of
/// `cell_stem_1` reads the 1.18 MB stem activation, which the minimum-peak order consumes seventy
/// positions after `cell_stem_0` first used it, so the activation is spilled and reloaded in
/// between. Hoisting that reader and the chain its outputs feed to just after the stem lets the
/// large tensor die early; the fixed-schedule program then re-plans replacement around the new
/// order.
///
/// Each candidate is a valid topological order: the reader moves together with every ancestor
/// that ran between the target position and the reader, and a successor joins the moved chain
/// only once all of its producers precede the target or have moved.
struct ChainHoist {
    let graph: Graph
    /// How many follow-on operators may join the hoisted reader, tried in turn: none (the reader
    /// alone), a few, and the whole chain that becomes ready.
    static let chainLimits = [0, 4, 16, Int.max]

    /// Candidate orders for a plan, the costliest reloads first; none equals `residency.order`.
    func candidates(for residency: Residency) -> [[OperatorID]] {
        let order = residency.order
        var reloads: [(bytes: Int, tensor: TensorID, stay: Int)] = []
        for (t, stays) in residency.stays.enumerated() {
            // A weight's first load is compulsory; an activation's every load is not.
            let firstReload = graph.producer[t] == nil ? 1 : 0
            for (i, stay) in stays.enumerated() where stay.loaded && i >= max(1, firstReload) {
                reloads.append((graph.tensors[t].bytes, t, i))
            }
        }
        reloads.sort { ($0.bytes, $1.tensor, $1.stay) > ($1.bytes, $0.tensor, $0.stay) }
        let position = graph.positions(of: order)
        var seen: Set<[OperatorID]> = [order]
        var result: [[OperatorID]] = []
        for reload in reloads {
            let stays = residency.stays[reload.tensor]
            let reader = stays[reload.stay].first
            let previous = stays[reload.stay - 1].last
            // Where the tensor was last resident, and (for an activation) right after its producer.
            var targets = [previous + 1]
            if graph.producer[reload.tensor] != nil { targets.append(stays[0].first + 1) }
            // Every reader the reloaded stay serves moves, so that the stay disappears.
            let served = stays[reload.stay].first...stays[reload.stay].last
            let readers = served.map { order[$0] }.filter { graph.operators[$0].inputs.contains(reload.tensor) }
            var moves = targets.filter { $0 < reader }.map { (ops: readers, target: $0, earlier: true) }
            // Or the other way round: the tensor's last use before the reload (its producer, when
            // nothing read it in between) sinks to just before the reader, with what follows from it.
            if previous + 1 < reader { moves.append(([order[previous]], reader, false)) }
            for move in moves {
                for limit in Self.chainLimits {
                    let moved = moving(move.ops, to: move.target, earlier: move.earlier, in: order, position: position, chainLimit: limit)
                    if seen.insert(moved).inserted { result.append(moved) }
                }
            }
        }
        return result
    }

    /// `order` with `ops` moved so that they start at position `target` (`earlier`) or ends just
    /// before it (later), together with the operators that must move with it and up to
    /// `chainLimit` that become free to follow it. Moving later is moving earlier in the reversed
    /// order of the reversed graph.
    func moving(_ ops: [OperatorID], to target: Int, earlier: Bool, in order: [OperatorID], position: [Int], chainLimit: Int) -> [OperatorID] {
        if earlier {
            return hoisting(ops, to: target, in: order, position: position, chainLimit: chainLimit,
                            before: graph.predecessors, after: graph.successors)
        }
        let n = order.count
        return hoisting(ops, to: n - target, in: order.reversed(), position: position.map { n - 1 - $0 }, chainLimit: chainLimit,
                        before: graph.successors, after: graph.predecessors).reversed()
    }

    /// `order` with `ops`, the operators they depend on (`before`) at positions `target...`, and
    /// up to `chainLimit` operators (`after` it) that become ready with them, moved in their
    /// original relative order to start at `target`.
    private func hoisting(_ ops: [OperatorID], to target: Int, in order: [OperatorID], position: [Int], chainLimit: Int,
                          before: [[OperatorID]], after: [[OperatorID]]) -> [OperatorID] {
        var moving = Set<OperatorID>()
        var stack = ops
        while let o = stack.popLast() {
            guard moving.insert(o).inserted else { continue }
            stack += before[o].filter { position[$0] >= target }
        }
        func ready(_ o: OperatorID) -> Bool {
            before[o].allSatisfy { position[$0] < target || moving.contains($0) }
        }
        // Follow the chain in schedule order: the earliest operator that has become ready joins,
        // which may make the operators after it ready in turn.
        var joined = 0
        var frontier = Set(moving.flatMap { after[$0] }.filter { !moving.contains($0) })
        while joined < chainLimit, let next = frontier.filter(ready).min(by: { position[$0] < position[$1] }) {
            moving.insert(next)
            frontier.remove(next)
            frontier.formUnion(after[next].filter { !moving.contains($0) })
            joined += 1
        }
        let tail = order[target...]
        return Array(order[..<target]) + tail.filter { moving.contains($0) } + tail.filter { !moving.contains($0) }
    }
}
