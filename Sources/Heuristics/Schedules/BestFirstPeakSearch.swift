internal import DNNGraph

/// Best-first search for the smallest peak of live bytes over the orders of a subset `S` of the
/// operators (all of them for the exact problem), a bottleneck variant of Dijkstra's algorithm
/// over down-sets of `S`.
///
/// **Exact case (`S` = every operator).** The bytes live while `o` runs after a down-set `D`
/// depend only on `D` and `o` (``LiveMemoryModel``), so the minimum peak is a bottleneck shortest
/// path from the empty set to the full set. States are popped by their peak so far (ties: deeper
/// first, then fewer live bytes, which dives towards a complete order when the peak does not
/// grow), so the first complete state popped is optimal, and every state whose peak reaches the
/// `cutoff` (the best order known) is pruned. When the state budget runs out, the smallest peak
/// still open is a lower bound: every order passes through an open or pruned state.
///
/// **Relaxation (`S` a window of operators).** An order of the whole graph restricted to `S` is
/// an order of `S`. While `o ∈ S` runs, this search counts only tensors that are surely live in
/// that order: `o`'s operands; tensors started by an operator of `S` already run and read by an
/// operator of `S` not yet run; and tensors whose start or end lies outside `S` but is forced by
/// ancestry (started by an ancestor of `o`, read by a descendant of `o`). Each counted tensor is
/// live in the full order too, so the minimum over orders of `S` is a lower bound on `M_P`, and a
/// window around the incumbent's peak is often enough to prove it.
///
/// Cost: O(states · (ready operators · operands + |S|/64)) time, O(states · |S|/64) memory.
struct BestFirstPeakSearch {
    struct Result {
        /// The best order of `S` found strictly below the cutoff, with its (relaxed) peak; for
        /// the exact case it is a complete schedule.
        var best: (order: [OperatorID], peak: Int)?
        /// Whether the search finished: then `best` is optimal, or nothing beats the cutoff.
        var exhaustive: Bool
        /// A lower bound on the smallest (relaxed) peak over orders of `S`, capped at the cutoff
        /// when nothing below it was found.
        var lowerBound: Int
        /// States created.
        var states: Int
    }

    private struct TensorInfo {
        var size: Int
        /// Local indices of the operators of `S` that start / read the tensor.
        var starters: [Int32]
        var readers: [Int32]
    }

    private struct Extra {
        var tensor: Int32
        /// Started before `o` in every order by an operator outside `S` (an ancestor of `o`).
        var startedOutside: Bool
        /// Read after `o` in every order by an operator outside `S` (a descendant of `o`).
        var readOutside: Bool
    }

    let members: [OperatorID]
    private let tensors: [TensorInfo]
    /// Per local operator: bytes of its operands plus tensors outside `S`'s reach forced live.
    private let base: [Int]
    /// Per local operator: indices into `tensors` of its operands.
    private let operands: [[Int32]]
    /// Per local operator: tensors whose liveness while it runs also depends on ancestry outside `S`.
    private let extras: [[Extra]]
    /// Per local operator, the local tensors whose bytes its output may take, and the bytes saved.
    private let inPlace: [(tensors: [Int32], saving: Int)]
    private let coverPredecessors: [[Int32]]
    private let coverSuccessors: [[Int32]]

