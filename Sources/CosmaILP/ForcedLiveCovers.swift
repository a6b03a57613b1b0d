public import MILP
import DNNGraph
import Scratchpad

/// Tensors that every schedule keeps alive across an operator, and the spills they force.
///
/// A tensor `a` is *forced live* across operator `o` when, in every schedule the problem allows,
/// `a` exists before `o` runs and is read after it: an activation whose producer is an ancestor of
/// `o` and which a descendant of `o` reads, or a graph input or weight read by both an ancestor and
/// a descendant (with a fixed schedule, "before" and "after" are positions in it). While `o` runs,
/// such a tensor is resident, or it is off chip and will be loaded again: an activation that is
/// not a graph output is then stored once and reloaded (twice its size), anything else reloaded
/// (its size).
///
/// When `o`'s working set plus all the tensors forced live across it exceed the capacity by
/// `excess` bytes, some of them, `excess` bytes at least, must be off chip while `o` runs. That
/// is a covering row, `sum over a of min(size(a), excess) · spilled(a) >= excess`, which holds for
/// every plan whatever the schedule. The time-indexed relaxation misses it because a fractional
/// schedule spreads `o` over several positions and never fills any of them; the rows lift its
/// root bound from zero to the spills that capacity alone forces (DeepLabV3 with weights is the
/// case that needed them). Alone, the rows make a small covering program whose optimum is a lower
/// bound for the full problem (``bound(solver:timeLimit:)``), usable when the time-indexed
/// program is too large to solve.
public struct ForcedLiveCovers: Sendable {
    /// One operator whose working set and forced-live tensors do not fit together.
    public struct Cover: Sendable, Hashable {
        public var op: OperatorID
        /// The tensors forced live across `op`, one of which at least must be off chip.
        public var tensors: [TensorID]
        /// Occupied bytes beyond the capacity if all of them stayed.
        public var excess: Int
    }

    public let problem: PlanningProblem
    public let covers: [Cover]

    public init(problem: PlanningProblem) {
        self.problem = problem
        let graph = problem.graph
        let n = graph.operators.count
        let setting = problem.configuration.tensors
        let capacity = problem.configuration.capacity
        let workingSets = graph.workingSets(setting: setting, alignment: problem.configuration.alignment)
        // before[o] holds every operator that runs before o in each allowed schedule; after[o]
        // every one that runs after it.
        let words = (n + 63) / 64
        var before = [UInt64](repeating: 0, count: n * words)
        var after = [UInt64](repeating: 0, count: n * words)
        func set(_ bits: inout [UInt64], _ o: Int, _ p: Int) { bits[o * words + p / 64] |= 1 << UInt64(p % 64) }
        func has(_ bits: [UInt64], _ o: Int, _ p: Int) -> Bool { bits[o * words + p / 64] & (1 << UInt64(p % 64)) != 0 }
        if let order = problem.fixedOrder {
            for (i, o) in order.enumerated() {
                for p in order[..<i] { set(&before, o, p) }
                for c in order[(i + 1)...] { set(&after, o, c) }
            }
        } else {
            for o in 0..<n {
                for p in graph.predecessors[o] {
                    for w in 0..<words { before[o * words + w] |= before[p * words + w] }
                    set(&before, o, p)
                }
            }
            for o in (0..<n).reversed() {
                for c in graph.successors[o] {
                    for w in 0..<words { after[o * words + w] |= after[c * words + w] }
                    set(&after, o, c)
                }
            }
        }
        var covers: [Cover] = []
        for o in 0..<n {
            let operands = Set(graph.residentOperands(of: o, in: setting))
            var forced: [TensorID] = []
            for t in problem.tensors where !operands.contains(t) {
                let readers = problem.readers[t]
                guard readers.contains(where: { has(after, o, $0) }) else { continue }
                if let p = graph.producer[t] {
                    if has(before, o, p) { forced.append(t) }
                } else if readers.contains(where: { has(before, o, $0) }) {
                    forced.append(t)
                }
            }
            let excess = workingSets[o] + forced.reduce(0) { $0 + problem.occupied[$1] } - capacity
            if excess > 0 { covers.append(Cover(op: o, tensors: forced, excess: excess)) }
        }
        self.covers = covers
    }

    /// The least traffic a plan pays for having `t` off chip while it is still needed: a store
    /// and a reload for an activation that is not a graph output, a reload otherwise.
    public func spillCost(_ t: TensorID) -> Int {
        let graph = problem.graph
        let bytes = graph.tensors[t].bytes
        return graph.producer[t] != nil && !graph.isOutput[t] ? 2 * bytes : bytes
    }

    /// A lower bound on non-compulsory traffic from the covers alone: the cheapest set of tensors
    /// to spill that satisfies every cover, by a covering program. Returns 0 when there is no
    /// cover, and the solver's proven bound when it stops early.
    public func bound(solver: SolverBackend, timeLimit: Double?) throws -> Int {
        guard !covers.isEmpty else { return 0 }
        var model = Model(name: "cosma-forced-live-covers")
        var spilled: [TensorID: Variable] = [:]
        for cover in covers {
            for t in cover.tensors where spilled[t] == nil {
                spilled[t] = model.addVariable(.binary, objective: Double(spillCost(t)), name: "spill_\(t)")
            }
        }
        for cover in covers {
            var row = LinearExpression()
            for t in cover.tensors { row.add(Double(min(problem.occupied[t], cover.excess)), spilled[t]!) }
            model.addConstraint(row, .greaterOrEqual, Double(cover.excess))
        }
        var options = SolveOptions()
        options.timeLimit = timeLimit
        let outcome = try solver.solve(model, options: options)
        let raw = outcome.status == .optimal ? (outcome.objective ?? 0) : (outcome.bestBound ?? 0)
        return roundedBound(raw)
    }
}
