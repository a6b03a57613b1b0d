package import DNNGraph
package import Scratchpad

extension LiveMemoryModel {
    /// The operators whose running makes `t` live: its producer, or, for an input or weight, each
    /// of its readers (it is loaded before the first of them).
    func starters(of t: TensorID) -> [OperatorID] {
        graph.producer[t].map { [$0] } ?? graph.consumers[t]
    }
}

/// A lower bound on the peak live bytes of **every** order of a graph, with the operator that
/// attains it.
///
/// While operator `o` runs, whatever the order, its operands are live, and so is every tensor
/// (not an operand of `o`) that is started before `o` in every order and read after `o` in every
/// order: an activation produced by an ancestor of `o`, or an input or weight read by an ancestor
/// of `o`, that some descendant of `o` reads. The bound is the largest such sum over operators; it
/// is at least `M_R` (the largest working set) and is often much larger on networks with long skip
/// connections, where it can prove an order minimal without any search.
package struct PeakLowerBound: Sendable, Hashable {
    /// The bound in occupied bytes.
    package var bytes: Int
    /// The operator at which it is attained.
    package var `operator`: OperatorID
    /// Bytes of that operator's own operands (its working set).
    package var workingSet: Int
    /// Bytes of the other tensors that are live while it runs in every order.
    package var forcedLive: Int

    /// Computes the bound for `graph` in `setting`, sizes rounded up to `alignment`.
    /// Cost: O(N · T · readers / 64).
    /// With `inPlace` on, working sets are the smallest any schedule allows
    /// (``Graph/workingSets(setting:alignment:inPlace:)``); the forced tensors are not operands, so
    /// in-place writes never shrink them.
    package init(graph: Graph, setting: TensorSetting, alignment: Int, inPlace: InPlaceMode = .off) {
        let model = LiveMemoryModel(graph: graph, setting: setting, alignment: alignment)
        let bounds = model.forcedLiveBytes(graph.reachability())
        let sets = graph.workingSets(setting: setting, alignment: alignment, inPlace: inPlace)
        var best = (bytes: 0, op: 0)
        for op in graph.operators.indices where sets[op] + bounds[op] > best.bytes {
            best = (sets[op] + bounds[op], op)
        }
        bytes = best.bytes
        self.operator = best.op
        workingSet = sets.isEmpty ? 0 : sets[best.op]
        forcedLive = bounds.isEmpty ? 0 : bounds[best.op]
    }
}

extension LiveMemoryModel {
    /// For each operator, the bytes of tensors that are not its operands but are live while it
    /// runs in every order (see ``PeakLowerBound``).
    func forcedLiveBytes(_ reach: Reachability) -> [Int] {
        let n = graph.operators.count
        var forced = [Int](repeating: 0, count: n)
        for t in graph.tensors.indices where size[t] > 0 && !graph.consumers[t].isEmpty {
            let readers = graph.consumers[t]
            // The operators after a starter and before a reader, found a word at a time: a test
            // per operator and tensor took minutes on 20,000 operators.
            reach.forEachBetween(starters(of: t), and: readers) { op in
                guard !readers.contains(op), graph.producer[t] != op else { return }
                forced[op] += size[t]
            }
        }
        return forced
    }
}