    /// - Parameter subset: the operators `S` to order; `nil` for every operator (the exact problem).
    init(model: LiveMemoryModel, reach: Reachability, subset: [OperatorID]? = nil) {
        let graph = model.graph
        let n = graph.operators.count
        let members = (subset ?? Array(0..<n)).sorted()
        self.members = members
        let m = members.count
        var local = [Int](repeating: -1, count: n)
        for (i, o) in members.enumerated() { local[o] = i }
        var inS = OperatorSet(count: n)
        for o in members { inS.insert(o) }

        // Tensors that an operator of S starts or reads get an index; the others only ever count
        // through ancestry, in `base`.
        var index = [Int32](repeating: -1, count: graph.tensors.count)
        var tensors: [TensorInfo] = []
        var outsideStarters: [[OperatorID]] = []
        var outsideReaders: [[OperatorID]] = []
        var touchedIDs: [TensorID] = []
        for t in graph.tensors.indices where model.size[t] > 0 {
            let starters = model.starters(of: t)
            let readers = graph.consumers[t]
            let touching = starters + readers
            guard touching.contains(where: inS.contains) else { continue }
            index[t] = Int32(tensors.count)
            touchedIDs.append(t)
            tensors.append(TensorInfo(size: model.size[t],
                                      starters: starters.filter(inS.contains).map { Int32(local[$0]) },
                                      readers: readers.filter(inS.contains).map { Int32(local[$0]) }))
            outsideStarters.append(starters.filter { !inS.contains($0) })
            outsideReaders.append(readers.filter { !inS.contains($0) })
        }
        self.tensors = tensors

        var base = [Int](repeating: 0, count: m)
        var operands = [[Int32]](repeating: [], count: m)
        var extras = [[Extra]](repeating: [], count: m)
        for (i, o) in members.enumerated() {
            let own = graph.residentOperands(of: o, in: .all).filter { model.size[$0] > 0 }
            operands[i] = own.map { index[$0] }
            base[i] = own.reduce(0) { $0 + model.size[$1] }
            var isOperand = Set(own)
            isOperand.formUnion(graph.operators[o].outputs)
            if subset == nil { continue }
            for (k, t) in touchedIDs.enumerated() where !isOperand.contains(t) {
                let startedOutside = outsideStarters[k].contains(where: { reach.isAncestor($0, of: o) })
                let readOutside = outsideReaders[k].contains(where: { reach.isAncestor(o, of: $0) })
                if startedOutside || readOutside {
                    extras[i].append(Extra(tensor: Int32(k), startedOutside: startedOutside, readOutside: readOutside))
                }
            }
            for t in graph.tensors.indices where model.size[t] > 0 && index[t] < 0 && !graph.consumers[t].isEmpty {
                if model.starters(of: t).contains(where: { reach.isAncestor($0, of: o) }),
                   graph.consumers[t].contains(where: { reach.isAncestor(o, of: $0) })
                {
                    base[i] += model.size[t]
                }
            }
        }
        self.base = base
        self.operands = operands
        self.extras = extras
        inPlace = members.map { o in
            // A reader outside S that must follow `o` keeps the input alive; one that need not is
            // assumed done, which keeps a window's minimum a lower bound.
            let dying = model.inPlace[o].filter { x in
                index[x] >= 0 && !graph.consumers[x].contains { !inS.contains($0) && reach.isAncestor(o, of: $0) }
            }
            return (dying.map { index[$0] }, dying.isEmpty ? 0 : model.size[graph.operators[o].outputs[0]])
        }

        (coverPredecessors, coverSuccessors) = subset == nil
            ? Self.coveringArcs(graph, reach: reach) : Self.coveringPairs(members, reach: reach)
    }

    /// ``coveringPairs(_:reach:)`` of the whole graph, where local indices are operator IDs: the
    /// arcs of its transitive reduction. An ancestor `p` of `i` with nothing between them is a
    /// direct predecessor (otherwise the operator between would be), and no other direct
    /// predecessor descends from it (otherwise that one would be between). Checking that costs
    /// the squares of the in-degrees in bit tests, where the general case costs O(m³ / 64): minutes
    /// on 20,000 operators.
    private static func coveringArcs(_ graph: Graph, reach: Reachability) -> (predecessors: [[Int32]], successors: [[Int32]]) {
        let m = graph.operators.count
        var coverPredecessors = [[Int32]](repeating: [], count: m)
        var coverSuccessors = [[Int32]](repeating: [], count: m)
        for i in 0..<m {
            let direct = graph.predecessors[i]
            for p in direct.sorted() where !direct.contains(where: { $0 != p && reach.isAncestor(p, of: $0) }) {
                coverPredecessors[i].append(Int32(p))
                coverSuccessors[p].append(Int32(i))
            }
        }
        return (coverPredecessors, coverSuccessors)
    }

