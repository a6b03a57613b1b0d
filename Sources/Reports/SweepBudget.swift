import Cosma
package import DNNGraph
import Scratchpad
internal import Heuristics
import MILP
import CosmaILP
internal import Tiling
internal import Foundation

/// One capacity of a sweep, as a batch budget label that every graph resolves for itself.
///
/// A design-space sweep asks how a model's non-compulsory traffic falls as the scratchpad grows
/// from one capacity to another. The two ends are budget names or sizes (`M_R`, `M_P`, `2MiB`),
/// so that one matrix serves a whole zoo whose models have different `M_R` and `M_P`: the label
/// `M_R..M_P@03of16` is the third of 16 evenly spaced capacities from the graph's own `M_R` to its
/// own `M_P`, point 1 being `from` and point `count` being `to`. Labels hold no `/` and no space,
/// so they can name plan and map files.
///
/// A point below a graph's `M_R` is planned on the graph tiled for it (see ``BudgetLabel``), so a
/// curve continues below `M_R`; below the smallest capacity tiling reaches the instance is
/// unavailable, with the message naming the operator that cannot be tiled small enough.
package struct SweepBudget: Hashable, Sendable, CustomStringConvertible {
    /// The first capacity, as written (a budget name or a size).
    package var from: CapacitySpec
    /// The last capacity, as written.
    package var to: CapacitySpec
    /// 1-based position of this point.
    package var index: Int
    /// Points in the sweep, at least 2.
    package var count: Int

    package init(from: CapacitySpec, to: CapacitySpec, index: Int, count: Int) {
        self.from = from
        self.to = to
        self.index = index
        self.count = count
    }

    /// Every point of a sweep, in order of growing capacity.
    package static func points(from: CapacitySpec, to: CapacitySpec, count: Int) throws(InputError) -> [SweepBudget] {
        guard count >= 2 else {
            throw InputError(source: "--points", message: "a sweep needs at least 2 points (both ends), got \(count)")
        }
        if case .bytes(let a) = from, case .bytes(let b) = to, a >= b {
            throw InputError(source: "--from", message: "the sweep must grow: --from \(a) bytes is not below --to \(b) bytes")
        }
        return (1...count).map { SweepBudget(from: from, to: to, index: $0, count: count) }
    }

    /// `sweep:N` in a budget list: `N` points from `M_R` to `M_P`; nil for any other word.
    package static func expand(listWord word: String) throws(InputError) -> [SweepBudget]? {
        guard word.lowercased().hasPrefix("sweep:") else { return nil }
        guard let count = Int(word.dropFirst("sweep:".count)) else {
            throw InputError(source: "--budgets", message: "'\(word)' is not a sweep; write sweep:N with N points from M_R to M_P, for example sweep:16")
        }
        do {
            return try points(from: .budget(.mR), to: .budget(.mP), count: count)
        } catch {
            throw InputError(source: "--budgets", message: error.message)
        }
    }

    /// `FROM..TO@IIofNN`, the index zero-padded to the width of the count so labels sort.
    package var description: String {
        let width = String(count).count
        let number = String(repeating: "0", count: max(0, width - String(index).count)) + String(index)
        return "\(Self.word(from))..\(Self.word(to))@\(number)of\(count)"
    }

    /// Reads a label written by ``description``; nil when `label` is not a sweep label.
    package init?(label: String) {
        guard let at = label.lastIndex(of: "@"), let dots = label.range(of: "..") else { return nil }
        let ends = (String(label[..<dots.lowerBound]), String(label[dots.upperBound..<at]))
        let position = label[label.index(after: at)...].split(separator: "of", maxSplits: 1, omittingEmptySubsequences: false)
        guard position.count == 2, let index = Int(position[0]), let count = Int(position[1]), count >= 2,
              (1...count).contains(index), let from = try? CapacitySpec(parsing: ends.0),
              let to = try? CapacitySpec(parsing: ends.1) else { return nil }
        self.init(from: from, to: to, index: index, count: count)
    }

    /// The point's capacity for a graph's budgets: `from + (to - from) * (index - 1) / (count - 1)`,
    /// rounded down, so that point 1 is exactly `from` and the last point exactly `to`.
    package func capacity(in budgets: Budgets) throws(InputError) -> Int {
        let low = try budgets.resolve(from)
        let high = try budgets.resolve(to)
        // Where M_R equals M_P (nothing ever spills) every point is that one capacity.
        guard high >= low else {
            throw InputError(source: "capacity", message: "the sweep \(Self.word(from))..\(Self.word(to)) shrinks for this graph: \(low) bytes to \(high) bytes; give ends in growing order")
        }
        return low + (high - low) * (index - 1) / (count - 1)
    }

    static func word(_ spec: CapacitySpec) -> String {
        switch spec {
        case .budget(let name): name.rawValue
        case .bytes(let b): "\(b)"
        }
    }
}

/// A batch budget label resolved for one graph and setting: a budget name, a size or a
/// ``SweepBudget`` point.
enum BudgetLabel {
    /// The graph a worker plans and its configuration. Sweep points resolve their ends with the
    /// graph's own budgets; other labels as ``Cosma/configuration(for:capacity:tensors:alignment:minimumPeak:)``
    /// does. Below `M_R` the graph is tiled for the capacity (``plannedGraph(_:setting:capacity:mR:)``).
    static func instance(_ label: String, graph: Graph, setting: TensorSetting) throws(InputError) -> (tiled: TiledGraph?, configuration: Configuration) {
        let point = SweepBudget(label: label)
        let ends: [CapacitySpec]
        if let point { ends = [point.from, point.to] } else { ends = [try CapacitySpec(parsing: label)] }
        // One computation of the budgets serves the capacity and the tiling decision; only the
        // ends that need M_P pay for its search.
        let needsMinimumPeak = ends.contains { $0 == .budget(.mP) || $0 == .budget(.mH) }
        let budgets = Cosma.budgets(for: graph, tensors: setting, minimumPeak: needsMinimumPeak ? MinimumPeakOptions() : nil)
        let capacity: Int
        if let point { capacity = try point.capacity(in: budgets) } else { capacity = try budgets.resolve(ends[0]) }
        let configuration = Configuration(capacity: capacity, alignment: 1, tensors: setting)
        let tiled = try plannedGraph(graph, setting: setting, capacity: capacity, mR: budgets.mR)
        try (tiled?.graph ?? graph).checkFeasible(configuration)
        return (tiled, configuration)
    }

    /// The graph tiled for `capacity` when `capacity` is below its `M_R` (nil at or above, where
    /// the graph is planned as it is). The tiler is deterministic, so the worker that plans and the
    /// report that draws the plan get the same tiled graph.
    static func plannedGraph(_ graph: Graph, setting: TensorSetting, capacity: Int, mR: Int) throws(InputError) -> TiledGraph? {
        guard capacity < mR else { return nil }
        do {
            return try Tiler(setting: setting).checkedTile(graph, capacity: capacity)
        } catch {
            throw InputError(source: graph.name, message: error.message)
        }
    }
}
