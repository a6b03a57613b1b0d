public import DNNGraph

/// The span of positions during which a tensor is resident when nothing is spilled.
package struct LiveInterval: Hashable, Sendable {
    package var tensor: TensorID
    package var first: Int
    package var last: Int

    package init(tensor: TensorID, first: Int, last: Int) {
        self.tensor = tensor
        self.first = first
        self.last = last
    }
}

extension Graph {
    /// Where each operator runs in a schedule.
    package func positions(of order: [OperatorID]) -> [Int] {
        var position = [Int](repeating: 0, count: operators.count)
        for (k, op) in order.enumerated() { position[op] = k }
        return position
    }

    /// Live intervals of the tracked tensors when `order` runs without spilling.
    ///
    /// An activation lives from its producer to its last reader (only at its producer's position
    /// when nothing reads it: a graph output is stored at the next step and dropped). An input or
    /// weight is loaded just before its first reader and dropped after its last. Tensors no
    /// operator reads or writes get no interval.
    ///
    /// With `inPlace` on, an operator's output takes the bytes of one of its
    /// ``Graph/inPlaceCandidates(of:)`` whose last reader it is: that input's interval ends one
    /// position earlier, and the two never count together.
    package func liveIntervals(order: [OperatorID], setting: TensorSetting, inPlace: InPlaceMode = .off) -> [LiveInterval] {
        let position = positions(of: order)
        return liveIntervals(position: position, setting: setting,
                             writes: inPlace == .on ? inPlaceWrites(order: order, position: position) : [])
    }

    /// ``liveIntervals(order:setting:inPlace:)`` from the schedule's positions and its in-place
    /// writes (none with in-place off), so that a caller that needs the writes too finds them once.
    private func liveIntervals(position: [Int], setting: TensorSetting, writes: [InPlaceWrite]) -> [LiveInterval] {
        var result: [LiveInterval] = []
        var index = [Int](repeating: -1, count: tensors.count)
        for t in tensors.indices where isTracked(t, in: setting) {
            let readers = consumers[t].map { position[$0] }
            if let p = producer[t] {
                index[t] = result.count
                result.append(LiveInterval(tensor: t, first: position[p], last: max(position[p], readers.max() ?? 0)))
            } else if let first = readers.min(), let last = readers.max() {
                result.append(LiveInterval(tensor: t, first: first, last: last))
            }
        }
        for write in writes { result[index[write.input]].last -= 1 }
        return result
    }

    /// The in-place writes a schedule allows (docs/in-place.md): at each operator, its output over
    /// the first of its ``Graph/inPlaceCandidates(of:)`` whose last reader it is. Every planner of
    /// the in-place model makes this same choice, so that their lifetimes agree.
    package func inPlaceWrites(order: [OperatorID]) -> [InPlaceWrite] {
        inPlaceWrites(order: order, position: positions(of: order))
    }

    private func inPlaceWrites(order: [OperatorID], position: [Int]) -> [InPlaceWrite] {
        order.compactMap { op in
            let k = position[op]
            guard let x = inPlaceCandidates(of: op).first(where: { x in consumers[x].allSatisfy { position[$0] <= k } }) else {
                return nil
            }
            return InPlaceWrite(op: op, input: x, output: operators[op].outputs[0])
        }
    }

    /// The buffers of a schedule run without spilling: each in-place chain (an input, the output
    /// written over it, the output written over that, ...) is one buffer whose interval spans the
    /// chain, listed under its first tensor; every other tracked tensor is a buffer of its own.
    /// With `inPlace` off these are ``liveIntervals(order:setting:inPlace:)`` one by one.
    package func buffers(order: [OperatorID], setting: TensorSetting, inPlace: InPlaceMode) -> [(interval: LiveInterval, members: [TensorID])] {
        let position = positions(of: order)
        let writes = inPlace == .on ? inPlaceWrites(order: order, position: position) : []
        // Producers come before readers in the order, so walking by first position meets an
        // input before the output written over it: a chain is listed under its first tensor.
        let intervals = liveIntervals(position: position, setting: setting, writes: writes)
            .sorted(by: { ($0.first, $0.tensor) < ($1.first, $1.tensor) })
        var item = [Int](repeating: -1, count: tensors.count)
        for (i, interval) in intervals.enumerated() { item[interval.tensor] = i }
        var over = [Int?](repeating: nil, count: intervals.count)
        for w in writes where item[w.input] >= 0 && item[w.output] >= 0 { over[item[w.output]] = item[w.input] }
        return inPlaceChains(spans: intervals.map { ($0.first, $0.last) }, over: over).map { chain in
            (LiveInterval(tensor: intervals[chain.members[0]].tensor, first: chain.first, last: chain.last),
             chain.members.map { intervals[$0].tensor })
        }
    }

