import Synchronization

/// Limits, tolerances and hooks for one solve.
///
/// Every field has a default that asks for a proven optimum with no output:
///
/// ```swift
/// var options = SolveOptions()
/// options.timeLimit = 10
/// options.relativeGap = 0.01
/// options.mipStart = [x: 1, y: 0]
/// let result = try SolverBackend.glpk.solve(model, options: options)
/// ```
public struct SolveOptions: Sendable {
    /// Wall-clock limit in seconds; `nil` for none.
    public var timeLimit: Double?

    /// Stop once `|incumbent − bound| / |incumbent|` is at most this value; 0 proves optimality.
    public var relativeGap: Double = 0

    /// Stop once `|incumbent − bound|` is at most this value; `nil` for none.
    ///
    /// With integral objective coefficients, `0.999` proves optimality early.
    public var absoluteGap: Double?

    /// A known assignment handed to the solver as its first incumbent.
    ///
    /// It may cover some or all variables. CBC completes a partial start itself;
    /// GLPK only uses a start that covers every variable and satisfies the model
    /// (it is checked first, since GLPK would accept an infeasible one).
    public var mipStart: [Variable: Double] = [:]

    /// Only solutions at least as good as this objective value are wanted.
    ///
    /// A cutoff prunes the search early; when no solution reaches it the result is
    /// ``TerminationStatus/infeasible``.
    public var cutoff: Double?

    /// How much the solver prints to standard output.
    public var logLevel: LogLevel = .quiet

    /// Threads CBC may use; `nil` leaves CBC's default (one). GLPK is single-threaded.
    public var threads: Int?

    /// Called now and then during branch and bound, from the solving thread.
    ///
    /// Keep it quick: the solver waits for it. CBC reports progress only through its
    /// log, so with CBC the callback runs only when ``logLevel`` is not ``LogLevel/quiet``.
    public var progress: (@Sendable (SolveProgress) -> Void)?

    /// Set it from anywhere to stop the solve early with ``TerminationStatus/interrupted``.
    ///
    /// Cancelling the Swift task that runs the solve has the same effect.
    public var cancellation: CancellationFlag?

    /// Creates the default options.
    public init() {}
}

/// The amount of solver output.
public enum LogLevel: Int, Sendable, Hashable, CaseIterable, Comparable {
    /// Nothing is printed.
    case quiet = 0
    /// The solver's usual progress log.
    case normal = 1
    /// Everything the solver can say.
    case verbose = 2

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A snapshot of a running branch and bound.
public struct SolveProgress: Sendable, Hashable {
    /// Seconds since the solve started.
    public var elapsedSeconds: Double
    /// The objective of the best solution found so far.
    public var incumbent: Double?
    /// The best objective any solution could still reach.
    public var bestBound: Double?
    /// Branch-and-bound nodes created so far.
    public var nodes: Int

    /// `|incumbent − bestBound| / max(|incumbent|, 1e-10)`, when both are known.
    public var gap: Double? { relativeGap(incumbent, bestBound) }

    public init(elapsedSeconds: Double, incumbent: Double?, bestBound: Double?, nodes: Int) {
        self.elapsedSeconds = elapsedSeconds
        self.incumbent = incumbent
        self.bestBound = bestBound
        self.nodes = nodes
    }
}

func relativeGap(_ objective: Double?, _ bound: Double?) -> Double? {
    guard let objective, let bound else { return nil }
    return abs(objective - bound) / max(abs(objective), 1e-10)
}

/// A thread-safe flag that asks running solves to stop.
///
/// One flag can be shared by many solves; once cancelled it stays cancelled.
public final class CancellationFlag: Sendable {
    private let state = Atomic<Bool>(false)

    public init() {}

    /// Asks every solve that watches this flag to stop as soon as it can.
    public func cancel() {
        state.store(true, ordering: .relaxed)
    }

    /// Whether ``cancel()`` has been called.
    public var isCancelled: Bool {
        state.load(ordering: .relaxed)
    }
}

extension SolveOptions {
    /// Whether the caller wants the solve to stop, by flag or by task cancellation.
    var isCancelled: Bool {
        (cancellation?.isCancelled ?? false) || Task.isCancelled
    }
}
