public import MILP
import DNNGraph
import Scratchpad

/// A lower bound on non-compulsory traffic that holds for every schedule, cheap enough for graphs
/// far too large for the joint program.
///
/// While operator `o` runs, its operands fill ``Graph/workingSets(setting:alignment:)`` bytes. Some
/// other tensors *cross* `o` in every schedule: an activation whose producer is an ancestor of `o`
/// and one of whose readers is a descendant of `o`, or an input or weight read both by an ancestor
/// and by a descendant. Each of them is either resident while `o` runs or waits in DRAM, and one
/// that waits costs at least its size once more: a reload, plus a store for an activation that is
/// not a graph output (whose store is compulsory anyway). When the operands and the crossing
/// tensors together exceed the capacity by `E(o)` bytes, tensors crossing `o` worth at least
/// `E(o)` bytes must wait. Choosing which tensors ever wait so that every operator's excess is
/// covered, at least cost, is a covering program whose optimum (or any bound on it) bounds the
/// traffic of every plan: a tensor that waits at several operators is paid for at least once.
///
/// The bound ignores everything the schedule can still decide, so it is weak where many tensors
/// only *may* be live together (wide NAS cells), and tight on chains. It is what divide and
/// conquer reports when the joint program cannot be solved.
public struct CrossingBound: Sendable {
    /// The covering program; `nil` when no operator's excess is positive (the bound is 0).
    public let model: Model?
    /// Operators whose operands and crossing tensors exceed the capacity.
    public let constrainedOperators: Int

    public init(problem: PlanningProblem) {
        let graph = problem.graph
        let setting = problem.configuration.tensors
        let capacity = problem.configuration.capacity
        let reach = graph.reachability()
        let workingSets = graph.workingSets(setting: setting, alignment: problem.configuration.alignment)
        var model = Model(name: "cosma-crossing-bound")
        var waits: [TensorID: Variable] = [:]
        var constrained = 0
        for o in graph.operators.indices {
            let operands = Set(graph.residentOperands(of: o, in: setting))
            var crossing: [TensorID] = []
            for t in problem.tensors where !operands.contains(t) {
                let readers = problem.readers[t]
                let before = graph.producer[t].map { [$0] } ?? readers
                if before.contains(where: { reach.isAncestor($0, of: o) }),
                   readers.contains(where: { reach.isAncestor(o, of: $0) }) {
                    crossing.append(t)
                }
            }
            let excess = workingSets[o] + crossing.reduce(0) { $0 + problem.occupied[$1] } - capacity
            guard excess > 0 else { continue }
            constrained += 1
            var row = LinearExpression()
            for t in crossing {
                let wait = waits[t] ?? {
                    let bytes = Double(graph.tensors[t].bytes)
                    let storePaid = graph.producer[t] != nil && !graph.isOutput[t]
                    let v = model.addVariable(.binary, objective: storePaid ? 2 * bytes : bytes, name: "w_\(t)")
                    waits[t] = v
                    return v
                }()
                row.add(Double(problem.occupied[t]), wait)
            }
            model.addConstraint(row, .greaterOrEqual, Double(excess))
        }
        self.model = constrained > 0 ? model : nil
        constrainedOperators = constrained
        cutBound = Self.cutBound(problem)
    }

    static func cutBound(_ problem: PlanningProblem) -> Int {
        let graph = problem.graph
        let configuration = problem.configuration
        let analysis = CrossingAnalysis(graph: graph, setting: configuration.tensors, alignment: configuration.alignment)
        var charges: [(bound: Int, crossers: Set<TensorID>)] = []
        for o in graph.operators.indices {
            let room = configuration.capacity - analysis.workingSets[o]
            let crossers = analysis.possiblyCrossing(o)
            guard crossers.reduce(0, { $0 + problem.occupied[$1] }) > room else { continue }
            let excess = analysis.minimumCrossing(o) - room
            guard excess > 0 else { continue }
            let rate = crossers.map { t in
                let bytes = Double(graph.tensors[t].bytes)
                let paid = graph.producer[t] != nil && !graph.isOutput[t] ? 2 * bytes : bytes
                return paid / Double(problem.occupied[t])
            }.min() ?? 0
            // Whole bytes: round the product down so the bound stays valid.
            charges.append((Int((Double(excess) * rate).rounded(.down)), Set(crossers)))
        }
        var total = 0
        var used = Set<TensorID>()
        for charge in charges.sorted(by: { $0.bound > $1.bound }) where used.isDisjoint(with: charge.crossers) {
            total += charge.bound
            used.formUnion(charge.crossers)
        }
        return total
    }

    /// The bound in bytes: the larger of the cut bound and the covering program's optimum (or its
    /// solver's best bound when the time limit stops it first).
    public func solve(with solver: SolverBackend, timeLimit: Double?) throws -> Int {
        max(cutBound, try coveringBound(with: solver, timeLimit: timeLimit))
    }

    /// The bound from minimum crossings (``CrossingAnalysis``), which knows that the schedule can
    /// only choose *which* tensors cross an operator, not whether any do: at operator `o` at
    /// least `E(o) = W(o) + minimumCrossing(o) - M` bytes wait in DRAM, each costing at least
    /// the cheapest rate (traffic per occupied byte) among the tensors that can cross `o`.
    /// Operators whose possible crossers are disjoint are paid by different tensors, so their
    /// bounds add; the others only give their maximum. Chosen greedily, largest first.
    public let cutBound: Int

    func coveringBound(with solver: SolverBackend, timeLimit: Double?) throws -> Int {
        guard let model else { return 0 }
        var options = SolveOptions()
        options.timeLimit = timeLimit
        let outcome = try solver.solve(model, options: options)
        switch outcome.status {
        case .optimal: return roundedBound(outcome.objective ?? 0)
        case .infeasible:
            // Some operator's excess exceeds everything that crosses it: no plan fits at all,
            // which `checkFeasible` rules out before planning; claim nothing rather than guess.
            return 0
        default: return roundedBound(outcome.bestBound ?? 0)
        }
    }
}
