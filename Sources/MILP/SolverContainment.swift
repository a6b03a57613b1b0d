import Synchronization

/// Where a solver call runs: in the calling process, or in a child process that a crash, a hang
/// or memory exhaustion can take down without the caller.
public enum SolverIsolation: String, Sendable, Hashable, CaseIterable {
    /// In the calling process: the fastest, and a fault in CBC or GLPK takes the process with it.
    case inProcess = "in-process"
    /// In a child process (`cosma-solver`, found by `SolverContainment/workerPath()`) with a hard
    /// deadline: a fault becomes a result with a note, never a dead caller.
    case childProcess = "child-process"
}

/// A fault the solver child can be told to commit, so that tests can prove it is contained.
///
/// For tests only: a child process given one never solves. The environment variable
/// `COSMA_TEST_SOLVER_FAULT` (`crash`, `hang` or `memory`) sets it for every contained solve of a
/// process and of its children, so that tests can inject faults into `cosma solve` and into C
/// hosts; ``SolverContainment/init(timeLimit:graceSeconds:injectedFault:)`` sets it for one
/// Swift caller.
package enum InjectedSolverFault: String, Sendable, Hashable, CaseIterable {
    /// The child kills itself with `SIGSEGV`, as CBC 2.10.8 does in preprocessing.
    case crash
    /// The child sleeps and ignores every request to stop, as CBC's root LP ignores its limit.
    case hang
    /// The child allocates memory until its address-space limit stops it.
    case memory

    /// The variable tests set to inject a fault into every contained solve.
    package static let environmentVariable = "COSMA_TEST_SOLVER_FAULT"
}

/// Solver calls in child processes, with a hard deadline, for one planning call.
///
/// While a containment is ``current`` (a task-local value; the command-line tool and the C
/// library set one for every call, the Swift facade when ``SolverIsolation/childProcess`` is
/// asked for), every solve of ``SolverBackend`` runs in a `cosma-solver` child:
///
/// - it is asked to stop (its standard input is closed) `graceSeconds` after its own time limit
///   or ``answerSeconds`` before the containment's deadline, whichever comes first, and killed
///   with `SIGKILL` `answerSeconds` later (also after a cancellation), so that no child outlives
///   the deadline;
/// - a child that dies by a signal, exits without an answer or is killed gives a result with
///   status ``TerminationStatus/error`` or ``TerminationStatus/timeLimit``, no solution, and a
///   ``SolveResult/note`` that says what happened; the planner keeps the best plan it has (its
///   warm start), and the note is in ``incidents`` for its trace;
/// - its address space is limited to three quarters of the machine's memory, so that a solver
///   that runs out of memory fails alone instead of making the machine swap.
///
/// A host that dies takes its children along: a child whose standard input closes stops.
package final class SolverContainment: Sendable {
    /// The containment of the calling task (or thread); `nil` solves in the calling process.
    @TaskLocal package static var current: SolverContainment?

    /// The instant after which no solver child may run, whatever its own limit says.
    package let deadline: ContinuousClock.Instant?
    /// Seconds between the time limit and the request to stop.
    package let graceSeconds: Double
    /// Seconds a child asked to stop has to answer before `SIGKILL` (a loaded machine needs some).
    package let answerSeconds = 0.5
    /// A fault every child commits instead of solving; for tests only (``InjectedSolverFault``).
    package let injectedFault: InjectedSolverFault?
    private let log = Mutex<[String]>([])

    /// A containment whose children all end by `timeLimit` seconds from now, killed then if they
    /// did not answer the request to stop; `nil` leaves each solve its own limit alone.
    package init(timeLimit: Double? = nil, graceSeconds: Double = 0.2, injectedFault: InjectedSolverFault? = nil) {
        let now = ContinuousClock.now
        deadline = timeLimit.flatMap { $0.isFinite ? now.advanced(by: .milliseconds(Int64(($0 * 1000).rounded(.up)))) : nil }
        self.graceSeconds = graceSeconds
        self.injectedFault = injectedFault ?? Self.environmentFault
    }

    /// What went wrong in solver children so far, one sentence each, oldest first.
    package var incidents: [String] { log.withLock { $0 } }

    func record(_ incident: String) { log.withLock { $0.append(incident) } }

    /// `COSMA_TEST_SOLVER_FAULT`, when set to a fault's name.
    static var environmentFault: InjectedSolverFault? {
        environmentValue(InjectedSolverFault.environmentVariable).flatMap(InjectedSolverFault.init(rawValue:))
    }

    /// Runs `body` with solver calls contained as `isolation` says: a containment of its own that
    /// ends by `timeLimit`, or none. `body` gets the containment, to read its ``incidents``: the
    /// one entry point of the command-line tool, the C library and the Swift facade.
    package static func with<R>(_ isolation: SolverIsolation, timeLimit: Double?,
                                _ body: (SolverContainment?) throws -> R) rethrows -> R {
        let containment = isolation == .childProcess ? SolverContainment(timeLimit: timeLimit) : nil
        return try $current.withValue(containment) { try body(containment) }
    }
}
