package import DNNGraph
import Heuristics
package import MILP
package import Scratchpad

/// The minimum-peak-memory program of the COSMA paper (Li, Gupta and Malik, 2023): choose an
/// operator order, spill nothing, and minimise the peak of live bytes. Its optimum is `M_P`, and
/// its optimal order is the "MPMF" schedule.
///
/// Time-indexed like ``JointProgram``, with variables only inside each operator's ASAP/ALAP window:
/// - `x[o,k]` (binary): operator `o` runs at position `k`; each operator runs once, each position
///   runs one operator;
/// - `y[o,k]` (continuous, integral at every integral `x`): `o` has run by position `k`, so that
///   precedence and liveness rows have a few terms each instead of a whole window;
/// - `r[t,k]` (continuous): tensor `t` is live at `k`. Nothing is spilled, so liveness follows from
///   the order exactly as in `Graph.liveIntervals(order:setting:)`: an activation is live from its
///   producer to its last reader, `r[t,k] >= y[p,k] - y[c,k-1]` for each reader `c`; an input or
///   weight from its first reader to its last, `r[t,k] >= y[c',k] - y[c,k-1]` for each pair of
///   readers; an activation nobody reads only while its producer runs;
/// - `P` (integer, in units of the gcd of the sizes): `P >= sum size(t) r[t,k]` at every `k`.
///
/// With in-place on (docs/in-place.md), `z[o,x,k]` (continuous) says that `o` runs at `k` and
/// writes its output over input `x`, which needs every other reader of `x` to have run before
/// `k`: `z[o,x,k] <= y[c,k-1]` for each, and `sum_x z[o,x,k] <= x[o,k]`. The peak row at `k` then
/// counts the output's bytes once less. Minimisation raises each `z` to 1 wherever allowed.
///
/// The objective is `P`. Minimisation pushes each `r` down to its largest right-hand side, which
/// is 1 exactly when the tensor is live, so the optimum is the minimum peak. A lower bound known in
/// advance (for example ``PeakLowerBound`` or a window relaxation) is the lower bound of `P`, and
/// the peak of a known order its upper bound, so the solver starts with both ends of the gap.
package struct MinimumPeakProgram: Sendable {
    package let graph: Graph
    package let setting: TensorSetting
    package let alignment: Int
    package let inPlace: InPlaceMode
    package private(set) var model: Model
    /// Bytes per unit of `P`: the gcd of the occupied sizes of the tracked tensors.
    package let unit: Int
    /// The peak variable, in units of ``unit``.
    package let peak: Variable
    private let windows: [ClosedRange<Int>]
    private var x: [[Variable]] = []
    private var y: [[Variable]] = []
    /// Liveness variables with their tensor and position.
    private var live: [(tensor: TensorID, position: Int, variable: Variable)] = []
    /// In-place variables: operator `o` writes over input `x` at position `k`.
    private var overwrites: [(op: OperatorID, input: TensorID, position: Int, variable: Variable)] = []
    private let size: [Int]

    /// - Parameters:
    ///   - lowerBound: bytes no order can peak below (0 if unknown).
    ///   - upperBound: the peak of some order (`nil` if unknown); orders above it are cut off.
    ///   - inPlace: whether outputs may take a dying input's bytes.
    package init(graph: Graph, setting: TensorSetting, alignment: Int, inPlace: InPlaceMode = .off, lowerBound: Int = 0,
                upperBound: Int? = nil)
    {
        precondition(alignment >= 1, "alignment must be at least 1")
        self.graph = graph
        self.setting = setting
        self.alignment = alignment
        self.inPlace = inPlace
        let size = graph.tensors.indices.map { graph.isTracked($0, in: setting) ? roundUp(graph.tensors[$0].bytes, to: alignment) : 0 }
        self.size = size
        var g = 0
        for s in size where s > 0 { g = gcd(g, s) }
        let unit = max(1, g)
        self.unit = unit
        windows = graph.positionWindows()
        var model = Model(name: "cosma-minimum-peak")
        // Rounding the lower bound up and the upper bound down loses nothing: every peak is a
        // whole number of units.
        peak = model.addVariable(.integer, lower: Double((lowerBound + unit - 1) / unit),
                                 upper: upperBound.map { Double($0 / unit) } ?? Double.infinity,
                                 objective: 1, name: "P")
        self.model = model
        addScheduleRows()
        addPeakRows()
    }

    /// Whether `o` has run by position `k` (`strictly`: before `k`); a constant outside its window.
    private func ranBy(_ o: OperatorID, _ k: Int, strictly: Bool = false) -> LinearExpression {
        let w = windows[o]
        let top = strictly ? k - 1 : k
        if top < w.lowerBound { return LinearExpression() }
        if top >= w.upperBound { return LinearExpression(constant: 1) }
        return [(y[o][top - w.lowerBound], 1)]
    }

    /// The rows the program of `graph` has at least, counted without building it: each operator
    /// runs once, each position runs one operator, and each position of an operator's window but
    /// the last defines its `y` (`addScheduleRows`); precedence, liveness and peak rows come on top.
    package static func fewestRows(_ graph: Graph) -> Int {
        2 * graph.operators.count + graph.positionWindows().reduce(0) { $0 + $1.count - 1 }
    }

    private mutating func addScheduleRows() {
        let n = graph.operators.count
        x = graph.operators.indices.map { o in windows[o].map { k in model.addVariable(.binary, name: "x_\(o)_\(k)") } }
        y = graph.operators.indices.map { o in
            (windows[o].lowerBound..<windows[o].upperBound).map { k in
                model.addVariable(.continuous, lower: 0, upper: 1, name: "y_\(o)_\(k)")
            }
        }
        var atPosition = [LinearExpression](repeating: LinearExpression(), count: n)
        for o in graph.operators.indices {
            let w = windows[o]
            model.addConstraint(.sum(x[o]), .equal, 1)
            for k in w {
                atPosition[k].add(1, x[o][k - w.lowerBound])
                guard k < w.upperBound else { continue }
                var e: LinearExpression = [(y[o][k - w.lowerBound], 1), (x[o][k - w.lowerBound], -1)]
                if k > w.lowerBound { e.add(-1, y[o][k - 1 - w.lowerBound]) }
                model.addConstraint(e, .equal, 0)
            }
        }
        for e in atPosition { model.addConstraint(e, .equal, 1) }
        for c in graph.operators.indices {
            for p in graph.predecessors[c] {
                let top = min(windows[c].upperBound, windows[p].upperBound)
                guard windows[c].lowerBound <= top else { continue }
                for k in windows[c].lowerBound...top {
                    var e = ranBy(c, k)
                    e.add(ranBy(p, k, strictly: true), times: -1)
                    model.addConstraint(e, .lessOrEqual, 0)
                }
            }
        }
    }

    private mutating func addPeakRows() {
        let n = graph.operators.count
        var rows = [LinearExpression](repeating: LinearExpression(), count: n)
        for t in graph.tensors.indices where size[t] > 0 {
            let readers = graph.consumers[t]
            let units = Double(size[t] / unit)
            let starters = graph.producer[t].map { [$0] } ?? readers
            guard !starters.isEmpty else { continue }
            if readers.isEmpty {
                // An activation nobody reads is live only while its producer runs.
                let p = starters[0]
                for k in windows[p] { rows[k].add(units, x[p][k - windows[p].lowerBound]) }
                continue
            }
            let low = starters.map { windows[$0].lowerBound }.min()!
            let high = readers.map { windows[$0].upperBound }.max()!
            for k in low...high {
                // Live at k: some starter has run by k and some reader has not run before k.
                var rhs: [LinearExpression] = []
                for s in starters {
                    for c in readers {
                        var e = ranBy(s, k)
                        e.add(ranBy(c, k, strictly: true), times: -1)
                        if e.termCount == 0 && e.constant <= 0 { continue }
                        rhs.append(e)
                    }
                }
                guard !rhs.isEmpty else { continue }
                if rhs.contains(where: { $0.termCount == 0 && $0.constant >= 1 }) {
                    rows[k].add(LinearExpression(constant: units))
                    continue
                }
                let r = model.addVariable(.continuous, lower: 0, upper: 1, name: "r_\(t)_\(k)")
                live.append((t, k, r))
                for e in rhs {
                    var row: LinearExpression = [(r, 1)]
                    row.add(e, times: -1)
                    model.addConstraint(row, .greaterOrEqual, 0)
                }
                rows[k].add(units, r)
            }
        }
        if inPlace == .on { addInPlaceTerms(&rows) }
        for row in rows {
            var e = row
            e.add(-1, peak)
            model.addConstraint(e, .lessOrEqual, 0)
        }
    }

    /// Subtracts from each position's peak row the output bytes of an in-place write there.
    private mutating func addInPlaceTerms(_ rows: inout [LinearExpression]) {
        for o in graph.operators.indices {
            let candidates = graph.inPlaceCandidates(of: o)
            guard !candidates.isEmpty else { continue }
            let units = Double(size[graph.operators[o].outputs[0]] / unit)
            let w = windows[o]
            for k in w {
                var choice: LinearExpression = [(x[o][k - w.lowerBound], -1)]
                for t in candidates {
                    let z = model.addVariable(.continuous, lower: 0, upper: 1, name: "z_\(o)_\(t)_\(k)")
                    overwrites.append((o, t, k, z))
                    choice.add(1, z)
                    for c in graph.consumers[t] where c != o {
                        var e = ranBy(c, k, strictly: true)
                        e.add(-1, z)
                        model.addConstraint(e, .greaterOrEqual, 0)
                    }
                    rows[k].add(-units, z)
                }
                model.addConstraint(choice, .lessOrEqual, 0)
            }
        }
    }

    /// Variable values that encode `order` (a valid schedule), for a MIP start.
    package func values(for order: [OperatorID]) -> [Variable: Double] {
        let position = graph.positions(of: order)
        var v: [Variable: Double] = [:]
        for o in graph.operators.indices {
            let w = windows[o]
            for k in w { v[x[o][k - w.lowerBound]] = k == position[o] ? 1 : 0 }
            for k in w.lowerBound..<w.upperBound { v[y[o][k - w.lowerBound]] = k >= position[o] ? 1 : 0 }
        }
        var interval = [ClosedRange<Int>?](repeating: nil, count: graph.tensors.count)
        for i in graph.liveIntervals(order: order, setting: setting) { interval[i.tensor] = i.first...i.last }
        for (t, k, r) in live { v[r] = interval[t]?.contains(k) == true ? 1 : 0 }
        // The in-place model ends an overwritten input's interval one position before its reader.
        var shortened = [Int?](repeating: nil, count: graph.tensors.count)
        for i in graph.liveIntervals(order: order, setting: setting, inPlace: inPlace) where i.last < interval[i.tensor]?.upperBound ?? i.last {
            shortened[i.tensor] = i.last + 1
        }
        var used = Set<Int>()
        for (o, t, k, z) in overwrites {
            let chosen = position[o] == k && shortened[t] == k && used.insert(k).inserted
            v[z] = chosen ? 1 : 0
        }
        let bytes = graph.peakLiveBytes(order: order, setting: setting, alignment: alignment, inPlace: inPlace)
        v[peak] = Double((bytes + unit - 1) / unit)
        return v
    }

    /// The order a solution encodes.
    package func order(from solution: Solution) -> [OperatorID] {
        var order = [OperatorID](repeating: -1, count: graph.operators.count)
        for o in graph.operators.indices {
            let w = windows[o]
            let k = w.max { solution[x[o][$0 - w.lowerBound]] < solution[x[o][$1 - w.lowerBound]] }!
            order[k] = o
        }
        return order
    }
}
