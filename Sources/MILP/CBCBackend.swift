internal import CCbc
internal import CCbcSession
import Synchronization

/// Runs a lowered model through CBC.
///
/// Solves go through the small C++ session in `CCbcSession`, which can report
/// progress and stop on request; CBC's C interface can do neither. The C interface
/// still reads LP and MPS files for tests.
///
/// CBC keeps global state (the standalone solver's parameter tables, signal
/// handlers, message state) and concurrent solves on separate models were seen to
/// return wrong objectives, so every CBC call happens behind one process-wide lock.
enum CBCBackend {
    private static let lock = Mutex<Void>(())

    static func solve(_ model: LoweredModel, options: SolveOptions, start: [Double]?) throws -> RawOutcome {
        try lock.withLock { _ in
            try solveLocked(model, options: options, start: start)
        }
    }

    /// Whether CBC's preprocessing must be skipped: when its time limit runs out while
    /// CglPreProcess handles a MIP start, CBC 2.10.8 dereferences a null pointer (a capacity
    /// program of 172,000 nonzeros started from a feasible plan crashed with 1 and 1.5 s, not
    /// with 3 s, and never without a start or without preprocessing). Skipping it where the
    /// limit leaves less than 5 s per 100,000 nonzeros keeps a wide margin; segment programs,
    /// a few thousand nonzeros after fixing, keep it (it made them about 1.5 times faster).
    ///
    /// With solver containment (``SolverContainment``, the default of the tool and the C library)
    /// such a crash no longer ends the host, but it loses the solve's answer, so the threshold stays
    /// as an optimisation rather than as the only guard.
    static func skipsPreprocessing(_ model: LoweredModel, options: SolveOptions, start: [Double]?) -> Bool {
        guard start != nil, let limit = options.timeLimit else { return false }
        return limit < 5 * Double(model.nonzeroCount) / 100_000
    }

    /// CBC's limits, tolerances and switches for one solve (no hooks yet).
    private static func limits(_ model: LoweredModel, options: SolveOptions, start: [Double]?) -> ccbc_parameters {
        var parameters = ccbc_parameters()
        parameters.time_limit_seconds = options.timeLimit.flatMap { $0.isFinite ? $0 : nil } ?? 0
        parameters.node_limit = options.nodeLimit.map { max(1, $0) } ?? 0
        parameters.iteration_limit = options.iterationLimit.map { max(1, $0) } ?? 0
        parameters.hard_iteration_limit = options.hardIterationLimit.map { max(1, $0) } ?? 0
        parameters.relative_gap = options.relativeGap
        parameters.absolute_gap = options.absoluteGap ?? -1
        parameters.has_cutoff = options.cutoff == nil ? 0 : 1
        parameters.cutoff = (options.cutoff ?? 0) - model.objectiveOffset
        parameters.log_level = Int32(options.logLevel == .verbose ? 3 : options.logLevel.rawValue)
        parameters.threads = Int32(clamping: options.threads ?? 1)
        parameters.skip_preprocessing = skipsPreprocessing(model, options: options, start: start) ? 1 : 0
        parameters.repeatable = options.repeatable ? 1 : 0
        return parameters
    }

