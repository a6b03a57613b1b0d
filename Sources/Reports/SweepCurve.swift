import Cosma
internal import DNNGraph
import Scratchpad
internal import Heuristics
import MILP
import CosmaILP
internal import Foundation

/// A model's non-compulsory traffic against scratchpad capacity: the answer to "what does each
/// step of SRAM cost in DRAM traffic", read from the rows of a sweep batch (``SweepBudget``).
///
/// At each capacity the curve takes the cheapest certified plan any method found, and the largest
/// lower bound proven for every plan at that capacity (``ResultRow/boundOnEverySchedule``: the
/// joint program's and divide and conquer's, not the fixed-schedule program's, which holds for
/// its own order only). A
/// point is **proven** when the two meet, or when its traffic is zero. Between points the curve
/// is a step: a plan for one capacity is a plan for every larger one, so the best traffic can
/// only fall as capacity grows, and the traffic of a point bounds the true curve from above up to
/// the next point. Below a graph's `M_R` a point plans the graph tiled for its capacity
/// (``Point/tiles``); the plan also runs at every larger capacity, but its bound holds for that
/// tiling only, so a tiled point is never proven and carries no bound.
package struct SweepCurve: Hashable, Sendable {
    /// One capacity of the curve.
    package struct Point: Hashable, Sendable {
        /// The batch's budget label (``SweepBudget`` description).
        package var label: String
        /// Bytes, when the budget resolved for this graph.
        package var capacity: Int?
        /// The cheapest certified plan's non-compulsory traffic, when some method planned.
        package var traffic: Int?
        /// The largest lower bound proven for every plan at this capacity, when a method gave one
        /// (zero when traffic is zero).
        package var bound: Int?
        /// The method whose plan gives ``traffic``.
        package var method: String?
        /// Tile operators of the graph planned when the capacity is below the graph's `M_R` (the
        /// point is then a plan of the graph tiled for it); nil at or above `M_R`.
        package var tiles: Int? = nil

        /// The traffic is the optimum at this capacity. Never for a tiled point: its bound holds
        /// for the one tiling planned, and another tiling of the model may spill less.
        package var proven: Bool {
            guard let traffic, tiles == nil else { return false }
            return traffic == 0 || bound.map { $0 >= traffic } == true
        }
    }

    package var graph: String
    package var file: String
    package var setting: TensorSetting
    /// In sweep order (growing capacity).
    package var points: [Point]

    package init(graph: String, file: String, setting: TensorSetting, points: [Point]) {
        self.graph = graph
        self.file = file
        self.setting = setting
        self.points = points
    }

    /// One curve per graph and setting of a batch whose budgets include sweep points, in matrix
    /// order; the points are the matrix's sweep budgets (other budgets are not on the curve).
    package static func curves(rows: [ResultRow], matrix: InstanceMatrix) -> [SweepCurve] {
        let labels = matrix.budgets.filter { SweepBudget(label: $0) != nil }
        guard !labels.isEmpty else { return [] }
        var byLine: [String: [String: [ResultRow]]] = [:]
        for row in rows { byLine["\(row.file)\u{0}\(row.setting.rawValue)", default: [:]][row.budget, default: []].append(row) }
        return matrix.files.flatMap { file in
            matrix.settings.compactMap { setting -> SweepCurve? in
                guard let line = byLine["\(file)\u{0}\(setting.rawValue)"], let name = line.values.first?.first?.graph else { return nil }
                return SweepCurve(graph: name, file: file, setting: setting,
                                  points: labels.map { point(label: $0, rows: line[$0] ?? []) })
            }
        }
    }

    static func point(label: String, rows: [ResultRow]) -> Point {
        let planned = rows.filter { $0.status.hasPlan && $0.nonCompulsory != nil }
        let best = planned.min { ($0.nonCompulsory!, $0.method) < ($1.nonCompulsory!, $1.method) }
        let tiles = rows.compactMap(\.tiles).first
        // A bound on a tiled graph bounds that tiling only, not the model at this capacity.
        var bound = tiles == nil ? rows.compactMap(\.boundOnEverySchedule).max() : nil
        if best?.nonCompulsory == 0 { bound = 0 }
        return Point(label: label, capacity: rows.compactMap(\.capacity).first, traffic: best?.nonCompulsory, bound: bound,
                     method: best?.method, tiles: tiles)
    }

    /// What the curve says about "the smallest capacity whose non-compulsory traffic is at most `limit`".
    package struct Answer: Hashable, Sendable {
        /// The smallest capacity of the sweep proven to reach the limit: the first proven point at
        /// or below it, found by bisection (proven traffic only falls as capacity grows).
        package var provenCapacity: Int?
        /// The smallest capacity of the sweep with any certified plan at or below the limit
        /// (proven or not); the true answer is at most this.
        package var plannedCapacity: Int?
        /// The largest capacity below the answer where a proven bound (or a proven point) exceeds
        /// the limit: the true answer is above it.
        package var above: Int?
    }

    /// Answers the threshold question from the points alone (see ``Answer``).
    package func smallestCapacity(trafficAtMost limit: Int) -> Answer {
        let resolved = points.filter { $0.capacity != nil }
        let proven = resolved.filter(\.proven)
        // Bisection: the first proven point whose traffic is at most the limit.
        var low = 0
        var high = proven.count
        while low < high {
            let middle = (low + high) / 2
            if proven[middle].traffic! <= limit { high = middle } else { low = middle + 1 }
        }
        let provenCapacity = high < proven.count ? proven[high].capacity : nil
        let plannedCapacity = resolved.first { ($0.traffic ?? .max) <= limit }?.capacity
        let ceiling = plannedCapacity ?? Int.max
        let above = resolved.filter { $0.capacity! < ceiling && ($0.bound ?? -1) > limit }.last?.capacity
        return Answer(provenCapacity: provenCapacity, plannedCapacity: plannedCapacity, above: above)
    }

    /// `sweep.csv`: one line per graph, setting and point.
    package static func csv(_ curves: [SweepCurve]) -> String {
        var lines = ["graph,file,setting,point,capacity,nonCompulsory,bound,proven,method,tiles"]
        for curve in curves {
            for p in curve.points {
                func text(_ v: Int?) -> String { v.map(String.init) ?? "" }
                let cells: [String] = [curve.graph, curve.file, curve.setting.rawValue, p.label, text(p.capacity), text(p.traffic),
                                       text(p.bound), p.proven ? "yes" : "no", p.method ?? "", text(p.tiles)]
                lines.append(cells.map(ResultFiles.cell).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ResultRow {
    /// ``bound`` when it holds for every plan at this capacity: not the fixed-schedule method's,
    /// which is proven for its own order only (a plan in another order may be cheaper).
    package var boundOnEverySchedule: Int? {
        method == BatchMethod.fixedSchedule.description ? nil : bound
    }
}
