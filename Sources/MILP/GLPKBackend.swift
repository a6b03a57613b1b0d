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
        var parameters = cglpk_parameters()
        parameters.time_limit_ms = timeLimitMilliseconds ?? milliseconds(options.timeLimit)
        parameters.relative_gap = options.relativeGap
        parameters.absolute_gap = options.absoluteGap ?? -1
        parameters.has_cutoff = options.cutoff == nil ? 0 : 1
        parameters.cutoff = options.cutoff ?? 0
        parameters.log_level = Int32(options.logLevel.rawValue)

        let relay = ProgressRelay(options: options)
        parameters.progress = { progress, context in
            guard let progress, let context else { return 0 }
            let relay = Unmanaged<ProgressRelay>.fromOpaque(context).takeUnretainedValue()
            return relay.report(progress.pointee) ? 1 : 0
        }
        parameters.progress_context = Unmanaged.passUnretained(relay).toOpaque()

        var values = [Double](repeating: 0, count: model.columnCount)
        var result = cglpk_result()
        // A partial start cannot be handed to GLPK, which wants every column.
        let completeStart = start.flatMap { $0.contains(where: \.isNaN) ? nil : $0 }
        withExtendedLifetime(relay) {
            model.withProblem { problem in
                withOptionalPointer(completeStart) { startPointer in
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

/// Hands progress to the caller's callback at a modest rate and relays cancellation.
private final class ProgressRelay {
    let options: SolveOptions
    var lastReport = -Double.infinity

    init(options: SolveOptions) {
        self.options = options
    }

    /// Returns whether the solve should stop.
    func report(_ progress: cglpk_progress) -> Bool {
        if let callback = options.progress,
            progress.improved != 0 || progress.elapsed_seconds - lastReport >= 0.25
        {
            lastReport = progress.elapsed_seconds
            callback(
                SolveProgress(
                    elapsedSeconds: progress.elapsed_seconds,
                    incumbent: progress.has_incumbent != 0 ? progress.incumbent : nil,
                    bestBound: progress.has_bound != 0 ? progress.bound : nil,
                    nodes: Int(progress.nodes)
                )
            )
        }
        return options.isCancelled
    }
}

private func withOptionalPointer<R>(_ array: [Double]?, _ body: (UnsafePointer<Double>?) -> R) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0.baseAddress) }
}

extension LoweredModel {
    fileprivate func withProblem<R>(_ body: (UnsafePointer<cglpk_problem>) -> R) -> R {
        columnStarts.withUnsafeBufferPointer { starts in
            columnRows.withUnsafeBufferPointer { rows in
                columnValues.withUnsafeBufferPointer { values in
                    columnLower.withUnsafeBufferPointer { lower in
                        columnUpper.withUnsafeBufferPointer { upper in
                            isInteger.withUnsafeBufferPointer { integer in
                                objective.withUnsafeBufferPointer { costs in
                                    rowLower.withUnsafeBufferPointer { rowLowerPointer in
                                        rowUpper.withUnsafeBufferPointer { rowUpperPointer in
                                            var problem = cglpk_problem(
                                                num_rows: Int32(rowCount),
                                                num_cols: Int32(columnCount),
                                                col_starts: starts.baseAddress,
                                                row_indices: rows.baseAddress,
                                                values: values.baseAddress,
                                                col_lower: lower.baseAddress,
                                                col_upper: upper.baseAddress,
                                                col_is_integer: integer.baseAddress,
                                                objective: costs.baseAddress,
                                                objective_offset: objectiveOffset,
                                                maximize: maximize ? 1 : 0,
                                                row_lower: rowLowerPointer.baseAddress,
                                                row_upper: rowUpperPointer.baseAddress
                                            )
                                            return body(&problem)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
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
