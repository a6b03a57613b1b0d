internal import DNNGraph
internal import Scratchpad

/// How the on-line allocator picks a free gap for a tensor.
public enum AllocationPolicy: String, Sendable, CaseIterable {
    /// The smallest gap that fits, as TensorFlow Lite's arena planner does.
    case bestFit = "best-fit"
    /// The lowest-addressed gap that fits.
    case firstFit = "first-fit"
    /// The smallest gap that fits, with the tensor put against whichever neighbour stays longer,
    /// so that the room the other neighbour leaves joins the rest of the gap. Not one of the
    /// paper's baselines; it lets Cosma's own heuristics survive tight budgets where exact fits
    /// matter.
    case lifetimeFit = "lifetime-fit"
}

/// Which resident tensors to evict when the next operator's operands do not fit.
public enum ReplacementPolicy: String, Sendable, CaseIterable {
    /// Evict the tensor whose next use is furthest in the future (Belady's MIN), one at a time
    /// until a gap is large enough.
    case belady
    /// The COSMA paper's greedy choice: evict at once the set of tensors that frees a large enough
    /// contiguous range for the least traffic now (a store if the tensor has no DRAM copy, plus
    /// its reload). The paper solves this choice with a small ILP; with a contiguous allocator
    /// the candidate sets are the residents overlapping a window `[a, a + size)` that starts at
    /// address 0 or at the end of a resident, so trying every such window is exact. Ties go to
    /// the set whose soonest next use is furthest away.
    case greedy
    /// Evict the least recently used tensor.
    case lru
    /// Evict the tensor with the largest product of size and distance to its next use.
    case sizeBelady = "size-belady"
}

/// Why a heuristic could not produce a plan: at some step the operands did not fit even after
/// evicting every tensor the operator does not need, because free space was fragmented or the
/// operands together exceed the capacity.
public struct PlanningFailure: Error, Sendable, CustomStringConvertible {
    public var step: Int
    public var op: String
    public var tensor: String
    public var bytesNeeded: Int
    public var largestGap: Int
    public var freeBytes: Int

    public var description: String {
        let why = freeBytes >= bytesNeeded ? "fragmentation" : "the operands together exceed the capacity"
        return "step \(step + 1) ('\(op)'): no room for '\(tensor)' (\(bytesNeeded) bytes) even after evicting every tensor the operator does not use; the largest free gap is \(largestGap) bytes of \(freeBytes) free (\(why))"
    }
}

/// What the on-line planner does when an operator's operands cannot be placed even after the
/// replacement policy has evicted everything it was willing to.
package enum OnlineFallback: String, Sendable, CaseIterable {
    /// Fail with a ``PlanningFailure``: the behaviour of the compilers' heuristics as the COSMA
    /// paper ran them (`--strict`).
    case fail = "strict"
    /// Empty the scratchpad (storing what is still needed) and reload the operands packed from
    /// address 0: the one-step compaction Cosma's own planners use for their warm starts.
    case flush
    /// What a runtime does: evict further in the policy's own order, then compact only the running
    /// operator's scattered operands, moving as few as it can (see ``OnlinePlanner``). At every
    /// capacity of at least `M_R` a plan then exists, unless alignment makes the working set itself
    /// too large.
    case defragment
}

/// Runs a fixed schedule operator by operator, allocating on-line and evicting on demand: the way
/// compilers without a global planner handle a scratchpad.
///
/// At each step it frees tensors that are dead (storing graph outputs first), loads the operator's
/// missing inputs (largest first) and places its outputs. A tensor that does not fit causes
/// evictions chosen by a ``ReplacementPolicy`` until a gap is large enough; an evicted tensor that
/// is still needed and has no DRAM copy is stored first. The plan it returns is not yet simulated:
/// callers go through ``HeuristicPlanner`` which does that.
///
/// With ``preassigned`` offsets (an ``ArenaPlan`` that fits the capacity) every tensor goes where
/// the arena put it; the frees follow the same lifetimes, so nothing is ever evicted.
///
/// When no gap fits and the policy has nothing left to evict, the ``fallback`` decides. The
/// defragmenting one first evicts the remaining non-operands in the policy's own order (only the
/// greedy policy stops earlier); if the operator's operands still do not fit, they are scattered,
/// and it compacts them: it undoes this step's placements (free: nothing was loaded or written
/// yet), then moves the resident operands one at a time (freed and reloaded when DRAM has a copy,
/// stored first otherwise), each time the one whose removal opens the largest free range, until
/// every operand fits. Both loops end: each round evicts or moves one tensor of a finite set, and
/// once every operand is being placed afresh the scratchpad is empty, so placing them one after
/// the other fills it from one end and fits whenever their aligned sizes do.
struct OnlinePlanner: Sendable {
    var graph: Graph
    var configuration: Configuration
    var order: [OperatorID]
    var replacement: ReplacementPolicy
    var allocation: AllocationPolicy
    /// Offsets decided ahead of time for the whole schedule, used instead of searching gaps.
    var preassigned: [TensorID: Int]
    /// What happens when an operator's operands cannot be placed. The compilers' heuristics fail
    /// there as the COSMA paper ran them; Cosma's own planners use ``OnlineFallback/flush`` so
    /// that a plan exists at every capacity of at least `M_R`.
    var fallback: OnlineFallback
    /// Residency advice, by position: the tensors to drop before that position's operator runs
    /// although they are read again (an empty list: no advice). A capacity program whose stays do
    /// not pack says which tensors leave when; following it keeps its traffic wherever the
    /// allocator finds room, and the replacement policy evicts only where fragmentation bites.
    var releases: [[TensorID]]

