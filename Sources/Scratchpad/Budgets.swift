public import DNNGraph

/// The span of positions during which a tensor is resident when nothing is spilled.
public struct LiveInterval: Hashable, Sendable {
    public var tensor: TensorID
    public var first: Int
    public var last: Int

    public init(tensor: TensorID, first: Int, last: Int) {
        self.tensor = tensor
        self.first = first
        self.last = last
    }
}

extension Graph {
    /// Where each operator runs in a schedule.
    public func positions(of order: [OperatorID]) -> [Int] {
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
    public func liveIntervals(order: [OperatorID], setting: TensorSetting) -> [LiveInterval] {
        let position = positions(of: order)
        var result: [LiveInterval] = []
        for t in tensors.indices where isTracked(t, in: setting) {
            let readers = consumers[t].map { position[$0] }
            if let p = producer[t] {
                result.append(LiveInterval(tensor: t, first: position[p], last: max(position[p], readers.max() ?? 0)))
            } else if let first = readers.min(), let last = readers.max() {
                result.append(LiveInterval(tensor: t, first: first, last: last))
            }
        }
        return result
    }

    /// Occupied bytes live at each position of `order` when nothing is spilled.
    public func liveProfile(order: [OperatorID], setting: TensorSetting, alignment: Int) -> [Int] {
        var delta = [Int](repeating: 0, count: operators.count + 1)
        for interval in liveIntervals(order: order, setting: setting) {
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
    public func peakLiveBytes(order: [OperatorID], setting: TensorSetting, alignment: Int) -> Int {
        liveProfile(order: order, setting: setting, alignment: alignment).max() ?? 0
    }

    /// The occupied working set of each operator: its distinct resident operands.
    public func workingSets(setting: TensorSetting, alignment: Int) -> [Int] {
        operators.indices.map { op in
            residentOperands(of: op, in: setting).reduce(0) { $0 + roundUp(tensors[$1].bytes, to: alignment) }
        }
    }
}

/// The scratchpad sizes at which a graph is interesting: ``BudgetName/mR``, ``BudgetName/mP`` and
/// ``BudgetName/mH`` of the COSMA paper, plus the default order's peak.
public struct Budgets: Sendable, Hashable {
    public var setting: TensorSetting
    public var alignment: Int
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
    public init(graph: Graph, setting: TensorSetting, alignment: Int) {
        let sets = graph.workingSets(setting: setting, alignment: alignment)
        let worst = sets.indices.max { sets[$0] < sets[$1] } ?? 0
        self.setting = setting
        self.alignment = alignment
        self.mR = sets.isEmpty ? 0 : sets[worst]
        self.mROperator = worst
        self.defaultPeak = graph.peakLiveBytes(order: Array(graph.operators.indices), setting: setting, alignment: alignment)
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
    public func checkFeasible(_ configuration: Configuration) throws(InputError) {
        if let problem = Configuration.problem(capacity: configuration.capacity, alignment: configuration.alignment) {
            throw InputError(source: "capacity and alignment", message: problem)
        }
        let sets = workingSets(setting: configuration.tensors, alignment: configuration.alignment)
        if let op = sets.indices.max(by: { sets[$0] < sets[$1] }), sets[op] > configuration.capacity {
            throw InputError(
                source: name,
                message: "capacity \(configuration.capacity) bytes is below M_R: operator '\(operators[op].name)' needs \(sets[op]) bytes for its operands, \(sets[op] - configuration.capacity) more than the scratchpad holds; use a capacity of at least \(sets[op]) bytes (M_R)")
        }
    }
}
