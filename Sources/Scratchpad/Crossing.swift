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
    /// the same and both bounds stay valid with the smaller working sets. `reach` is the graph's
    /// ancestor relation where the caller has it already (it is computed here otherwise).
    package init(graph: Graph, setting: TensorSetting, alignment: Int, inPlace: InPlaceMode = .off, reach: Reachability? = nil) {
        self.graph = graph
        self.setting = setting
        self.alignment = alignment
        self.reach = reach ?? graph.reachability()
        workingSets = graph.workingSets(setting: setting, alignment: alignment, inPlace: inPlace, reach: self.reach)
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
        let tensors = possiblyCrossing(o).map { t in
            CrossingTensor(start: graph.producer[t].map { .producer($0) } ?? .firstReader, readers: readers[t].filter { $0 != o },
                           bytes: occupied(t))
        }
        return Self.leastCrossing(operators: graph.operators.count, predecessors: { graph.predecessors[$0] },
                                  before: { reach.isAncestor($0, of: o) }, after: { $0 == o || reach.isAncestor(o, of: $0) },
                                  tensors: tensors, limit: limit)
    }

    /// When a tensor that may cross an operator starts to exist: when its producer runs, or when
    /// its first reader runs (a graph input or weight, in DRAM until then).
    package enum CrossingStart: Sendable {
        case producer(OperatorID)
        case firstReader
    }

    /// A tensor that may cross an operator: when it starts, the operators that read it (other than
    /// the one crossed), and its occupied bytes.
    package struct CrossingTensor: Sendable {
        package var start: CrossingStart
        package var readers: [OperatorID]
        package var bytes: Int

        package init(start: CrossingStart, readers: [OperatorID], bytes: Int) {
            self.start = start
            self.readers = readers
            self.bytes = bytes
        }
    }

    /// The fewest bytes of `tensors` live while one operator runs, over the sets of operators that
    /// can run before it: those closed under predecessors that hold every operator `before` says
    /// must precede it and none that `after` says must follow (the operator itself among them).
    /// A minimum cut of a project-selection network, stopping once `limit` is reached: nodes are
    /// the operators (source side: run before), then two per tensor, then source and sink. A
    /// tensor costs its bytes when it has started and some reader runs after; one that starts at its
    /// first reader, when one reader runs before and another after. The segment search builds its
    /// own network for a block (`SegmentTrafficSearch`'s `Block.exactCut`), with what has run
    /// contracted into the source.
    static func leastCrossing(operators n: Int, predecessors: (Int) -> [Int], before: (Int) -> Bool, after: (Int) -> Bool,
                                      tensors: [CrossingTensor], limit: Int = MaxFlow.infinite) -> Int
    {
        let source = n + 2 * tensors.count
        let sink = source + 1
        var network = MaxFlow(nodes: sink + 1)
        let inf = MaxFlow.infinite
        for c in 0..<n {
            for p in predecessors(c) { network.addEdge(from: c, to: p, capacity: inf) }
            if after(c) {
                network.addEdge(from: c, to: sink, capacity: inf)
            } else if before(c) {
                network.addEdge(from: source, to: c, capacity: inf)
            }
        }
        for (i, t) in tensors.enumerated() {
            let first = n + 2 * i
            switch t.start {
            case .producer(let p):
                // Paid when the producer runs before and some reader after.
                network.addEdge(from: p, to: first, capacity: t.bytes)
                for r in t.readers { network.addEdge(from: first, to: r, capacity: inf) }
            case .firstReader:
                // Paid when some reader runs before and some reader after.
                for r in t.readers {
                    network.addEdge(from: r, to: first, capacity: inf)
                    network.addEdge(from: first + 1, to: r, capacity: inf)
                }
                network.addEdge(from: first, to: first + 1, capacity: t.bytes)
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
