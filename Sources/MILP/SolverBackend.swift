import Dispatch

/// An integer-programming solver that can solve a `Model`.
///
/// Both backends take the same lowered model and return the same kind of
/// `SolveResult`, so code written against one runs on the other:
///
/// ```swift
/// for backend in SolverBackend.allCases {
///     let result = try backend.solve(model)
///     print(backend, result.status, result.objective ?? .nan)
/// }
/// ```
///
/// Infeasible, unbounded or time-limited solves are results; `solve(_:options:)`
/// throws a `SolverError` only when the solver could not run. Solves may run
/// concurrently from many tasks: CBC is not thread-safe, so its solves take turns
/// behind a process-wide lock; GLPK keeps its state per thread and runs in parallel.
public enum SolverBackend: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// COIN-OR Branch and Cut, through its C interface.
    case cbc
    /// The GNU Linear Programming Kit, through a C shim that traps its errors.
    case glpk

    public var description: String { rawValue }

    /// The version of the solver library in use, for reports.
    public var version: String {
        switch self {
        case .cbc: CBCBackend.version
        case .glpk: GLPKBackend.version
        }
    }

    /// Solves `model` and returns why the solver stopped and the best solution found.
    ///
    /// Blocks the calling thread until the solver returns.
    package func solve(_ model: Model, options: SolveOptions = SolveOptions()) throws -> SolveResult {
        try solve(model.lowered(), options: options)
    }

    /// Solves `model` on a thread of its own, so that long solves do not hold up
    /// the threads Swift concurrency runs tasks on; cancelling the calling task
    /// stops the solve with ``TerminationStatus/interrupted``.
    package func solve(_ model: Model, options: SolveOptions = SolveOptions()) async throws -> SolveResult {
        let taskCancellation = CancellationFlag()
        var detachedOptions = options
        detachedOptions.taskCancellation = taskCancellation
        // The solving thread runs outside the task and cannot see its task-local containment.
        detachedOptions.containment = options.containment ?? SolverContainment.current
        let options = detachedOptions
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                // A queue of its own targets Dispatch's overcommitting pool, which adds a
                // thread when others block; the global queue shares its few threads with
                // Swift concurrency, and blocking them all starves every task.
                DispatchQueue(label: "MILP.solve").async {
                    continuation.resume(with: Result { try self.solve(model, options: options) })
                }
            }
        } onCancel: {
            taskCancellation.cancel()
        }
    }

    func solve(_ lowered: LoweredModel, options: SolveOptions, glpkTimeLimitMilliseconds: Int32? = nil) throws
        -> SolveResult
    {
        try validate(options, columnCount: lowered.columnCount)
        let clock = ContinuousClock()
        let started = clock.now
        func finish(_ outcome: RawOutcome) -> SolveResult {
            let elapsed = started.duration(to: clock.now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            let result = outcome.result(for: lowered, backend: self, seconds: seconds)
            // The caller's bound proves what the solver was stopped for (or happened to find).
            if result.status != .optimal, let solution = result.solution,
               options.meetsKnownBound(solution.objective, maximize: lowered.maximize) {
                return SolveResult(backend: self, status: .optimal, solution: solution, bestBound: solution.objective,
                                   nodes: result.nodes, solveSeconds: result.solveSeconds)
            }
            return result
        }
        if options.isCancelled {
            return finish(RawOutcome(status: .interrupted))
        }
        if lowered.isTriviallyInfeasible {
            return finish(RawOutcome(status: .infeasible))
        }
        if lowered.columnCount == 0 {
            return finish(Self.solveEmpty(lowered, options: options))
        }
        if glpkTimeLimitMilliseconds == nil, let containment = options.containment ?? SolverContainment.current {
            return try SolverProcess.solve(lowered, backend: self, options: options, containment: containment)
        }
        let start = Self.denseStart(options.mipStart, columnCount: lowered.columnCount)
        switch self {
        case .cbc:
            return finish(try CBCBackend.solve(lowered, options: options, start: start))
        case .glpk:
            return finish(
                try GLPKBackend.solve(
                    lowered, options: options, start: start, timeLimitMilliseconds: glpkTimeLimitMilliseconds))
        }
    }

    private func validate(_ options: SolveOptions, columnCount: Int) throws {
        func reject(_ reason: String) -> SolverError {
            SolverError(backend: self, code: nil, message: reason, context: "checking the options")
        }
        if let limit = options.timeLimit, !(limit > 0) {
            throw reject("the time limit must be positive, got \(limit)")
        }
        if !(options.relativeGap >= 0) {
            throw reject("the relative gap must be at least 0, got \(options.relativeGap)")
        }
        if let gap = options.absoluteGap, !(gap >= 0) {
            throw reject("the absolute gap must be at least 0, got \(gap)")
        }
        if let threads = options.threads, threads < 1 {
            throw reject("at least one thread is needed, got \(threads)")
        }
        if let cutoff = options.cutoff, cutoff.isNaN {
            throw reject("the cutoff must be a number")
        }
        if let known = options.knownBound, known.isNaN {
            throw reject("the known bound must be a number")
        }
        for (variable, value) in options.mipStart {
            if variable.index < 0 || variable.index >= columnCount {
                throw reject("the MIP start names variable \(variable.index), which is not in the model")
            }
            if !value.isFinite {
                throw reject("the MIP start gives variable \(variable.index) the value \(value)")
            }
        }
    }

    /// Without variables every row is `lower <= 0 <= upper`, already checked by the caller.
    private static func solveEmpty(_ lowered: LoweredModel, options: SolveOptions) -> RawOutcome {
        let objective = lowered.objectiveOffset
        if let cutoff = options.cutoff, lowered.maximize ? objective < cutoff : objective > cutoff {
            return RawOutcome(status: .infeasible)
        }
        return RawOutcome(status: .optimal, values: [], bound: objective)
    }

    private static func denseStart(_ start: [Variable: Double], columnCount: Int) -> [Double]? {
        guard !start.isEmpty else { return nil }
        var dense = [Double](repeating: .nan, count: columnCount)
        for (variable, value) in start {
            dense[variable.index] = value
        }
        return dense
    }
}

/// What a backend reports before values are snapped and the objective recomputed.
struct RawOutcome {
    var status: TerminationStatus
    var values: [Double]?
    var bound: Double?
    var nodes = 0
    var iterations = 0

    /// Integer values within this distance of an integer are taken to be that integer.
    static let integralityTolerance = 1e-5

    func result(for lowered: LoweredModel, backend: SolverBackend, seconds: Double) -> SolveResult {
        var solution: Solution?
        if var values, values.count == lowered.columnCount {
            var objective = lowered.objectiveOffset
            for column in values.indices {
                var value = values[column]
                if lowered.isInteger[column] != 0, abs(value - value.rounded()) <= Self.integralityTolerance {
                    value = value.rounded()
                }
                value = min(max(value, lowered.columnLower[column]), lowered.columnUpper[column])
                values[column] = value
                objective += lowered.objective[column] * value
            }
            solution = Solution(values: values, objective: objective)
        }
        var bound = bound
        if status == .optimal, let solution {
            bound = solution.objective
        }
        return SolveResult(
            backend: backend, status: status, solution: solution, bestBound: bound, nodes: nodes, iterations: iterations,
            solveSeconds: seconds)
    }
}
