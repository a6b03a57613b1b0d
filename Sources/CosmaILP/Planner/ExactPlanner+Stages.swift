import Heuristics
internal import DNNGraph
internal import MILP
import Scratchpad

/// What the stages of one exact solve share: the incumbent, the bounds, the relaxation, the
/// times and the trace.
struct ExactRun {
    let budget: TimeBudget
    var trace = PlanTrace()
    var incumbent: CertifiedPlan?
    var coverBound = 0
    var crossingBound: Int?
    /// The bound of the capacity or address program.
    var programBound = 0
    /// How the plan stands when it does not meet the bound.
    var unproven: PlanStatus = .feasible
    var buildSeconds = 0.0
    var solveSeconds = 0.0
    var capacityProgram: ProgramSize?
    /// The heuristics' plans, when the warm-start stage ran them (no warm starts were given).
    var baselines: [CertifiedPlan] = []
    /// The capacity program's outcome, when it ran.
    var relaxation: Relaxation?
    /// A stage ended the method: no later stage can run.
    var ended = false

    struct Relaxation {
        var solved: Bool
        var proven: Bool
        /// The options the repair and address programs start from.
        var options: SolveOptions
    }

    /// The bounds proven before the capacity program (the solver stops once an incumbent meets it).
    var knownBound: Int { max(coverBound, crossingBound ?? 0) }
    var bound: Int { max(knownBound, programBound) }
    var traffic: Int { incumbent?.report.traffic.nonCompulsory ?? .max }
    var isProven: Bool { traffic <= bound }

    /// Makes `plan` the incumbent if it is cheaper, and records which.
    mutating func offer(_ plan: CertifiedPlan, from stage: PlannerStage) {
        if trace.record(plan, from: stage, against: traffic) { incumbent = plan }
    }

    mutating func prove(_ bytes: Int, by stage: PlannerStage) {
        trace.record(.boundProven(stage, bytes: bytes))
    }
}

extension ExactPlanner {
    /// The stages in the order the driver runs them.
    static let stages: [PlannerStage] = [
        .warmStarts, .covers, .crossingBound, .fixedSchedule, .capacityProgram, .repair, .addressProgram,
    ]

    /// Runs the stages in turn under ``ExactOptions/timeLimit`` until one proves the incumbent
    /// optimal or none is left; see ``ExactPlanner`` for what each one does.
    package func solve() throws -> PlanResult {
        var run = ExactRun(budget: options.budget?.child(nil, policy: .standard) ?? options.newBudget(policy: .standard))
        for stage in Self.stages where applies(stage, to: run) {
            if let reason = skipReason(stage, run: run) {
                run.trace.record(.skipped(stage, reason))
                continue
            }
            let timing = StageTiming(stage, share: run.budget.share(for: stage), budget: run.budget)
            run.trace.record(timing.started)
            try perform(stage, share: timing.share, run: &run)
            run.trace.record(timing.ended(run.budget))
            if run.isProven {
                run.trace.record(.proven(bytes: run.traffic))
                break
            }
            if run.ended { break }
        }
        return try answer(run)
    }

    /// Whether `stage` is part of this solve at all.
    func applies(_ stage: PlannerStage, to run: ExactRun) -> Bool {
        let reductions = options.reductions
        switch stage {
        case .covers: return reductions.contains(.forcedLiveCovers)
        case .crossingBound: return reductions.contains(.crossingBound) && problem.fixedOrder == nil
        case .fixedSchedule: return reductions.contains(.fixedScheduleStart) && problem.fixedOrder == nil
        case .repair: return run.relaxation?.solved == true
        case .addressProgram: return run.relaxation?.proven == true
        case .warmStarts, .capacityProgram: return true
        case .polish, .segmentSearch, .segmentBeams, .orderSearch, .segments: return false
        }
    }

    /// Why `stage` cannot run now, if it cannot.
    func skipReason(_ stage: PlannerStage, run: ExactRun) -> SkipReason? {
        switch stage {
        case .repair, .addressProgram:
            if !run.budget.hasLeft(1) { return .budgetSpent }
            guard stage == .addressProgram else { return nil }
            let fits = problem.estimatedAddressPairs(upTo: Self.addressPairLimit) <= Self.addressPairLimit
            return fits ? nil : .tooManyAddressPairs(limit: Self.addressPairLimit)
        default:
            return nil
        }
    }

    func perform(_ stage: PlannerStage, share: Double?, run: inout ExactRun) throws {
        switch stage {
        case .warmStarts:
            if options.warmStarts.isEmpty { run.baselines = try baselinePlans(within: run.budget, minimumPeak: options.minimumPeak) }
            let warm = options.warmStarts.isEmpty ? run.baselines : options.warmStarts
            if let best = warm.min(by: { $0.report.traffic.nonCompulsory < $1.report.traffic.nonCompulsory }) {
                run.offer(best, from: .warmStarts)
            }
        case .covers: try covers(share: share, run: &run)
        case .crossingBound: try crossing(share: share, run: &run)
        case .fixedSchedule: try fixedSchedule(share: share, run: &run)
        case .capacityProgram: try capacityProgram(share: share, run: &run)
        case .repair: try repair(run: &run)
        case .addressProgram: try addressProgram(share: share, run: &run)
        case .polish, .segmentSearch, .segmentBeams, .orderSearch, .segments: break
        }
    }

