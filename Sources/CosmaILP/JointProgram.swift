package import MILP
import Scratchpad
internal import DNNGraph

/// The time-indexed program over schedule, replacement and (optionally) addresses.
///
/// Variables, each only inside its window (see ``PlanningProblem``):
/// - `x[o,k]`: operator `o` runs at position `k`;
/// - `r[a,k]`: tensor `a` is resident while position `k` runs;
/// - `l[a,k]`: `a` is loaded from DRAM just before position `k`;
/// - `s[a]`: activation `a` has been stored to DRAM (once suffices: tensors are immutable).
///
/// Rows: every operator runs once and every position runs one operator; a consumer runs after
/// its producers (prefix sums); operands are resident when their operator runs; a tensor is
/// resident at `k` only if it was at `k - 1`, is loaded at `k`, or is produced at `k`; an
/// activation is loaded only after it is produced and stored; a tensor is never kept after its
/// last reader (no plan needs that, and it tightens the relaxation); and the occupied bytes at
/// each position fit the capacity. The objective is the non-compulsory traffic.
///
/// In ``Mode/capacity`` this is the COSMA program (Li, Gupta and Malik, 2023) without its address
/// variables, with the known defects fixed (one operator per position, no state before the first
/// position, nothing kept after its last use). Because addresses are dropped it is a relaxation of
/// the full problem: its optimum is a lower bound, and a solution whose stays can be packed into
/// the scratchpad (``StayPacker``) is optimal for the full problem.
///
/// In ``Mode/addresses`` it is the full problem: each tensor also has an offset `L[a,k]` (in units
/// of the alignment) at each position of its window, which stays fixed while the tensor stays
/// resident and may change only with a reload, and every pair of tensors that can be resident at
/// the same position gets an order binary `z[a,b,k]` with big-M rows that keep their ranges apart
/// when both are resident. Offsets are continuous: with the orders fixed the rows are difference
/// constraints with integer data, so vertex solutions are integral.
package struct JointProgram: Sendable {
    /// Whether addresses are part of the program.
    package enum Mode: Sendable {
        /// Capacity rows only: a relaxation, fast to solve.
        case capacity
        /// Offsets and non-overlap: exact for the full problem.
        case addresses
    }

    /// Exact reductions of the program: each one only adds rows that every integer solution
    /// satisfies or removes solutions that another solution of equal or lower traffic dominates,
    /// so the optimum and the bound it proves stay those of the full problem. They can be switched
    /// off one at a time so that `cosma bench exact-ideas` measures what each buys.
    package struct Reductions: OptionSet, Sendable, Hashable {
        package let rawValue: Int
        package init(rawValue: Int) { self.rawValue = rawValue }

        /// A weight or graph input that only one operator reads is resident exactly while that
        /// operator runs. Loading it any earlier never saves traffic (its only load is compulsory)
        /// and only occupies room, and the stay at its reader's position can keep the offset the
        /// earlier load had, so every plan has a counterpart of no more traffic of this form. Its
        /// residency variables are then the reader's schedule variables themselves.
        package static let pinSingleReads = Reductions(rawValue: 1 << 0)
        /// Every weight or graph input that is read is loaded at least once: `sum_k l[a,k] >= 1`.
        /// Without it the LP relaxation spreads a fractional load over the window and pays less
        /// than the compulsory first load, which is what kept the root bound at 0 with weights.
        package static let firstLoadRows = Reductions(rawValue: 1 << 1)

        /// For every operator whose working set and the tensors forced live across it exceed the
        /// capacity, enough of those tensors are spilled (see ``ForcedLiveCovers``).
        package static let forcedLiveCovers = Reductions(rawValue: 1 << 2)

        /// An activation whose producer has run and one of whose readers has not is resident or
        /// spilled: `r[a,k] + s[a] >= y[p,k] - y[c,k-1]` for each reader `c` (for a graph output,
        /// the loads after `k` take the place of `s[a]`). The rows only restate what continuity
        /// implies at integer points, but a fractional schedule otherwise lets a tensor be
        /// resident only a third of the time between its producer and a reader spread over three
        /// positions; with them, siblings that must all finish before a join (DeepLabV3's ASPP
        /// branches) keep their outputs in the capacity rows. Weights and inputs read by several
        /// operators get the same rows between consecutive readers, with later loads in place of
        /// `s[a]`.
        package static let livenessRows = Reductions(rawValue: 1 << 3)

        /// Not a row of the program but a bound beside it: ``ExactPlanner`` computes the
        /// ``CrossingBound`` before the program (a fraction of a second on the ten human-designed
        /// models). It proves the best warm start optimal at once where it meets it, and
        /// otherwise ends the program's search as soon as an incumbent meets it
        /// (``SolveOptions/knownBound``). The bound reasons only about bytes alive, never about
        /// addresses, so it holds for the capacity program as much as for the full problem.
        package static let crossingBound = Reductions(rawValue: 1 << 4)

        /// Not a row either but a warm start: ``ExactPlanner`` first solves the paper's
        /// fixed-schedule program on the best heuristic's order, whose windows are one position
        /// wide. Its plan often meets the bounds (ViT-B/16 with weights at `M_H`: 0.1 s, where
        /// CBC's heuristics took 13 s to find that plan from the heuristic's start), and
        /// otherwise it is the program's MIP start and cutoff.
        package static let fixedScheduleStart = Reductions(rawValue: 1 << 5)

        /// Every reduction.
        package static let all: Reductions = [.pinSingleReads, .firstLoadRows, .forcedLiveCovers, .livenessRows, .crossingBound,
                                             .fixedScheduleStart]
    }

    package let problem: PlanningProblem
    /// The reductions this program was built with.
    package let reductions: Reductions
    package internal(set) var model: Model
    private var x: [[Variable]] = []
    private var y: [[Variable]] = []
    var r: [[Variable]] = []
    var l: [[Variable?]] = []
    var s: [Variable?] = []
    var offset: [[Variable]] = []
    var below: [PairKey: Variable] = [:]
    /// The in-place choices (``InPlaceMode/on`` only), see ``addInPlaceChoices()``.
    var overwrites: [Overwrite] = []
    package let mode: Mode
    package let reserve: Int

    struct PairKey: Hashable {
        var a: TensorID
        var b: TensorID
        var k: Int
    }
    /// Bytes per unit in the capacity rows: the gcd of all occupied sizes and the capacity.
    package let unit: Int

    /// Tensors whose residency is their single reader's schedule (see ``Reductions/pinSingleReads``),
    /// by tensor index: the reader, or `nil`.
    private let pinnedReader: [OperatorID?]

    /// - Parameters:
    ///   - reserve: bytes to keep free at every position beyond what the running operator's own
    ///     operands need (never below the operator's working set). A reserve turns the program
    ///     into a heuristic that leaves room against fragmentation; its optimum is then no longer
    ///     a bound.
    ///   - reductions: which exact reductions to apply (all by default).
    package init(problem: PlanningProblem, mode: Mode = .capacity, reserve: Int = 0, name: String = "cosma-joint",
                reductions: Reductions = .all) {
        self.problem = problem
        self.mode = mode
        self.reserve = reserve
        self.reductions = reductions
        let graph = problem.graph
        var pinnedReader = [OperatorID?](repeating: nil, count: graph.tensors.count)
        if reductions.contains(.pinSingleReads) {
            for t in problem.tensors where graph.producer[t] == nil && problem.readers[t].count == 1 {
                pinnedReader[t] = problem.readers[t][0]
            }
        }
        self.pinnedReader = pinnedReader
        var g = 0
        for t in problem.tensors { g = gcd(g, problem.occupied[t]) }
        unit = max(1, g)
        model = Model(name: name)
        addScheduleVariables()
        addTensorVariables()
        addScheduleRows()
        addResidencyRows()
        if problem.configuration.inPlace == .on { addInPlaceChoices() }
        addCapacityRows()
        if reductions.contains(.forcedLiveCovers) { addCoverRows() }
        if reductions.contains(.livenessRows) { addLivenessRows() }
        if mode == .addresses { addAddressRows() }
        var offset = 0.0
        // The first load of a weight or input is compulsory; pinned ones have no load variables.
        for t in problem.tensors where graph.producer[t] == nil && pinnedReader[t] == nil {
            offset -= Double(graph.tensors[t].bytes)
        }
        model.objectiveOffset = offset
    }

    func xVar(_ o: OperatorID, _ k: Int) -> Variable? {
        let w = problem.operatorWindow[o]
        return w.contains(k) ? x[o][k - w.lowerBound] : nil
    }

    func rVar(_ t: TensorID, _ k: Int) -> Variable? {
        guard let w = problem.tensorWindow[t], w.contains(k) else { return nil }
        return r[t][k - w.lowerBound]
    }

    private func lVar(_ t: TensorID, _ k: Int) -> Variable? {
        guard let w = problem.tensorWindow[t], w.contains(k) else { return nil }
        return l[t][k - w.lowerBound]
    }

    /// Whether `o` has run by position `k` (`strictly`: before `k`): `y[o,k] = sum_{j <= k} x[o,j]`,
    /// a constant outside the operator's window. The cumulative variables keep precedence and
    /// "still to be read" rows at a few terms each instead of a whole window.
    func ranBy(_ o: OperatorID, _ k: Int, strictly: Bool = false) -> LinearExpression {
        let w = problem.operatorWindow[o]
        let top = strictly ? k - 1 : k
        if top < w.lowerBound { return LinearExpression() }
        if top >= w.upperBound { return LinearExpression(constant: 1) }
        return [(y[o][top - w.lowerBound], 1)]
    }

    private mutating func addScheduleVariables() {
        let graph = problem.graph
        x = graph.operators.indices.map { o in
            problem.operatorWindow[o].map { k in model.addVariable(.binary, name: "x_\(o)_\(k)") }
        }
        // y[o,k] for every position of the window but the last, where it is 1.
        y = graph.operators.indices.map { o in
            let w = problem.operatorWindow[o]
            return (w.lowerBound..<w.upperBound).map { k in
                model.addVariable(.continuous, lower: 0, upper: 1, name: "y_\(o)_\(k)")
            }
        }
        for o in graph.operators.indices {
            let w = problem.operatorWindow[o]
            for k in w.lowerBound..<w.upperBound {
                var e: LinearExpression = [(y[o][k - w.lowerBound], 1), (x[o][k - w.lowerBound], -1)]
                if k > w.lowerBound { e.add(-1, y[o][k - 1 - w.lowerBound]) }
                model.addConstraint(e, .equal, 0)
            }
        }
    }

    private mutating func addTensorVariables() {
        let graph = problem.graph
        r = [[Variable]](repeating: [], count: graph.tensors.count)
        l = [[Variable?]](repeating: [], count: graph.tensors.count)
        s = [Variable?](repeating: nil, count: graph.tensors.count)
        for t in problem.tensors {
            let w = problem.tensorWindow[t]!
            if let reader = pinnedReader[t] {
                // Its window is its reader's, position for position.
                r[t] = x[reader]
                l[t] = w.map { _ in nil }
                continue
            }
            let bytes = Double(graph.tensors[t].bytes)
            let producerStart = graph.producer[t].map { problem.operatorWindow[$0].lowerBound }
            r[t] = w.map { k in model.addVariable(.binary, name: "r_\(t)_\(k)") }
            let reloadable = graph.producer[t] == nil || !problem.readers[t].isEmpty
            l[t] = w.map { k in
                // An activation cannot be loaded at or before the first position its producer can run.
                guard reloadable, producerStart.map({ k > $0 }) ?? true else { return nil }
                return model.addVariable(.binary, objective: bytes, name: "l_\(t)_\(k)")
            }
            if graph.producer[t] != nil && !graph.isOutput[t] && l[t].contains(where: { $0 != nil }) {
                s[t] = model.addVariable(.binary, objective: bytes, name: "s_\(t)")
            }
        }
    }

    private mutating func addScheduleRows() {
        let graph = problem.graph
        let n = graph.operators.count
        for o in graph.operators.indices {
            model.addConstraint(.sum(x[o]), .equal, 1)
        }
        var atPosition = [LinearExpression](repeating: LinearExpression(), count: n)
        for o in graph.operators.indices {
            for k in problem.operatorWindow[o] { atPosition[k].add(1, x[o][k - problem.operatorWindow[o].lowerBound]) }
        }
        for e in atPosition { model.addConstraint(e, .equal, 1) }
        for c in graph.operators.indices {
            for p in graph.predecessors[c] {
                let wc = problem.operatorWindow[c]
                let top = min(wc.upperBound, problem.operatorWindow[p].upperBound)
                guard wc.lowerBound <= top else { continue }
                for k in wc.lowerBound...top {
                    var e = ranBy(c, k)
                    e.add(ranBy(p, k, strictly: true), times: -1)
                    model.addConstraint(e, .lessOrEqual, 0)
                }
            }
        }
    }

    private mutating func addResidencyRows() {
        let graph = problem.graph
        for t in problem.tensors where pinnedReader[t] == nil {
            let w = problem.tensorWindow[t]!
            let p = graph.producer[t]
            if p == nil && reductions.contains(.firstLoadRows) && !problem.readers[t].isEmpty {
                model.addConstraint(.sum(l[t].compactMap { $0 }), .greaterOrEqual, 1)
            }
            let touching = problem.readers[t] + (p.map { [$0] } ?? [])
            for o in touching {
                for k in problem.operatorWindow[o] {
                    model.addConstraint([(rVar(t, k)!, 1), (xVar(o, k)!, -1)], .greaterOrEqual, 0)
                }
            }
            for k in w {
                // Continuity: resident now only if resident before, loaded now, or produced now.
                var e: LinearExpression = [(rVar(t, k)!, 1)]
                if let prev = rVar(t, k - 1) { e.add(-1, prev) }
                if let load = lVar(t, k) { e.add(-1, load) }
                if let p, let made = xVar(p, k) { e.add(-1, made) }
                model.addConstraint(e, .lessOrEqual, 0)
                if let p {
                    // Nothing exists before its producer runs; loads need a stored copy.
                    var born = ranBy(p, k)
                    born.add(-1, rVar(t, k)!)
                    model.addConstraint(born, .greaterOrEqual, 0)
                    if let load = lVar(t, k) {
                        var after = ranBy(p, k, strictly: true)
                        after.add(-1, load)
                        model.addConstraint(after, .greaterOrEqual, 0)
                        if let store = s[t] {
                            model.addConstraint([(store, 1), (load, -1)], .greaterOrEqual, 0)
                        }
                    }
                }
                // Nothing is kept once its last reader has run.
                var pending = LinearExpression()
                if problem.readers[t].isEmpty, let p {
                    if let made = xVar(p, k) { pending.add(1, made) }
                } else {
                    // Readers still to run at or after k: sum over readers of (1 - y[c, k-1]).
                    for c in problem.readers[t] {
                        pending.add(LinearExpression(constant: 1))
                        pending.add(ranBy(c, k, strictly: true), times: -1)
                    }
                }
                pending.add(-1, rVar(t, k)!)
                model.addConstraint(pending, .greaterOrEqual, 0)
            }
        }
    }

    private mutating func addCapacityRows() {
        let graph = problem.graph
        var rows = [LinearExpression](repeating: LinearExpression(), count: graph.operators.count)
        for t in problem.tensors {
            let w = problem.tensorWindow[t]!
            let size = Double(problem.occupied[t] / unit)
            for k in w { rows[k].add(size, r[t][k - w.lowerBound]) }
        }
        // An output written over its input shares the input's bytes: counted once.
        for choice in overwrites { rows[choice.position].add(-Double(problem.occupied[choice.output] / unit), choice.variable) }
        let capacityUnits = problem.configuration.capacity / unit
        let reducedUnits = capacityUnits - (reserve + unit - 1) / unit
        let workingSets = graph.workingSets(setting: problem.configuration.tensors, alignment: problem.configuration.alignment)
        for (k, row) in rows.enumerated() where row.termCount > 0 {
            var e = row
            if reserve > 0 {
                // The operator running at k may always use up to its own working set.
                for o in graph.operators.indices where problem.operatorWindow[o].contains(k) && workingSets[o] / unit > reducedUnits {
                    e.add(-Double(workingSets[o] / unit - reducedUnits), xVar(o, k)!)
                }
            }
            model.addConstraint(e, .lessOrEqual, Double(reserve > 0 ? reducedUnits : capacityUnits))
        }
    }

    private mutating func addLivenessRows() {
        let graph = problem.graph
        for t in problem.tensors {
            guard let p = graph.producer[t] else {
                addReadGapRows(t)
                continue
            }
            let w = problem.tensorWindow[t]!
            let wp = problem.operatorWindow[p]
            for c in problem.readers[t] {
                let wc = problem.operatorWindow[c]
                // Below the producer's window nothing is produced; above the reader's it has run.
                guard wp.lowerBound <= wc.upperBound else { continue }
                for k in wp.lowerBound...wc.upperBound where w.contains(k) {
                    var e = ranBy(p, k)
                    e.add(ranBy(c, k, strictly: true), times: -1)
                    // Rows whose right side is never positive say nothing.
                    if e.constant <= 0 && e.termCount == 0 { continue }
                    e.add(-1, rVar(t, k)!)
                    if let store = s[t] {
                        e.add(-1, store)
                    } else {
                        for j in (k + 1)..<(w.upperBound + 1) { if let load = lVar(t, j) { e.add(-1, load) } }
                    }
                    model.addConstraint(e, .lessOrEqual, 0)
                }
            }
        }
    }

    /// A weight or input read by `c1` and later by `c2` is, in between, resident or loaded again
    /// before `c2`: `r[a,k] + sum_{k < j <= alap(c2)} l[a,j] >= y[c1,k] - y[c2,k-1]`. Only pairs
    /// that every schedule orders (`c1`'s window ends before `c2`'s begins) and that are adjacent
    /// (no reader's window lies between theirs) get rows.
    private mutating func addReadGapRows(_ t: TensorID) {
        guard pinnedReader[t] == nil, problem.readers[t].count > 1 else { return }
        let w = problem.tensorWindow[t]!
        let windows = problem.readers[t].map { (reader: $0, window: problem.operatorWindow[$0]) }
        for (c1, w1) in windows {
            for (c2, w2) in windows where w1.upperBound < w2.lowerBound {
                let between = windows.contains { $0.window.lowerBound > w1.upperBound && $0.window.upperBound < w2.lowerBound }
                if between { continue }
                for k in w1.lowerBound...w2.upperBound where w.contains(k) {
                    var e = ranBy(c1, k)
                    e.add(ranBy(c2, k, strictly: true), times: -1)
                    if e.constant <= 0 && e.termCount == 0 { continue }
                    e.add(-1, rVar(t, k)!)
                    for j in (k + 1)..<(w2.upperBound + 1) { if let load = lVar(t, j) { e.add(-1, load) } }
                    model.addConstraint(e, .lessOrEqual, 0)
                }
            }
        }
    }

    /// A tensor forced live across an operator is off chip there only if it is reloaded later,
    /// which for an activation that is not a graph output means it was stored: `s[a]` (real plans
    /// store only what they reload), otherwise the loads beyond the first.
    private mutating func addCoverRows() {
        let graph = problem.graph
        for cover in ForcedLiveCovers(problem: problem).covers {
            // In units, like the capacity rows, so that coefficients stay small: the left side is
            // a whole number of units, so the excess rounds up.
            let excess = (cover.excess + unit - 1) / unit
            var row = LinearExpression()
            var rhs = Double(excess)
            func addSpill(_ t: TensorID, weight: Double) {
                if let store = s[t] {
                    row.add(weight, store)
                } else {
                    for load in l[t].compactMap({ $0 }) { row.add(weight, load) }
                    // The first load of a weight or input is not a spill.
                    if graph.producer[t] == nil { rhs += weight }
                }
            }
            for t in cover.tensors { addSpill(t, weight: Double(min(problem.occupied[t] / unit, excess))) }
            for chain in cover.chains {
                let weight = Double(min(chain.map { problem.occupied[$0] / unit }.min()!, excess))
                for t in chain { addSpill(t, weight: weight) }
            }
            model.addConstraint(row, .greaterOrEqual, rhs)
        }
    }

    /// Capacity and sizes in units of the alignment, for the address rows.
    private var alignedCapacity: Int { problem.configuration.capacity / problem.configuration.alignment }

    private func alignedSize(_ t: TensorID) -> Int { problem.occupied[t] / problem.configuration.alignment }

    private mutating func addAddressRows() {
        let graph = problem.graph
        let top = Double(alignedCapacity)
        offset = [[Variable]](repeating: [], count: graph.tensors.count)
        for t in problem.tensors {
            let w = problem.tensorWindow[t]!
            let highest = Double(alignedCapacity - alignedSize(t))
            offset[t] = w.map { k in model.addVariable(.continuous, lower: 0, upper: highest, name: "L_\(t)_\(k)") }
            // A pinned tensor is resident at one position only: no offset to hold.
            for k in w where k > w.lowerBound && pinnedReader[t] == nil {
                // The offset holds while the tensor stays: |L[k] - L[k-1]| <= M (2 - r[k-1] - r[k] + l[k]).
                let now = offset[t][k - w.lowerBound]
                let before = offset[t][k - 1 - w.lowerBound]
                for sign in [1.0, -1.0] {
                    var e: LinearExpression = [(now, sign), (before, -sign)]
                    e.add(top, rVar(t, k - 1)!)
                    e.add(top, rVar(t, k)!)
                    if let load = lVar(t, k) { e.add(-top, load) }
                    model.addConstraint(e, .lessOrEqual, 2 * top)
                }
            }
        }
        let sharing = overwritesByPair()
        for (i, a) in problem.tensors.enumerated() {
            let wa = problem.tensorWindow[a]!
            for b in problem.tensors[(i + 1)...] {
                let wb = problem.tensorWindow[b]!
                let low = max(wa.lowerBound, wb.lowerBound)
                let high = min(wa.upperBound, wb.upperBound)
                guard low <= high else { continue }
                for k in low...high {
                    let z = model.addVariable(.binary, name: "z_\(a)_\(b)_\(k)")
                    below[PairKey(a: a, b: b, k: k)] = z
                    let la = offset[a][k - wa.lowerBound]
                    let lb = offset[b][k - wb.lowerBound]
                    // a below b when z = 1, b below a when z = 0; void unless both are resident.
                    var aBelow: LinearExpression = [(la, 1), (lb, -1), (z, top)]
                    aBelow.add(top, rVar(a, k)!)
                    aBelow.add(top, rVar(b, k)!)
                    var bBelow: LinearExpression = [(lb, 1), (la, -1), (z, -top)]
                    bBelow.add(top, rVar(a, k)!)
                    bBelow.add(top, rVar(b, k)!)
                    // An output written over its input shares its range: both rows go void.
                    if let shared = sharing[PairKey(a: a, b: b, k: k)] {
                        aBelow.add(-top, shared)
                        bBelow.add(-top, shared)
                    }
                    model.addConstraint(aBelow, .lessOrEqual, 3 * top - Double(alignedSize(a)))
                    model.addConstraint(bBelow, .lessOrEqual, 2 * top - Double(alignedSize(b)))
                }
            }
        }
        addInPlaceOffsetRows()
    }

    /// Variable values that encode a residency, for a MIP start. In ``Mode/addresses`` the
    /// stays' offsets (in bytes) are needed too.
    package func values(for residency: Residency, offsets: [[Int]]? = nil) -> [Variable: Double] {
        var v: [Variable: Double] = [:]
        for variable in model.variables { v[variable] = 0 }
        for (k, o) in residency.order.enumerated() {
            if let variable = xVar(o, k) { v[variable] = 1 }
            let w = problem.operatorWindow[o]
            for j in max(k, w.lowerBound)..<max(k, w.upperBound) { v[y[o][j - w.lowerBound]] = 1 }
        }
        for t in problem.tensors where pinnedReader[t] == nil {
            for seg in residency.stays[t] {
                for k in seg.first...seg.last { if let rv = rVar(t, k) { v[rv] = 1 } }
                if seg.loaded, let lv = lVar(t, seg.first) { v[lv] = 1 }
            }
            if let st = s[t], residency.stays[t].contains(where: \.loaded) { v[st] = 1 }
        }
        setOverwrites(residency, in: &v)
        guard mode == .addresses, let offsets else { return v }
        var at = [[Int?]](repeating: [], count: problem.graph.tensors.count)
        for t in problem.tensors {
            let w = problem.tensorWindow[t]!
            at[t] = [Int?](repeating: nil, count: w.count)
            for (i, seg) in residency.stays[t].enumerated() {
                for k in seg.first...seg.last where w.contains(k) { at[t][k - w.lowerBound] = offsets[t][i] / problem.configuration.alignment }
            }
            // Between stays the offset is free; holding the last one keeps the continuity rows slack.
            var last = at[t].first { $0 != nil } ?? 0
            for k in w {
                if let known = at[t][k - w.lowerBound] { last = known } else { at[t][k - w.lowerBound] = last }
                v[offset[t][k - w.lowerBound]] = Double(at[t][k - w.lowerBound]!)
            }
        }
        for (key, z) in below {
            let wa = problem.tensorWindow[key.a]!
            let wb = problem.tensorWindow[key.b]!
            v[z] = at[key.a][key.k - wa.lowerBound]! < at[key.b][key.k - wb.lowerBound]! ? 1 : 0
        }
        return v
    }

    /// The byte offset of each segment of a residency decoded from an address-mode solution.
    package func offsets(for residency: Residency, from solution: Solution) -> [[Int]] {
        residency.stays.enumerated().map { t, segs in
            segs.map { seg in
                let w = problem.tensorWindow[t]!
                return Int(solution[offset[t][seg.first - w.lowerBound]].rounded()) * problem.configuration.alignment
            }
        }
    }

    /// Reads the schedule and stays off a solution.
    package func residency(from solution: Solution) -> Residency {
        let graph = problem.graph
        var order = [OperatorID](repeating: -1, count: graph.operators.count)
        for o in graph.operators.indices {
            let w = problem.operatorWindow[o]
            let k = w.max { solution[x[o][$0 - w.lowerBound]] < solution[x[o][$1 - w.lowerBound]] }!
            order[k] = o
        }
        var stays = [[Stay]](repeating: [], count: graph.tensors.count)
        for t in problem.tensors {
            let w = problem.tensorWindow[t]!
            var current: Stay?
            for k in w {
                let resident = solution.isSet(r[t][k - w.lowerBound])
                let loaded = lVar(t, k).map { solution.isSet($0) } ?? false
                let produced = graph.producer[t].flatMap { xVar($0, k) }.map { solution.isSet($0) } ?? false
                if resident, var open = current, !loaded, !produced {
                    open.last = k
                    current = open
                    continue
                }
                if let open = current { stays[t].append(open) }
                current = resident ? Stay(first: k, last: k, loaded: !produced) : nil
            }
            if let open = current { stays[t].append(open) }
        }
        return Residency(order: order, stays: stays, writes: overwrites.filter { solution.isSet($0.variable) }.map(\.write))
    }
}

func gcd(_ a: Int, _ b: Int) -> Int {
    var (a, b) = (abs(a), abs(b))
    while b != 0 { (a, b) = (b, a % b) }
    return a
}