    /// The order S inherits: i before j when i is an ancestor of j in the graph (possibly
    /// through operators outside S). Only covering pairs are kept, so readiness checks stay short.
    private static func coveringPairs(_ members: [OperatorID], reach: Reachability) -> (predecessors: [[Int32]], successors: [[Int32]]) {
        let m = members.count
        var coverPredecessors = [[Int32]](repeating: [], count: m)
        var coverSuccessors = [[Int32]](repeating: [], count: m)
        var ancestorsInS = [OperatorSet](repeating: OperatorSet(count: m), count: m)
        for (i, o) in members.enumerated() {
            for (j, p) in members[..<i].enumerated() where reach.isAncestor(p, of: o) { ancestorsInS[i].insert(j) }
        }
        for i in 0..<m {
            var implied = OperatorSet(count: m)
            for j in 0..<i where ancestorsInS[i].contains(j) { implied.formUnion(ancestorsInS[j]) }
            for j in 0..<i where ancestorsInS[i].contains(j) && !implied.contains(j) {
                coverPredecessors[i].append(Int32(j))
                coverSuccessors[j].append(Int32(i))
            }
        }
        return (coverPredecessors, coverSuccessors)
    }

    /// Live (counted) bytes while local operator `i` runs after the down-set `done` (a bit set
    /// over local indices), and after it has run.
    private func transition(_ done: [UInt64], live: Int, running i: Int) -> (running: Int, after: Int) {
        func has(_ j: Int32) -> Bool { done[Int(j) >> 6] & (1 << UInt64(j & 63)) != 0 }
        let me = Int32(i)
        var running = base[i] + live
        var after = live
        for k in operands[i] {
            let t = tensors[Int(k)]
            let startedBefore = t.starters.contains(where: has)
            let before = startedBefore && t.readers.contains { !has($0) }
            if before { running -= t.size }
            let now = (startedBefore || t.starters.contains(me)) && t.readers.contains { $0 != me && !has($0) }
            if before != now { after += now ? t.size : -t.size }
        }
        for extra in extras[i] {
            let t = tensors[Int(extra.tensor)]
            let isStarted = t.starters.contains(where: has)
            let isPending = t.readers.contains { !has($0) }
            guard !(isStarted && isPending) else { continue }  // already in `live`
            if (extra.startedOutside || isStarted) && (extra.readOutside || isPending) { running += t.size }
        }
        if inPlace[i].tensors.contains(where: { tensors[Int($0)].readers.allSatisfy { $0 == me || has($0) } }) {
            running -= inPlace[i].saving
        }
        return (running, after)
    }

    /// A state; its down-set and ready operators live in flat buffers, so that a state costs no
    /// allocation of its own.
    private struct Node {
        /// Zobrist hash of the down-set: the XOR of a fixed random word per operator in it.
        var hash: UInt64
        var live: Int
        var peak: Int
        var depth: Int32
        var parent: Int32
        var op: Int32
        var readyStart: Int
        var readyCount: Int32
    }

    /// The most bytes the states' down-sets and ready lists may take: a state budget counts states,
    /// whose size grows with the graph (a down-set is a bit per operator), so that on 20,000
    /// operators a million states held 3 GB. Reached like the state budget (the search stops,
    /// unproven). The repository's graphs stay far below it: NASNet-A's exhaustive search peaks
    /// at 222 MB of resident memory in all.
    static let storeLimit = 256 << 20