    /// The separated segments of `order` (``DNNGraph/Graph/separatedSegments(order:reach:)``), each
    /// with its peak: the most occupied bytes live while one of its operators runs in `order` with
    /// nothing spilled (``liveProfile(order:setting:alignment:inPlace:)`` under `configuration`).
    /// A segment whose peak fits the capacity needs no traffic in any plan that follows `order`.
    package func separatedSegmentPeaks(order: [OperatorID], reach: Reachability, configuration: Configuration)
        -> [(operators: [OperatorID], peak: Int)]
    {
        let profile = liveProfile(order: order, setting: configuration.tensors, alignment: configuration.alignment,
                                  inPlace: configuration.inPlace)
        return separatedSegmentPeaks(order: order, reach: reach, profile: profile)
    }

    /// ``separatedSegmentPeaks(order:reach:configuration:)`` from `order`'s live profile, for a
    /// caller that reads the profile step by step too.
    package func separatedSegmentPeaks(order: [OperatorID], reach: Reachability, profile: [Int]) -> [(operators: [OperatorID], peak: Int)] {
        var position = 0
        return separatedSegments(order: order, reach: reach).map { segment in
            defer { position += segment.count }
            return (segment, profile[position..<(position + segment.count)].max() ?? 0)
        }
    }

    /// Occupied bytes live at each position of `order` when nothing is spilled.
    package func liveProfile(order: [OperatorID], setting: TensorSetting, alignment: Int, inPlace: InPlaceMode = .off) -> [Int] {
        var delta = [Int](repeating: 0, count: operators.count + 1)
        for interval in liveIntervals(order: order, setting: setting, inPlace: inPlace) {
            let size = roundUp(tensors[interval.tensor].bytes, to: alignment)
            delta[interval.first] += size
            delta[interval.last + 1] -= size
        }
        var running = 0
        return (0..<operators.count).map { k in
            running += delta[k]
            return running
        }
    }

    /// The peak of ``liveProfile(order:setting:alignment:)``: the smallest scratchpad that runs
    /// `order` without spilling if addresses packed perfectly.
    package func peakLiveBytes(order: [OperatorID], setting: TensorSetting, alignment: Int, inPlace: InPlaceMode = .off) -> Int {
        liveProfile(order: order, setting: setting, alignment: alignment, inPlace: inPlace).max() ?? 0
    }

    /// The occupied working set of each operator: its distinct resident operands.
    ///
    /// With `inPlace` on, the smallest working set over all schedules: an operator whose output
    /// may take an input's bytes (``Graph/inPlaceCandidates(of:)``) saves the output's bytes when
    /// some schedule lets that input die there, that is when no other reader of the input must run
    /// after the operator. That takes the graph's ``Reachability``; a caller that has it already
    /// passes it as `reach` rather than have it computed again.
    package func workingSets(setting: TensorSetting, alignment: Int, inPlace: InPlaceMode = .off, reach: Reachability? = nil) -> [Int] {
        let saving = inPlace == .on ? inPlaceSavings(alignment: alignment, reach: reach ?? reachability())
            : [Int](repeating: 0, count: operators.count)
        return operators.indices.map { op in
            residentOperands(of: op, in: setting).reduce(0) { $0 + roundUp(tensors[$1].bytes, to: alignment) } - saving[op]
        }
    }

    /// Per operator, the bytes its output saves by working in place in the best schedule for it.
    private func inPlaceSavings(alignment: Int, reach: Reachability) -> [Int] {
        operators.indices.map { op in
            let mayDie = inPlaceCandidates(of: op).contains { x in
                consumers[x].allSatisfy { $0 == op || !reach.isAncestor(op, of: $0) }
            }
            return mayDie ? roundUp(tensors[operators[op].outputs[0]].bytes, to: alignment) : 0
        }
    }
}

/// An output written over the bytes of one of its operator's inputs (docs/in-place.md).
package struct InPlaceWrite: Hashable, Sendable {
    package var op: OperatorID
    /// The input whose bytes the output takes; its stay ends as the operator runs.
    package var input: TensorID
    package var output: TensorID

    package init(op: OperatorID, input: TensorID, output: TensorID) {
        self.op = op
        self.input = input
        self.output = output
    }
}

