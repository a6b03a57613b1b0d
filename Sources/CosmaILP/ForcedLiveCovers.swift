package import MILP
package import DNNGraph
import Heuristics
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
/// A *chain* adds what is alive at an unknown stage: when a tensor made before `o` starts a run of
/// operators, each with one output read only by the next, that `o` neither precedes nor follows
/// and whose last tensor is read after `o`, exactly one tensor of the run is alive while `o`
/// runs; it counts with the run's smallest size. Branches that are interchangeable (see
/// `interchangeableBranchArcs`) are taken in index order first, which turns siblings into
/// predecessors: every plan has a mirror image of equal traffic that takes them in that order,
/// so a bound for those plans bounds all.
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
package struct ForcedLiveCovers: Sendable {
    /// One operator whose working set and forced-live tensors do not fit together.
    package struct Cover: Sendable, Hashable {
        package var op: OperatorID
        /// The tensors forced live across `op`, one of which at least must be off chip.
        package var tensors: [TensorID]
        /// Chains of tensors of which exactly one is alive while `op` runs, whichever it is
        /// (a branch that started before `op` and joins after it, at an unknown stage).
        package var chains: [[TensorID]] = []
        /// Occupied bytes beyond the capacity if all of them stayed.
        package var excess: Int
    }

    package let problem: PlanningProblem
    package let covers: [Cover]
    /// Operators examined, in index order: all of them, unless `deadline` stopped the search.
    /// Dropping the covers of the others only relaxes the covering program, so its optimum stays
    /// a lower bound.
    package let operatorsExamined: Int

    /// Finds the covers of `problem`, stopping at `deadline` (or once the task is cancelled) with
    /// those of the operators examined so far: the search costs O(operators × tensors), seconds on
    /// a graph of 20,000 operators, so a planner's time limit must be able to cut it short.
    package init(problem: PlanningProblem, deadline: ContinuousClock.Instant? = nil) {
        self.problem = problem
        let graph = problem.graph
        let setting = problem.configuration.tensors
        // Under the in-place model an operator's own output may share an input's bytes; the
        // tensors forced live across it are not its operands, so only its working set shrinks.
        let workingSets = graph.workingSets(setting: setting, alignment: problem.configuration.alignment,
                                            inPlace: problem.configuration.inPlace)
        let order = Precedence(problem: problem)
        var covers: [Cover] = []
        // A flag per tensor instead of a set per operator: the inner loops visit every tensor for
        // every operator, and hashing dominated them.
        var isOperand = [Bool](repeating: false, count: graph.tensors.count)
        var examined = 0
        for o in graph.operators.indices {
            // The clock is read every 64 operators: a read costs more than an operator's work.
            if o % 64 == 0, SearchLimit.expired(deadline) { break }
            let operands = graph.residentOperands(of: o, in: setting)
            for t in operands { isOperand[t] = true }
            if let cover = Self.cover(at: o, problem: problem, order: order, isOperand: isOperand,
                                      workingSet: workingSets[o]) {
                covers.append(cover)
            }
            for t in operands { isOperand[t] = false }
            examined += 1
        }
        self.covers = covers
        operatorsExamined = examined
    }

    /// The cover of operator `o`, when its working set and the tensors forced live across it
    /// exceed the capacity.
    private static func cover(at o: OperatorID, problem: PlanningProblem, order: Precedence, isOperand: [Bool],
                              workingSet: Int) -> Cover?
    {
        let graph = problem.graph
        func has(_ relation: [UInt64], _ o: Int, _ p: Int) -> Bool { order.has(relation, o, p) }
        let (before, after) = (order.before, order.after)
        var forced: [TensorID] = []
        for t in problem.tensors where !isOperand[t] {
            let readers = problem.readers[t]
            guard readers.contains(where: { has(after, o, $0) }) else { continue }
            if let p = graph.producer[t] {
                if has(before, o, p) { forced.append(t) }
            } else if readers.contains(where: { has(before, o, $0) }) {
                forced.append(t)
            }
        }
        // Chains: a tensor made before o whose single reader is neither before nor after o
        // starts a run of single-reader, single-output steps; if the run ends in a reader
        // after o, one of its tensors is alive while o runs.
        var chains: [[TensorID]] = []
        var chainBytes = 0
        for t in problem.tensors where !isOperand[t] {
            guard let p = graph.producer[t], has(before, o, p), problem.readers[t].count == 1 else { continue }
            var chain = [t]
            var current = t
            var closed = false
            while problem.readers[current].count == 1 {
                let c = problem.readers[current][0]
                if has(after, o, c) {
                    closed = true
                    break
                }
                let outputs = graph.operators[c].outputs
                guard c != o, !has(before, o, c), outputs.count == 1, problem.tensorWindow[outputs[0]] != nil,
                      !isOperand[outputs[0]] else { break }
                current = outputs[0]
                chain.append(current)
            }
            // A chain of one tensor read after o is already forced live.
            guard closed, chain.count > 1 else { continue }
            chains.append(chain)
            chainBytes += chain.map { problem.occupied[$0] }.min()!
        }
        let excess = workingSet + forced.reduce(0) { $0 + problem.occupied[$1] } + chainBytes - problem.configuration.capacity
        return excess > 0 ? Cover(op: o, tensors: forced, chains: chains, excess: excess) : nil
    }

    /// Which operators run before and after each operator in every schedule the covers are valid
    /// for, as bit sets: `before[o]` holds every operator that runs before `o` in each allowed
    /// schedule, `after[o]` every one that runs after it.
    struct Precedence {
        let words: Int
        var before: [UInt64]
        var after: [UInt64]

        func has(_ bits: [UInt64], _ o: Int, _ p: Int) -> Bool { bits[o * words + p / 64] & (1 << UInt64(p % 64)) != 0 }

        init(problem: PlanningProblem) {
            let graph = problem.graph
            let n = graph.operators.count
            let words = (n + 63) / 64
            self.words = words
            var before = [UInt64](repeating: 0, count: n * words)
            var after = [UInt64](repeating: 0, count: n * words)
            func set(_ bits: inout [UInt64], _ o: Int, _ p: Int) { bits[o * words + p / 64] |= 1 << UInt64(p % 64) }
            // Interchangeable branches may be taken in a canonical order: every plan has a mirror
            // image of equal traffic in which they are, so what holds for canonical plans bounds all.
            let symmetry = problem.fixedOrder == nil
                ? ForcedLiveCovers.interchangeableBranchArcs(graph, setting: problem.configuration.tensors) : []
            var arcsInto = [[OperatorID]](repeating: [], count: n)
            var arcsOutOf = [[OperatorID]](repeating: [], count: n)
            for (from, to) in symmetry {
                arcsInto[to].append(from)
                arcsOutOf[from].append(to)
            }
            if let order = problem.fixedOrder, !order.isEmpty {
                // What runs before an operator is what runs before the previous one, and that one:
                // a copy of words per operator instead of a bit per pair.
                for i in order.indices.dropFirst() {
                    for w in 0..<words { before[order[i] * words + w] = before[order[i - 1] * words + w] }
                    set(&before, order[i], order[i - 1])
                }
                for i in order.indices.dropLast().reversed() {
                    for w in 0..<words { after[order[i] * words + w] = after[order[i + 1] * words + w] }
                    set(&after, order[i], order[i + 1])
                }
            } else if problem.fixedOrder == nil {
                for o in 0..<n {
                    for p in graph.predecessors[o] + arcsInto[o] {
                        for w in 0..<words { before[o * words + w] |= before[p * words + w] }
                        set(&before, o, p)
                    }
                }
                for o in (0..<n).reversed() {
                    for c in graph.successors[o] + arcsOutOf[o] {
                        for w in 0..<words { after[o * words + w] |= after[c * words + w] }
                        set(&after, o, c)
                    }
                }
            }
            self.before = before
            self.after = after
        }
    }

    /// Arcs `(a, b)`: branch head `a` may be taken to run before head `b`.
    ///
    /// Two branches are interchangeable when each is a chain of operators with one output each
    /// that starts by reading the same tensor, whose intermediate tensors are read only by the
    /// next operator of the chain, that ends in a tensor only the same join reads, and whose
    /// operators read and write tensors of the same sizes, step for step (DeepLabV3's atrous
    /// convolutions). Swapping two such branches maps the graph onto itself, so plans can be
    /// restricted to those that start them in index order.
    static func interchangeableBranchArcs(_ graph: Graph, setting: TensorSetting) -> [(OperatorID, OperatorID)] {
        struct Signature: Hashable {
            var source: TensorID
            var join: OperatorID
            var sizes: [[Int]]
        }
        var heads: [Signature: [OperatorID]] = [:]
        for h in graph.operators.indices {
            let activations = graph.distinctInputs(of: h).filter { graph.tensors[$0].kind != .weight }
            guard activations.count == 1 else { continue }
            var sizes: [[Int]] = []
            var op = h
            var join: OperatorID?
            while true {
                let outputs = graph.operators[op].outputs
                guard outputs.count == 1, !graph.isOutput[outputs[0]], graph.consumers[outputs[0]].count == 1 else { break }
                let weights = graph.distinctInputs(of: op).filter { graph.tensors[$0].kind == .weight }
                // A weight another operator reads would not swap with the branch.
                guard weights.allSatisfy({ graph.consumers[$0].count == 1 }) else { break }
                sizes.append(weights.map { graph.tensors[$0].bytes }.sorted() + [graph.tensors[outputs[0]].bytes])
                let next = graph.consumers[outputs[0]][0]
                let nextActivations = graph.distinctInputs(of: next).filter { graph.tensors[$0].kind != .weight }
                if nextActivations.count > 1 {
                    join = next
                    break
                }
                op = next
            }
            guard let join else { continue }
            heads[Signature(source: activations[0], join: join, sizes: sizes), default: []].append(h)
        }
        var arcs: [(OperatorID, OperatorID)] = []
        for group in heads.values where group.count > 1 {
            let sorted = group.sorted()
            for i in 1..<sorted.count { arcs.append((sorted[i - 1], sorted[i])) }
        }
        return arcs
    }

    /// The cover that `M_P` gives: every schedule has a step at which at least `peakBound` bytes
    /// are live (a lower bound on `M_P`, the smallest peak over all orders), so with a capacity
    /// below it, `peakBound - capacity` bytes of tensors that are live but not operands of the
    /// running operator wait in DRAM at that step; `nil` when `peakBound` fits.
    ///
    /// The cut bound and the covers ask, operator by operator, what *every* schedule keeps alive
    /// across that operator. On wide networks (NAS cells) that is little, since each branch can
    /// be run first; but some step of the schedule is crowded whatever the order, only not the
    /// same one. Which tensors wait there is unknown, so the row counts every tensor that can be
    /// off chip while live in some schedule: an activation that something reads, or an input or
    /// weight read by two operators or more (one read once is live only while its reader runs).
    /// On PNASNet-5 at `M_H` this row alone lifts the bound from 407,202 to 947,550 bytes.
    package static func peakCover(problem: PlanningProblem, peakBound: Int) -> Cover? {
        let excess = peakBound - problem.configuration.capacity
        guard excess > 0 else { return nil }
        let graph = problem.graph
        let tensors = problem.tensors.filter { t in
            graph.producer[t] != nil ? !problem.readers[t].isEmpty : problem.readers[t].count >= 2
        }
        return Cover(op: 0, tensors: tensors, excess: excess)
    }

    /// The covers of the graph's segments: the operators between two *separators* (operators that
    /// every other one precedes or follows, such as the end of a RandWire stage), which every
    /// schedule runs as one contiguous block. Each segment's own minimum peak (``WindowPeaks``,
    /// exact for such a block, or the smallest peak its search left open within `limit`) gives a
    /// row like ``peakCover(problem:peakBound:)``, over only the tensors that can be live during
    /// the block. So crowded segments add up, and a segment of large tensors is not covered by
    /// fractions of other segments' small ones.
    ///
    /// `order` is a schedule of the graph (the minimum-peak search's): a segment where its live
    /// bytes stay within the capacity cannot give a row and is not searched.
    package static func segmentCovers(problem: PlanningProblem, reach: Reachability, order: [OperatorID],
                                      limit: inout SearchLimit) -> [Cover] {
        let graph = problem.graph
        let configuration = problem.configuration
        let n = graph.operators.count
        guard order.count == n, n > 2 else { return [] }
        let segments = graph.separatedSegmentPeaks(order: order, reach: reach, configuration: configuration)
        guard segments.count > 1 else { return [] }
        var segment = [Int](repeating: 0, count: n)
        for (i, part) in segments.enumerated() {
            for o in part.operators { segment[o] = i }
        }
        let members = segments.map(\.operators)
        let highest = segments.map(\.peak)
        let peaks = WindowPeaks(graph: graph, setting: configuration.tensors, alignment: configuration.alignment,
                                inPlace: configuration.inPlace, reach: reach)
        var covers: [Cover] = []
        for k in members.indices where members[k].count > 1 && highest[k] > configuration.capacity && !limit.isSpent {
            let peak = peaks.lowerBound(of: members[k], cutoff: highest[k] + 1, stateBudget: segmentStates, limit: &limit)
            guard peak > configuration.capacity else { continue }
            // Live during segment k in some schedule: started in or before it and read in or
            // after it (an input or weight read once is live only while its reader runs).
            let tensors = problem.tensors.filter { t in
                let readers = problem.readers[t].map { segment[$0] }
                guard let last = readers.max() else { return false }
                if let p = graph.producer[t] { return segment[p] <= k && last >= k }
                return readers.count >= 2 && readers.min()! <= k && last >= k
            }
            covers.append(Cover(op: members[k][0], tensors: tensors, excess: peak - configuration.capacity))
        }
        return covers
    }

    /// The states one segment's search may create before its bound is taken as it stands.
    static let segmentStates = 200_000

    /// The least traffic a plan pays for having `t` off chip while it is still needed: a store
    /// and a reload for an activation that is not a graph output, a reload otherwise.
    package func spillCost(_ t: TensorID) -> Int { Self.spillCost(t, in: problem.graph) }

    package static func spillCost(_ t: TensorID, in graph: Graph) -> Int {
        let bytes = graph.tensors[t].bytes
        return graph.producer[t] != nil && !graph.isOutput[t] ? 2 * bytes : bytes
    }

    /// A lower bound on non-compulsory traffic from the covers alone: the cheapest set of tensors
    /// to spill that satisfies every cover, by a covering program. Returns 0 when there is no
    /// cover, and the solver's proven bound when it stops early.
    package func bound(solver: SolverBackend, timeLimit: Double?) throws -> Int {
        try bound(solver: solver, within: TimeBudget(seconds: timeLimit))
    }

    /// ``bound(solver:timeLimit:)`` under what is left of `budget`, with `more` covers of the same
    /// problem (``peakCover(problem:peakBound:)``, ``segmentCovers(problem:reach:order:limit:)``) in the same program.
    package func bound(solver: SolverBackend, within budget: TimeBudget, adding more: [Cover] = []) throws -> Int {
        try Self.bound(covers + more, problem: problem, solver: solver, within: budget)
    }

    /// The covering program of `covers`, rows of `problem`: the cheapest set of tensors to spill
    /// that satisfies each, or the solver's proven bound when `budget` stops it first.
    package static func bound(_ covers: [Cover], problem: PlanningProblem, solver: SolverBackend,
                              within budget: TimeBudget) throws -> Int
    {
        guard !covers.isEmpty else { return 0 }
        var model = Model(name: "cosma-forced-live-covers")
        var spilled: [TensorID: Variable] = [:]
        for cover in covers {
            for t in cover.tensors + cover.chains.joined() where spilled[t] == nil {
                spilled[t] = model.addVariable(.binary, objective: Double(spillCost(t, in: problem.graph)), name: "spill_\(t)")
            }
        }
        for cover in covers {
            var row = LinearExpression()
            for t in cover.tensors { row.add(Double(min(problem.occupied[t], cover.excess)), spilled[t]!) }
            for chain in cover.chains {
                // Whichever tensor of the chain is alive, it is spilled if the chain's bytes leave.
                let bytes = Double(min(chain.map { problem.occupied[$0] }.min()!, cover.excess))
                for t in chain { row.add(bytes, spilled[t]!) }
            }
            model.addConstraint(row, .greaterOrEqual, Double(cover.excess))
        }
        let outcome = try budget.solve(model, with: solver)
        let raw = outcome.status == .optimal ? (outcome.objective ?? 0) : (outcome.bestBound ?? 0)
        return roundedBound(raw)
    }
}
