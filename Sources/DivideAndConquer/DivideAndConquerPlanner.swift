package import CosmaILP
package import DNNGraph
import Heuristics
package import MILP
package import Scratchpad
import Foundation

/// Settings of a divide-and-conquer solve.
package struct DivideAndConquerOptions: Sendable {
    /// The MILP solver for the segment programs and the bound.
    package var solver: SolverBackend
    /// Wall-clock budget for the whole solve, in seconds.
    package var timeLimit: Double
    /// Operators per segment in the first pass; later passes move the cut points and grow the
    /// segments while that still improves the plan.
    package var segmentOperators: Int
    /// Wall-clock limit for one segment's program, in seconds.
    package var segmentTimeLimit: Double
    /// Threads for CBC's branch and bound in each segment program (CBC is not thread-safe across
    /// programs in one process, so segments run one at a time and share the cores this way).
    package var threads: Int
    /// Plans to start from; when empty every baseline (``Baseline/all``) is run.
    package var warmStarts: [CertifiedPlan]
    /// A lower bound in bytes known already, at least as strong as the ``CrossingBound`` (see
    /// ``PlanResult/boundSettled``); otherwise the planner computes the crossing bound.
    package var knownBound: Int?
    /// Called after each segment program with the current plan's traffic, the bound, and the
    /// number of segment programs solved so far (as `nodes`).
    package var progress: (@Sendable (SolveProgress) -> Void)?
    /// The deterministic mode: ``timeLimit`` and ``segmentTimeLimit`` are work units instead of
    /// seconds (``TimeBudget/init(work:policy:)``), every solve runs on one thread under a node
    /// limit, and the order search under an evaluation count, so the same input gives the same
    /// plan on any machine and under any load.
    package var deterministic: Bool
    /// The budget to run under instead of a new one from ``timeLimit`` (when divide and conquer
    /// polishes an exact solve, the rest of that solve's budget).
    package var budget: TimeBudget?
    /// A minimum-peak schedule the caller has already (``ExactOptions/minimumPeak``).
    package var minimumPeak: Schedule?

    package init(solver: SolverBackend = .cbc, timeLimit: Double = 60, segmentOperators: Int = 12,
                segmentTimeLimit: Double = 4, threads: Int = 2, warmStarts: [CertifiedPlan] = [], knownBound: Int? = nil,
                progress: (@Sendable (SolveProgress) -> Void)? = nil, deterministic: Bool = false) {
        self.deterministic = deterministic
        self.solver = solver
        self.timeLimit = timeLimit
        self.segmentOperators = segmentOperators
        self.segmentTimeLimit = segmentTimeLimit
        self.threads = threads
        self.warmStarts = warmStarts
        self.knownBound = knownBound
        self.progress = progress
    }
}

