package import DNNGraph

/// What every schedule must keep live while one operator runs, beside the operator's operands.
///
/// A tensor *crosses* operator `o` in a schedule when it exists before `o` runs and is read after:
/// an activation produced earlier and read later, or an input or weight read both earlier and
/// later. Its bytes are resident while `o` runs unless it waits in DRAM, which costs traffic.
/// Which tensors cross depends on the schedule, through the set `D` of operators that run before
/// `o`: `D` holds `o`'s ancestors, none of its descendants, and is closed under predecessors. The
/// fewest crossing bytes over all such `D` is a minimum cut (a project-selection network over the
/// operators), so it is exact and cheap even on graphs with a thousand operators.
///
/// Two bounds follow. Without spilling, `o` needs its working set plus the minimum crossing, so
/// the largest such sum bounds `M_P` from below. With a capacity `M`, whatever of the minimum
/// crossing exceeds `M` minus the working set must wait in DRAM while `o` runs.
package struct CrossingAnalysis: Sendable {
    package let graph: Graph
    package let setting: TensorSetting
    package let alignment: Int
    /// Occupied bytes of each operator's operands.
    package let workingSets: [Int]
    /// The ancestor relation of the graph's operators.
    package let reach: Reachability
    let operands: [Set<TensorID>]
    let readers: [[OperatorID]]

    /// With `inPlace` on, working sets are the smallest any schedule gives under the in-place model
    /// (``Graph/workingSets(setting:alignment:inPlace:)``): in-place writes shorten an input only at
    /// its last reader, which is one of its operator's operands, so what crosses an operator is
    /// the same and both bounds stay valid with the smaller working sets.
    package init(graph: Graph, setting: TensorSetting, alignment: Int, inPlace: InPlaceMode = .off) {
        self.graph = graph
        self.setting = setting
        self.alignment = alignment
        reach = graph.reachability()
        workingSets = graph.workingSets(setting: setting, alignment: alignment, inPlace: inPlace, reach: reach)
        operands = graph.operators.indices.map { Set(graph.residentOperands(of: $0, in: setting)) }
        var readers = [[OperatorID]](repeating: [], count: graph.tensors.count)
        for op in graph.operators.indices {
            for t in graph.residentInputs(of: op, in: setting) { readers[t].append(op) }
        }
        self.readers = readers
    }

    private func occupied(_ t: TensorID) -> Int { roundUp(graph.tensors[t].bytes, to: alignment) }

    /// Tensors that cross `o` in at least one schedule: the only ones that can fill the space
    /// beside its operands.
    package func possiblyCrossing(_ o: OperatorID) -> [TensorID] {
        var result: [TensorID] = []
        // Called for every operator on graphs of 20,000, so the common case (an activation) is
        // decided by bit tests without building arrays, and the operand set is asked last.
        for t in graph.tensors.indices where graph.isTracked(t, in: setting) {
            if let p = graph.producer[t] {
                guard p != o, !reach.isAncestor(o, of: p),
                      readers[t].contains(where: { $0 != o && !reach.isAncestor($0, of: o) }),
                      !operands[o].contains(t) else { continue }
                result.append(t)
            } else if !operands[o].contains(t) {
                let others = readers[t].filter { $0 != o }
                let canFollow = others.filter { !reach.isAncestor($0, of: o) }
                let canPrecede = others.filter { !reach.isAncestor(o, of: $0) }
                if canPrecede.contains(where: { a in canFollow.contains { $0 != a } }) { result.append(t) }
            }
        }
        return result
    }

    /// The fewest bytes that cross `o` over all schedules (stopping once `limit` is reached).
    package func minimumCrossing(_ o: OperatorID, limit: Int = MaxFlow.infinite) -> Int {
        let n = graph.operators.count
        let crossing = possiblyCrossing(o)
        // Nodes: operators, then two per tensor (the second only for tensors without producer),
        // then source and sink. The source side is the set of operators run before `o`.
        let source = n + 2 * crossing.count
        let sink = source + 1
        var network = MaxFlow(nodes: sink + 1)
        let inf = MaxFlow.infinite
        for c in graph.operators.indices {
            for p in graph.predecessors[c] { network.addEdge(from: c, to: p, capacity: inf) }
            if c == o || reach.isAncestor(o, of: c) {
                network.addEdge(from: c, to: sink, capacity: inf)
            } else if reach.isAncestor(c, of: o) {
                network.addEdge(from: source, to: c, capacity: inf)
            }
        }
        for (i, t) in crossing.enumerated() {
            let others = readers[t].filter { $0 != o }
            let first = n + 2 * i
            if let p = graph.producer[t] {
                // Paid when the producer runs before and some reader after.
                network.addEdge(from: p, to: first, capacity: occupied(t))
                for r in others { network.addEdge(from: first, to: r, capacity: inf) }
            } else {
                // Paid when some reader runs before and some reader after.
                for r in others {
                    network.addEdge(from: r, to: first, capacity: inf)
                    network.addEdge(from: first + 1, to: r, capacity: inf)
                }
                network.addEdge(from: first, to: first + 1, capacity: occupied(t))
            }
        }
        return network.maximumFlow(from: source, to: sink, limit: limit)
    }

    /// A lower bound on the peak of any schedule without spilling (so on `M_P`): the largest
    /// working set plus minimum crossing of one operator.
    package func peakLowerBound() -> Int {
        var best = workingSets.max() ?? 0
        // Operators that cannot beat the best so far even if everything possible crossed are skipped.
        let candidates = graph.operators.indices
            .map { o in (o, workingSets[o] + possiblyCrossing(o).reduce(0) { $0 + occupied($1) }) }
            .sorted { $0.1 > $1.1 }
        for (o, ceiling) in candidates where ceiling > best {
            best = max(best, workingSets[o] + minimumCrossing(o, limit: ceiling - workingSets[o]))
        }
        return best
    }
}
