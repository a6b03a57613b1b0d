package import DNNGraph
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
package struct Residency: Sendable, Hashable {
    /// Operators in execution order.
    package var order: [OperatorID]
    /// Stays of each tensor, ascending, by tensor index.
    package var stays: [[Stay]]

    package init(order: [OperatorID], stays: [[Stay]]) {
        self.order = order
        self.stays = stays
    }

    /// Reads the stays and their byte offsets off a valid plan (used to warm-start the programs
    /// from a heuristic).
    package static func read(_ plan: Plan, graph: Graph) -> (residency: Residency, offsets: [[Int]]) {
        let order = plan.steps.compactMap { graph.operatorID(named: $0.op) }
        var stays = [[Stay]](repeating: [], count: graph.tensors.count)
        var offsets = [[Int]](repeating: [], count: graph.tensors.count)
        var open: [TensorID: Int] = [:]
        for (k, step) in plan.steps.enumerated() {
            for name in step.free {
                if let t = graph.tensorID(named: name) { open[t] = nil }
            }
            for (placements, loaded) in [(step.load, true), (step.outputs, false)] {
                for p in placements {
                    guard let t = graph.tensorID(named: p.tensor) else { continue }
                    stays[t].append(Stay(first: k, last: k, loaded: loaded))
                    offsets[t].append(p.offset)
                    open[t] = stays[t].count - 1
                }
            }
            for (t, i) in open { stays[t][i].last = k }
        }
        return (Residency(order: order, stays: stays), offsets)
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

    /// Builds the plan that realises this residency with the given offset for every segment.
    ///
    /// An activation is stored when its first stay ends if it is loaded again later or is a graph
    /// output; outputs still resident after the last step are stored in `final`.
    package func plan(offsets: [[Int]], problem: PlanningProblem, method: String) -> Plan {
        let graph = problem.graph
        let n = order.count
        var steps = order.map { Step(op: graph.operators[$0].name) }
        var final: [String] = []
        for t in problem.tensors {
            let name = graph.tensors[t].name
            let segs = stays[t]
            var stored = graph.producer[t] == nil
            for (i, s) in segs.enumerated() {
                if s.loaded {
                    steps[s.first].load.append(Placement(tensor: name, offset: offsets[t][i]))
                } else {
                    steps[s.first].outputs.append(Placement(tensor: name, offset: offsets[t][i]))
                }
                let mustStore = !stored && (i + 1 < segs.count || graph.isOutput[t])
                if s.last + 1 < n {
                    if mustStore {
                        steps[s.last + 1].store.append(name)
                        stored = true
                    }
                    steps[s.last + 1].free.append(name)
                } else if mustStore {
                    final.append(name)
                    stored = true
                }
            }
        }
        return Plan(graph: graph.name, configuration: problem.configuration, steps: steps, final: final, method: method)
    }
}