    private static func solveLocked(_ model: LoweredModel, options: SolveOptions, start: [Double]?) throws -> RawOutcome
    {
        var parameters = limits(model, options: options, start: start)
        // CBC's objective leaves the offset out.
        let relay = ProgressRelay(options: options, objectiveOffset: model.objectiveOffset, maximize: model.maximize)
        parameters.progress = { progress, context in
            guard let progress = progress?.pointee, let context else { return 0 }
            let relay = Unmanaged<ProgressRelay>.fromOpaque(context).takeUnretainedValue()
            let stop = relay.report(
                elapsed: progress.elapsed_seconds,
                incumbent: progress.has_incumbent != 0 ? progress.incumbent : nil,
                bound: progress.has_bound != 0 ? progress.bound : nil,
                nodes: Int(progress.nodes),
                improved: progress.improved != 0
            )
            return stop ? 1 : 0
        }
        parameters.progress_context = Unmanaged.passUnretained(relay).toOpaque()

        var values = [Double](repeating: 0, count: model.columnCount)
        var result = ccbc_result()
        withExtendedLifetime(relay) {
            model.withPointers { pointers in
                var problem = ccbc_problem(
                    num_rows: Int32(model.rowCount),
                    num_cols: Int32(model.columnCount),
                    col_starts: pointers.columnStarts,
                    row_indices: pointers.columnRows,
                    values: pointers.columnValues,
                    col_lower: pointers.columnLower,
                    col_upper: pointers.columnUpper,
                    col_is_integer: pointers.isInteger,
                    objective: pointers.objective,
                    maximize: model.maximize ? 1 : 0,
                    row_lower: pointers.rowLower,
                    row_upper: pointers.rowUpper
                )
                withOptionalPointer(start) { startPointer in
                    parameters.mip_start = startPointer
                    values.withUnsafeMutableBufferPointer { output in
                        ccbc_solve(&problem, &parameters, output.baseAddress, &result)
                    }
                }
            }
        }

        var outcome = RawOutcome(status: .error)
        outcome.nodes = Int(result.nodes)
        outcome.iterations = Int(result.iterations)
        outcome.values = result.has_solution != 0 ? values : nil
        outcome.bound = result.has_bound != 0 ? result.bound + model.objectiveOffset : nil
        switch result.outcome {
        case CCBC_OPTIMAL: outcome.status = .optimal
        case CCBC_INFEASIBLE: outcome.status = .infeasible
        case CCBC_UNBOUNDED: outcome.status = .unbounded
        case CCBC_TIME_LIMIT: outcome.status = .timeLimit
        case CCBC_GAP_LIMIT: outcome.status = .gapLimit
        case CCBC_INTERRUPTED: outcome.status = .interrupted
        case CCBC_SOLVER_FAILURE: outcome.status = .error
        default:
            let message = withUnsafeBytes(of: result.message) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            throw SolverError(backend: .cbc, code: nil, message: message, context: "solving \(model.name)")
        }
        // Clp alone solves pure LPs and knows nothing of the cutoff.
        if model.integerCount == 0, outcome.status == .optimal, let cutoff = options.cutoff,
            let solution = outcome.values
        {
            let objective = zip(model.objective, solution).reduce(model.objectiveOffset) { $0 + $1.0 * $1.1 }
            let tolerance = 1e-9 * max(1, abs(cutoff))
            if model.maximize ? objective < cutoff - tolerance : objective > cutoff + tolerance {
                return RawOutcome(status: .infeasible)
            }
        }
        return outcome
    }

    /// Without integer variables `Cbc_solve` runs only Clp's simplex: the branch-and-bound
    /// status stays -1, `Cbc_bestSolution` is NULL, and limits and cutoffs are not applied.
    private static func linearOutcome(
        _ cbc: UnsafeMutableRawPointer, columnCount: Int, cutoff: (value: Double, model: LoweredModel)?
    ) -> RawOutcome {
        if Cbc_isProvenOptimal(cbc) != 0 {
            let values = copy(Cbc_getColSolution(cbc), count: columnCount)
            if let (cutoff, model) = cutoff, let values {
                let objective = zip(model.objective, values).reduce(model.objectiveOffset) { $0 + $1.0 * $1.1 }
                let tolerance = 1e-9 * max(1, abs(cutoff))
                if model.maximize ? objective < cutoff - tolerance : objective > cutoff + tolerance {
                    return RawOutcome(status: .infeasible)
                }
            }
            return RawOutcome(status: .optimal, values: values)
        }
        if Cbc_isInitialSolveProvenPrimalInfeasible(cbc) != 0 {
            return RawOutcome(status: .infeasible)
        }
        if Cbc_isProvenInfeasible(cbc) != 0 {
            // Proven infeasible but not primal infeasible: Clp proved the dual infeasible.
            return RawOutcome(status: .unbounded)
        }
        return RawOutcome(status: .error)
    }