    /// Searches for the order of smallest peak strictly below `cutoff`, creating at most
    /// `stateBudget` states and stopping at `deadline` (both as when the budget runs out: the
    /// smallest peak still open is the bound).
    func run(cutoff: Int, stateBudget: Int, deadline: ContinuousClock.Instant? = nil) -> Result {
        let m = members.count
        let words = max(1, (m + 63) / 64)
        var rng = SplitMix64(seed: 0x5EED)
        let zobrist = (0..<m).map { _ in rng.next() }
        var sets = [UInt64](repeating: 0, count: words)
        var readyBuffer = (0..<m).filter { coverPredecessors[$0].isEmpty }.map { Int32($0) }
        var nodes = [Node(hash: 0, live: 0, peak: 0, depth: 0, parent: -1, op: -1, readyStart: 0, readyCount: Int32(readyBuffer.count))]
        // States by their down-set's hash, compared word by word where hashes meet, so that no
        // state is ever confused with another.
        var index = StateIndex(expected: min(stateBudget, 1 << 16))
        _ = index.node(hash: 0, orInsert: 0) { _ in false }
        var heap = BinaryHeap<PeakEntry>()
        heap.push(.init(peak: 0, depth: 0, live: 0, node: 0))
        var current = [UInt64](repeating: 0, count: words)
        var child = current

        func sameSet(_ index: Int32, _ set: [UInt64]) -> Bool {
            let start = Int(index) * words
            for w in 0..<words where sets[start + w] != set[w] { return false }
            return true
        }

        var pops = 0
        while let top = heap.pop() {
            pops += 1
            let node = nodes[Int(top.node)]
            let start = Int(top.node) * words
            for w in 0..<words { current[w] = sets[start + w] }
            // A better way in was found later.
            guard index.node(hash: node.hash, isKey: { sameSet($0, current) }) == top.node else { continue }
            if Int(node.depth) == m {
                return Result(best: (order(to: Int(top.node), in: nodes), node.peak), exhaustive: true, lowerBound: node.peak,
                              states: nodes.count)
            }
            if nodes.count >= stateBudget || sets.count * 8 + readyBuffer.count * 4 >= Self.storeLimit
                || (pops & 1023 == 1 && SearchLimit.expired(deadline)) {
                return Result(best: nil, exhaustive: false, lowerBound: min(cutoff, node.peak), states: nodes.count)
            }
            let readyRange = node.readyStart..<(node.readyStart + Int(node.readyCount))
            for position in readyRange {
                let i = readyBuffer[position]
                let (running, after) = transition(current, live: node.live, running: Int(i))
                let peak = max(node.peak, running)
                guard peak < cutoff else { continue }
                // Element-wise, so that `child` keeps its own storage instead of sharing `current`'s.
                for w in 0..<words { child[w] = current[w] }
                child[Int(i) >> 6] |= 1 << UInt64(i & 63)
                let hash = node.hash ^ zobrist[Int(i)]
                let next = Int32(nodes.count)
                if let known = index.node(hash: hash, orInsert: next, isKey: { sameSet($0, child) }) {
                    if nodes[Int(known)].peak <= peak { continue }
                    index.replace(known, with: next, hash: hash)
                }
                let readyStart = readyBuffer.count
                for p in readyRange where readyBuffer[p] != i { readyBuffer.append(readyBuffer[p]) }
                for s in coverSuccessors[Int(i)]
                where coverPredecessors[Int(s)].allSatisfy({ child[Int($0) >> 6] & (1 << UInt64($0 & 63)) != 0 }) {
                    readyBuffer.append(s)
                }
                nodes.append(Node(hash: hash, live: after, peak: peak, depth: node.depth + 1, parent: top.node, op: i,
                                  readyStart: readyStart, readyCount: Int32(readyBuffer.count - readyStart)))
                sets.append(contentsOf: child)
                heap.push(.init(peak: peak, depth: node.depth + 1, live: after, node: next))
            }
        }
        return Result(best: nil, exhaustive: true, lowerBound: cutoff, states: nodes.count)
    }
}

extension BestFirstPeakSearch {
    /// The order that leads from the empty set to `node`.
    private func order(to node: Int, in nodes: [Node]) -> [OperatorID] {
        var order: [OperatorID] = []
        var i = node
        while nodes[i].parent >= 0 {
            order.append(members[Int(nodes[i].op)])
            i = Int(nodes[i].parent)
        }
        return order.reversed()
    }
}

/// A search entry: smallest peak first, then deepest, then fewest live bytes.
private struct PeakEntry: HeapOrdered {
    var peak: Int
    var depth: Int32
    var live: Int
    var node: Int32

    func precedes(_ other: PeakEntry) -> Bool {
        (peak, -depth, live, node) < (other.peak, -other.depth, other.live, other.node)
    }
}
