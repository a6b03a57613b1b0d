public import DNNGraph
public import CosmaILP
internal import DivideAndConquer
public import Heuristics
internal import MILP
public import ONNXImport
public import Scratchpad
public import Foundation

/// The entry points a compiler pipeline needs: load a graph, make a plan, check a plan.
///
/// Every plan these functions return has passed the `Simulator`; a plan that broke a rule would
/// be thrown as an `InvalidPlanError`, never returned.
///
/// ```swift
/// import Cosma
///
/// let graph = try Cosma.loadGraph(at: URL(fileURLWithPath: "graphs/resnet50.json"))
/// let config = Configuration(capacity: 2 << 20, tensors: .activations)
/// let result = try Cosma.heuristicPlan(for: graph, configuration: config)
/// print(result.report.traffic.nonCompulsory)
/// ```
public enum Cosma {
    /// Reads and validates a canonical JSON graph.
    public static func loadGraph(at url: URL) throws(InputError) -> Graph {
        try Graph(contentsOf: url)
    }

    /// Imports an ONNX model (see `ONNXImporter` for what the graph keeps and drops).
    public static func importONNX(at url: URL, options: ONNXImportOptions = ONNXImportOptions()) throws(InputError) -> Graph {
        try ONNXImporter(options: options).importGraph(from: url)
    }

    /// The minimum-peak order of a graph and what is proven about it: `M_P` when
    /// ``Schedule/proof`` is set, else the bracket from ``Schedule/lowerBound`` to
    /// ``Schedule/peakBytes``. See `MinimumPeakScheduler` for the combinatorial stages and
    /// `MinimumPeakProgram` for the integer program that runs, under `options.timeLimit`, when
    /// they leave a gap.
    public static func minimumPeak(for graph: Graph, tensors: TensorSetting, alignment: Int = 1, inPlace: InPlaceMode = .off,
                                   options: MinimumPeakOptions = MinimumPeakOptions()) -> MinimumPeakResult
    {
        MinimumPeakResult(graph: graph, setting: tensors, alignment: alignment, inPlace: inPlace, options: options)
    }

    /// The budgets of a graph: `M_R` and the default order's peak always; `M_P` (hence `M_H`)
    /// when `minimumPeak` is given and proves its order minimal, otherwise the best order's peak
    /// and the best lower bound (``Budgets/bestPeak``, ``Budgets/mPLowerBound``).
    public static func budgets(for graph: Graph, tensors: TensorSetting, alignment: Int = 1, inPlace: InPlaceMode = .off,
                               minimumPeak: MinimumPeakOptions? = MinimumPeakOptions()) -> Budgets
    {
        budgetsAndSchedule(for: graph, tensors: tensors, alignment: alignment, inPlace: inPlace, minimumPeak: minimumPeak).budgets
    }

    /// ``budgets(for:tensors:alignment:inPlace:minimumPeak:)`` with the minimum-peak schedule
    /// behind `M_P` (`nil` when `minimumPeak` is), which a planner can start from
    /// (``ExactOptions/minimumPeak``).
    package static func budgetsAndSchedule(for graph: Graph, tensors: TensorSetting, alignment: Int = 1, inPlace: InPlaceMode = .off,
                                           minimumPeak: MinimumPeakOptions?) -> (budgets: Budgets, minimumPeak: Schedule?)
    {
        var budgets = Budgets(graph: graph, setting: tensors, alignment: alignment, inPlace: inPlace)
        guard let minimumPeak else { return (budgets, nil) }
        let schedule = Self.minimumPeak(for: graph, tensors: tensors, alignment: alignment, inPlace: inPlace, options: minimumPeak).schedule
        budgets.record(schedule)
        return (budgets, schedule)
    }

    /// Resolves a capacity such as `512KiB` or `M_R` for a graph and setting into a configuration,
    /// rejecting capacities below `M_R` with the operator that cannot run. `M_P` and `M_H` are
    /// computed with `minimumPeak` and refused, with the bracket known, where `M_P` stays unproven.
    public static func configuration(for graph: Graph, capacity: CapacitySpec, tensors: TensorSetting,
                                     alignment: Int = 1, inPlace: InPlaceMode = .off,
                                     minimumPeak: MinimumPeakOptions = MinimumPeakOptions()) throws(InputError) -> Configuration
    {
        try resolve(capacity, for: graph, tensors: tensors, alignment: alignment, inPlace: inPlace, minimumPeak: minimumPeak).configuration
    }

