package import DNNGraph
import Heuristics
package import Scratchpad

/// One unbroken stay of a tensor in the scratchpad, from position `first` to `last` inclusive.
package struct Stay: Hashable, Sendable {
    package var first: Int
    package var last: Int
    /// Whether the stay begins with a load from DRAM (otherwise the tensor's producer creates it).
    package var loaded: Bool

    package init(first: Int, last: Int, loaded: Bool) {
        self.first = first
        self.last = last
        self.loaded = loaded
    }
}

/// A schedule with every tensor's stays in the scratchpad, but no addresses yet.
///
/// This is what the capacity program decides. With offsets for its stays (from
/// ``StayPacker`` or the address program) it becomes a complete ``Plan``.
///
/// Under the in-place model (docs/in-place.md) some outputs take the bytes of an input that dies
/// at their operator: the input's last stay ends at that position, the output's first stay starts
/// there, and both have one offset. ``writes`` lists them; it is empty with in-place off.
package struct Residency: Sendable, Hashable {
    /// Operators in execution order.
    package var order: [OperatorID]
    /// Stays of each tensor, ascending, by tensor index.
    package var stays: [[Stay]]
    /// The in-place writes: at the position of `write.op`, `write.output` is placed over
    /// `write.input`.
    package var writes: [InPlaceWrite]

    package init(order: [OperatorID], stays: [[Stay]], writes: [InPlaceWrite] = []) {
        self.order = order
        self.stays = stays
        self.writes = writes
    }

    /// The schedule of a valid plan: its steps' operators. Cheaper than ``read(_:graph:)`` where
    /// only the order is wanted (a pass over the steps, not over every placement).
    package static func order(of plan: Plan, graph: Graph) -> [OperatorID] {
        plan.steps.compactMap { graph.operatorID(named: $0.op) }
    }

    /// Reads the stays and their byte offsets off a valid plan (used to warm-start the programs
    /// from a heuristic).
    package static func read(_ plan: Plan, graph: Graph) -> (residency: Residency, offsets: [[Int]]) {
        let order = order(of: plan, graph: graph)
        var stays = [[Stay]](repeating: [], count: graph.tensors.count)
        var offsets = [[Int]](repeating: [], count: graph.tensors.count)
        var writes: [InPlaceWrite] = []
        var open: [TensorID: Int] = [:]
        for (k, step) in plan.steps.enumerated() {
            for name in step.free {
                if let t = graph.tensorID(named: name) { open[t] = nil }
            }
            var handedOver: [TensorID] = []
            for (placements, loaded) in [(step.load, true), (step.outputs, false)] {
                for p in placements {
                    guard let t = graph.tensorID(named: p.tensor) else { continue }
                    stays[t].append(Stay(first: k, last: k, loaded: loaded))
                    offsets[t].append(p.offset)
                    open[t] = stays[t].count - 1
                    if let name = p.inPlaceOf, let x = graph.tensorID(named: name), let op = graph.operatorID(named: step.op) {
                        writes.append(InPlaceWrite(op: op, input: x, output: t))
                        handedOver.append(x)
                    }
                }
            }
            for (t, i) in open { stays[t][i].last = k }
            // An input written over ends its stay as the operator runs; no later free names it.
            for x in handedOver { open[x] = nil }
        }
        return (Residency(order: order, stays: stays, writes: writes), offsets)
    }

    /// By position, the tensors whose stay ended just before it although a later stay reads them
    /// again: the drops an on-line planner makes to follow this residency
    /// (``Heuristics/HeuristicPlanner/plan(graph:configuration:order:scheduleName:replacement:allocation:arena:fallback:releases:)``).
    package func releases(_ problem: PlanningProblem) -> [[TensorID]] {
        var result = [[TensorID]](repeating: [], count: order.count)
        for t in problem.tensors {
            for stay in stays[t].dropLast() where stay.last + 1 < order.count { result[stay.last + 1].append(t) }
        }
        return result
    }

    /// Shortens every stay to end at its last use (and a loaded stay to begin at its first) and
    /// drops stays that serve no use, which never costs traffic and frees space for packing. A
    /// graph output's stay that serves no reader still covers its production.
    package func trimmed(_ problem: PlanningProblem) -> Residency {
        trimmed(problem, offsets: stays.map { [Int](repeating: 0, count: $0.count) }).residency
    }

    /// ``trimmed(_:)`` that keeps each surviving stay's offset: shortening a stay never moves it.
    package func trimmed(_ problem: PlanningProblem, offsets: [[Int]]) -> (residency: Residency, offsets: [[Int]]) {
        var result = self
        var keptOffsets = offsets
        let position = problem.graph.positions(of: order)
        for t in problem.tensors {
            let uses = problem.readers[t].map { position[$0] }.sorted()
            var kept: [Stay] = []
            var at: [Int] = []
            for (i, s) in stays[t].enumerated() {
                let lastUse = uses.last { $0 >= s.first && $0 <= s.last }
                if let lastUse {
                    // A load can wait for the stay's first use; a produced tensor starts where it is made.
                    let first = s.loaded ? uses.first { $0 >= s.first && $0 <= s.last }! : s.first
                    kept.append(Stay(first: first, last: lastUse, loaded: s.loaded))
                    at.append(offsets[t][i])
                } else if !s.loaded {
                    kept.append(Stay(first: s.first, last: s.first, loaded: false))
                    at.append(offsets[t][i])
                }
            }
            result.stays[t] = kept
            keptOffsets[t] = at
        }
        return (result, keptOffsets)
    }

    /// Each stay's offset from a packing of ``packingItems(_:)``'s `groups`: every member of a
    /// group at its item's offset in `packed`.
    package func offsets(of groups: [(item: StayPacker.Item, members: [(tensor: TensorID, stay: Int)])], packedAt packed: [Int]) -> [[Int]] {
        var offsets = stays.map { [Int](repeating: 0, count: $0.count) }
        for (n, group) in groups.enumerated() {
            for (t, i) in group.members { offsets[t][i] = packed[n] }
        }
        return offsets
    }

    /// The stays to pack, with the stays each item stands for. A stay is an item of its own, except
    /// that an in-place chain (an input's last stay, the first stay of the output written over it,
    /// the first stay of the output written over that, ...) is one item spanning them all: they
    /// share one offset. Items come in tensor order, then stay order, so that without writes the
    /// packer sees exactly the stays.
    package func packingItems(_ problem: PlanningProblem) -> [(item: StayPacker.Item, members: [(tensor: TensorID, stay: Int)])] {
        // Every stay of the problem's tensors, numbered in tensor order, then stay order.
        var members: [(tensor: TensorID, stay: Int)] = []
        var spans: [(first: Int, last: Int)] = []
        var base = [Int](repeating: -1, count: stays.count)
        for t in problem.tensors {
            base[t] = members.count
            for (i, s) in stays[t].enumerated() {
                members.append((t, i))
                spans.append((s.first, s.last))
            }
        }
        var over = [Int?](repeating: nil, count: members.count)
        let position = problem.graph.positions(of: order)
        for w in writes where base[w.input] >= 0 && base[w.output] >= 0 {
            let k = position[w.op]
            guard let i = stays[w.input].lastIndex(where: { $0.last == k }),
                  let j = stays[w.output].firstIndex(where: { $0.first == k && !$0.loaded }) else { continue }
            over[base[w.output] + j] = base[w.input] + i
        }
        return inPlaceChains(spans: spans, over: over).map { chain in
            (StayPacker.Item(size: problem.occupied[members[chain.members[0]].tensor], first: chain.first, last: chain.last),
             chain.members.map { members[$0] })
        }
    }

    /// Builds the plan that realises this residency with the given offset for every segment.
    ///
    /// An activation is stored when its first stay ends if it is loaded again later or is a graph
    /// output; outputs still resident after the last step are stored in `final`.
    package func plan(offsets: [[Int]], problem: PlanningProblem, method: String) -> Plan {
        let graph = problem.graph
        let n = order.count
        var steps = order.map { Step(op: graph.operators[$0].name) }
        var final: [String] = []
        var writtenOver = [TensorID?](repeating: nil, count: graph.tensors.count)
        var handedOver = [Bool](repeating: false, count: graph.tensors.count)
        for w in writes {
            writtenOver[w.output] = w.input
            handedOver[w.input] = true
        }
        for t in problem.tensors {
            let name = graph.tensors[t].name
            let segs = stays[t]
            var stored = graph.producer[t] == nil
            for (i, s) in segs.enumerated() {
                if s.loaded {
                    steps[s.first].load.append(Placement(tensor: name, offset: offsets[t][i]))
                } else {
                    let over = writtenOver[t].map { graph.tensors[$0].name }
                    steps[s.first].outputs.append(Placement(tensor: name, offset: offsets[t][i], inPlaceOf: over))
                }
                let mustStore = !stored && (i + 1 < segs.count || graph.isOutput[t])
                // The last stay of an input written over ends as its output takes the bytes.
                let handed = handedOver[t] && i == segs.count - 1
                if s.last + 1 < n {
                    if mustStore {
                        steps[s.last + 1].store.append(name)
                        stored = true
                    }
                    if !handed { steps[s.last + 1].free.append(name) }
                } else if mustStore {
                    final.append(name)
                    stored = true
                }
            }
        }
        return Plan(graph: graph.name, configuration: problem.configuration, steps: steps, final: final, method: method)
    }
}
