package import DNNGraph
import Heuristics
public import MILP
public import Scratchpad
import Foundation

/// Settings of an exact solve.
public struct ExactOptions: Sendable {
    public var solver: SolverBackend
    /// The time budget in seconds, which ``TimeBudget/Policy/standard`` divides among the stages;
    /// `nil` lets every stage run to completion (the outcome then does not depend on the
    /// machine's speed).
    public var timeLimit: Double?
    /// Stop once the relative gap is at most this (0 proves optimality).
    public var relativeGap: Double
    /// Called with the solver's progress on long solves.
    public var progress: (@Sendable (SolveProgress) -> Void)?
    /// Plans to start from; the best one is the warm start and the fallback. When empty, every
    /// baseline (``Baseline/all``, or on a fixed schedule every replacement and allocation policy
    /// on that order) is run and the successful ones are used.
    public var warmStarts: [CertifiedPlan]
    /// The exact reductions every program is built with (all by default; fewer only to measure
    /// what each one buys).
    package var reductions: JointProgram.Reductions
    /// Where the solver runs (the facade's ``Cosma/solve(_:configuration:method:options:segmentOperators:)``
    /// reads it): in process (the default for Swift callers, the fastest), or in child processes
    /// that a solver crash, hang or memory exhaustion cannot take the caller down with
    /// (`SolverContainment`; the command-line tool's and the C library's default).
    public var solverIsolation: SolverIsolation
    /// The deterministic mode: ``timeLimit`` is a budget of work units instead of seconds
    /// (``TimeBudget/init(work:policy:)``), so the same input gives the same plan on any machine
    /// and under any load (docs/planner.md, "Deterministic mode").
    public var deterministic: Bool
    /// The budget to run under instead of a new one from ``timeLimit``: what a planner hands to a
    /// planner it runs, so that both spend one budget.
    package var budget: TimeBudget?
    /// A minimum-peak schedule the caller has already: the one behind `M_P`, when the capacity was
    /// named by a budget (`cosma solve --capacity M_H`) or a benchmark resolved its budgets. The
    /// baselines follow it instead of searching again under their share of the budget, and its
    /// lower bound on `M_P` joins divide and conquer's bound (``ForcedLiveCovers/peakCover(problem:peakBound:)``).
    /// Where it is `nil`, the facade's divide and conquer runs the same searches first, at any
    /// capacity (`Cosma.minimumPeakStart`).
    package var minimumPeak: Schedule?

    /// Every exact reduction, and the given solver, limits and warm starts.
    public init(solver: SolverBackend = .cbc, timeLimit: Double? = nil, relativeGap: Double = 0,
                progress: (@Sendable (SolveProgress) -> Void)? = nil, warmStarts: [CertifiedPlan] = []) {
        self.init(solver: solver, timeLimit: timeLimit, relativeGap: relativeGap, progress: progress, warmStarts: warmStarts,
                  reductions: .all)
    }

    package init(solver: SolverBackend = .cbc, timeLimit: Double? = nil, relativeGap: Double = 0,
                progress: (@Sendable (SolveProgress) -> Void)? = nil, warmStarts: [CertifiedPlan] = [],
                reductions: JointProgram.Reductions = .all, solverIsolation: SolverIsolation = .inProcess,
                deterministic: Bool = false) {
        self.solverIsolation = solverIsolation
        self.deterministic = deterministic
        self.solver = solver
        self.timeLimit = timeLimit
        self.relativeGap = relativeGap
        self.progress = progress
        self.warmStarts = warmStarts
        self.reductions = reductions
    }
}

extension ExactOptions {
    /// Why `limit` cannot be a time limit (NaN, infinity, zero, negative: a solver refuses them or
    /// never ends), or `nil`: the one check behind `cosma solve`, the other commands, the C
    /// library's options and ``Cosma/solve(_:configuration:method:options:segmentOperators:)``,
    /// each of which adds the name of its option and the fix.
    package static func problem(timeLimit limit: Double) -> String? {
        limit.isFinite && limit > 0 ? nil : "must be a positive, finite number of seconds, got \(limit)"
    }

    /// A budget of ``timeLimit`` under `policy`: seconds, or work units in the deterministic mode.
    package func newBudget(policy: TimeBudget.Policy) -> TimeBudget {
        deterministic ? TimeBudget(work: timeLimit, policy: policy) : TimeBudget(seconds: timeLimit, policy: policy)
    }
}