    /// ``configuration(for:capacity:tensors:alignment:inPlace:minimumPeak:)`` with the minimum-peak
    /// schedule it computed to resolve `M_P` or `M_H` (`nil` for other capacities).
    package static func resolve(_ capacity: CapacitySpec, for graph: Graph, tensors: TensorSetting, alignment: Int = 1,
                                inPlace: InPlaceMode = .off, minimumPeak: MinimumPeakOptions = MinimumPeakOptions())
        throws(InputError) -> (configuration: Configuration, minimumPeak: Schedule?)
    {
        if let problem = Configuration.problem(alignment: alignment) { throw InputError(source: "alignment", message: problem) }
        let needsMinimumPeak = capacity == .budget(.mP) || capacity == .budget(.mH)
        let resolved = budgetsAndSchedule(for: graph, tensors: tensors, alignment: alignment, inPlace: inPlace,
                                          minimumPeak: needsMinimumPeak ? minimumPeak : nil)
        let bytes = try resolved.budgets.resolve(capacity)
        let configuration = Configuration(capacity: bytes, alignment: alignment, tensors: tensors, inPlace: inPlace)
        try graph.checkFeasible(configuration)
        return (configuration, resolved.minimumPeak)
    }

    /// The order a baseline follows, and which algorithm produced it. ``ScheduleKind/mpmf`` is the
    /// best order ``minimumPeak(for:tensors:alignment:inPlace:options:)`` finds (program included).
    public static func schedule(_ kind: ScheduleKind, for graph: Graph, tensors: TensorSetting, alignment: Int = 1,
                                inPlace: InPlaceMode = .off,
                                minimumPeak: MinimumPeakOptions = MinimumPeakOptions()) -> Schedule
    {
        guard kind == .mpmf else { return graph.schedule(kind, setting: tensors, alignment: alignment, inPlace: inPlace) }
        return Self.minimumPeak(for: graph, tensors: tensors, alignment: alignment, inPlace: inPlace, options: minimumPeak).schedule
    }

    /// A compiler heuristic's plan: the `schedule` order, TensorFlow Lite's arena when it fits,
    /// otherwise on-line allocation with `replacement` (see `HeuristicPlanner`).
    ///
    /// - Throws: `PlanningFailure` when fragmentation defeats the heuristic (a result to report).
    public static func heuristicPlan(for graph: Graph, configuration: Configuration, schedule: ScheduleKind = .default,
                                     replacement: ReplacementPolicy = .belady,
                                     allocation: AllocationPolicy = .bestFit) throws -> CertifiedPlan
    {
        let baseline = Baseline(schedule: schedule, replacement: replacement, allocation: allocation)
        let order = Self.schedule(schedule, for: graph, tensors: configuration.tensors, alignment: configuration.alignment,
                                  inPlace: configuration.inPlace)
        return try baseline.plan(graph: graph, configuration: configuration, schedule: order).get()
    }

    /// Runs baselines (for example ``Baseline/paper``) on one configuration; failures are outcomes.
    /// The `mpmf` ones follow ``schedule(_:for:tensors:alignment:inPlace:minimumPeak:)``.
    public static func baselines(_ baselines: [Baseline], for graph: Graph, configuration: Configuration) throws -> [BaselineOutcome] {
        try Self.baselines(baselines, for: graph, configuration: configuration, minimumPeak: nil)
    }

    /// ``baselines(_:for:configuration:)`` with the `mpmf` order given when the caller has computed
    /// it already (`nil`: computed here).
    package static func baselines(_ baselines: [Baseline], for graph: Graph, configuration: Configuration,
                                  minimumPeak: Schedule?) throws -> [BaselineOutcome] {
        var schedules: [ScheduleKind: Schedule] = [:]
        if let minimumPeak {
            schedules[.mpmf] = minimumPeak
        } else if baselines.contains(where: { $0.schedule == .mpmf }) {
            schedules[.mpmf] = schedule(.mpmf, for: graph, tensors: configuration.tensors, alignment: configuration.alignment,
                                        inPlace: configuration.inPlace)
        }
        return try Baseline.run(baselines, graph: graph, configuration: configuration, schedules: schedules)
    }

