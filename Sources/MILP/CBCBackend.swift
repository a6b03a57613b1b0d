internal import CCbc
import Synchronization

/// Runs a lowered model through CBC's C interface.
///
/// CBC keeps global state (the standalone solver's parameter tables, signal
/// handlers, message state) and concurrent `Cbc_solve` calls on separate models
/// were seen to return wrong objectives, so every CBC call for a solve happens
/// behind one process-wide lock.
enum CBCBackend {
    private static let lock = Mutex<Void>(())

    static func solve(_ model: LoweredModel, options: SolveOptions, start: [Double]?) throws -> RawOutcome {
        try lock.withLock { _ in
            try solveLocked(model, options: options, start: start)
        }
    }

    private static func solveLocked(_ model: LoweredModel, options: SolveOptions, start: [Double]?) throws -> RawOutcome {
        guard let cbc = Cbc_newModel() else {
            throw SolverError(backend: .cbc, code: nil, message: "Cbc_newModel returned NULL", context: "creating a model")
        }
        defer { Cbc_deleteModel(cbc) }
        load(model, into: cbc)
        configure(cbc, model: model, options: options, start: start)
        Cbc_solve(cbc)
        return model.integerCount == 0
            ? linearOutcome(cbc, columnCount: model.columnCount, cutoff: options.cutoff.map { (value: $0, model: model) })
            : integerOutcome(cbc, columnCount: model.columnCount, offset: model.objectiveOffset)
    }

    private static func load(_ model: LoweredModel, into cbc: UnsafeMutableRawPointer) {
        let lower = model.columnLower.map(Self.finite)
        let upper = model.columnUpper.map(Self.finite)
        let rowLower = model.rowLower.map(Self.finite)
        let rowUpper = model.rowUpper.map(Self.finite)
        Cbc_loadProblem(
            cbc, Int32(model.columnCount), Int32(model.rowCount),
            model.columnStarts, model.columnRows, model.columnValues,
            lower, upper, model.objective, rowLower, rowUpper
        )
        for column in 0..<model.columnCount where model.isInteger[column] != 0 {
            Cbc_setInteger(cbc, Int32(column))
        }
        Cbc_setObjSense(cbc, model.maximize ? -1 : 1)
    }

    private static func configure(_ cbc: UnsafeMutableRawPointer, model: LoweredModel, options: SolveOptions, start: [Double]?) {
        Cbc_setLogLevel(cbc, Int32(options.logLevel == .verbose ? 3 : options.logLevel.rawValue))
        Cbc_setParameter(cbc, "log", String(options.logLevel == .verbose ? 3 : options.logLevel.rawValue))
        if let limit = options.timeLimit, limit.isFinite {
            Cbc_setMaximumSeconds(cbc, limit)
            Cbc_setParameter(cbc, "sec", String(limit))
        }
        if options.relativeGap > 0 {
            Cbc_setAllowableFractionGap(cbc, options.relativeGap)
        }
        if let gap = options.absoluteGap {
            Cbc_setAllowableGap(cbc, gap)
        }
        if let cutoff = options.cutoff {
            Cbc_setCutoff(cbc, cutoff - model.objectiveOffset)
        }
        if let threads = options.threads, threads > 1 {
            Cbc_setParameter(cbc, "threads", String(threads))
        }
        if let start {
            var columns = [Int32]()
            var values = [Double]()
            for (column, value) in start.enumerated() where !value.isNaN {
                columns.append(Int32(column))
                values.append(model.isInteger[column] != 0 ? value.rounded() : value)
            }
            Cbc_setMIPStartI(cbc, Int32(columns.count), columns, values)
        }
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

    private static func finite(_ value: Double) -> Double {
        if value == .infinity { return .greatestFiniteMagnitude }
        if value == -.infinity { return -.greatestFiniteMagnitude }
        return value
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
                throw SolverError(backend: .cbc, code: nil, message: "Cbc_newModel returned NULL", context: "reading \(path)")
            }
            defer { Cbc_deleteModel(cbc) }
            let code = format == .lp ? Cbc_readLp(cbc, path) : Cbc_readMps(cbc, path)
            guard code == 0 else {
                throw SolverError(backend: .cbc, code: Int(code), message: "the reader rejected the file", context: "reading \(path)")
            }
            Cbc_setLogLevel(cbc, 0)
            Cbc_setParameter(cbc, "log", "0")
            let columnCount = Int(Cbc_getNumCols(cbc))
            let integerCount = Int(Cbc_getNumIntegers(cbc))
            Cbc_solve(cbc)
            let outcome = integerCount == 0
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