/// Finds a plan with minimum non-compulsory traffic and proves it optimal where it can.
///
/// The method is a sequence of stages (``PlannerStage``), cheapest first, run by one driver
/// (``solve()``) under a ``TimeBudget`` that gives each stage its share by one policy
/// (``TimeBudget/Policy/standard``). After every stage the driver stops if the best plan meets the
/// best bound: that plan is optimal.
/// 1. Warm starts: the heuristics' plans; the best is the incumbent. One with no non-compulsory
///    traffic is optimal at once.
/// 2. The ``ForcedLiveCovers`` and the ``CrossingBound``: lower bounds valid for every schedule,
///    often met by the incumbent already.
/// 3. The paper's fixed-schedule program on the incumbent's order: replacement decided for the
///    whole graph at once, solved in a fraction of a second.
/// 4. The capacity program (``JointProgram``), warm-started with the incumbent: its optimum is a
///    lower bound for the full problem, and its search ends once an incumbent meets the bounds
///    above. Its stays, shortened to their last use, are packed into the scratchpad by
///    ``StayPacker``; a packed optimum is optimal. When they do not pack, the heuristics follow
///    its order and its stays (``plansFollowingStays(_:)``). Too large a program is not attempted.
/// 5. Repair: when the stays do not pack (fragmentation), the capacity program again with room
///    kept free beside the operands, growing until the stays pack and then narrowed
///    (`RepairReserves`).
/// 6. The address program: when the relaxation is proven but its stays do not pack, addresses
///    are decided in the program itself.
/// Otherwise the best plan known is returned as ``PlanStatus/feasible`` (or
/// ``PlanStatus/timeLimit``) with the bound and gap. Each stage writes what it did and found
/// into the result's ``PlanResult/trace``.
package struct ExactPlanner: Sendable {
    package var problem: PlanningProblem
    package var options: ExactOptions

    package init(graph: Graph, configuration: Configuration, fixedOrder: [OperatorID]? = nil,
                options: ExactOptions = ExactOptions()) {
        problem = PlanningProblem(graph: graph, configuration: configuration, fixedOrder: fixedOrder)
        self.options = options
    }

    /// `cosma-ilp`, or `cosma-ilp:fixed-schedule` when the order was given.
    var methodName: String { problem.fixedOrder == nil ? "cosma-ilp" : "cosma-ilp:fixed-schedule" }

    /// Plans from the heuristics, all simulated: the warm starts when none were given.
    ///
    /// When none of them avoids non-compulsory traffic although an order they followed peaks
    /// within the capacity (TensorFlow Lite's arena fragmented), Cosma's static-arena heuristic
    /// (``HeuristicPlanner/staticArenaPlan(graph:configuration:order:scheduleName:nodeLimit:)``)
    /// searches for a packing of that order; a plan it finds is optimal.
    ///
    /// The minimum-peak search behind the `mpmf-search` baselines gets a quarter of `budget`
    /// (``TimeBudget/minimumPeakForWarmStart``); the others' orders are immediate.
    package func baselinePlans(within budget: TimeBudget? = nil, minimumPeak known: Schedule? = nil) throws -> [CertifiedPlan] {
        try baselines(within: budget, minimumPeak: known).plans
    }

    /// ``baselinePlans(within:minimumPeak:)`` with the minimum-peak schedule behind them (`nil` with
    /// a fixed order): `known` when the caller has one (the search does not run again), else the
    /// search's. Its lower bound on `M_P` holds for every order, which divide and conquer's
    /// bound uses (``ForcedLiveCovers/peakCover(problem:peakBound:)``).
    ///
    /// With `lenient`, a heuristic that gave up on fragmentation runs again compacting the
    /// scratchpad (``Baseline/strict`` off), on the same order: divide and conquer promises never
    /// to be worse than any heuristic, and on RandWire-BA with weights at `M_R` only the
    /// compacting ones reach 16.2 MB (the strict ones' best was 20.3 MB).
    package func baselines(within budget: TimeBudget? = nil, minimumPeak known: Schedule? = nil, lenient: Bool = false) throws
        -> (plans: [CertifiedPlan], minimumPeak: Schedule?)
    {
        let graph = problem.graph
        var minimumPeak = known
        let configuration = problem.configuration
        var plans: [CertifiedPlan]
        var orders: [(name: String, order: [OperatorID])]
        let all = budget?.searchLimit(share: TimeBudget.warmStartBaselines, operators: graph.operators.count)
        if let order = problem.fixedOrder {
            plans = plansFollowing(order, name: "fixed", until: all?.deadline)
            orders = [("fixed", order)]
        } else {
            // Strict: the defragmenting fallback's plans would change which order the
            // fixed-schedule start follows (on ViT-B/16 with weights at M_R, to one GLPK cannot
            // settle in 120 s); Cosma's own compaction is `plansFollowing`'s.
            let limit = budget?.searchLimit(share: TimeBudget.minimumPeakForWarmStart, operators: graph.operators.count)
            let outcomes = try Baseline.run(Baseline.all.map(\.strictVariant.onMinimumPeakSearch), graph: graph,
                                            configuration: configuration, scheduler: MinimumPeakScheduler(limit: limit ?? SearchLimit()),
                                            schedules: known.map { [.mpmfSearch: $0] } ?? [:], until: all?.deadline)
            if known == nil, let searched = outcomes.first(where: { $0.baseline.schedule == .mpmfSearch }) {
                budget?.charge(searched: searched.schedule, operators: graph.operators.count)
                minimumPeak = searched.schedule
            }
            plans = outcomes.compactMap { try? $0.result.get() }
            if lenient {
                for outcome in outcomes where (try? outcome.result.get()) == nil {
                    var compacting = outcome.baseline
                    compacting.strict = false
                    if let plan = try? compacting.plan(graph: graph, configuration: configuration, schedule: outcome.schedule).get() {
                        plans.append(plan)
                    }
                }
            }
            // Lowest peak first: the minimum-peak order is the likeliest to pack.
            orders = []
            for outcome in outcomes.sorted(by: { $0.schedule.peakBytes < $1.schedule.peakBytes })
            where !orders.contains(where: { $0.name == outcome.baseline.schedule.rawValue }) {
                orders.append((outcome.baseline.schedule.rawValue, outcome.schedule.order))
            }
        }
        guard !plans.contains(where: { $0.report.traffic.nonCompulsory == 0 }) else { return (plans, minimumPeak) }
        for (name, order) in orders {
            if let packed = try HeuristicPlanner.staticArenaPlan(graph: graph, configuration: configuration, order: order,
                                                                 scheduleName: name) {
                return (plans + [packed], minimumPeak)
            }
        }
        return (plans, minimumPeak)
    }

    /// Every replacement and allocation policy run on one order; failures are skipped. Past
    /// `deadline` (or once the task is cancelled) the policies left are not run, as soon as one
    /// has a plan: on 20,000 operators each takes a second or more, and there are twelve. With
    /// `releases` (``Residency/releases(_:)``) each run follows that residency advice.
    package func plansFollowing(_ order: [OperatorID], name: String = "program-order", releases: [[TensorID]] = [],
                                allocations: [AllocationPolicy] = AllocationPolicy.allCases,
                                until deadline: ContinuousClock.Instant? = nil) -> [CertifiedPlan]
    {
        var plans: [CertifiedPlan] = []
        for replacement in ReplacementPolicy.allCases {
            for allocation in allocations {
                if !plans.isEmpty, SearchLimit.expired(deadline) { return plans }
                if let plan = try? HeuristicPlanner.plan(graph: problem.graph, configuration: problem.configuration, order: order,
                                                         scheduleName: name, replacement: replacement, allocation: allocation,
                                                         fallback: .flush, releases: releases) {
                    plans.append(plan)
                }
            }
        }
        return plans
    }

    /// The on-line planner following `residency`, a program's stays that do not pack
    /// (``Residency/releases(_:)``): each tensor leaves where its stay ends, so that only where
    /// fragmentation leaves no gap does a replacement policy evict on its own. Lifetime fit alone:
    /// it sees when the advice drops a neighbour. On RandWire-ER seed 3 at `M_R` (the order
    /// search's order, whose capacity program proves 5,292,000 bytes) best and first fit on those
    /// stays flushed their way to 11.4 to 12.8 million bytes, lifetime fit found 5,630,688, and the
    /// policies on the order alone 5,801,600 at best. Where sizes vary more it does not close the
    /// gap to the program: PNASNet-5 at `M_H`, on an order whose program proves 1,669,356 bytes
    /// (and a plan with addresses meets it), every on-line run, following the stays or not, costs
    /// 3.3 million bytes or more.
    package func plansFollowingStays(_ residency: Residency, until deadline: ContinuousClock.Instant? = nil) -> [CertifiedPlan] {
        plansFollowing(residency.order, name: "program-stays", releases: residency.releases(problem), allocations: [.lifetimeFit],
                       until: deadline)
    }

    /// Above this many rows the capacity program is not attempted (see ``solve()``): CBC's root
    /// LP ignores the time limit, and on RandWire-BA's 198,000 rows it ran for minutes. The
    /// human-designed models' programs have at most 47,000 rows (DenseNet-121).
    static let rowLimit = 100_000

    /// Above this many pair-order variables the address program is not attempted: its big-M rows
    /// give CBC and GLPK nothing to work with at that size.
    package static let addressPairLimit = 20_000

    /// The plan that always exists at a capacity of at least `M_R`: before each operator every
    /// other tensor is stored (if still needed and not yet in DRAM) and dropped, and its operands
    /// are packed from address 0. It follows the default order, or the fixed one. With in-place on
    /// an output takes the bytes of an input that dies at its operator in that order
    /// (``Graph/inPlaceWrites(order:)``).
    ///
    /// - Throws: `ExactFailure` when an operator's operands do not fit even so. With in-place off
    ///   that means a capacity below `M_R`; with it on, `M_R` counts each operator's in-place
    ///   saving where some schedule allows it, and the order followed may not allow it.
    package func spillEverything() throws -> CertifiedPlan {
        let graph = problem.graph
        var order = problem.fixedOrder ?? Array(graph.operators.indices)
        if problem.fixedOrder == nil, problem.configuration.inPlace == .on, let allowing = orderAllowingInPlace() { order = allowing }
        let writes = problem.configuration.inPlace == .on ? graph.inPlaceWrites(order: order) : []
        var writtenOver = [TensorID?](repeating: nil, count: graph.tensors.count)
        for w in writes { writtenOver[w.output] = w.input }
        var stays = [[Stay]](repeating: [], count: graph.tensors.count)
        var offsets = [[Int]](repeating: [], count: graph.tensors.count)
        for (k, op) in order.enumerated() {
            var top = 0
            let inputs = Set(graph.residentInputs(of: op, in: problem.configuration.tensors))
            for t in graph.residentOperands(of: op, in: problem.configuration.tensors) {
                stays[t].append(Stay(first: k, last: k, loaded: inputs.contains(t)))
                // Inputs come before outputs, so an input written over has its offset already.
                offsets[t].append(writtenOver[t].map { offsets[$0].last! } ?? top)
                if writtenOver[t] == nil { top += problem.occupied[t] }
            }
            guard top <= problem.configuration.capacity else {
                let name = problem.fixedOrder == nil ? "default" : "given"
                throw ExactFailure(message: "no plan at capacity \(problem.configuration.capacity) bytes: in the \(name) order operator '\(graph.operators[op].name)' needs \(top) bytes for its operands (in-place on: M_R counts each operator's in-place saving where some schedule allows it, and this order does not)")
            }
        }
        let plan = Residency(order: order, stays: stays, writes: writes)
            .plan(offsets: offsets, problem: problem, method: "spill-everything:\(problem.fixedOrder == nil ? "default" : "fixed")")
        return try CertifiedPlan(certifying: plan, graph: graph)
    }

    /// With in-place on, an order in which every operator whose operands exceed the capacity in
    /// the paper's model is the last reader of one of its ``Graph/inPlaceCandidates(of:)``: the
    /// other readers of the first candidate that none of them follows are made to run first, and
    /// the operators are taken in index order otherwise. `nil` when those demands form a cycle.
    package func orderAllowingInPlace() -> [OperatorID]? {
        let graph = problem.graph
        let configuration = problem.configuration
        let full = graph.workingSets(setting: configuration.tensors, alignment: configuration.alignment)
        let reach = graph.reachability()
        var before = graph.predecessors
        for o in graph.operators.indices where full[o] > configuration.capacity {
            let others = graph.inPlaceCandidates(of: o).lazy.map { x in graph.consumers[x].filter { $0 != o } }
            if let first = others.first(where: { $0.allSatisfy { !reach.isAncestor(o, of: $0) } }) { before[o] += first }
        }
        var waiting = before.map { Set($0).count }
        var after = [[OperatorID]](repeating: [], count: graph.operators.count)
        for o in graph.operators.indices { for p in Set(before[o]) { after[p].append(o) } }
        var ready = graph.operators.indices.filter { waiting[$0] == 0 }
        var order: [OperatorID] = []
        while let o = ready.min() {
            ready.removeAll { $0 == o }
            order.append(o)
            for c in after[o] {
                waiting[c] -= 1
                if waiting[c] == 0 { ready.append(c) }
            }
        }
        return order.count == graph.operators.count ? order : nil
    }

    /// Packs a residency's stays and certifies the resulting plan; `nil` when packing fails,
    /// within its node limit or by ``StayPacker/grace`` after `deadline` (the end of a wall-clock
    /// budget; a work budget gives none, since the search is not charged and its outcome must
    /// not depend on the machine).
    func realise(_ residency: Residency, until deadline: ContinuousClock.Instant?) throws -> CertifiedPlan? {
        let groups = residency.packingItems(problem)
        let packer = StayPacker(capacity: problem.configuration.capacity, alignment: problem.configuration.alignment,
                                budgetEnd: deadline)
        guard let packed = packer.pack(groups.map(\.item)) else { return nil }
        let offsets = residency.offsets(of: groups, packedAt: packed)
        let plan = residency.plan(offsets: offsets, problem: problem, method: methodName)
        return try CertifiedPlan(certifying: plan, graph: problem.graph)
    }
}