    /// The exact joint program (schedule, addresses and replacement): a simulated plan with what
    /// is proven about it. With `fixedOrder` the schedule is kept and only replacement and
    /// addresses are optimised.
    ///
    /// When the joint program ends without a proof (its stays do not pack, or the solver stops at
    /// the time limit), the rest of the time limit goes to divide and conquer: it re-plans
    /// segments around fragmentation that the program cannot see, and adds the crossing bound.
    /// It runs from its own start (the baselines, which the exact planner has run already, and
    /// the fixed-schedule program) rather than from the program's plan (the heuristics following the program's order), which is usually
    /// far dearer: segments improve a plan only locally. On DenseNet-121 with weights at `M_H`
    /// it reaches the relaxation's bound in a few seconds. When the exact planner has computed
    /// the crossing bound or solved the relaxation, that bound is divide and conquer's target,
    /// so that the time goes to segments rather than to a bound again. The result keeps the
    /// better plan and the larger bound; its trace says what each part did.
    /// With in-place on (``Configuration/inPlace``) both plan under the in-place model: the joint
    /// program chooses in-place writes, and every bound is computed under that model (docs/in-place.md).
    public static func solve(_ graph: Graph, configuration: Configuration, fixedOrder: [OperatorID]? = nil,
                             options: ExactOptions = ExactOptions()) throws -> PlanResult
    {
        try contained(options) { try solveExact(graph, configuration: configuration, fixedOrder: fixedOrder, options: options) }
    }

    /// Runs `body` with its solves in child processes when `options` asks for it, and adds to the
    /// result's trace what went wrong in them (``SolverContainment``). The containment's deadline
    /// is the time limit: no solver child outlives it by more than twice its grace.
    /// A time limit that is not a positive, finite number is refused here, by the check every
    /// front end shares (``ExactOptions/problem(timeLimit:)``).
    private static func contained(_ options: ExactOptions, _ body: () throws -> PlanResult) throws -> PlanResult {
        if let timeLimit = options.timeLimit, let problem = ExactOptions.problem(timeLimit: timeLimit) {
            throw InputError(source: "timeLimit", message: "timeLimit \(problem); give one such as 60, or nil for no limit")
        }
        // A deterministic limit counts work, not seconds: no wall-clock deadline then, so that
        // the children's stops never depend on the machine's speed.
        let limit = options.deterministic ? nil : options.timeLimit ?? DivideAndConquerOptions().timeLimit
        return try SolverContainment.with(options.solverIsolation, timeLimit: limit) { containment in
            var result = try body()
            for incident in containment?.incidents ?? [] { result.trace.record(.solverContained(incident)) }
            return result
        }
    }

    private static func solveExact(_ graph: Graph, configuration: Configuration, fixedOrder: [OperatorID]?,
                                   options: ExactOptions) throws -> PlanResult
    {
        var options = options
        let budget = options.budget ?? ExactOptions(timeLimit: options.timeLimit ?? DivideAndConquerOptions().timeLimit,
                                                    deterministic: options.deterministic).newBudget(policy: .standard)
        // In the deterministic mode the exact method and the polish spend one budget of work;
        // with seconds each reads the clock from the same start.
        if options.deterministic, options.timeLimit != nil { options.budget = budget }
        let exact = try ExactPlanner(graph: graph, configuration: configuration, fixedOrder: fixedOrder, options: options).solve()
        // A cancelled task (cosma_plan_with_progress) wants the plan it has, not a polish.
        guard fixedOrder == nil, exact.status != .optimal, !Task.isCancelled, let remaining = budget.share(for: .polish), remaining >= 1
        else {
            return exact
        }
        let timing = StageTiming(.polish, share: remaining, budget: budget)
        var dc = DivideAndConquerOptions(solver: options.solver, timeLimit: remaining, warmStarts: exact.baselines,
                                         knownBound: exact.boundSettled ? exact.bound : nil,
                                         progress: options.progress, deterministic: options.deterministic)
        if options.deterministic { dc.budget = budget.child(remaining) }
        dc.minimumPeak = options.minimumPeak
        let polish = try DivideAndConquerPlanner(graph: graph, configuration: configuration, options: dc).solve()
        return exact.followed(by: polish, timing: timing, budget: budget, solver: options.solver)
    }

    /// How ``solve(_:configuration:method:options:segmentOperators:)`` plans.
    public enum Method: String, Sendable, CaseIterable {
        /// The joint program (`ExactPlanner`): proves optimality where it finishes.
        case exact
        /// Segment by segment (`DivideAndConquerPlanner`): for graphs too large for the joint program.
        case divideAndConquer = "divide-and-conquer"
        /// Exact when the joint program is small enough to solve, divide and conquer otherwise.
        case auto
    }

