package import MILP
package import DNNGraph
import Heuristics
import Scratchpad

/// A lower bound on non-compulsory traffic that holds for every schedule, cheap enough for graphs
/// far too large for the joint program: what divide and conquer reports.
///
/// It is the largest of three bounds. ``ForcedLiveCovers`` counts the tensors that cross an operator
/// in *every* schedule; given a lower bound on `M_P`, its program also covers the one step that
/// every schedule crowds, wherever it falls (``ForcedLiveCovers/peakCover(problem:peakBound:)``). The cut bound (``cutBound``) also knows that the schedule can only choose
/// *which* tensors cross an operator, not whether any do: ``CrossingAnalysis`` finds the fewest
/// bytes any schedule keeps alive across `o` by a minimum cut, and at least
/// `E(o) = W(o) + minimumCrossing(o) - M` of them wait in DRAM while `o` runs, each costing at
/// least the cheapest rate (traffic per occupied byte) among the tensors that can cross `o`: a
/// reload, plus a store for an activation that is not a graph output. Operators whose possible
/// crossers are disjoint are paid by different tensors, so their bounds add; the others only give
/// their maximum. They are chosen greedily, largest first. ``ReloadIntervals`` lifts that
/// restriction along a chain of such operators: between consecutive ones, what was off chip and is
/// read again is loaded again, once per interval, while each spilled tensor is stored once.
///
/// All three ignore much of what the schedule can still decide, so they are weak where many tensors only
/// *may* be live together (wide NAS cells) and tight on chains.
package struct CrossingBound: Sendable {
    /// The covers, over the problem with a free schedule (a fixed order in the given problem would
    /// make them hold for that order only); `nil` when the caller has solved them already.
    package let covers: ForcedLiveCovers?
    /// The cut bound in bytes.
    package let cutBound: Int
    /// The graph's ancestor relation, which the bound needs: a caller that needs it too takes it
    /// from here rather than compute it again.
    package let reach: Reachability

    /// The reloads forced between consecutive operators of the heaviest chain of operators with
    /// an excess.
    package let reloads: ReloadIntervals
    /// Operators whose excess was examined, in index order: all of them unless `deadline` cut the
    /// search short. The cut bound and the reload intervals over a subset of the operators with
    /// an excess are still valid: each charge and each chain holds on its own.
    private let excessExamined: Int
    private let operatorCount: Int

    /// The covers of the whole schedule and of its segments
    /// (``ForcedLiveCovers/peakCover(problem:peakBound:)``,
    /// ``ForcedLiveCovers/segmentCovers(problem:reach:order:limit:)``), solved in one program with
    /// ``covers``; empty without a schedule and a lower bound on `M_P`.
    package let peakCovers: [ForcedLiveCovers.Cover]
    /// The states the segments' searches created (what a work budget charges for them).
    package let segmentStates: Int

    /// - Parameters:
    ///   - coversSolved: the caller has the covers' bound over the free schedule already
    ///     (`solve(with:within:coversBound:)` is then given it), so they are not searched again.
    ///   - deadline: when the searches for covers and excesses stop (also on cancellation), with
    ///     what they found so far; each costs O(operators × tensors), seconds on 20,000 operators.
    ///   - peakBound: a lower bound on `M_P` (the minimum-peak search's), and
    ///   - order: a schedule (the minimum-peak search's), whose segments are searched within
    ///     `segmentLimit`, for ``peakCovers``; only with the covers searched here, whose program
    ///     they join.
    ///   - reach: the graph's ancestor relation, where the caller has it (computed here otherwise).
    package init(problem: PlanningProblem, coversSolved: Bool = false, deadline: ContinuousClock.Instant? = nil,
                 peakBound: Int? = nil, order: [OperatorID]? = nil, segmentLimit: SearchLimit = SearchLimit(),
                 reach: Reachability? = nil)
    {
        let configuration = problem.configuration
        // The covers of every kind hold for every schedule: they are found over the problem with
        // a free one (a fixed order in the given problem would make them hold for that order only).
        let free = PlanningProblem(graph: problem.graph, configuration: configuration)
        covers = coversSolved ? nil : ForcedLiveCovers(problem: free, deadline: deadline)
        let analysis = CrossingAnalysis(graph: problem.graph, setting: configuration.tensors, alignment: configuration.alignment,
                                        inPlace: configuration.inPlace, reach: reach)
        self.reach = analysis.reach
        var limit = segmentLimit
        var peakCovers: [ForcedLiveCovers.Cover] = []
        if !coversSolved {
            if let cover = peakBound.flatMap({ ForcedLiveCovers.peakCover(problem: free, peakBound: $0) }) { peakCovers.append(cover) }
            if let order {
                peakCovers += ForcedLiveCovers.segmentCovers(problem: free, reach: analysis.reach, order: order, limit: &limit)
            }
        }
        self.peakCovers = peakCovers
        segmentStates = limit.statesSpent
        let (excess, examined) = Self.excess(problem, analysis: analysis, deadline: deadline)
        excessExamined = examined
        operatorCount = problem.graph.operators.count
        cutBound = Self.cutBound(problem, analysis: analysis, excess: excess)
        reloads = ReloadIntervals(problem: problem, analysis: analysis, excess: excess)
    }

    /// The operators both searches examined: the excess search's and, when searched here, the
    /// covers' (the fewer), so that a trace says how far the shorter one got.
    package var operatorsExamined: Int { min(excessExamined, covers?.operatorsExamined ?? excessExamined) }

    /// Operators at which every schedule keeps more crossing bytes than fit beside the operands,
    /// with the bytes too many, and how many operators were examined before `deadline`.
    static func excess(_ problem: PlanningProblem, analysis: CrossingAnalysis,
                       deadline: ContinuousClock.Instant? = nil) -> (excess: [(op: OperatorID, bytes: Int)], examined: Int)
    {
        var excess: [(op: OperatorID, bytes: Int)] = []
        for o in problem.graph.operators.indices {
            // An operator costs a pass over the tensors and maybe a minimum cut: the clock is
            // read every 16.
            if o % 16 == 0, SearchLimit.expired(deadline) { return (excess, o) }
            let room = problem.configuration.capacity - analysis.workingSets[o]
            // Operators where even every possible crosser fits are skipped before the cut.
            guard analysis.possiblyCrossing(o).reduce(0, { $0 + problem.occupied[$1] }) > room else { continue }
            let bytes = analysis.minimumCrossing(o) - room
            if bytes > 0 { excess.append((o, bytes)) }
        }
        return (excess, problem.graph.operators.count)
    }

    static func cutBound(_ problem: PlanningProblem, analysis: CrossingAnalysis, excess: [(op: OperatorID, bytes: Int)]) -> Int {
        let graph = problem.graph
        var charges: [(bound: Int, crossers: Set<TensorID>)] = []
        for (o, bytes) in excess {
            let crossers = analysis.possiblyCrossing(o)
            let rate = crossers.map { t in
                Double(ForcedLiveCovers.spillCost(t, in: graph)) / Double(problem.occupied[t])
            }.min() ?? 0
            // Whole bytes: round the product down so the bound stays valid.
            charges.append((Int((Double(bytes) * rate).rounded(.down)), Set(crossers)))
        }
        var total = 0
        var used = Set<TensorID>()
        for charge in charges.sorted(by: { $0.bound > $1.bound }) where used.isDisjoint(with: charge.crossers) {
            total += charge.bound
            used.formUnion(charge.crossers)
        }
        return total
    }

    /// The bound in bytes: the largest of the cut bound, the covers' bound and the reload
    /// intervals' bound (each program's optimum, or its solver's best bound when the time limit
    /// stops it first). `coversBound`, when the caller has solved the same covers already, is
    /// used instead of solving them again.
    package func solve(with solver: SolverBackend, timeLimit: Double?, coversBound: Int? = nil) throws -> Int {
        try solve(with: solver, within: TimeBudget(seconds: timeLimit), coversBound: coversBound)
    }

    /// ``solve(with:timeLimit:coversBound:)`` under `budget`: each program may spend what is
    /// left of it.
    package func solve(with solver: SolverBackend, within budget: TimeBudget, coversBound: Int? = nil) throws -> Int {
        let coverBound = try coversBound ?? covers?.bound(solver: solver, within: budget, adding: peakCovers) ?? 0
        return max(cutBound, coverBound, try reloads.bound(solver: solver, within: budget))
    }
}