    private static func integerOutcome(_ cbc: UnsafeMutableRawPointer, columnCount: Int, offset: Double) -> RawOutcome {
        let values = copy(Cbc_bestSolution(cbc), count: columnCount)
        var outcome = RawOutcome(status: .error, values: values)
        outcome.nodes = Int(Cbc_getNodeCount(cbc))
        let bound = Cbc_getBestPossibleObjValue(cbc)
        if bound.isFinite && abs(bound) < 1e50 {
            outcome.bound = bound + offset
        }
        let status = Cbc_status(cbc)
        let secondary = Cbc_secondaryStatus(cbc)
        switch (status, secondary) {
        case (_, 7):
            outcome.status = .unbounded
        case (0, 2), (1, 2):
            outcome.status = values == nil ? .infeasible : .gapLimit
        case (0, _):
            if values != nil && Cbc_isProvenOptimal(cbc) != 0 {
                outcome.status = .optimal
            } else if Cbc_isContinuousUnbounded(cbc) != 0 {
                outcome.status = .unbounded
            } else if values == nil {
                outcome.status = .infeasible
            } else {
                outcome.status = .optimal
            }
        case (1, 4):
            outcome.status = .timeLimit
        case (1, 5), (5, _):
            outcome.status = .interrupted
        default:
            if Cbc_isProvenInfeasible(cbc) != 0 || Cbc_isInitialSolveProvenPrimalInfeasible(cbc) != 0 {
                outcome.status = .infeasible
            } else if Cbc_isContinuousUnbounded(cbc) != 0 {
                outcome.status = .unbounded
            } else {
                outcome.status = .error
            }
        }
        return outcome
    }

    private static func copy(_ pointer: UnsafePointer<Double>?, count: Int) -> [Double]? {
        guard let pointer else { return nil }
        return Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    private static func copy(_ pointer: UnsafeMutablePointer<Double>?, count: Int) -> [Double]? {
        copy(pointer.map { UnsafePointer($0) }, count: count)
    }

    /// The version of the CBC library in use.
    static var version: String { String(cString: Cbc_getVersion()) }
}

extension CBCBackend {
    enum FileFormat {
        case lp
        case mps
    }

    /// What CBC makes of a file on its own, for checking our writers against CBC's readers.
    struct FileSolve {
        var status: TerminationStatus
        var objective: Double
        /// Solution values by column name, as CBC read the names.
        var values: [String: Double]
    }

    static func solveFile(at path: String, format: FileFormat) throws -> FileSolve {
        try lock.withLock { _ in
            guard let cbc = Cbc_newModel() else {
                throw SolverError(
                    backend: .cbc, code: nil, message: "Cbc_newModel returned NULL", context: "reading \(path)")
            }
            defer { Cbc_deleteModel(cbc) }
            Cbc_setLogLevel(cbc, 0)
            let code = format == .lp ? Cbc_readLp(cbc, path) : Cbc_readMps(cbc, path)
            guard code == 0 else {
                throw SolverError(
                    backend: .cbc, code: Int(code), message: "the reader rejected the file", context: "reading \(path)")
            }
            Cbc_setLogLevel(cbc, 0)
            Cbc_setParameter(cbc, "log", "0")
            let columnCount = Int(Cbc_getNumCols(cbc))
            let integerCount = Int(Cbc_getNumIntegers(cbc))
            Cbc_solve(cbc)
            let outcome =
                integerCount == 0
                ? linearOutcome(cbc, columnCount: columnCount, cutoff: nil)
                : integerOutcome(cbc, columnCount: columnCount, offset: 0)
            var values: [String: Double] = [:]
            if let solution = outcome.values {
                var buffer = [CChar](repeating: 0, count: 512)
                for column in 0..<columnCount {
                    Cbc_getColName(cbc, Int32(column), &buffer, buffer.count)
                    let name = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
                    values[String(decoding: name, as: UTF8.self)] = solution[column]
                }
            }
            return FileSolve(status: outcome.status, objective: Cbc_getObjValue(cbc), values: values)
        }
    }
}
