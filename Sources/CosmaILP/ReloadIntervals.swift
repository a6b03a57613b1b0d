package import MILP
package import DNNGraph
package import Scratchpad

/// A lower bound on non-compulsory traffic that counts the reloads capacity forces between
/// consecutive operators of a chain, interval by interval, and each spilled tensor's store once.
///
/// Take operators `f_1, …, f_k`, each an ancestor of the next, so that every schedule runs them in
/// this order; the steps after `f_i` up to and including `f_{i+1}` (after `f_k`: up to the end)
/// form *interval* `i`, and different intervals hold different loads. Fix any plan, and let `D_i`
/// be the operators its schedule runs before `f_i`. Some tensors *cross* `f_i` (they exist before
/// it and are read after it, see ``CrossingAnalysis``); while `f_i` runs at most
/// `M - W(f_i)` occupied bytes of them are resident. Each crossing tensor that is not resident:
/// - was stored before `f_i` if it is an activation (it left the scratchpad while still needed);
///   a graph output's one store is compulsory, any other's is not, and a store counts once for
///   all intervals;
/// - is loaded again before its next reader, so in interval `i` or a later one, up to the last in
///   which a reader of it may run; when a reader is `f_{i+1}` or one of its ancestors (after
///   `f_k`: any reader) and is not in `D_i`, that load lies in interval `i` itself. It is not
///   compulsory: an activation's loads never are, and an input or weight that crosses was read,
///   so loaded, before `f_i`.
///
/// A small program relaxes the plan to exactly these facts: for each `i` it chooses `D_i` (binary
/// variables for the operators that are neither ancestors nor descendants of `f_i`, closed under
/// predecessors), which tensors cross, and which of those are off chip, within the room beside
/// the operands. Each interval may choose its own `D_i`, which only relaxes the single schedule
/// every plan has, so its optimum is a lower bound for every plan.
///
/// What it adds to the per-operator cut bound of ``CrossingBound``: a tensor that several
/// operators of the chain may have to leave off chip (a Transformer's encoder output, which every
/// decoder layer reads while the decoder's feed-forward blocks fill the scratchpad) is paid once
/// per interval it is reloaded in, not once overall, while tensors that stay off chip across
/// several operators still store only once. The schedule may choose, at each interval, between
/// reloading that tensor or spilling something computed from it (the decoder's key and value
/// projections), and the program compares exactly those choices.
///
/// The chain is the one with the largest sum of per-operator excess (minimum crossing plus
/// working set minus the capacity, by ``CrossingAnalysis``'s minimum cut): only those operators
/// force anything, and one with no excess would only shorten its neighbours' intervals.
///
/// Size: per operator of the chain, a binary for each operator the schedule may put on either side
/// of it that a possibly crossing tensor touches (and for their such ancestors), and a few
/// variables for each possibly crossing tensor, and for each interval it may be reloaded in. On the Transformer (638 operators, chains of 10
/// to 24) CBC solves it within seconds, where the time-indexed program has over 600,000 rows.
package struct ReloadIntervals: Sendable {
    /// The operators, in the order every schedule runs them.
    package let chain: [OperatorID]
    /// The relaxation described above; empty when the chain is.
    package let model: Model

    /// - Parameter excess: operators with a positive excess, and that excess in bytes.
    package init(problem: PlanningProblem, analysis: CrossingAnalysis, excess: [(op: OperatorID, bytes: Int)]) {
        chain = Self.heaviestChain(excess, reach: analysis.reach)
        model = Self.program(problem, analysis: analysis, chain: chain)
    }

    /// The chain of `excess`'s operators with the largest total excess, by a longest path over
    /// the ancestor relation (an operator's ancestors have fewer ancestors, so that order is
    /// topological).
    static func heaviestChain(_ excess: [(op: OperatorID, bytes: Int)], reach: Reachability) -> [OperatorID] {
        let sorted = excess.sorted { reach.ancestorCount($0.op) < reach.ancestorCount($1.op) }
        var total = [Int]()
        var previous = [Int?]()
        for (i, candidate) in sorted.enumerated() {
            var best = candidate.bytes
            var from: Int?
            for j in 0..<i where total[j] + candidate.bytes > best && reach.isAncestor(sorted[j].op, of: candidate.op) {
                best = total[j] + candidate.bytes
                from = j
            }
            total.append(best)
            previous.append(from)
        }
        guard var last = total.indices.max(by: { total[$0] < total[$1] }) else { return [] }
        var chain = [sorted[last].op]
        while let from = previous[last] {
            chain.append(sorted[from].op)
            last = from
        }
        return chain.reversed()
    }

    static func program(_ problem: PlanningProblem, analysis: CrossingAnalysis, chain: [OperatorID]) -> Model {
        let graph = problem.graph
        let reach = analysis.reach
        var model = Model(name: "cosma-reload-intervals")
        var stored: [TensorID: Variable] = [:]
        // loads[i][t]: t is loaded at least once in interval i.
        var loads = [[TensorID: Variable]](repeating: [:], count: chain.count)
        func load(_ i: Int, _ t: TensorID) -> Variable {
            if let v = loads[i][t] { return v }
            let v = model.addVariable(upper: 1, objective: Double(graph.tensors[t].bytes), name: "load_\(i)_\(t)")
            loads[i][t] = v
            return v
        }
        var offChip: [(interval: Int, tensor: TensorID, off: Variable)] = []
        for (i, f) in chain.enumerated() {
            let next = i + 1 < chain.count ? chain[i + 1] : nil
            let crossing = analysis.possiblyCrossing(f)
            let before = orderVariables(&model, problem, reach: reach, crossing: crossing, op: f, interval: i)
            // terms + sign · [o runs before f]
            func plus(_ terms: [(Variable, Double)], _ sign: Double, ranBefore o: OperatorID) -> LinearExpression {
                var expression = LinearExpression(terms)
                if let v = before[o] {
                    expression.add(sign, v)
                } else if reach.isAncestor(o, of: f) {
                    expression.add(LinearExpression(constant: sign))
                }
                return expression
            }
            var room = LinearExpression()
            for t in crossing {
                let readers = problem.readers[t]
                // crosses ≥ (exists before f) - (every reader ran before f)
                let crosses = model.addVariable(upper: 1, name: "crosses_\(i)_\(t)")
                let allRead = model.addVariable(upper: 1, name: "allread_\(i)_\(t)")
                for r in readers { model.addConstraint(plus([(allRead, 1)], -1, ranBefore: r), .lessOrEqual, 0) }
                if let p = graph.producer[t] {
                    model.addConstraint(plus([(crosses, 1), (allRead, 1)], -1, ranBefore: p), .greaterOrEqual, 0)
                } else {
                    for r in readers {
                        model.addConstraint(plus([(crosses, 1), (allRead, 1)], -1, ranBefore: r), .greaterOrEqual, 0)
                    }
                }
                let off = model.addVariable(.binary, name: "off_\(i)_\(t)")
                model.addConstraint([(off, 1), (crosses, -1)], .lessOrEqual, 0)
                offChip.append((i, t, off))
                let occupied = Double(problem.occupied[t])
                room.add(occupied, crosses)
                room.add(-occupied, off)
                if graph.producer[t] != nil && !graph.isOutput[t] {
                    let store = stored[t] ?? model.addVariable(upper: 1, objective: Double(graph.tensors[t].bytes), name: "stored_\(t)")
                    stored[t] = store
                    model.addConstraint([(store, 1), (off, -1)], .greaterOrEqual, 0)
                }
                // Readers that surely run in this interval unless they ran before f.
                let inInterval = readers.filter { r in
                    !reach.isAncestor(r, of: f) && next.map { r == $0 || reach.isAncestor(r, of: $0) } ?? true
                }
                for r in inInterval {
                    model.addConstraint(plus([(load(i, t), 1), (off, -1)], 1, ranBefore: r), .greaterOrEqual, 0)
                }
            }
            model.addConstraint(room, .lessOrEqual, Double(problem.configuration.capacity - analysis.workingSets[f]))
        }
        // A tensor off chip while f_i runs is loaded again between f_i and its next reader: in one
        // of the intervals from i to the last in which a reader of it may run.
        for (i, t, off) in offChip {
            let mayBeRead = (i..<chain.count).last { j in
                problem.readers[t].contains { r in
                    r != chain[j] && !reach.isAncestor(r, of: chain[j]) && (j + 1 == chain.count || !reach.isAncestor(chain[j + 1], of: r))
                }
            }
            guard let last = mayBeRead else { continue }
            var row = LinearExpression((i...last).map { (load($0, t), 1.0) })
            row.add(-1, off)
            model.addConstraint(row, .greaterOrEqual, 0)
        }
        return model
    }

    /// `before[o]`: whether `o` runs before `f` in interval `i`, a variable only for operators the
    /// schedule decides: the free operators the crossing tensors touch, and their free ancestors,
    /// enough for the rows added here to keep every pair of them in an order the graph allows.
    static func orderVariables(_ model: inout Model, _ problem: PlanningProblem, reach: Reachability, crossing: [TensorID],
                               op f: OperatorID, interval i: Int) -> [OperatorID: Variable] {
        let graph = problem.graph
        func isFree(_ o: OperatorID) -> Bool { o != f && !reach.isAncestor(o, of: f) && !reach.isAncestor(f, of: o) }
        var before: [OperatorID: Variable] = [:]
        var pending = crossing.flatMap { t in problem.readers[t] + (graph.producer[t].map { [$0] } ?? []) }.filter(isFree)
        while let o = pending.popLast() {
            guard before[o] == nil else { continue }
            before[o] = model.addVariable(.binary, name: "before_\(i)_\(o)")
            pending += graph.predecessors[o].filter(isFree)
        }
        // In operator order: a dictionary's order changes from process to process, and the rows'
        // order changes CBC's search, hence the bound a node limit leaves (`--deterministic`).
        for o in before.keys.sorted() {
            let v = before[o]!
            for p in graph.predecessors[o] {
                if let u = before[p] { model.addConstraint([(v, 1), (u, -1)], .lessOrEqual, 0) }
            }
        }
        return before
    }

    /// The bound in bytes: the program's optimum, or its solver's proven bound when the time limit
    /// stops it first.
    package func bound(solver: SolverBackend, timeLimit: Double?) throws -> Int {
        try bound(solver: solver, within: TimeBudget(seconds: timeLimit))
    }

    /// ``bound(solver:timeLimit:)`` under what is left of `budget`.
    package func bound(solver: SolverBackend, within budget: TimeBudget) throws -> Int {
        guard !chain.isEmpty else { return 0 }
        let outcome = try budget.solve(model, with: solver)
        return roundedBound(outcome.status == .optimal ? (outcome.objective ?? 0) : (outcome.bestBound ?? 0))
    }
}