    /// Plans with `method`, resolving ``Method/auto`` first; the result's trace says which method
    /// ran and, for `auto`, why.
    public static func solve(_ graph: Graph, configuration: Configuration, method: Method, options: ExactOptions = ExactOptions(),
                             segmentOperators: Int? = nil) throws -> PlanResult
    {
        try contained(options) {
            try solve(graph, configuration: configuration, resolving: method, options: options, segmentOperators: segmentOperators)
        }
    }

    private static func solve(_ graph: Graph, configuration: Configuration, resolving method: Method, options: ExactOptions,
                              segmentOperators: Int?) throws -> PlanResult
    {
        var chosen = method
        var why: TraceEvent?
        if method == .auto {
            let problem = PlanningProblem(graph: graph, configuration: configuration)
            let size = problem.estimatedCapacityRows
            chosen = size <= autoExactRowLimit ? .exact : .divideAndConquer
            why = .methodChosen(method: chosen.rawValue, estimatedRows: size, limit: autoExactRowLimit)
        }
        var result: PlanResult
        switch chosen {
        case .divideAndConquer:
            let started = ContinuousClock.now
            let limit = options.timeLimit ?? DivideAndConquerOptions().timeLimit
            let minimumPeak = options.minimumPeak ?? minimumPeakStart(for: graph, configuration: configuration, options: options, limit: limit)
            // With seconds the search's time comes off the planner's; work units it keeps apart.
            let left = options.deterministic ? limit : max(limit - (ContinuousClock.now - started).inSeconds, TimeBudget.smallestShare)
            var dc = DivideAndConquerOptions(solver: options.solver, timeLimit: left,
                                             segmentOperators: segmentOperators ?? DivideAndConquerOptions().segmentOperators,
                                             warmStarts: options.warmStarts,
                                             progress: options.progress, deterministic: options.deterministic)
            dc.minimumPeak = minimumPeak
            result = try DivideAndConquerPlanner(graph: graph, configuration: configuration, options: dc).solve()
        case .exact, .auto:
            result = try solveExact(graph, configuration: configuration, fixedOrder: nil, options: options)
        }
        if let why { result.trace = PlanTrace([why] + result.trace.events) }
        return result
    }

    /// The minimum-peak schedule divide and conquer starts from when the caller gives none: the
    /// searches and program behind `M_P` (``minimumPeak(for:tensors:alignment:inPlace:options:)``),
    /// as `cosma solve` and the C library run them to resolve `M_H`. Every segment search and
    /// fixed-schedule start builds on this order. Without it the planner's warm starts search one
    /// under a quarter of their share, and RandWire-ER (seed 3) with weights at `M_R` planned
    /// 9,909,760 bytes where it plans 6,665,568 from this one (in 30 work units). In the
    /// deterministic mode the program has a work budget of its own
    /// (``MinimumPeakOptions/deterministic``), as where it resolves `M_H`; with seconds the whole
    /// takes at most a quarter of `limit` (``TimeBudget/minimumPeakForWarmStart``).
    private static func minimumPeakStart(for graph: Graph, configuration: Configuration, options: ExactOptions, limit: Double) -> Schedule {
        let minimumPeak = MinimumPeakOptions(solver: options.solver, deterministic: options.deterministic,
                                             sharing: TimeBudget(seconds: limit), share: TimeBudget.minimumPeakForWarmStart)
        return Self.minimumPeak(for: graph, tensors: configuration.tensors, alignment: configuration.alignment,
                                inPlace: configuration.inPlace, options: minimumPeak).schedule
    }

    /// Above this estimate ``Method/auto`` prefers divide and conquer. The joint program solves
    /// within seconds on every human-designed model (estimates up to 38,000 rows, DenseNet-121's
    /// program 47,000 as built); NAS and RandWire networks need 200,000 rows or more (estimated
    /// from 142,000: the estimate undercounts) and their root relaxation alone takes minutes.
    public static let autoExactRowLimit = 100_000

    /// Replays any plan (for example one written by another tool) and reports its traffic and
    /// every rule it breaks.
    public static func simulate(_ plan: Plan, on graph: Graph, configuration: Configuration? = nil) -> SimulationReport {
        Simulator(graph: graph).run(plan, configuration: configuration)
    }
}