/// Joins the items of in-place chains (docs/in-place.md): item `i` shares the bytes of item
/// `over[i]` (the one it is written over), and so on back to the chain's first item, so they form
/// one group; every other item is a group of its own. Groups come in the order of their first item
/// in `spans`, with their members in that order, each spanning the hull of its members' spans.
/// What the arena planners call buffers (tensor intervals) and the exact planners packing items
/// (stays) are both such groups.
package func inPlaceChains(spans: [(first: Int, last: Int)], over: [Int?]) -> [(first: Int, last: Int, members: [Int])] {
    var group = [Int](repeating: -1, count: spans.count)
    var result: [(first: Int, last: Int, members: [Int])] = []
    for (i, span) in spans.enumerated() {
        // Up the chain until an item that already has its group, or the chain's first item.
        var root = i
        while group[root] < 0, let next = over[root] { root = next }
        if group[root] < 0 {
            group[root] = result.count
            result.append((span.first, span.last, []))
        }
        let g = group[root]
        group[i] = g
        result[g].first = min(result[g].first, span.first)
        result[g].last = max(result[g].last, span.last)
        result[g].members.append(i)
    }
    return result
}

/// The scratchpad sizes at which a graph is interesting: ``BudgetName/mR``, ``BudgetName/mP`` and
/// ``BudgetName/mH`` of the COSMA paper, plus the default order's peak.
public struct Budgets: Sendable, Hashable {
    public var setting: TensorSetting
    public var alignment: Int
    /// The in-place model the budgets are computed under.
    public var inPlace: InPlaceMode
    /// `M_R`: the largest working set of one operator. No plan exists below it.
    public var mR: Int
    /// The operator whose working set is `M_R`.
    public var mROperator: OperatorID
    /// Peak live bytes of the default (file) order without spilling.
    public var defaultPeak: Int
    /// `M_P`: the minimum peak over all schedules, once something has computed it exactly.
    public var mP: Int?
    /// How ``mP`` was obtained (for example "proven by the minimum-peak program").
    public var mPSource: String?
    /// The smallest peak of any order found so far: an upper bound on `M_P`, equal to it once
    /// proven.
    public var bestPeak: Int?
    /// The best lower bound known on `M_P` (at least ``mR``), equal to it once proven.
    public var mPLowerBound: Int?

    /// `M_H = (M_R + M_P) / 2`, rounded down to the alignment.
    public var mH: Int? {
        mP.map { ($0 + mR) / 2 / alignment * alignment }
    }

    /// Computes the budgets that need no search: `M_R` and the default order's peak.
    public init(graph: Graph, setting: TensorSetting, alignment: Int, inPlace: InPlaceMode = .off) {
        let sets = graph.workingSets(setting: setting, alignment: alignment, inPlace: inPlace)
        let worst = sets.indices.max { sets[$0] < sets[$1] } ?? 0
        self.setting = setting
        self.alignment = alignment
        self.inPlace = inPlace
        self.mR = sets.isEmpty ? 0 : sets[worst]
        self.mROperator = worst
        self.defaultPeak = graph.peakLiveBytes(order: Array(graph.operators.indices), setting: setting, alignment: alignment,
                                               inPlace: inPlace)
    }

    /// The capacity in bytes that a spec stands for.
    public func resolve(_ spec: CapacitySpec) throws(InputError) -> Int {
        switch spec {
        case .bytes(let b):
            if let problem = Configuration.problem(capacity: b) { throw InputError(source: "capacity", message: problem) }
            return b
        case .budget(.mR): return mR
        case .budget(let name):
            guard let bytes = name == .mP ? mP : mH else {
                var known = "the default order peaks at \(defaultPeak) bytes, M_R is \(mR) bytes"
                if let bestPeak { known += ", the best order found peaks at \(bestPeak) bytes" }
                if let mPLowerBound { known += ", and no order peaks below \(mPLowerBound) bytes" }
                throw InputError(source: "capacity", message: "\(name.rawValue) needs the exact minimum peak M_P, which could not be proven for this graph within the time limit; give the capacity in bytes (\(known))")
            }
            return bytes
        }
    }
}

extension Graph {
    /// Rejects configurations that no plan can satisfy, naming the operator that cannot run.
    package func checkFeasible(_ configuration: Configuration) throws(InputError) {
        if let problem = Configuration.problem(capacity: configuration.capacity, alignment: configuration.alignment) {
            throw InputError(source: "capacity and alignment", message: problem)
        }
        let sets = workingSets(setting: configuration.tensors, alignment: configuration.alignment, inPlace: configuration.inPlace)
        if let op = sets.indices.max(by: { sets[$0] < sets[$1] }), sets[op] > configuration.capacity {
            throw InputError(
                source: name,
                message: "capacity \(configuration.capacity) bytes is below M_R: operator '\(operators[op].name)' needs \(sets[op]) bytes for its operands, \(sets[op] - configuration.capacity) more than the scratchpad holds; use a capacity of at least \(sets[op]) bytes (M_R)")
        }
    }
}
