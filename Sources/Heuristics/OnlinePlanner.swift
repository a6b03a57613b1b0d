public import DNNGraph
public import Scratchpad

/// How the on-line allocator picks a free gap for a tensor.
public enum AllocationPolicy: String, Sendable, CaseIterable {
    /// The smallest gap that fits, as TensorFlow Lite's arena planner does.
    case bestFit = "best-fit"
    /// The lowest-addressed gap that fits.
    case firstFit = "first-fit"
}

/// Which resident tensor to evict when the next operator's operands do not fit.
public enum ReplacementPolicy: String, Sendable, CaseIterable {
    /// Evict the tensor whose next use is furthest in the future (Belady's MIN).
    case belady
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
        "step \(step + 1) ('\(op)'): no room for '\(tensor)' (\(bytesNeeded) bytes) even after evicting every tensor the operator does not use; the largest free gap is \(largestGap) bytes of \(freeBytes) free (fragmentation)"
    }
}

/// Runs a fixed schedule operator by operator, allocating on-line and evicting on demand: the way
/// compilers without a global planner handle a scratchpad.
///
/// At each step it frees tensors that are dead (storing graph outputs first), loads the operator's
/// missing inputs (largest first) and places its outputs. A tensor that does not fit causes
/// evictions chosen by a ``ReplacementPolicy`` until a gap is large enough; an evicted tensor that
/// is still needed and has no DRAM copy is stored first. The plan it returns is not yet simulated:
/// callers go through ``HeuristicPlanner`` which does that.
public struct OnlinePlanner: Sendable {
    public var graph: Graph
    public var configuration: Configuration
    public var order: [OperatorID]
    public var replacement: ReplacementPolicy
    public var allocation: AllocationPolicy

    public init(graph: Graph, configuration: Configuration, order: [OperatorID],
                replacement: ReplacementPolicy = .belady, allocation: AllocationPolicy = .bestFit) {
        self.graph = graph
        self.configuration = configuration
        self.order = order
        self.replacement = replacement
        self.allocation = allocation
    }

    public func makeSteps() throws(PlanningFailure) -> (steps: [Step], final: [String]) {
        var state = OnlineState(planner: self)
        var steps: [Step] = []
        for k in order.indices {
            steps.append(try state.step(k))
        }
        let final = graph.outputs.filter { !state.hasCopy[$0] }.map { graph.tensors[$0].name }
        return (steps, final)
    }
}

private struct OnlineState {
    let graph: Graph
    let config: Configuration
    let order: [OperatorID]
    let replacement: ReplacementPolicy
    let allocation: AllocationPolicy
    /// Positions at which each tensor is read, ascending.
    let reads: [[Int]]
    var resident: [TensorID: Int] = [:]
    var hasCopy: [Bool]
    var lastUse: [Int]
    var current = Step(op: "")

    init(planner: OnlinePlanner) {
        graph = planner.graph
        config = planner.configuration
        order = planner.order
        replacement = planner.replacement
        allocation = planner.allocation
        var reads = [[Int]](repeating: [], count: graph.tensors.count)
        for (k, op) in order.enumerated() {
            for t in graph.residentInputs(of: op, in: config.tensors) { reads[t].append(k) }
        }
        self.reads = reads
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
        let missing = graph.residentInputs(of: op, in: config.tensors)
            .filter { resident[$0] == nil }
            .sorted { (graph.tensors[$0].bytes, $1) > (graph.tensors[$1].bytes, $0) }
        for t in missing {
            let offset = try allocate(t, at: k, protecting: operands)
            current.load.append(Placement(tensor: graph.tensors[t].name, offset: offset))
        }
        for t in graph.operators[op].outputs {
            let offset = try allocate(t, at: k, protecting: operands)
            current.outputs.append(Placement(tensor: graph.tensors[t].name, offset: offset))
        }
        for t in operands { lastUse[t] = k }
        return current
    }

    /// Finds room for `t`, evicting non-operands until a gap fits.
    mutating func allocate(_ t: TensorID, at k: Int, protecting operands: Set<TensorID>) throws(PlanningFailure) -> Int {
        let size = config.occupied(graph.tensors[t].bytes)
        while true {
            let gaps = freeGaps()
            let fitting = gaps.filter { $0.size >= size }
            let chosen: Gap? = switch allocation {
            case .firstFit: fitting.first
            case .bestFit: fitting.min { ($0.size, $0.offset) < ($1.size, $1.offset) }
            }
            if let chosen {
                resident[t] = chosen.offset
                return chosen.offset
            }
            guard let victim = chooseVictim(at: k, protecting: operands) else {
                throw PlanningFailure(step: k, op: graph.operators[order[k]].name, tensor: graph.tensors[t].name,
                                      bytesNeeded: size, largestGap: gaps.map(\.size).max() ?? 0,
                                      freeBytes: gaps.reduce(0) { $0 + $1.size })
            }
            drop(victim, neededLater: nextRead(victim, from: k) != nil)
        }
    }

    struct Gap {
        var offset: Int
        var size: Int
    }

    /// Free ranges of the scratchpad, ascending by address, with aligned starts.
    func freeGaps() -> [Gap] {
        var gaps: [Gap] = []
        var cursor = 0
        for (t, offset) in resident.sorted(by: { $0.value < $1.value }) {
            if offset > cursor { gaps.append(Gap(offset: cursor, size: offset - cursor)) }
            cursor = max(cursor, offset + config.occupied(graph.tensors[t].bytes))
        }
        if config.capacity > cursor {
            let usable = config.capacity / config.alignment * config.alignment - cursor
            if usable > 0 { gaps.append(Gap(offset: cursor, size: usable)) }
        }
        return gaps
    }

    func chooseVictim(at k: Int, protecting operands: Set<TensorID>) -> TensorID? {
        let candidates = resident.keys.filter { !operands.contains($0) }.sorted()
        let horizon = order.count + 1
        func distance(_ t: TensorID) -> Int { (nextRead(t, from: k) ?? horizon) - k }
        switch replacement {
        case .belady:
            return candidates.max { (distance($0), $1) < (distance($1), $0) }
        case .lru:
            return candidates.min { (lastUse[$0], $0) < (lastUse[$1], $1) }
        case .sizeBelady:
            func score(_ t: TensorID) -> Int { distance(t) * graph.tensors[t].bytes }
            return candidates.max { (score($0), $1) < (score($1), $0) }
        }
    }
}
