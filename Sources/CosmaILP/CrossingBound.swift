public import MILP
import DNNGraph
import Scratchpad

/// A lower bound on non-compulsory traffic that holds for every schedule, cheap enough for graphs
/// far too large for the joint program: what divide and conquer reports.
///
/// It is the larger of two bounds. ``ForcedLiveCovers`` counts the tensors that cross an operator
/// in *every* schedule. The cut bound (``cutBound``) also knows that the schedule can only choose
/// *which* tensors cross an operator, not whether any do: ``CrossingAnalysis`` finds the fewest
/// bytes any schedule keeps alive across `o` by a minimum cut, and at least
/// `E(o) = W(o) + minimumCrossing(o) - M` of them wait in DRAM while `o` runs, each costing at
/// least the cheapest rate (traffic per occupied byte) among the tensors that can cross `o`: a
/// reload, plus a store for an activation that is not a graph output. Operators whose possible
/// crossers are disjoint are paid by different tensors, so their bounds add; the others only give
/// their maximum. They are chosen greedily, largest first.
///
/// Both ignore much of what the schedule can still decide, so they are weak where many tensors only
/// *may* be live together (wide NAS cells) and tight on chains.
public struct CrossingBound: Sendable {
    /// The covers, over the problem with a free schedule (a fixed order in the given problem would
    /// make them hold for that order only).
    public let covers: ForcedLiveCovers
    /// The cut bound in bytes.
    public let cutBound: Int

    public init(problem: PlanningProblem) {
        covers = ForcedLiveCovers(problem: PlanningProblem(graph: problem.graph, configuration: problem.configuration))
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

    /// The bound in bytes: the larger of the cut bound and the covers' bound (the covering
    /// program's optimum, or its solver's best bound when the time limit stops it first).
    public func solve(with solver: SolverBackend, timeLimit: Double?) throws -> Int {
        max(cutBound, try covers.bound(solver: solver, timeLimit: timeLimit))
    }
}