/// Near-optimal plans for graphs too large for the joint program, by re-planning one segment of
/// the schedule at a time.
///
/// The COSMA paper (Li, Gupta and Malik, 2023) solves NAS networks by cutting them into pieces
/// and solving each exactly; its description of the heuristic was not available, so this is Cosma's
/// own design (docs/planner.md):
/// 1. Start from the best baseline plan (every heuristic; if fragmentation defeats them all, the
///    compacting heuristics or the plan that spills everything), so the answer is never worse, or
///    from the paper's fixed-schedule program on the minimum-peak order when that is cheaper.
/// 2. Cut its schedule into segments of K positions. For one segment, build the joint program in
///    which the segment's operators may run in any valid order among the segment's positions and
///    everything outside keeps the current plan's decisions (``JointProgram/fix(outside:to:)``):
///    the entry state (what is resident, what has a DRAM copy) and what later segments still
///    need come from the plan. Fixed variables are substituted away before the solver sees the
///    program, and a cutoff below the current traffic makes the solver either prove that the
///    segment cannot improve or return a cheaper residency.
/// 3. Pack the new stays around the addresses the rest of the plan keeps (``StayPacker``, or
///    afresh if that fails) and simulate the plan; keep it if it costs less.
/// 4. Passes repeat this over the segments that carry traffic, costliest first: the whole
///    schedule's replacement with the order kept, chain hoists (``ChainHoist``: a reloaded
///    tensor's readers carried back to where it was resident, or its last use forward, with the
///    operators that follow; the fixed-schedule program re-plans each new order), short
///    segments, cut points moved by half a segment with stays re-planned a segment beyond, longer
///    segments, wider re-planning. When a
///    whole round of passes finds nothing, or the time budget is spent, the best plan is returned.
///
/// The lower bound is the ``CrossingBound`` (valid for every schedule); the plan is optimal only
/// when it meets it. Each segment program runs CBC's branch and bound on ``DivideAndConquerOptions/threads``
/// threads; CBC cannot run two programs at once in one process.
package struct DivideAndConquerPlanner: Sendable {
    package let graph: Graph
    package let configuration: Configuration
    package var options: DivideAndConquerOptions

    package init(graph: Graph, configuration: Configuration, options: DivideAndConquerOptions = DivideAndConquerOptions()) {
        self.graph = graph
        self.configuration = configuration
        self.options = options
    }

    /// The method name plans carry.
    package static let methodName = "cosma-divide-and-conquer"

    /// A plan together with what segment programs need of it.
    struct Incumbent {
        var certified: CertifiedPlan
        var residency: Residency
        var offsets: [[Int]]
        var traffic: Int { certified.report.traffic.nonCompulsory }
    }

    /// Runs the stages (warm starts, crossing bound, order search and fixed-schedule starts, then
    /// the segment passes from the two cheapest distinct starts) under
    /// ``DivideAndConquerOptions/timeLimit``, shared by ``TimeBudget/Policy/divideAndConquer``.
    package func solve() throws -> PlanResult {
        var run = Run(budget: options.budget?.child(nil, policy: .divideAndConquer)
            ?? (options.deterministic ? TimeBudget(work: options.timeLimit, policy: .divideAndConquer)
                : TimeBudget(seconds: options.timeLimit, policy: .divideAndConquer)))
        let baseline = try stage(.warmStarts, &run) { run in try warmStarts(&run) }
        guard baseline.report.traffic.nonCompulsory > 0 else { return result(baseline, run) }
        var starts = [baseline]
        if let known = options.knownBound {
            // Polishing an exact solve, which spent its own time on bounds: the stages in turn.
            run.bound = known
            run.trace.record(.boundProven(.polish, bytes: known))
            segmentSearchUnlessProven(baseline, &run, beamWidth: Self.beamWidth)
            if baseline.report.traffic.nonCompulsory > run.bound { starts += try startsBeyondTheHeuristics(&run) }
        } else {
            starts += try boundsBesideStarts(baseline, &run)
        }
        if let plan = try stage(.segments, &run, { run in try segments(from: starts, &run) }) {
            return result(plan, run)
        }
        return result(baseline, run)
    }

    /// The bounds (crossing bound, then the segment search) in one lane and the segment beams and
    /// the fixed-schedule program on the minimum-peak order in another, side by side
    /// (``TimeBudget/lanes(_:)``), so that one solve keeps both cores of the benchmark machine
    /// busy; then the starts beyond the heuristics
    /// (``startsBeyondTheHeuristics(_:minimumPeakDone:)``), which need the blocks' orders from
    /// both lanes. Each lane gets what the two bound stages get of the budget (a tenth and two
    /// fifths). The starts, or none when the bound proves `baseline` optimal.
    ///
    /// The fixed-schedule program is the one start that needs nothing from the bounds: the order
    /// search starts from the segment search's order (on RandWire-ER seed 3 with weights at `M_R`
    /// it found 7,172,032 bytes from it and 11,792,928 without). Run in turn it got about a unit
    /// here; beside the bounds it gets up to fifteen, enough for CBC to improve on the heuristics'
    /// replacement on RandWire's orders.
    func boundsBesideStarts(_ baseline: CertifiedPlan, _ run: inout Run) throws -> [CertifiedPlan] {
        // Both lanes read the minimum-peak order, the graph's ancestor relation and the crowded
        // blocks: found once, before they part.
        let minimumPeak = minimumPeakOrder(&run)
        _ = crowdedBlocks(&run)
        let shares = [PlannerStage.crossingBound, .segmentSearch].compactMap { run.budget.share(for: $0) }
        let amount = run.budget.limit == nil ? nil : shares.reduce(0, +)
        let lanes = run.budget.lanes([(amount, .boundLane), (amount, .planLane)])
        let bounds = LaneRun(run.lane(lanes.budgets[0]))
        let containment = SolverContainment.current
        // The bound lane's thread cannot see the task's cancellation: it is passed on, from the start.
        if Task.isCancelled { lanes.stopAll() }
        let group = DispatchGroup()
        // A queue of its own: Dispatch's overcommitting pool adds a thread for it (MILP's solve does the same).
        DispatchQueue(label: "cosma.bound-lane").async(group: group) { [self] in
            lanes.run(containment) {
                bounds.result = Result {
                    var lane = bounds.run
                    try stage(.crossingBound, &lane) { lane in try crossingBound(share: lane.budget.share(for: .crossingBound), &lane) }
                    segmentSearchUnlessProven(baseline, &lane)
                    return lane
                }
            }
        }
        var plans = run.lane(lanes.budgets[1])
        stage(.segmentBeams, &plans) { lane in segmentBeams(share: lane.budget.share(for: .segmentBeams), &lane) }
        let fixed = Result {
            try stage(.fixedSchedule, &plans) { lane in
                try fixedScheduleStart(minimumPeak, share: lane.budget.share(for: .fixedSchedule), &lane)
            }
        }
        while group.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
            if Task.isCancelled { lanes.stopAll() }
        }
        let work = lanes.join()
        let boundLane = try bounds.result!.get()
        run.absorb(boundLane)
        run.absorb(plans)
        run.trace.record(.sideBySide([boundLane.trace.stages, plans.trace.stages], work: work))
        run.bound = boundLane.bound
        run.blockOrders = boundLane.blockOrders
        run.blockOrders.merge(beams: plans.blockOrders)
        guard baseline.report.traffic.nonCompulsory > run.bound else { return [] }
        return try (fixed.get().map { [$0] } ?? []) + startsBeyondTheHeuristics(&run, minimumPeakDone: true)
    }

    /// The segment search stage, under its share of `run`'s budget, unless the bound already
    /// proves `baseline` optimal.
    /// `beamWidth`: the beams that order a block the search leaves unsettled, where no plan lane
    /// runs ``segmentBeams(share:_:)`` beside it (the polish after an exact solve).
    func segmentSearchUnlessProven(_ baseline: CertifiedPlan, _ run: inout Run, beamWidth: Int? = nil) {
        guard baseline.report.traffic.nonCompulsory > run.bound else { return }
        stage(.segmentSearch, &run) { run in segmentSearch(share: run.budget.share(for: .segmentSearch), beamWidth: beamWidth, &run) }
    }

    /// A lane's run, handed to the thread it runs on and back (``boundsBesideStarts(_:_:)``);
    /// ``DispatchGroup/wait()`` orders the hand-back before the read.
    final class LaneRun: @unchecked Sendable {
        var run: Run
        var result: Result<Run, any Error>?

        init(_ run: Run) { self.run = run }
    }

    /// What the stages of one solve share.
    struct Run {
        let budget: TimeBudget
        var trace = PlanTrace()
        var bound = 0
        var warm: [CertifiedPlan] = []
        var stats = Stats()
        /// The traffic of the cheapest start so far.
        var cheapest = Int.max
        /// The minimum-peak search's schedule, once run: its order starts the fixed-schedule
        /// program and the window covers, its lower bound on `M_P` holds for every order.
        var minimumPeak: Schedule?
        /// The orders the segment search and the segment beams found for the crowded blocks.
        var blockOrders = BlockOrders()
        /// The separated segments' cheapest orders joined, with the settled windows' orders spliced
        /// into the segments too large for the search (``segmentSearch(share:beamWidth:_:)``), when it found
        /// one for some segment: one order, or one per beam where beams ordered a block.
        var segmentOrders: [[OperatorID]] { blocks.map { blockOrders.joined($0.segments) } ?? [] }
        /// The graph's ancestor relation, once computed (by ``crowdedBlocks(_:)`` or the crossing bound).
        var reach: Reachability?
        /// The blocks the segment search bounds and the segment beams order, once found.
        var blocks: CrowdedBlocks?

        /// Records `plan`, a start found in `stage`, as the best so far or as no better.
        mutating func found(_ plan: CertifiedPlan, in stage: PlannerStage) {
            if trace.record(plan, from: stage, against: cheapest) { cheapest = plan.report.traffic.nonCompulsory }
        }

        /// Whether a spent (or cancelled) wall-clock budget starts no more fixed-schedule
        /// programs, recorded in the trace: each runs a heuristic on the whole order first,
        /// seconds on 20,000 operators, and the warm start is a valid plan already. A work budget
        /// keeps their floor, so that the deterministic mode's plans stay what they were.
        mutating func skipsFixedSchedule() -> Bool {
            guard !budget.isDeterministic, !budget.hasLeft(TimeBudget.smallestShare) else { return false }
            trace.record(.skipped(.fixedSchedule, .budgetSpent))
            return true
        }

        /// A run for a lane (``boundsBesideStarts(_:_:)``) under `budget`: what this run knows,
        /// an empty trace and no statistics yet.
        func lane(_ budget: TimeBudget) -> Run {
            var lane = Run(budget: budget)
            lane.bound = bound
            lane.warm = warm
            lane.cheapest = cheapest
            lane.minimumPeak = minimumPeak
            lane.reach = reach
            lane.blocks = blocks
            return lane
        }

        /// Takes in a lane's trace, statistics and cheapest start (the lanes in a fixed order, so
        /// that the trace does not depend on which lane ended first).
        mutating func absorb(_ lane: Run) {
            trace.append(lane.trace)
            stats.spent(build: lane.stats.buildSeconds, solve: lane.stats.solveSeconds)
            cheapest = min(cheapest, lane.cheapest)
        }
    }

    /// Runs `body` as `stage` of the trace.
    @discardableResult
    func stage<T>(_ stage: PlannerStage, _ run: inout Run, _ body: (inout Run) throws -> T) rethrows -> T {
        let timing = StageTiming(stage, share: run.budget.share(for: stage), budget: run.budget)
        run.trace.record(timing.started)
        let value = try body(&run)
        run.trace.record(timing.ended(run.budget))
        return value
    }

    /// The given warm starts or every baseline, and the cheapest of them.
    func warmStarts(_ run: inout Run) throws -> CertifiedPlan {
        let exact = ExactPlanner(graph: graph, configuration: configuration)
        var warm = options.warmStarts
        run.minimumPeak = options.minimumPeak
        if warm.isEmpty {
            let baselines = try exact.baselines(within: run.budget, minimumPeak: options.minimumPeak, lenient: true)
            warm = baselines.plans
            run.minimumPeak = baselines.minimumPeak
        }
        if warm.isEmpty {
            // Fragmentation defeats every baseline: the same heuristics, compacting the scratchpad
            // when they are stuck, and as a last resort the plan that spills everything.
            warm = exact.plansFollowing(Array(graph.operators.indices), name: "default")
            // With in-place on the default order may not allow the savings `M_R` counts.
            if warm.isEmpty, configuration.inPlace == .on, let order = exact.orderAllowingInPlace() {
                warm = exact.plansFollowing(order, name: "in-place")
            }
            if warm.isEmpty {
                warm = [try exact.spillEverything()]
                run.trace.record(.fellBackToSpillingEverything)
            }
        }
        run.warm = warm
        let baseline = Self.cheapest(warm)
        run.found(baseline, in: .warmStarts)
        return baseline
    }

    /// The minimum-peak search's order: the baselines' search when they ran it, the warm start
    /// that followed it when the caller gave one, else the search under its share of the budget
    /// (once: ``Run/minimumPeak`` keeps it).
    func minimumPeakOrder(_ run: inout Run) -> [OperatorID] {
        if let known = run.minimumPeak { return known.order }
        let method = "heuristic:\(ScheduleKind.mpmfSearch.rawValue)+"
        if let warm = run.warm.first(where: { $0.plan.method?.hasPrefix(method) == true }) {
            return Residency.order(of: warm.plan, graph: graph)
        }
        let limit = run.budget.searchLimit(share: TimeBudget.minimumPeakForWarmStart, operators: graph.operators.count)
        let schedule = graph.schedule(.mpmfSearch, setting: configuration.tensors, alignment: configuration.alignment,
                                      inPlace: configuration.inPlace, scheduler: MinimumPeakScheduler(limit: limit))
        run.budget.charge(searched: schedule, operators: graph.operators.count)
        run.minimumPeak = schedule
        return schedule.order
    }

    static func cheapest(_ plans: [CertifiedPlan]) -> CertifiedPlan {
        plans.min { $0.report.traffic.nonCompulsory < $1.report.traffic.nonCompulsory }!
    }

    /// The ``CrossingBound``, valid for every schedule, with the covers that the minimum-peak
    /// schedule gives: its lower bound on `M_P`, and its segments' peaks, whose searches may spend
    /// half the share (``CrossingBound/peakCovers``).
    func crossingBound(share: Double?, _ run: inout Run) throws {
        let clock = ContinuousClock()
        let start = clock.now
        let n = graph.operators.count
        let crossing = CrossingBound(problem: PlanningProblem(graph: graph, configuration: configuration),
                                     deadline: ExactPlanner.searchDeadline(share: share, of: run.budget),
                                     peakBound: run.minimumPeak?.lowerBound, order: minimumPeakOrder(&run),
                                     segmentLimit: run.budget.searchLimit(share.map { $0 / 2 }, operators: n), reach: run.reach)
        run.budget.charge(states: crossing.segmentStates, operators: n)
        run.reach = crossing.reach
        run.trace.recordCutShort(.crossingBound, examined: crossing.operatorsExamined, of: n)
        run.bound = try crossing.solve(with: options.solver, within: run.budget.child(share))
        run.stats.solveSeconds += (clock.now - start).inSeconds
        run.trace.record(.boundProven(.crossingBound, bytes: run.bound))
    }

    /// The least traffic of each block of separated segments that the minimum-peak order crowds
    /// beyond the capacity (``SegmentTrafficSearch``; consecutive segments joined into blocks of at
    /// most ``joinedBlockLimit`` operators), the smallest first, each with its part of what is left
    /// of `share` (``blockStates(left:blocksLeft:)``): one settled segment is worth more than
    /// several half-searched ones, whose bound stays near what the estimate gives at once.
    ///
    /// A segment beyond the search (more than 128 operators or tensors: a NAS network has no
    /// separator, so its one segment is the whole graph) counts its windows' largest bound
    /// instead (``windowSearch(_:crowded:search:limit:longest:)``). On AmoebaNet at `M_R` one
    /// window of 127 operators proves 431,200 bytes, where the crossing bound proves 280,672, and
    /// its order, spliced into the minimum-peak order, gives the fixed-schedule program a plan
    /// that meets it.
    ///
    /// Their sum bounds every plan, whether or not every search finished: an unfinished one counts
    /// the least estimate it left open, and the segments within the capacity count nothing. The
    /// segments' cheapest orders, joined in the minimum-peak order's sequence
    /// (``BlockOrders/joined(_:)``), start the order search and the fixed-schedule program. Where a
    /// search did not finish, two beam searches order the block
    /// (``SegmentTrafficSearch/Outcome/beams``): the plan lane's (``segmentBeams(share:_:)``), or,
    /// given a `beamWidth`, this stage's own after the search. Each of their orders makes a joined
    /// order of its own: the fixed-schedule program plans both, and the cheaper plan goes on.
    /// Neither beam wins on every block; the second beam and the program on its order take units
    /// from the later stages (results/divide-and-conquer-ablation.md, journal 39).
    func segmentSearch(share: Double?, beamWidth: Int? = nil, _ run: inout Run) {
        let blocks = crowdedBlocks(&run)
        let search = SegmentTrafficSearch(graph: graph, configuration: configuration)
        var limit = run.budget.searchLimit(share, stateCost: WorkRates.segmentTrafficState)
        // A beam that orders an unsettled block runs past the stage's share, since the order
        // matters more than its few seconds, but not past the whole budget's end. Under a work
        // budget there is no deadline: the beam is charged instead.
        let beamDeadline = run.budget.end
        var total = 0
        var settled = 0
        // With in-place on neither bound is for the same model as the plan's.
        for (searched, k) in blocks.crowded.enumerated() where configuration.inPlace == .off {
            let segment = blocks.segments[k]
            let states = Self.blockStates(left: limit.statesLeft, blocksLeft: blocks.crowded.count - searched)
            // The whole graph's crossing bound is the run's already.
            let crossing = blocks.segments.count > 1 ? segmentCrossingBound(segment, run: &run) : 0
            // A segment of more than 128 operators or tensors is beyond the search (NAS networks,
            // RandWire's stages with their weights): its windows' largest bound counts, and its
            // crossing bound.
            guard let outcome = search.run(segment, stateBudget: states, limit: &limit, beamWidth: beamWidth, beamDeadline: beamDeadline)
            else {
                let crowdedSteps = segment.indices.filter { blocks.profile[blocks.starts[k] + $0] > configuration.capacity }
                let windows = windowSearch(segment, crowded: crowdedSteps, search: search, limit: &limit)
                total += max(crossing, windows.bound)
                settled += windows.examined
                if let spliced = windows.order { run.blockOrders.found[k] = [spliced] }
                continue
            }
            total += max(outcome.lowerBound, crossing)
            run.budget.charge(Double(outcome.beamChildren) * WorkRates.segmentBeamChild)
            if let best = outcome.order {
                run.blockOrders.found[k] = [best]
                settled += best.count
            } else if !outcome.beams.isEmpty {
                // The beams' orders, or the search's own plan past a state it left open.
                run.blockOrders.unsettled[k] = outcome.beams.map(\.order)
            }
        }
        run.trace.recordCutShort(.segmentSearch, examined: settled, of: blocks.crowded.reduce(0) { $0 + blocks.segments[$1].count })
        run.budget.charge(Double(limit.statesSpent) * WorkRates.segmentTrafficState)
        if total > run.bound {
            run.bound = total
            run.trace.record(.boundProven(.segmentSearch, bytes: total))
        }
    }

    /// The separated segments of the minimum-peak order, joined into blocks
    /// (``SegmentTrafficSearch/blocks(joining:limit:)``), and those it crowds: what the segment
    /// search bounds and the segment beams order, found once for both lanes (``Run/blocks``).
    struct CrowdedBlocks {
        /// Every block's operators, in the order the minimum-peak order runs the blocks.
        var segments: [[OperatorID]]
        /// Where each block starts in the minimum-peak order.
        var starts: [Int]
        /// The live bytes at each step of the minimum-peak order.
        var profile: [Int]
        /// The blocks of more than one operator that the minimum-peak order crowds beyond the
        /// capacity, by index, the smallest first: they finish sooner, and what they leave goes
        /// to the larger ones.
        var crowded: [Int]
    }

    /// `run`'s crowded blocks, found and kept in `run` (with the graph's ancestor relation) the
    /// first time: ``boundsBesideStarts(_:_:)`` finds them before its lanes part, so that
    /// neither lane computes the ancestor relation or the blocks again (on a graph of 20,000
    /// operators the relation takes about 50 MB and a second).
    func crowdedBlocks(_ run: inout Run) -> CrowdedBlocks {
        if let known = run.blocks { return known }
        let reach = run.reach ?? graph.reachability()
        run.reach = reach
        let order = minimumPeakOrder(&run)
        let profile = graph.liveProfile(order: order, setting: configuration.tensors, alignment: configuration.alignment,
                                        inPlace: configuration.inPlace)
        let separated = graph.separatedSegmentPeaks(order: order, reach: reach, profile: profile)
        let search = SegmentTrafficSearch(graph: graph, configuration: configuration)
        // NAS networks have no separator: their one segment is the whole graph.
        let parts = separated.count > 1 ? search.blocks(joining: separated, limit: Self.joinedBlockLimit) : separated
        let segments = parts.map(\.operators)
        var crowded = parts.indices.filter { parts[$0].operators.count > 1 && parts[$0].peak > configuration.capacity }
        crowded.sort { (segments[$0].count, $0) < (segments[$1].count, $1) }
        let blocks = CrowdedBlocks(segments: segments, starts: segments.reduce(into: [0]) { $0.append($0.last! + $1.count) },
                                   profile: profile, crowded: crowded)
        run.blocks = blocks
        return blocks
    }

    /// The plan lane's orders for the crowded blocks (``crowdedBlocks(_:)``), beside the segment
    /// search that bounds them: each block is searched for at most ``beamSearchStates`` states,
    /// and where that does not settle it, two beams order it (``SegmentTrafficSearch/Outcome/beams``),
    /// ``beamWidth`` states per depth, then ``widerBeamWidth`` where the children the narrow ones
    /// made, scaled, fit in what is left of `share`.
    ///
    /// The beams used to run in the bound lane, after each block's search, so their work came out
    /// of what the bounds of the next blocks and the later stages got, and a wider beam lost more
    /// plans there than its orders gained (results/divide-and-conquer-ablation.md, journals 34
    /// and 49). Here they run while the other lane searches, and a block the segment search settles
    /// takes its optimal order instead (``BlockOrders/joined(_:)``).
    func segmentBeams(share: Double?, _ run: inout Run) {
        guard configuration.inPlace == .off else { return }
        let blocks = crowdedBlocks(&run)
        let search = SegmentTrafficSearch(graph: graph, configuration: configuration)
        var limit = run.budget.searchLimit(share, stateCost: WorkRates.segmentTrafficState)
        // The children the beams may make: the share, less what the searches spend, in beam children.
        var children = share.map { Int($0 / WorkRates.segmentBeamChild) }
        for k in blocks.crowded {
            let states = min(Self.beamSearchStates, limit.statesLeft ?? Int.max)
            let statesBefore = limit.statesSpent
            guard let outcome = search.run(blocks.segments[k], stateBudget: states, limit: &limit, beamWidth: Self.beamWidth,
                                           beamDeadline: run.budget.end, widerBeam: Self.widerBeamWidth,
                                           beamChildLimit: children.map { max(0, $0) })
            else { continue }
            let spent = limit.statesSpent - statesBefore
            children = children.map { $0 - outcome.beamChildren - Int(Double(spent) * WorkRates.segmentTrafficState / WorkRates.segmentBeamChild) }
            run.budget.charge(Double(outcome.beamChildren) * WorkRates.segmentBeamChild)
            if let best = outcome.order {
                run.blockOrders.beams[k] = [best]
            } else if !outcome.beams.isEmpty {
                run.blockOrders.beams[k] = outcome.beams.map(\.order)
            }
        }
        run.budget.charge(Double(limit.statesSpent) * WorkRates.segmentTrafficState)
    }

    /// Each crowded block's orders, from either lane, by the block's index in ``CrowdedBlocks/segments``.
    struct BlockOrders {
        /// The segment search's: optimal orders of the blocks it settled, and segments with their
        /// settled windows' orders spliced in.
        var found: [Int: [[OperatorID]]] = [:]
        /// The segment search's orders for the blocks it did not settle: its beams' (where no plan
        /// lane ran), or its own plan past a state it left open.
        var unsettled: [Int: [[OperatorID]]] = [:]
        /// The plan lane's (``segmentBeams(share:_:)``): an optimal order where its short search
        /// settled the block, else its beams'.
        var beams: [Int: [[OperatorID]]] = [:]

        /// Takes the plan lane's beams into the bound lane's orders.
        mutating func merge(beams lane: BlockOrders) {
            beams = lane.beams
        }

        /// The blocks' orders joined, with `segments` the blocks' operators as the minimum-peak
        /// order runs them (``CrowdedBlocks/segments``, the order of a block with nothing better):
        /// the i-th joined order takes each block's i-th order, or its last where it has fewer; a
        /// block's orders are the segment search's where it settled the block, else the plan
        /// lane's, else the segment search's others. Empty when no block has an order of its own.
        func joined(_ segments: [[OperatorID]]) -> [[OperatorID]] {
            guard !(found.isEmpty && unsettled.isEmpty && beams.isEmpty) else { return [] }
            let orders = segments.indices.map { found[$0] ?? beams[$0] ?? unsettled[$0] ?? [segments[$0]] }
            var joined: [[OperatorID]] = []
            for i in 0..<(orders.map(\.count).max() ?? 1) {
                let order = orders.flatMap { $0[min(i, $0.count - 1)] }
                if !joined.contains(order) { joined.append(order) }
            }
            return joined
        }
    }

    /// The largest least traffic of windows over `segment` (``SegmentTrafficSearch/Scope/window``,
    /// ``SegmentTrafficSearch/windows(over:crowded:longest:)``), each searched with at most
    /// ``SegmentTrafficSearch/stateLimit`` states of `limit`; `segment` with the cheapest orders
    /// of the windows that settled spliced in, where they do not overlap (`nil` when none did);
    /// and how many of its operators count as examined: all of them when every window settled,
    /// else those of the windows that settled.
    ///
    /// A window of a separated segment bounds that segment's share of every plan: what its own
    /// problem counts (a reload, or a store of a tensor it made) happens between two of its steps,
    /// so inside the segment's span, where no other segment's problem counts anything. So the
    /// largest window bound stands in for the segment's own in the sum over segments. Splicing
    /// keeps the order valid: a window is a run of consecutive operators of a valid order, and its
    /// order keeps the edges among them.
    func windowSearch(_ segment: [OperatorID], crowded: [Int], search: SegmentTrafficSearch, limit: inout SearchLimit,
                      longest: Int = SegmentTrafficSearch.maximumSize) -> (bound: Int, order: [OperatorID]?, examined: Int)
    {
        var bound = 0
        var order = segment
        var spliced: [Range<Int>] = []
        var settled = Set<Int>()
        var complete = true
        let paidLater = graph.tensorsReadOutside(segment)
        for window in search.windows(over: segment, crowded: crowded, longest: longest) {
            let states = min(SegmentTrafficSearch.stateLimit, limit.statesLeft ?? Int.max)
            guard !limit.isSpent,
                  let outcome = search.run(Array(segment[window]), scope: .window, stateBudget: states, limit: &limit, storesPaidLater: paidLater)
            else {
                complete = false
                continue
            }
            bound = max(bound, outcome.lowerBound)
            guard let best = outcome.order else {
                complete = false
                continue
            }
            settled.formUnion(window)
            if !spliced.contains(where: { $0.overlaps(window) }) {
                order.replaceSubrange(window, with: best)
                spliced.append(window)
            }
        }
        return (bound, spliced.isEmpty ? nil : order, complete ? segment.count : settled.count)
    }

    /// The crossing bound of `segment` as a graph of its own (``DNNGraph/Graph/inducedSubgraph(_:)``),
    /// with at most ``segmentCrossingShare`` of the budget: a bound on the segment's own problem too,
    /// for the segments too large for the search to settle. 0 when it cannot be had.
    func segmentCrossingBound(_ segment: [OperatorID], run: inout Run) -> Int {
        guard let part = try? graph.inducedSubgraph(segment) else { return 0 }
        let crossing = CrossingBound(problem: PlanningProblem(graph: part, configuration: configuration))
        return (try? crossing.solve(with: options.solver, within: run.budget.child(Self.segmentCrossingShare))) ?? 0
    }

    /// The most operators of a joined block (``SegmentTrafficSearch/blocks(joining:limit:)``):
    /// RandWire-BA's first stage (62) settles in about 15,000 states, while RandWire-WS's first stage
    /// (56 operators that all crowd) takes 632,690, so larger unions of crowded segments might
    /// not settle where their parts would.
    static let joinedBlockLimit = 64

    /// What one segment's crossing bound may spend.
    static let segmentCrossingShare = 0.5

    /// States per depth of the beam search that orders a segment whose exact search did not finish.
    /// 2,000 gave better plans on #18's benchmark (mean gap 8.9% to 8.6%, 13 instances above 25%
    /// to 11), but took RandWire-ER (seed 2) with weights at `M_R` to 62 s, past the 60 s asked
    /// (`results/divide-and-conquer-ablation.md`, journal 34). Its memory (2.1 GB) is gone now
    /// that the beam keeps only each depth's survivors, but not its time: that instance's beams over
    /// its two unsettled blocks took 18.8 s and 7.1 s at 2,000 states per depth, 3.9 s and 1.7 s at
    /// 500 (one beam per block then; now two). Since journal 49 the plan lane runs these first,
    /// beside the bounds, and ``widerBeamWidth`` after where its share pays for it
    /// (``segmentBeams(share:_:)``); the polish after an exact solve runs these alone.
    static let beamWidth = 500

    /// The most states the segment search makes for one block: twice
    /// ``SegmentTrafficSearch/stateLimit``, where its share pays for them and no other block
    /// needs them, about 830 MB at the peak (RandWire-BA seed 2 at `M_H`, whose 101-operator block
    /// rises from 3 tensors to 4 with them: the bound from 2,221,856 bytes to 2,392,768).
    static let blockStateLimit = 2 * SegmentTrafficSearch.stateLimit

    /// The states the segment search may make for the next block, with `left` states left (`nil`:
    /// no limit) for it and `blocksLeft - 1` blocks after it: what is left split evenly, but never
    /// less than ``SegmentTrafficSearch/stateLimit`` (what every block got before the split) nor
    /// more than ``blockStateLimit``. Blocks go smallest first, so the largest, which do not
    /// settle, come last and take what the settled ones left.
    static func blockStates(left: Int?, blocksLeft: Int) -> Int {
        let left = left ?? Int.max
        return min(blockStateLimit, max(SegmentTrafficSearch.stateLimit, left / max(1, blocksLeft)), left)
    }

    /// States per depth of the wider beams that follow the narrow ones where the plan lane's share
    /// pays for them (``segmentBeams(share:_:)``).
    static let widerBeamWidth = 2000

    /// States the plan lane's segment beams search a block for before they order it: enough to
    /// settle the blocks that settle at once, whose beams would be wasted (RandWire-ER seed 3's
    /// last block with weights at `M_R`, 118 operators, takes 815), at 0.15 units.
    static let beamSearchStates = 100_000

    /// Starts below the heuristics (when the bound leaves room): orders chosen for spilling rather
    /// than for peak (15 orders per operator, so that the search is repeatable unless time runs
    /// short), and the paper's fixed-schedule program on the minimum-peak order (unless
    /// `minimumPeakDone`: the plan lane of ``boundsBesideStarts(_:_:)`` ran it), the segment
    /// search's and the searched order: replacement decided for the whole graph at once, usually
    /// far better than on-line eviction, and cheap because every operator's window is one position.
    func startsBeyondTheHeuristics(_ run: inout Run, minimumPeakDone: Bool = false) throws -> [CertifiedPlan] {
        var starts: [CertifiedPlan] = []
        var orders = minimumPeakDone ? [] : [minimumPeakOrder(&run)]
        orders += run.segmentOrders
        stage(.orderSearch, &run) { run in
            if let found = searchOrders(from: initialOrders(run), constructing: true, within: run.budget.child(run.budget.share(for: .orderSearch) ?? 15),
                                        evaluations: 15 * graph.operators.count, seed: 1) {
                run.found(found.best, in: .orderSearch)
                starts.append(found.best)
                orders.append(found.order)
            }
        }
        try stage(.fixedSchedule, &run) { run in
            let share = (run.budget.share(for: .fixedSchedule) ?? 30) / Double(orders.count + (minimumPeakDone ? 1 : 0))
            for order in orders {
                if run.skipsFixedSchedule() { break }
                if let fixed = try fixedScheduleStart(order, share: share, &run) { starts.append(fixed) }
            }
        }
        return starts
    }

    /// The orders an order search starts from: the default order, the warm starts' orders and the
    /// segment search's, when there is one (many baselines share an order: each is scored once).
    func initialOrders(_ run: Run) -> [[OperatorID]] {
        var initial: [[OperatorID]] = []
        for order in [Array(graph.operators.indices)] + run.warm.map({ Residency.order(of: $0.plan, graph: graph) })
            + run.segmentOrders
        where !initial.contains(order) { initial.append(order) }
        return initial
    }

    /// The fixed-schedule program on `order` with `share` of `run`'s budget (at least half a
    /// unit), recorded in `run`; `nil` when the order cannot be planned.
    func fixedScheduleStart(_ order: [OperatorID], share: Double?, _ run: inout Run) throws -> CertifiedPlan? {
        // With in-place on an order may need more than `M_R` (ExactPlanner.spillEverything).
        let fixed: PlanResult
        do { fixed = try fixedSchedule(order, within: run.budget.child(max(0.5, share ?? 0.5))) } catch is ExactFailure {
            return nil
        }
        run.stats.spent(build: fixed.buildSeconds, solve: fixed.solveSeconds)
        run.found(fixed.result, in: .fixedSchedule)
        return fixed.result
    }

    /// The segment passes from the two cheapest distinct starts: segments improve a plan only
    /// locally, so a plan that starts dearer sometimes ends cheaper. The first gets most of the
    /// time unless it converges. `nil` when there is nothing to improve.
    func segments(from starts: [CertifiedPlan], _ run: inout Run) throws -> CertifiedPlan? {
        var lines: [CertifiedPlan] = []
        for start in starts.sorted(by: { $0.report.traffic.nonCompulsory < $1.report.traffic.nonCompulsory })
        where !lines.contains(where: { $0.report.traffic.nonCompulsory == start.report.traffic.nonCompulsory }) {
            lines.append(start)
        }
        lines = Array(lines.prefix(2))
        var best: Incumbent?
        for (i, line) in lines.enumerated() {
            let remaining = run.budget.remaining ?? options.timeLimit
            if let best, best.traffic <= run.bound || remaining < 1 { break }
            guard let first = try incumbent(from: line) else {
                run.trace.record(.skipped(.segments, .unreadableStart(method: line.plan.method ?? "")))
                if best == nil { return line }
                continue
            }
            // A segment program is built over the whole order, everything outside the segment
            // fixed: on 20,000 operators that is hundreds of millions of rows (gigabytes per
            // segment), so such an order is refused by its estimated size before one is built.
            let rows = PlanningProblem(graph: graph, configuration: configuration, fixedOrder: first.residency.order).estimatedCapacityRows
            if rows > Self.segmentRowLimit {
                run.trace.record(.skipped(.segments, .programTooLarge(rows: rows, limit: Self.segmentRowLimit)))
                if best == nil { return line }
                continue
            }
            let share = i == lines.count - 1 ? remaining : run.budget.share(for: .firstStart) ?? remaining
            let improved = try improve(from: first, within: run.budget.child(share), bound: run.bound, stats: &run.stats,
                                       origin: run.budget)
            if best == nil || improved.traffic < best!.traffic { best = improved }
        }
        run.trace.record(.passes(run.stats.passes))
        if let best, best.traffic > run.bound, !run.budget.hasLeft(1) { run.trace.record(.skipped(.segments, .budgetSpent)) }
        return best?.certified
    }

    /// Above this estimate of the whole order's fixed-schedule program no segment is replanned.
    /// The repository's graphs stay under 200,000 rows (their free-schedule programs are larger
    /// than any fixed-order one); a RandWire graph of 20,023 operators has 870 million.
    static let segmentRowLimit = 10_000_000

    /// The answer: status and bound are derived by ``PlanResult``.
    func result(_ plan: CertifiedPlan, _ run: Run) -> PlanResult {
        PlanResult(plan: plan, bound: run.bound, unproven: run.budget.hasLeft(1) ? .feasible : .timeLimit, solver: options.solver,
                   buildSeconds: run.stats.buildSeconds, solveSeconds: run.stats.solveSeconds, trace: run.trace,
                   work: run.budget.isDeterministic ? run.budget.spent : nil)
    }

    /// What the improvement passes did, over every start, and where their time went.
    struct Stats {
        var passes = PassStatistics()
        var buildSeconds = 0.0
        var solveSeconds = 0.0

        mutating func spent(build: Double, solve: Double) {
            buildSeconds += build
            solveSeconds += solve
        }
    }

    /// Improves `start` pass after pass (segments, hoists, moved cut points, longer segments; see
    /// ``Pass/schedule(segmentOperators:operators:)``) until it meets `bound`, `budget` is spent,
    /// or the passes and a few order-search restarts in a row find nothing.
    /// Progress reports count seconds spent of `origin`, the budget of the whole solve.
    func improve(from start: Incumbent, within budget: TimeBudget, bound: Int, stats: inout Stats,
                 origin: TimeBudget) throws -> Incumbent {
        func remaining() -> Double { budget.remaining ?? options.timeLimit }
        var current = start
        let passes = Pass.schedule(segmentOperators: options.segmentOperators, operators: graph.operators.count)
        var fruitless = 0
        var pass = 0
        var restarts = 0
        // The restart count when one was last kept: restarts since then found nothing.
        var lastKeptRestart = 0
        var exhaustedHoists: Residency?
        func report() {
            options.progress?(SolveProgress(elapsedSeconds: origin.spent, incumbent: Double(current.traffic),
                                            bestBound: Double(bound), nodes: stats.passes.segmentsSolved + stats.passes.hoistsTried))
        }
        search: while current.traffic > bound {
            if fruitless >= passes.count {
                // Every pass has stalled on this order: search orders around it for one whose
                // fixed-schedule program costs less, and start the passes again from there. A few
                // restarts in a row that find nothing mean the search has converged.
                guard remaining() >= 3, restarts - lastKeptRestart < Self.fruitlessRestarts else { break }
                restarts += 1
                guard let restart = try restart(from: current, within: budget, stats: &stats) else { break }
                if let better = restart {
                    current = better
                    lastKeptRestart = restarts
                    stats.passes.keptRestarts += 1
                    fruitless = 0
                    exhaustedHoists = nil
                    report()
                }
                continue
            }
            let setting = passes[pass % passes.count]
            pass += 1
            stats.passes.passes += 1
            var improved = false
            switch setting {
            case .hoists where current.residency != exhaustedHoists:
                // A third of what is left, so that windows still get to polish what hoists find.
                while let attempt = try hoist(current, within: budget.child(budget.share(for: .chainHoists) ?? remaining())) {
                    stats.spent(build: attempt.buildSeconds, solve: attempt.solveSeconds)
                    stats.passes.hoistsTried += attempt.tried
                    guard let better = attempt.better else {
                        // Every hoist of this plan was tried; the next round need not repeat them.
                        if attempt.complete { exhaustedHoists = current.residency }
                        break
                    }
                    current = better
                    improved = true
                    stats.passes.hoistsKept += 1
                    report()
                    if current.traffic <= bound { break search }
                }
                if remaining() < 0.5 { break search }
            case .hoists:
                break
            case let .windows(length, shift, margin, reorders):
                for window in windows(of: current, length: length, shift: shift) {
                    let left = remaining()
                    if left < 0.5 { break search }
                    let attempt = try improve(current, segment: window, margin: margin, reorders: reorders,
                                              within: budget.child(min(3 * options.segmentTimeLimit, left)))
                    stats.spent(build: attempt.buildSeconds, solve: attempt.solveSeconds)
                    stats.passes.segmentsSolved += 1
                    if let better = attempt.better {
                        current = better
                        improved = true
                        stats.passes.improvements += 1
                        if current.traffic <= bound { break search }
                    }
                    report()
                }
            }
            fruitless = improved ? 0 : fruitless + 1
        }
        return current
    }

    /// One order-search restart from `current`: the searched order's fixed-schedule program,
    /// re-read as stays when it is cheaper. `nil` when the search finds no order, `.some(nil)`
    /// when the order is no cheaper.
    func restart(from current: Incumbent, within budget: TimeBudget, stats: inout Stats) throws -> Incumbent?? {
        let remaining = budget.remaining ?? options.timeLimit
        stats.passes.restarts += 1
        guard let found = searchOrders(from: [current.residency.order], constructing: false,
                                       within: budget.child(budget.share(for: .restartOrderSearch) ?? remaining),
                                       evaluations: 10 * graph.operators.count, seed: UInt64(stats.passes.restarts + 1)) else { return nil }
        let limit = min(3 * options.segmentTimeLimit, budget.remaining ?? remaining)
        let fixed = try fixedSchedule(found.order, within: budget.child(max(0.5, limit)))
        stats.spent(build: fixed.buildSeconds, solve: fixed.solveSeconds)
        guard fixed.nonCompulsory < current.traffic, let better = try incumbent(from: fixed.result), better.traffic < current.traffic else {
            return .some(nil)
        }
        return better
    }

    /// The spill-aware order search (``SpillAwareOrderSearch``) from `starts` for at most
    /// `evaluations` orders and what is left of `budget` (its seconds, or the evaluations its
    /// work pays for), with randomised constructions first when `constructing`, else only moves.
    func searchOrders(from starts: [[OperatorID]], constructing: Bool, within budget: TimeBudget, evaluations: Int,
                      seed: UInt64) -> SpillAwareOrderSearch.Outcome? {
        let search = SpillAwareOrderSearch(graph: graph, configuration: configuration,
                                           evaluations: budget.evaluations(evaluations, operators: graph.operators.count),
                                           constructionShare: constructing ? 0.25 : 0, seed: seed)
        let deadline = budget.isDeterministic ? nil : budget.remaining.map { ContinuousClock.now + .seconds($0) }
        return search.run(from: starts, until: deadline)
    }

    /// The paper's fixed-schedule program (replacement and addresses on a given order).
    func fixedSchedule(_ order: [OperatorID], within budget: TimeBudget) throws -> PlanResult {
        var exact = ExactOptions(solver: options.solver, timeLimit: budget.limit, deterministic: budget.isDeterministic)
        exact.budget = budget
        return try ExactPlanner(graph: graph, configuration: configuration, fixedOrder: order, options: exact).solve()
    }

    /// The baseline's stays and offsets, re-planned through ``Residency`` so that segment programs
    /// can fix them; `nil` if that plan does not replay (it then stays the answer as it is).
    func incumbent(from plan: CertifiedPlan) throws -> Incumbent? {
        let (raw, rawOffsets) = Residency.read(plan.plan, graph: graph)
        let problem = PlanningProblem(graph: graph, configuration: configuration, fixedOrder: raw.order)
        let (residency, offsets) = raw.trimmed(problem, offsets: rawOffsets)
        let rebuilt = residency.plan(offsets: offsets, problem: problem, method: Self.methodName)
        guard let certified = try? CertifiedPlan(certifying: rebuilt, graph: graph),
              certified.report.traffic.nonCompulsory <= plan.report.traffic.nonCompulsory else { return nil }
        return Incumbent(certified: certified, residency: residency, offsets: offsets)
    }

    /// Segments of `length` positions starting at `shift` (the first one shorter), keeping those
    /// that carry traffic, the costliest first: a segment without loads or stores cannot get cheaper.
    func windows(of incumbent: Incumbent, length: Int, shift: Int) -> [Range<Int>] {
        let n = graph.operators.count
        var cost = [Int](repeating: 0, count: n)
        for t in incumbent.residency.stays.indices {
            let bytes = graph.tensors[t].bytes
            for seg in incumbent.residency.stays[t] where seg.loaded {
                cost[seg.first] += bytes
            }
            // The store happens when the first stay ends; charge it there.
            if graph.producer[t] != nil, incumbent.residency.stays[t].count > 1, let first = incumbent.residency.stays[t].first {
                cost[min(n - 1, first.last)] += bytes
            }
        }
        var result: [(Range<Int>, Int)] = []
        var low = 0
        var high = shift > 0 ? shift : min(n, length)
        while low < n {
            let traffic = cost[low..<high].reduce(0, +)
            if traffic > 0 && high - low >= 2 { result.append((low..<high, traffic)) }
            low = high
            high = min(n, high + length)
        }
        return result.sorted { $0.1 > $1.1 }.map(\.0)
    }

    /// One pass over the plan.
    enum Pass: Equatable {
        /// Segments of `length` positions (the first one `shift` long), whose operators may be
        /// reordered when `reorders`, with stays re-planned `margin` positions beyond each
        /// segment on both sides.
        case windows(length: Int, shift: Int, margin: Int, reorders: Bool)
        /// Reloaded tensors' readers carried back to where the tensor was resident, with the
        /// chains they feed (``ChainHoist``): the long-range moves windows cannot make.
        case hoists

        /// The passes tried in turn: the whole schedule's replacement with the order kept, chain
        /// hoists, short segments with only their own stays, then moved cut points, longer
        /// segments, and wider re-planning of stays around them. Divide and conquer stops when a
        /// whole round of them finds nothing.
        static func schedule(segmentOperators k: Int, operators n: Int) -> [Pass] {
            let k = max(2, min(k, n))
            // The whole replacement first: cheap, and it repairs what on-line eviction got wrong
            // everywhere before segments start moving operators.
            let raw: [(length: Int, shift: Int, margin: Int, reorders: Bool)] = [
                (n, 0, 0, false), (k, 0, 0, true), (k, k / 2, k, true), (2 * k, 0, 0, true),
                (k, 0, 4 * k, true), (2 * k, k, 2 * k, true), (4 * k, 0, 0, true)]
            var passes: [Pass] = []
            for p in raw {
                let pass = Pass.windows(length: min(p.length, n), shift: min(p.shift, n), margin: p.margin, reorders: p.reorders)
                if !passes.contains(pass) { passes.append(pass) }
                if passes.count == 1 { passes.append(.hoists) }
            }
            return passes
        }
    }

    struct Attempt {
        var better: Incumbent?
        var buildSeconds: Double
        var solveSeconds: Double
        /// The program found cheaper stays that could not be packed around the rest of the plan.
        var unpacked = false
    }

    /// Re-plans the positions `segment` of the incumbent's schedule with everything else fixed.
    ///
    /// The capacity program decides stays, which are then packed; when it finds cheaper stays that
    /// do not pack (fragmentation), the same segment is solved again with addresses in the program
    /// (offsets outside it fixed to the incumbent's), if the graph is small enough for that.
    /// The capacity program gets ``DivideAndConquerOptions/segmentTimeLimit`` of `budget`, the
    /// address program what is left of `budget`, counted from the start of the attempt: it only
    /// runs when the relaxation has shown that a cheaper plan may exist, so it is worth more time.
    func improve(_ incumbent: Incumbent, segment: Range<Int>, margin: Int, reorders: Bool, within budget: TimeBudget) throws -> Attempt {
        let problem = PlanningProblem(graph: graph, configuration: configuration, order: incumbent.residency.order,
                                      free: reorders ? segment : segment.lowerBound..<segment.lowerBound)
        let replanned = max(0, segment.lowerBound - margin)..<min(graph.operators.count, segment.upperBound + margin)
        let capacityShare = min(options.segmentTimeLimit, budget.remaining ?? options.segmentTimeLimit)
        var attempt = try replan(incumbent, problem: problem, replanned: replanned, mode: .capacity, within: budget.child(capacityShare),
                                 packingUntil: budget.end)
        let remaining = budget.remaining ?? 3 * options.segmentTimeLimit
        // Not for the whole schedule at once: that is the full address program, whose root LP
        // outlasts any time limit on graphs where the exact planner already declined it.
        if attempt.better == nil, attempt.unpacked, remaining >= 0.5, replanned.count < graph.operators.count,
           problem.estimatedAddressPairs(upTo: Self.addressPairLimit) <= Self.addressPairLimit {
            let second = try replan(incumbent, problem: problem, replanned: replanned, mode: .addresses, within: budget.child(nil))
            attempt.better = second.better
            attempt.buildSeconds += second.buildSeconds
            attempt.solveSeconds += second.solveSeconds
        }
        return attempt
    }

    /// Order-search restarts in a row that find nothing before divide and conquer stops early.
    static let fruitlessRestarts = 3

    /// Above this many pair-order variables in the whole graph's address program, segments are
    /// never solved with addresses: building it for every segment would cost more than it finds.
    static let addressPairLimit = 50_000

    /// One segment program: `mode` decides whether addresses are in it. The capacity program's
    /// stays are packed until `deadline` (``realise(_:segment:keeping:problem:until:)``): the end
    /// of the attempt's budget (``improve(_:segment:margin:reorders:within:)``'s), not of this
    /// program's share, which its solve may have spent.
    func replan(_ incumbent: Incumbent, problem: PlanningProblem, replanned: Range<Int>, mode: JointProgram.Mode,
                within budget: TimeBudget, packingUntil deadline: ContinuousClock.Instant? = nil) throws -> Attempt {
        let clock = ContinuousClock()
        let buildStart = clock.now
        // Pinned single reads and the covers' symmetry breaking restrict which of several equally
        // good plans the program accepts; the incumbent that fixes everything outside the segment
        // need not be one of them.
        var program = JointProgram(problem: problem, mode: mode, reductions: .all.subtracting([.pinSingleReads, .forcedLiveCovers]))
        let offsets = mode == .addresses ? incumbent.offsets : nil
        program.fix(outside: replanned, to: incumbent.residency, offsets: offsets)
        let start = program.values(for: incumbent.residency, offsets: offsets)
        var dense = [Double](repeating: 0, count: program.model.variableCount)
        for (v, value) in start { dense[v.index] = value }
        guard program.model.maximumViolation(at: dense) < 1e-6 else {
            // The incumbent is a valid plan, so this means the program and the plan disagree on
            // a rule; never fix a segment around a state the program thinks impossible.
            let rows = program.model.violatedRows(at: dense).prefix(3).map(\.row).joined(separator: "; ")
            throw ExactFailure(message: "internal: the current plan violates the segment program at positions \(replanned): \(rows)")
        }
        guard let restricted = program.model.fixingBoundedVariables() else {
            throw ExactFailure(message: "internal: the current plan violates the segment program at positions \(replanned)")
        }
        if restricted.model.variableCount == 0 {
            return Attempt(better: nil, buildSeconds: (clock.now - buildStart).inSeconds, solveSeconds: 0)
        }
        var solveOptions = SolveOptions()
        solveOptions.mipStart = restricted.restrict(start)
        // Only strictly cheaper plans are of interest; traffic is whole bytes.
        solveOptions.cutoff = program.model.objectiveValue(at: dense) - 0.5
        solveOptions.threads = options.threads
        let buildSeconds = (clock.now - buildStart).inSeconds
        let outcome = try budget.solve(restricted.model, with: options.solver, options: solveOptions)
        guard let solution = outcome.solution.map(restricted.expand), solution.objective < Double(incumbent.traffic) - 0.5 else {
            return Attempt(better: nil, buildSeconds: buildSeconds, solveSeconds: outcome.solveSeconds)
        }
        let packStart = clock.now
        let raw = program.residency(from: solution)
        var better: Incumbent?
        if mode == .addresses {
            let (residency, kept) = raw.trimmed(problem, offsets: program.offsets(for: raw, from: solution))
            let plan = residency.plan(offsets: kept, problem: problem, method: Self.methodName)
            let certified = try CertifiedPlan(certifying: plan, graph: graph)
            better = Incumbent(certified: certified, residency: residency, offsets: kept)
        } else {
            better = try realise(raw.trimmed(problem), segment: replanned, keeping: incumbent, problem: problem, until: deadline)
        }
        let cheaper = better.flatMap { $0.traffic < incumbent.traffic ? $0 : nil }
        return Attempt(better: cheaper, buildSeconds: buildSeconds + (clock.now - packStart).inSeconds, solveSeconds: outcome.solveSeconds,
                       unpacked: cheaper == nil)
    }

    /// Tries the incumbent's chain hoists (``ChainHoist``) in turn and returns at the first that
    /// costs less; `nil` when there is no candidate or no time. Each new order gets the
    /// fixed-schedule program with a cutoff below the incumbent's traffic, so an order that cannot
    /// beat it is usually dismissed at the root.
    func hoist(_ incumbent: Incumbent, within budget: TimeBudget) throws -> HoistAttempt? {
        let candidates = ChainHoist(graph: graph).candidates(for: incumbent.residency)
        guard !candidates.isEmpty else { return nil }
        var attempt = HoistAttempt()
        let clock = ContinuousClock()
        for order in candidates {
            guard let remaining = budget.remaining, remaining >= 0.5 else { break }
            let buildStart = clock.now
            let problem = PlanningProblem(graph: graph, configuration: configuration, fixedOrder: order)
            let program = JointProgram(problem: problem, reductions: .all.subtracting([.forcedLiveCovers]))
            var solveOptions = SolveOptions()
            solveOptions.cutoff = Double(incumbent.traffic) - 0.5
            solveOptions.threads = options.threads
            attempt.buildSeconds += (clock.now - buildStart).inSeconds
            let outcome = try budget.child(min(options.segmentTimeLimit, remaining)).solve(program.model, with: options.solver,
                                                                                           options: solveOptions)
            attempt.solveSeconds += outcome.solveSeconds
            attempt.tried += 1
            guard let solution = outcome.solution, solution.objective < Double(incumbent.traffic) - 0.5 else { continue }
            let packStart = clock.now
            let residency = program.residency(from: solution).trimmed(problem)
            let better = try realise(residency, segment: 0..<order.count, keeping: incumbent, problem: problem, until: budget.end)
            attempt.buildSeconds += (clock.now - packStart).inSeconds
            if let better, better.traffic < incumbent.traffic {
                attempt.better = better
                return attempt
            }
        }
        attempt.complete = attempt.tried == candidates.count
        return attempt.tried > 0 ? attempt : nil
    }

    struct HoistAttempt {
        var better: Incumbent?
        var tried = 0
        /// Whether every candidate was tried (not cut short by the deadline).
        var complete = false
        var buildSeconds = 0.0
        var solveSeconds = 0.0
    }

    /// Gives the stays addresses and simulates the plan. Stays that do not touch the segment are
    /// the incumbent's and keep their offsets; the others are packed around them, or, if that
    /// fails, everything is packed afresh. `nil` when neither packs, within the packer's node
    /// limit or by ``StayPacker/grace`` after `deadline` (the end of a wall-clock budget;
    /// none under a work budget, whose outcome must not depend on the machine).
    func realise(_ residency: Residency, segment: Range<Int>, keeping incumbent: Incumbent, problem: PlanningProblem,
                 until deadline: ContinuousClock.Instant?) throws -> Incumbent? {
        let groups = residency.packingItems(problem)
        let items = groups.map(\.item)
        // An item keeps its offset when every stay it stands for is the incumbent's, untouched
        // by the segment, at one offset (an in-place chain shares it).
        let fixed: [Int?] = groups.map { group in
            let kept = group.members.map { t, i -> Int? in
                let s = residency.stays[t][i]
                guard s.last < segment.lowerBound || s.first >= segment.upperBound else { return nil }
                return incumbent.residency.stays[t].firstIndex(of: s).map { incumbent.offsets[t][$0] }
            }
            guard let first = kept.first ?? nil, kept.allSatisfy({ $0 == first }) else { return nil }
            return first
        }
        let packer = StayPacker(capacity: configuration.capacity, alignment: configuration.alignment, nodeLimit: 20_000,
                                budgetEnd: deadline)
        guard let packed = packer.pack(items, fixed: fixed) ?? packer.pack(items) else { return nil }
        let offsets = residency.offsets(of: groups, packedAt: packed)
        let plan = residency.plan(offsets: offsets, problem: problem, method: Self.methodName)
        let certified = try CertifiedPlan(certifying: plan, graph: graph)
        return Incumbent(certified: certified, residency: residency, offsets: offsets)
    }

}