    init(graph: Graph, configuration: Configuration, order: [OperatorID],
                replacement: ReplacementPolicy = .belady, allocation: AllocationPolicy = .bestFit,
                preassigned: [TensorID: Int] = [:], fallback: OnlineFallback = .fail, releases: [[TensorID]] = []) {
        self.fallback = fallback
        self.releases = releases
        self.graph = graph
        self.configuration = configuration
        self.order = order
        self.replacement = replacement
        self.allocation = allocation
        self.preassigned = preassigned
    }

    func makeSteps() throws(PlanningFailure) -> (steps: [Step], final: [String]) {
        let made = try makeStepsCountingFallbacks()
        return (made.steps, made.final)
    }

    /// ``makeSteps()`` with how often the ``fallback`` fired.
    func makeStepsCountingFallbacks() throws(PlanningFailure) -> (steps: [Step], final: [String], fallbacks: FallbackCounts) {
        var state = OnlineState(planner: self)
        var steps: [Step] = []
        for k in order.indices {
            steps.append(try state.step(k))
        }
        let final = graph.outputs.filter { !state.hasCopy[$0] }.map { graph.tensors[$0].name }
        return (steps, final, state.fallbacks)
    }
}

private struct OnlineState {
    let graph: Graph
    let config: Configuration
    let order: [OperatorID]
    let replacement: ReplacementPolicy
    let allocation: AllocationPolicy
    let preassigned: [TensorID: Int]
    let fallback: OnlineFallback
    let releases: [[TensorID]]
    /// Positions at which each tensor is read, ascending.
    let reads: [[Int]]
    /// Positions before which the advice drops each tensor, ascending.
    let released: [[Int]]
    /// The input each position's output is written over, when the in-place model allows one.
    let writtenOver: [TensorID?]
    var resident: [TensorID: Int] = [:]
    var hasCopy: [Bool]
    var lastUse: [Int]
    var current = Step(op: "")
    var fallbacks = FallbackCounts()

    init(planner: OnlinePlanner) {
        graph = planner.graph
        config = planner.configuration
        order = planner.order
        replacement = planner.replacement
        allocation = planner.allocation
        preassigned = planner.preassigned
        fallback = planner.fallback
        releases = planner.releases
        var released = [[Int]](repeating: [], count: graph.tensors.count)
        for (k, tensors) in releases.enumerated() {
            for t in tensors { released[t].append(k) }
        }
        self.released = released
        var reads = [[Int]](repeating: [], count: graph.tensors.count)
        for (k, op) in order.enumerated() {
            for t in graph.residentInputs(of: op, in: config.tensors) { reads[t].append(k) }
        }
        self.reads = reads
        var writtenOver = [TensorID?](repeating: nil, count: order.count)
        if config.inPlace == .on {
            let position = graph.positions(of: order)
            for w in graph.inPlaceWrites(order: order) { writtenOver[position[w.op]] = w.input }
        }
        self.writtenOver = writtenOver
        hasCopy = graph.tensors.map { $0.kind != .activation }
        lastUse = [Int](repeating: -1, count: graph.tensors.count)
    }

