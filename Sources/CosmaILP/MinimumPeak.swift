public import DNNGraph
public import Heuristics
public import MILP
public import Scratchpad

/// How hard to try for an exact `M_P`.
public struct MinimumPeakOptions: Sendable {
    /// The combinatorial stages (bounds, down-set search, beam, window relaxations).
    package var scheduler: MinimumPeakScheduler
    /// The solver for `MinimumPeakProgram`.
    public var solver: SolverBackend
    /// Seconds the program may run when the combinatorial stages leave a gap; 0 skips it.
    public var timeLimit: Double
    /// Programs with more rows are not attempted: their root relaxation alone outlasts any
    /// sensible time limit on CBC or GLPK.
    public var maximumRows: Int
    /// The budget the search and the program share, on top of their own limits: the search gets
    /// three quarters of it (``TimeBudget/minimumPeakSearch``), the program what is left
    /// (at most ``timeLimit``). `nil` for none.
    package var budget: TimeBudget?
    /// Count ``timeLimit`` in work units instead of seconds when no budget is given (the
    /// deterministic mode, `--deterministic`): the program then stops at a node and iteration
    /// limit, so that `M_P`, `M_H` and the schedule handed to the planner never depend on the
    /// machine's speed or load. The searches count states either way.
    public var deterministic = false

    /// The default combinatorial stages (`MinimumPeakScheduler` is the package's own) and the
    /// program's settings.
    public init(solver: SolverBackend = .cbc, timeLimit: Double = 10, maximumRows: Int = 50_000) {
        self.init(scheduler: MinimumPeakScheduler(), solver: solver, timeLimit: timeLimit, maximumRows: maximumRows)
    }

    /// The default options for the schedule behind `M_P` inside a larger run, which spends a
    /// wall-clock limit: with `deterministic` the program counts work units instead and no budget
    /// applies (``deterministic``); else the search and program together get `share` of `budget`
    /// (`nil`: no budget). `cosma solve`, the C library and the facade's divide-and-conquer start
    /// all build theirs here, and differ only in the share.
    package init(solver: SolverBackend = .cbc, deterministic: Bool, sharing budget: TimeBudget? = nil,
                 share: TimeBudget.Share = TimeBudget.minimumPeakForBudgets)
    {
        self.init(solver: solver)
        self.deterministic = deterministic
        if !deterministic { self.budget = budget.map { $0.child($0.share(share)) } }
    }

    package init(scheduler: MinimumPeakScheduler, solver: SolverBackend = .cbc,
                timeLimit: Double = 10, maximumRows: Int = 50_000)
    {
        self.scheduler = scheduler
        self.solver = solver
        self.timeLimit = timeLimit
        self.maximumRows = maximumRows
    }
}

/// The best order known of a graph, what is proven about its peak, and what the program did.
public struct MinimumPeakResult: Sendable {
    /// The best order, with its proof of minimality (``Schedule/proof``) or the best lower bound.
    public var schedule: Schedule
    /// How the program ended; `nil` when it was not run (not needed, skipped, or too large).
    package var programStatus: TerminationStatus?
    /// Rows of the program, when it was built; when it was refused by its size before being
    /// built (too large to attempt), the fewest rows it would have.
    public var programRows: Int?
    /// Whether ``programRows`` is a lower bound counted before building: the program was not
    /// built, since its schedule rows alone exceed ``MinimumPeakOptions/maximumRows``.
    package var programRowsAreLowerBound = false
    /// Seconds the solver ran.
    public var programSeconds: Double?
    /// Why the solver failed outright, if it did (the combinatorial result still stands).
    public var programError: String?
}

