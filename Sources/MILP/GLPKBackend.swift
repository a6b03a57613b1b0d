internal import CGlpk

/// Runs a lowered model through the C shim, which owns the whole GLPK session.
enum GLPKBackend {
    /// - Parameter timeLimitMilliseconds: Overrides the limit derived from the options;
    ///   tests use it to hand GLPK an invalid value and check that its error is trapped.
    static func solve(
        _ model: LoweredModel,
        options: SolveOptions,
        start: [Double]?,
        timeLimitMilliseconds: Int32? = nil
    ) throws -> RawOutcome {
        guard let start, start.contains(where: \.isNaN) else {
            return try session(model, options: options, start: start, timeLimitMilliseconds: timeLimitMilliseconds)
        }
        let clock = ContinuousClock()
        let began = clock.now
        let completed = try complete(start, model: model, options: options)
        var remaining = options
        if let limit = options.timeLimit {
            let spent = began.duration(to: clock.now) / .seconds(1)
            remaining.timeLimit = max(limit - spent, 0.001)
        }
        return try session(model, options: remaining, start: completed, timeLimitMilliseconds: timeLimitMilliseconds)
    }

    /// GLPK takes only complete starts, so a partial one is completed the way CBC
    /// does it: a short solve with the given variables fixed, stopping at the first
    /// solution found.
    private static func complete(_ partial: [Double], model: LoweredModel, options: SolveOptions) throws -> [Double]? {
        var fixed = model
        for column in partial.indices where !partial[column].isNaN {
            let value = model.isInteger[column] != 0 ? partial[column].rounded() : partial[column]
            guard value >= model.columnLower[column] - 1e-9, value <= model.columnUpper[column] + 1e-9 else {
                return nil
            }
            fixed.columnLower[column] = value
            fixed.columnUpper[column] = value
        }
        var search = SolveOptions()
        // Under a node limit alone (a deterministic solve) the completion gets a quarter of the
        // nodes and no clock.
        if let nodes = options.nodeLimit, options.timeLimit == nil {
            search.nodeLimit = max(1, nodes / 4)
            search.iterationLimit = options.iterationLimit.map { max(1, $0 / 4) }
        } else {
            search.timeLimit = min(options.timeLimit.map { $0 / 4 } ?? 5, 5)
        }
        // Large enough to stop at the first solution; GLPK reads a gap of DBL_MAX as
        // met before any solution exists.
        search.relativeGap = 1e9
        search.cutoff = options.cutoff
        search.cancellation = options.cancellation
        search.taskCancellation = options.taskCancellation
        return try session(fixed, options: search, start: nil).values
    }

    private static func session(
        _ model: LoweredModel,
        options: SolveOptions,
        start: [Double]?,
        timeLimitMilliseconds: Int32? = nil
    ) throws -> RawOutcome {
        var parameters = cglpk_parameters()
        parameters.time_limit_ms = timeLimitMilliseconds ?? milliseconds(options.timeLimit)
        parameters.node_limit = options.nodeLimit.map { max(1, $0) } ?? 0
        parameters.iteration_limit = options.iterationLimit.map { max(1, $0) } ?? 0
        parameters.relative_gap = options.relativeGap
        parameters.absolute_gap = options.absoluteGap ?? -1
        parameters.has_cutoff = options.cutoff == nil ? 0 : 1
        parameters.cutoff = options.cutoff ?? 0
        parameters.log_level = Int32(options.logLevel.rawValue)

        // GLPK's objective includes the offset already.
        let relay = ProgressRelay(options: options, objectiveOffset: 0, maximize: model.maximize)
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
        var result = cglpk_result()
        withExtendedLifetime(relay) {
            model.withProblem { problem in
                withOptionalPointer(start) { startPointer in
                    parameters.mip_start = startPointer
                    values.withUnsafeMutableBufferPointer { output in
                        cglpk_solve(problem, &parameters, output.baseAddress, &result)
                    }
                }
            }
        }

        let message = withUnsafeBytes(of: result.message) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        var outcome = RawOutcome(status: .error)
        outcome.nodes = Int(result.nodes)
        outcome.iterations = Int(result.iterations)
        outcome.values = result.has_solution != 0 ? values : nil
        outcome.bound = result.has_bound != 0 ? result.bound : nil
        switch result.outcome {
        case CGLPK_OPTIMAL: outcome.status = .optimal
        case CGLPK_INFEASIBLE: outcome.status = .infeasible
        case CGLPK_UNBOUNDED: outcome.status = .unbounded
        case CGLPK_TIME_LIMIT: outcome.status = .timeLimit
        case CGLPK_GAP_LIMIT: outcome.status = .gapLimit
        case CGLPK_INTERRUPTED: outcome.status = .interrupted
        case CGLPK_SOLVER_FAILURE: outcome.status = .error
        default:
            throw SolverError(
                backend: .glpk,
                code: Int(result.glpk_code),
                message: message.trimmingTrailingWhitespace(),
                context: "solving \(model.name)"
            )
        }
        return outcome
    }

    private static func milliseconds(_ seconds: Double?) -> Int32 {
        guard let seconds, seconds.isFinite else { return Int32.max }
        let value = (seconds * 1000).rounded(.up)
        return value >= Double(Int32.max - 1) ? Int32.max - 1 : max(1, Int32(value))
    }

    /// The version of the GLPK library in use.
    static var version: String { String(cString: cglpk_version()) }
}

extension LoweredModel {
    fileprivate func withProblem<R>(_ body: (UnsafePointer<cglpk_problem>) -> R) -> R {
        withPointers { pointers in
            var problem = cglpk_problem(
                num_rows: Int32(rowCount),
                num_cols: Int32(columnCount),
                col_starts: pointers.columnStarts,
                row_indices: pointers.columnRows,
                values: pointers.columnValues,
                col_lower: pointers.columnLower,
                col_upper: pointers.columnUpper,
                col_is_integer: pointers.isInteger,
                objective: pointers.objective,
                objective_offset: objectiveOffset,
                maximize: maximize ? 1 : 0,
                row_lower: pointers.rowLower,
                row_upper: pointers.rowUpper
            )
            return body(&problem)
        }
    }
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace {
            text.removeLast()
        }
        return String(text)
    }
}