    /// The first position at or after `k` that reads `t`, or `nil` when nothing does.
    func nextRead(_ t: TensorID, from k: Int) -> Int? {
        let r = reads[t]
        var lo = 0
        var hi = r.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if r[mid] < k { lo = mid + 1 } else { hi = mid }
        }
        return lo < r.count ? r[lo] : nil
    }

    mutating func drop(_ t: TensorID, neededLater: Bool) {
        if (neededLater || graph.isOutput[t]) && !hasCopy[t] {
            current.store.append(graph.tensors[t].name)
            hasCopy[t] = true
        }
        current.free.append(graph.tensors[t].name)
        resident[t] = nil
    }

    mutating func step(_ k: Int) throws(PlanningFailure) -> Step {
        let op = order[k]
        current = Step(op: graph.operators[op].name)
        for t in resident.keys.sorted() where nextRead(t, from: k) == nil {
            drop(t, neededLater: false)
        }
        let operands = Set(graph.residentOperands(of: op, in: config.tensors))
        if k < releases.count {
            for t in releases[k] where resident[t] != nil && !operands.contains(t) { drop(t, neededLater: true) }
        }
        let missing = graph.residentInputs(of: op, in: config.tensors)
            .filter { resident[$0] == nil }
            .sorted { (graph.tensors[$0].bytes, $1) > (graph.tensors[$1].bytes, $0) }
        do {
            for t in missing {
                let offset = try allocate(t, at: k, protecting: operands)
                current.load.append(Placement(tensor: graph.tensors[t].name, offset: offset))
            }
            for t in graph.operators[op].outputs {
                if let placement = writeInPlace(t, at: k) {
                    current.outputs.append(placement)
                    continue
                }
                let offset = try allocate(t, at: k, protecting: operands)
                current.outputs.append(Placement(tensor: graph.tensors[t].name, offset: offset))
            }
        } catch {
            switch fallback {
            case .fail: throw error
            case .flush:
                fallbacks.flushes += 1
                compact(at: k)
            case .defragment:
                try defragment(at: k, missing: missing, failure: error)
            }
        }
        for t in operands { lastUse[t] = k }
        return current
    }

    /// The compaction of ``OnlineFallback/defragment``: called when the operator's operands do
    /// not fit although nothing but operands is resident.
    mutating func defragment(at k: Int, missing: [TensorID], failure: PlanningFailure) throws(PlanningFailure) {
        fallbacks.compactions += 1
        let op = order[k]
        for p in current.load + current.outputs {
            if let t = graph.tensorID(named: p.tensor) { resident[t] = nil }
        }
        current.load = []
        current.outputs = []
        var loads = missing
        // An output written in place needs no room of its own once its input is resident.
        let overwriting = writtenOver[k] == nil ? [] : graph.operators[op].outputs
        let fresh = graph.operators[op].outputs.filter { !overwriting.contains($0) }
        while true {
            if let offsets = placeAll(loads + fresh, at: k) {
                for (t, offset) in offsets {
                    let placement = Placement(tensor: graph.tensors[t].name, offset: offset)
                    if graph.operators[op].outputs.contains(t) { current.outputs.append(placement) } else { current.load.append(placement) }
                }
                for t in overwriting {
                    guard let placement = writeInPlace(t, at: k) else { throw failure }
                    current.outputs.append(placement)
                }
                return
            }
            guard let moved = operandToMove(at: k) else { throw failure }
            if hasCopy[moved] { fallbacks.reloads += 1 } else { fallbacks.storeReloads += 1 }
            drop(moved, neededLater: true)
            loads.append(moved)
        }
    }

    /// Places `tensors` (largest first) in free gaps without evicting anything, or returns `nil`
    /// and leaves the scratchpad as it was when one does not fit.
    mutating func placeAll(_ tensors: [TensorID], at k: Int) -> [(TensorID, Int)]? {
        let sorted = tensors.sorted { (graph.tensors[$0].bytes, $1) > (graph.tensors[$1].bytes, $0) }
        var placed: [(TensorID, Int)] = []
        for t in sorted {
            guard let offset = place(t, at: k) else {
                for (u, _) in placed { resident[u] = nil }
                return nil
            }
            resident[t] = offset
            placed.append((t, offset))
        }
        return placed
    }

    /// The resident operand to move next: the one whose removal opens the largest free range
    /// (ties: the cheaper move, then the lower index), or `nil` when none is resident.
    func operandToMove(at k: Int) -> TensorID? {
        let limit = config.capacity / config.alignment * config.alignment
        let spans = resident.map { (tensor: $0.key, start: $0.value, end: $0.value + config.occupied(graph.tensors[$0.key].bytes)) }
            .sorted { $0.start < $1.start }
        var best: (key: (opened: Int, cost: Int, tensor: Int), tensor: TensorID)?
        for (i, span) in spans.enumerated() {
            let below = i == 0 ? 0 : spans[..<i].map(\.end).max() ?? 0
            let above = i + 1 < spans.count ? spans[(i + 1)...].map(\.start).min() ?? limit : limit
            let bytes = graph.tensors[span.tensor].bytes
            let key = (opened: -(above - below), cost: hasCopy[span.tensor] ? bytes : 2 * bytes, tensor: span.tensor)
            if best.map({ key < $0.key }) ?? true { best = (key, span.tensor) }
        }
        return best?.tensor
    }

    /// Undoes this step's placements, drops every resident tensor (storing what is still needed)
    /// and places the operator's operands contiguously from address 0. It always fits because the
    /// capacity is at least the operator's working set.
    mutating func compact(at k: Int) {
        let op = order[k]
        for p in current.load + current.outputs {
            if let t = graph.tensorID(named: p.tensor) { resident[t] = nil }
        }
        current.load = []
        current.outputs = []
        for t in resident.keys.sorted() { drop(t, neededLater: nextRead(t, from: k) != nil) }
        var top = 0
        for t in graph.residentInputs(of: op, in: config.tensors) {
            resident[t] = top
            current.load.append(Placement(tensor: graph.tensors[t].name, offset: top))
            top += config.occupied(graph.tensors[t].bytes)
        }
        for t in graph.operators[op].outputs {
            if let placement = writeInPlace(t, at: k) {
                current.outputs.append(placement)
                continue
            }
            resident[t] = top
            current.outputs.append(Placement(tensor: graph.tensors[t].name, offset: top))
            top += config.occupied(graph.tensors[t].bytes)
        }
    }

    /// Puts output `t` over the input it may be written over at `k` (docs/in-place.md), when that
    /// input is resident and, with preassigned offsets, the arena gave both the same bytes; the
    /// input's stay ends here.
    mutating func writeInPlace(_ t: TensorID, at k: Int) -> Placement? {
        guard let x = writtenOver[k], let offset = resident[x], preassigned.isEmpty || preassigned[t] == offset else { return nil }
        resident[x] = nil
        resident[t] = offset
        return Placement(tensor: graph.tensors[t].name, offset: offset, inPlaceOf: graph.tensors[x].name)
    }

    /// Finds room for `t`, evicting non-operands until a gap fits.
    mutating func allocate(_ t: TensorID, at k: Int, protecting operands: Set<TensorID>) throws(PlanningFailure) -> Int {
        if let offset = preassigned[t] {
            resident[t] = offset
            return offset
        }
        let size = config.occupied(graph.tensors[t].bytes)
        while true {
            if let offset = place(t, at: k) {
                resident[t] = offset
                return offset
            }
            var victims = chooseVictims(toFit: size, at: k, protecting: operands)
            if victims == nil, fallback == .defragment, let further = furtherVictim(at: k, protecting: operands) {
                fallbacks.furtherEvictions += 1
                victims = [further]
            }
            guard let victims else {
                // The greedy policy gives up without evicting; report the space as if every
                // non-operand had gone, which is what Belady and LRU have done by now.
                let left = freeGaps(keeping: operands)
                throw PlanningFailure(step: k, op: graph.operators[order[k]].name, tensor: graph.tensors[t].name,
                                      bytesNeeded: size, largestGap: left.map(\.size).max() ?? 0,
                                      freeBytes: left.reduce(0) { $0 + $1.size })
            }
            for victim in victims { drop(victim, neededLater: nextRead(victim, from: k) != nil) }
        }
    }

    struct Gap {
        var offset: Int
        var size: Int
    }

    /// Where the ``AllocationPolicy`` puts `t` among the free gaps, or `nil` when none fits.
    func place(_ t: TensorID, at k: Int) -> Int? {
        let size = config.occupied(graph.tensors[t].bytes)
        let fitting = freeGaps().filter { $0.size >= size }
        let chosen: Gap? = switch allocation {
        case .firstFit: fitting.first
        case .bestFit, .lifetimeFit: fitting.min { ($0.size, $0.offset) < ($1.size, $1.offset) }
        }
        guard let chosen else { return nil }
        return allocation == .lifetimeFit ? placeAgainstLongerNeighbour(size, in: chosen, at: k) : chosen.offset
    }

    /// The next non-operand to evict once the policy has no choice of its own, in the policy's
    /// own order: for the greedy policy (the only one that stops while non-operands remain) the
    /// cheapest eviction, ties going to the tensor read last.
    func furtherVictim(at k: Int, protecting operands: Set<TensorID>) -> TensorID? {
        let candidates = resident.keys.filter { !operands.contains($0) }
        guard replacement == .greedy else { return chooseVictims(toFit: 0, at: k, protecting: operands)?.first }
        func key(_ t: TensorID) -> (Int, Int, Int) { (evictionCost(t, at: k), -(nextRead(t, from: k) ?? order.count), t) }
        return candidates.min { key($0) < key($1) }
    }

    /// The offset in `gap` next to the neighbour that is released later (the scratchpad's ends
    /// never are).
    func placeAgainstLongerNeighbour(_ size: Int, in gap: Gap, at k: Int) -> Int {
        func release(_ t: TensorID?) -> Int {
            guard let t else { return Int.max }
            // The advice's next drop, where it comes before the last read.
            if let drop = released[t].first(where: { $0 > k }) { return drop - 1 }
            return reads[t].last.map { max($0, k) } ?? k
        }
        let below = resident.first { $0.value + config.occupied(graph.tensors[$0.key].bytes) == gap.offset }?.key
        let above = resident.first { $0.value == gap.offset + gap.size }?.key
        let lowRelease = gap.offset == 0 ? Int.max : release(below)
        let highRelease = gap.offset + gap.size >= config.capacity / config.alignment * config.alignment ? Int.max : release(above)
        guard highRelease > lowRelease else { return gap.offset }
        return (gap.offset + gap.size - size) / config.alignment * config.alignment
    }

    /// Free ranges of the scratchpad, ascending by address, with aligned starts.
    /// - Parameter keeping: when given, only these residents count as occupying space.
    func freeGaps(keeping: Set<TensorID>? = nil) -> [Gap] {
        var gaps: [Gap] = []
        var cursor = 0
        for (t, offset) in resident.sorted(by: { $0.value < $1.value }) where keeping?.contains(t) ?? true {
            if offset > cursor { gaps.append(Gap(offset: cursor, size: offset - cursor)) }
            cursor = max(cursor, offset + config.occupied(graph.tensors[t].bytes))
        }
        if config.capacity > cursor {
            let usable = config.capacity / config.alignment * config.alignment - cursor
            if usable > 0 { gaps.append(Gap(offset: cursor, size: usable)) }
        }
        return gaps
    }

    /// The tensors to evict next, or `nil` when no choice can make room.
    func chooseVictims(toFit size: Int, at k: Int, protecting operands: Set<TensorID>) -> [TensorID]? {
        let candidates = resident.keys.filter { !operands.contains($0) }.sorted()
        let horizon = order.count + 1
        func distance(_ t: TensorID) -> Int { (nextRead(t, from: k) ?? horizon) - k }
        let victim: TensorID?
        switch replacement {
        case .belady:
            victim = candidates.max { (distance($0), $1) < (distance($1), $0) }
        case .greedy:
            return cheapestWindow(toFit: size, at: k, protecting: operands)
        case .lru:
            victim = candidates.min { (lastUse[$0], $0) < (lastUse[$1], $1) }
        case .sizeBelady:
            func score(_ t: TensorID) -> Int { distance(t) * graph.tensors[t].bytes }
            victim = candidates.max { (score($0), $1) < (score($1), $0) }
        }
        return victim.map { [$0] }
    }

    /// Traffic that evicting `t` at position `k` adds: its reload if it is read again, and a store
    /// first if DRAM has no copy.
    func evictionCost(_ t: TensorID, at k: Int) -> Int {
        guard nextRead(t, from: k) != nil else { return 0 }
        let bytes = graph.tensors[t].bytes
        return hasCopy[t] ? bytes : 2 * bytes
    }

    /// The exact greedy choice of ``ReplacementPolicy/greedy``: the residents overlapping the
    /// window of `size` bytes that is cheapest to clear, or `nil` when every window holds an
    /// operand of the running operator.
    func cheapestWindow(toFit size: Int, at k: Int, protecting operands: Set<TensorID>) -> [TensorID]? {
        let limit = config.capacity / config.alignment * config.alignment
        let residents = resident.map { (tensor: $0.key, start: $0.value, end: $0.value + config.occupied(graph.tensors[$0.key].bytes)) }
            .sorted { $0.start < $1.start }
        var best: (key: (cost: Int, lateness: Int, start: Int), victims: [TensorID])?
        for start in [0] + residents.map(\.end) where start + size <= limit {
            let victims = residents.filter { $0.start < start + size && start < $0.end }.map(\.tensor)
            guard !victims.contains(where: operands.contains) else { continue }
            let cost = victims.reduce(0) { $0 + evictionCost($1, at: k) }
            let soonest = victims.map { nextRead($0, from: k) ?? order.count }.min() ?? order.count
            let key = (cost: cost, lateness: -soonest, start: start)
            if best.map({ key < $0.key }) ?? true { best = (key, victims.sorted()) }
        }
        return best?.victims
    }
}