    /// The best plan with the best bound, or the plan that spills everything when no stage found one.
    func answer(_ run: ExactRun) throws -> PlanResult {
        var run = run
        if run.incumbent == nil {
            run.trace.record(.fellBackToSpillingEverything)
            run.incumbent = try spillEverything()
        }
        guard let plan = run.incumbent else {
            throw ExactFailure(message: "no plan at capacity \(problem.configuration.capacity) bytes")
        }
        return PlanResult(plan: plan, bound: run.bound, unproven: run.unproven, solver: options.solver,
                          buildSeconds: run.buildSeconds, solveSeconds: run.solveSeconds, trace: run.trace,
                          capacityProgram: run.capacityProgram,
                          boundSettled: run.relaxation?.proven == true || run.crossingBound != nil,
                          baselines: run.baselines, work: run.budget.isDeterministic ? run.budget.spent : nil)
    }

    /// Spills that capacity alone forces, whatever the schedule: a small covering program whose
    /// optimum is a valid bound, often the plan's traffic already (a cheap proof). With a
    /// minimum-peak schedule from the caller, its bound on `M_P` adds one more row
    /// (``ForcedLiveCovers/peakCover(problem:peakBound:)``). The search for
    /// covers may spend half the share (``searchDeadline(share:)``), the program the rest.
    func covers(share: Double?, run: inout ExactRun) throws {
        let clock = ContinuousClock()
        let start = clock.now
        let covers = ForcedLiveCovers(problem: problem, deadline: Self.searchDeadline(share: share, of: run.budget))
        run.trace.recordCutShort(.covers, examined: covers.operatorsExamined, of: problem.graph.operators.count)
        let peak = options.minimumPeak?.lowerBound.flatMap { ForcedLiveCovers.peakCover(problem: problem, peakBound: $0) }
        run.coverBound = try covers.bound(solver: options.solver, within: run.budget.child(share), adding: peak.map { [$0] } ?? [])
        run.solveSeconds += (clock.now - start).inSeconds
        if run.coverBound > 0 { run.prove(run.coverBound, by: .covers) }
    }

    /// The crossing bound (minimum cuts, the covers, reload intervals) needs no time-indexed
    /// program and is cheap: it often proves the warm start optimal, and otherwise the capacity
    /// program stops as soon as its incumbent meets it. It reuses the covers solved above when the
    /// schedule is free. Its searches may spend half the share, its programs the rest.
    func crossing(share: Double?, run: inout ExactRun) throws {
        let clock = ContinuousClock()
        let start = clock.now
        let coversSolved = options.reductions.contains(.forcedLiveCovers) && problem.fixedOrder == nil
        let crossing = CrossingBound(problem: problem, coversSolved: coversSolved,
                                     deadline: Self.searchDeadline(share: share, of: run.budget))
        run.trace.recordCutShort(.crossingBound, examined: crossing.operatorsExamined, of: problem.graph.operators.count)
        let bound = try crossing.solve(with: options.solver, within: run.budget.child(share),
                                       coversBound: coversSolved ? run.coverBound : nil)
        run.solveSeconds += (clock.now - start).inSeconds
        run.crossingBound = bound
        run.prove(bound, by: .crossingBound)
    }

    /// When a bound's combinatorial search must stop so that its program keeps half of `share`:
    /// an instant under a wall-clock budget; none under a work budget (the deterministic mode
    /// never reads the clock, and the search's cost depends on the graph alone) or without a
    /// limit. A cancelled task stops the searches by itself.
    package static func searchDeadline(share: Double?, of budget: TimeBudget) -> ContinuousClock.Instant? {
        guard let share, !budget.isDeterministic else { return nil }
        return TimeBudget.instant(in: share / 2)
    }

    /// The paper's fixed-schedule program on the incumbent's order (the graph's own order when
    /// every heuristic failed): every operator's window is one position, so it is solved in a
    /// fraction of a second, and it decides replacement for the whole graph at once where the
    /// heuristics evict on line.
    func fixedSchedule(share: Double?, run: inout ExactRun) throws {
        let graph = problem.graph
        let order = run.incumbent.map { Residency.order(of: $0.plan, graph: graph) } ?? Array(graph.operators.indices)
        var options = ExactOptions(solver: options.solver, timeLimit: share, warmStarts: run.incumbent.map { [$0] } ?? [],
                                   reductions: options.reductions)
        options.budget = run.budget.child(share)
        let fixed: PlanResult
        do {
            fixed = try ExactPlanner(graph: graph, configuration: problem.configuration, fixedOrder: order, options: options).solve()
        } catch is ExactFailure {
            // Only with in-place on: this order gives some operator a larger working set than
            // `M_R` counts, and nothing fits; the free schedule is the capacity program's.
            return
        }
        run.buildSeconds += fixed.buildSeconds
        run.solveSeconds += fixed.solveSeconds
        run.offer(fixed.result, from: .fixedSchedule)
    }
}
