import CosmaTestSupport
import DNNGraph
import Scratchpad

/// The minimum non-compulsory traffic of a tiny instance, by uniform-cost search over every
/// schedule, every choice of what to drop before each operator, and every offset of every load and
/// output. It shares no code with the planners, so it can judge them.
///
/// Restrictions that lose no optimality: inputs of an operator are loaded just before it runs
/// (loading earlier never saves traffic and only blocks addresses); an activation is stored exactly
/// when it is dropped while still needed (or is a graph output); a tensor no later operator reads
/// is dropped at once (keeping it only blocks addresses; an unstored graph output is stored first,
/// which it must be anyway).
///
/// With in-place on (docs/in-place.md) an operator's single output may also be placed over one of
/// its inputs, taking its offset, when the graph allows the operator to work in place and the
/// input is an activation of the same size that is not a graph output and that no operator still
/// to run reads: every schedule and every choice of in-place writes is searched.
///
/// What keeps it fast enough for seven operators:
/// - costs are non-compulsory bytes only (a first load and a graph output's one store are paid
///   by every plan), so the search orders states by avoidable traffic and the first finished
///   schedule it pops is optimal; within one cost it goes depth first, so at the optimal cost it
///   finishes a schedule quickly instead of sweeping every layout of that cost;
/// - an optional cutoff (the traffic of any valid plan, for example the planner's) drops every
///   state that already costs more;
/// - a tensor still needed is dropped only when a placement of the same step overlaps its range
///   (dropping it earlier never pays less);
/// - a layout and its mirror image (every offset `o` turned into `M - o - size`) have the same
///   futures, so states are kept in the smaller of the two forms.
struct ExhaustiveSearch {
    let graph: Graph
    let config: Configuration

    /// A search state packed into integers so that hashing stays cheap: which operators are done,
    /// each tensor's offset + 1 in 5 bits, twelve tensors per word (0 = not resident), and which
    /// tensors have a DRAM copy.
    struct State: Hashable {
        var done: UInt32
        var at: (UInt64, UInt64)
        var stored: UInt32

        static func == (a: State, b: State) -> Bool {
            a.done == b.done && a.at.0 == b.at.0 && a.at.1 == b.at.1 && a.stored == b.stored
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(done)
            hasher.combine(at.0)
            hasher.combine(at.1)
            hasher.combine(stored)
        }

        func offset(_ t: Int) -> Int? {
            let word = t < 12 ? at.0 : at.1
            let v = Int((word >> UInt64(5 * (t % 12))) & 31)
            return v == 0 ? nil : v - 1
        }

        mutating func set(_ t: Int, _ offset: Int?) {
            let shift = UInt64(5 * (t % 12))
            var word = t < 12 ? at.0 : at.1
            word &= ~(31 << shift)
            if let offset { word |= UInt64(offset + 1) << shift }
            if t < 12 { at.0 = word } else { at.1 = word }
        }
    }

    /// The instance must be small enough for the packed state.
    var fits: Bool {
        graph.tensors.count <= 24 && graph.operators.count <= 16 && config.capacity <= 30
    }