extension MinimumPeakResult {
    /// Finds the minimum-peak order of `graph` and proves it where it can: first the combinatorial
    /// stages of `options.scheduler`, then, if a gap remains, ``MinimumPeakProgram`` warm-started
    /// with the best order and bounded below by the best lower bound, under `options.timeLimit`.
    ///
    /// Never claims more than is proven: an unproven order keeps ``Schedule/proof`` `nil`, and its
    /// ``Schedule/lowerBound`` is the best bound any stage established.
    ///
    /// A solver that fails outright (not one that stops at its limit) leaves the combinatorial
    /// result in place and its message in ``programError``.
    ///
    /// With `inPlace` on, every stage and the program measure peaks under the in-place model.
    public init(graph: Graph, setting: TensorSetting, alignment: Int, inPlace: InPlaceMode = .off,
                options: MinimumPeakOptions = MinimumPeakOptions())
    {
        var scheduler = options.scheduler
        if let budget = options.budget {
            scheduler.limit = budget.searchLimit(share: TimeBudget.minimumPeakSearch, operators: graph.operators.count)
        }
        var schedule = scheduler.schedule(graph, setting: setting, alignment: alignment, inPlace: inPlace)
        options.budget?.charge(searched: schedule, operators: graph.operators.count)
        self.schedule = schedule
        let programLimit = min(options.timeLimit, options.budget?.remaining ?? options.timeLimit)
        guard !schedule.provenMinimal, options.timeLimit > 0 else { return }
        // Building the program costs memory and time in proportion to its size: on a graph of
        // 20,000 operators it is quadratic (tens of gigabytes), so it is refused by its size
        // first, whatever time is left, so that what is said about it never depends on the clock.
        let fewestRows = MinimumPeakProgram.fewestRows(graph)
        guard fewestRows <= options.maximumRows else {
            programRows = fewestRows
            programRowsAreLowerBound = true
            return
        }
        guard programLimit >= TimeBudget.smallestShare else { return }
        let lower = schedule.lowerBound ?? 0
        let program = MinimumPeakProgram(graph: graph, setting: setting, alignment: alignment, inPlace: inPlace,
                                         lowerBound: lower, upperBound: schedule.peakBytes)
        programRows = program.model.constraintCount
        guard program.model.constraintCount <= options.maximumRows else { return }
        var solveOptions = SolveOptions()
        solveOptions.mipStart = program.values(for: schedule.order)
        // Peaks are whole units: a gap below one unit is closed.
        solveOptions.absoluteGap = 0.999
        let outcome: SolveResult
        do {
            let budget = options.budget?.child(programLimit)
                ?? (options.deterministic ? TimeBudget(work: programLimit) : TimeBudget(seconds: programLimit))
            outcome = try budget.solve(program.model, with: options.solver, options: solveOptions)
        } catch {
            programError = "\(error)"
            return
        }
        programStatus = outcome.status
        programSeconds = outcome.solveSeconds
        if let solution = outcome.solution {
            let order = program.order(from: solution)
            // The solver's order is re-measured, never trusted: only a valid, better order replaces the incumbent.
            if graph.scheduleProblem(order) == nil {
                let peak = graph.peakLiveBytes(order: order, setting: setting, alignment: alignment, inPlace: inPlace)
                if peak < schedule.peakBytes {
                    schedule = Schedule(order: order, peakBytes: peak, algorithm: .minimumPeakProgram, lowerBound: schedule.lowerBound)
                }
            }
        }
        var bound = lower
        if outcome.status == .optimal, let objective = outcome.objective {
            // Optimal within the unit gap: no order peaks below the optimum's whole units.
            bound = max(bound, Int(objective.rounded()) * program.unit)
        }
        if let proven = outcome.bestBound, proven.isFinite {
            // Every peak is a whole number of units, so the solver's bound rounds up.
            bound = max(bound, Int((proven - 1e-6).rounded(.up)) * program.unit)
        }
        if bound >= schedule.peakBytes {
            schedule.proof = .program(solver: options.solver.rawValue)
            schedule.lowerBound = schedule.peakBytes
        } else {
            schedule.lowerBound = bound
        }
        self.schedule = schedule
    }
}