    /// The optimum, or `nil` when the search visits more than `stateLimit` states or finds no
    /// plan within `cutoff` non-compulsory bytes.
    func minimumNonCompulsory(cutoff: Int? = nil, stateLimit: Int = 2_000_000) -> Int? {
        precondition(fits, "instance too large for the exhaustive search")
        let n = graph.operators.count
        let size = graph.tensors.map { config.occupied($0.bytes) }
        let mirrorable = config.capacity % config.alignment == 0
        func canonical(_ s: State) -> State {
            guard mirrorable else { return s }
            var m = s
            for t in graph.tensors.indices {
                if let o = s.offset(t) { m.set(t, config.capacity - o - size[t]) }
            }
            return (m.at.1, m.at.0) < (s.at.1, s.at.0) ? m : s
        }
        var stored0: UInt32 = 0
        for t in graph.tensors.indices where graph.producer[t] == nil { stored0 |= 1 << UInt32(t) }
        let start = State(done: 0, at: (0, 0), stored: stored0)
        var buckets: [[State]] = [[start]]
        var best: [State: Int] = [start: 0]
        var cost = 0
        let operands = graph.operators.indices.map { graph.residentOperands(of: $0, in: config.tensors) }
        let inputs = graph.operators.indices.map { graph.residentInputs(of: $0, in: config.tensors) }
        var laterReaders = [UInt32](repeating: 0, count: graph.tensors.count)
        for t in graph.tensors.indices { for c in graph.consumers[t] { laterReaders[t] |= 1 << UInt32(c) } }
        var predecessorMask = [UInt32](repeating: 0, count: n)
        for o in 0..<n { for p in graph.predecessors[o] { predecessorMask[o] |= 1 << UInt32(p) } }
        while cost < buckets.count {
            if let cutoff, cost > cutoff { return nil }
            // Last in, first out: within one cost any order is exact, and going deep first reaches
            // a finished schedule at once when one exists at this cost.
            while let state = buckets[cost].popLast() {
                guard best[state] == cost else { continue }
                if best.count > stateLimit { return nil }
                // Whatever graph outputs are still unstored are stored in `final`: compulsory.
                if state.done == (1 << UInt32(n)) - 1 { return cost }
                for op in 0..<n where state.done & (1 << UInt32(op)) == 0 && predecessorMask[op] & ~state.done == 0 {
                    let resident = graph.tensors.indices.filter { state.offset($0) != nil && !operands[op].contains($0) }
                    let dead = resident.filter { laterReaders[$0] & ~state.done == 0 }
                    let droppable = resident.filter { laterReaders[$0] & ~state.done != 0 }
                    for mask in 0..<(1 << droppable.count) {
                        var s = state
                        var extra = 0
                        for (i, t) in droppable.enumerated() + dead.map({ (-1, $0) }) where i < 0 || mask & (1 << i) != 0 {
                            let needed = laterReaders[t] & ~s.done != 0 || graph.isOutput[t]
                            if s.stored & (1 << UInt32(t)) == 0 && needed {
                                // A graph output's one store is compulsory.
                                if !graph.isOutput[t] { extra += graph.tensors[t].bytes }
                                s.stored |= 1 << UInt32(t)
                            }
                            s.set(t, nil)
                        }
                        var items: [(TensorID, Int, [TensorID])] = []
                        var loadable = true
                        for t in inputs[op] where s.offset(t) == nil {
                            if s.stored & (1 << UInt32(t)) == 0 { loadable = false }
                            // The first load of an input or weight (no reader has run yet) is compulsory.
                            let firstLoad = graph.producer[t] == nil && laterReaders[t] & s.done == 0
                            items.append((t, firstLoad ? 0 : graph.tensors[t].bytes, []))
                        }
                        guard loadable else { continue }
                        let after = state.done | (1 << UInt32(op))
                        for t in graph.operators[op].outputs { items.append((t, 0, overwritable(op, output: t, after: after, laterReaders))) }
                        let dropped = droppable.indices.filter { mask & (1 << $0) != 0 }.map { droppable[$0] }
                        place(items[...], state: s, size: size) { placed, loads in
                            // Dropping a tensor still needed whose range no placement of this step
                            // overlaps could wait: a plan that keeps it until such a placement (or
                            // its next use) pays no more, so only the lazy drops are searched.
                            for t in dropped {
                                let o = state.offset(t)!
                                let inTheWay = items.contains { item in
                                    // An input written over in place has handed its range to the output.
                                    guard let u = placed.offset(item.0) else { return false }
                                    return u < o + size[t] && o < u + size[item.0]
                                }
                                if !inTheWay { return }
                            }
                            var next = placed
                            next.done |= 1 << UInt32(op)
                            // What no later operator reads would be dropped before the next step
                            // anyway (a graph output stored first, which is compulsory): forget its
                            // offset now so that states differing only there merge.
                            for t in graph.tensors.indices where next.offset(t) != nil && laterReaders[t] & ~next.done == 0 {
                                if graph.isOutput[t] { next.stored |= 1 << UInt32(t) }
                                next.set(t, nil)
                            }
                            next = canonical(next)
                            let c = cost + extra + loads
                            if let cutoff, c > cutoff { return }
                            if let known = best[next], known <= c { return }
                            best[next] = c
                            while buckets.count <= c { buckets.append([]) }
                            buckets[c].append(next)
                        }
                    }
                }
            }
            cost += 1
        }
        return nil
    }

    /// The inputs of `op` whose bytes its output `t` may take once the operators in `after` have
    /// run, stated from the model's conditions (none with in-place off).
    func overwritable(_ op: OperatorID, output t: TensorID, after: UInt32, _ laterReaders: [UInt32]) -> [TensorID] {
        let operation = graph.operators[op]
        guard config.inPlace == .on, graph.allowsInPlace(op), operation.outputs.count == 1 else { return [] }
        return Set(operation.inputs).sorted().filter { x in
            graph.tensors[x].kind == .activation && !graph.isOutput[x] && graph.tensors[x].bytes == graph.tensors[t].bytes
                && laterReaders[x] & ~after == 0
        }
    }

    /// Every way to put the items (tensor, bytes it costs to load, inputs whose bytes it may take)
    /// at free aligned offsets, or over one of those inputs.
    func place(_ items: ArraySlice<(TensorID, Int, [TensorID])>, state: State, size: [Int], loads: Int = 0,
               emit: (State, Int) -> Void) {
        guard let (t, cost, over) = items.first else {
            emit(state, loads)
            return
        }
        for x in over {
            guard let at = state.offset(x) else { continue }
            var s = state
            s.set(x, nil)
            s.set(t, at)
            place(items.dropFirst(), state: s, size: size, loads: loads + cost, emit: emit)
        }
        var offset = 0
        while offset + size[t] <= config.capacity {
            var free = true
            for u in graph.tensors.indices {
                if let o = state.offset(u), o < offset + size[t] && offset < o + size[u] {
                    free = false
                    break
                }
            }
            if free {
                var s = state
                s.set(t, offset)
                place(items.dropFirst(), state: s, size: size, loads: loads + cost, emit: emit)
            }
            offset += config.alignment
        }
    }
}

extension ExhaustiveSearch {
    /// Random tiny instances a few bytes above `M_R` with their exhaustive optima: the oracle the
    /// lower-bound tests compare against. Every third seed plans weights too; the graph of seed `s`
    /// has `operators + s % 3` operators. Instances that do not fit or have no plan are skipped.
    static func solvedInstances(seeds: ClosedRange<UInt64>, operators: Int, extras: [Int]) throws
        -> [(seed: UInt64, graph: Graph, config: Configuration, optimum: Int)]
    {
        var instances: [(seed: UInt64, graph: Graph, config: Configuration, optimum: Int)] = []
        for seed in seeds {
            let setting: TensorSetting = seed % 3 == 0 ? .all : .activations
            let graph = try randomTinyGraph(seed: seed, operators: operators + Int(seed % 3), withWeights: setting == .all)
            for extra in extras {
                let config = Configuration.atMR(of: graph, tensors: setting, plus: extra)
                let search = ExhaustiveSearch(graph: graph, config: config)
                guard search.fits, let optimum = search.minimumNonCompulsory() else { continue }
                instances.append((seed, graph, config, optimum))
            }
        }
        return instances
    }
}
