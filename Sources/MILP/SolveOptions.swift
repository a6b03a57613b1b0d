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
package struct SolveOptions: Sendable {
    /// Wall-clock limit in seconds; `nil` for none.
    package var timeLimit: Double?

    /// Branch-and-bound nodes at most; `nil` for none. Reaching it ends the solve with
    /// ``TerminationStatus/timeLimit``. Unlike a time limit it stops the search at the same node
    /// on any machine and under any load, so single-threaded solves repeat exactly
    /// (docs/planner.md, "Deterministic mode").
    package var nodeLimit: Int?

    /// Simplex iterations at most, over the whole solve; `nil` for none. Reaching it ends the solve
    /// with ``TerminationStatus/timeLimit``, keeping the incumbent and the bound found so far.
    ///
    /// A node limit alone does not bound a solve's work: one node of a large program can take
    /// thousands of iterations, and a solve priced at 2 work units spent 6.7 (docs/planner.md,
    /// "Deterministic mode"). Iterations are counted at checkpoints that come at the same place on
    /// any machine: a pure LP stops at the limit exactly, and so does GLPK's root relaxation; a
    /// branch and bound stops at its next node, solution or search callback after the limit. CBC
    /// reports nothing while it solves its root, so a CBC root that alone exceeds the limit runs
    /// on, up to ``hardIterationLimit``. Deterministic like ``nodeLimit``.
    package var iterationLimit: Int?

    /// Simplex iterations at most over every linear program of a branch and bound, its root
    /// included, counted at each iteration; `nil` for none. Reaching it ends the solve with
    /// ``TerminationStatus/timeLimit`` and neither incumbent nor bound (CBC takes a stopped
    /// relaxation for a failed one and may prune on it).
    ///
    /// CBC works on its root without reporting anything, so ``iterationLimit`` cannot stop it
    /// there: at 40 work units one RandWire-BA instance spent 364, in roots of segment programs.
    /// The CBC shim counts every iteration Clp makes for the solve (preprocessing, cut rounds,
    /// heuristics and nodes alike) and stops them all here. A solve within the limit takes the
    /// same path as without it. GLPK's relaxation obeys ``iterationLimit`` itself and ignores
    /// this. Deterministic like ``nodeLimit``.
    package var hardIterationLimit: Int?

    /// Stop once `|incumbent − bound| / |incumbent|` is at most this value; 0 proves optimality.
    package var relativeGap: Double = 0

    /// Stop once `|incumbent − bound|` is at most this value; `nil` for none.
    ///
    /// With integral objective coefficients, `0.999` proves optimality early.
    package var absoluteGap: Double?

    /// A known assignment handed to the solver as its first incumbent.
    ///
    /// It may cover some or all variables. A partial start is completed by a short
    /// search with the given variables fixed (CBC does this itself; for GLPK this
    /// layer does it). A start that violates the model is ignored: CBC checks it,
    /// and for GLPK it is checked first, since GLPK would accept it blindly.
    package var mipStart: [Variable: Double] = [:]

    /// Only solutions at least as good as this objective value are wanted.
    ///
    /// A cutoff prunes the search early; when no solution reaches it the result is
    /// ``TerminationStatus/infeasible``.
    package var cutoff: Double?

    /// A bound on the optimum proven by other means (a lower bound when minimising, an upper
    /// bound when maximising); `nil` for none.
    ///
    /// The solve stops as soon as an incumbent meets it, and that incumbent is then reported
    /// ``TerminationStatus/optimal``. A solver often finds the optimum long before its own bound
    /// reaches it: on ViT-B/16 with its weights at `M_R`, CBC found Cosma's capacity program's
    /// optimum in 13 s and took 25 s more to close the last 16 bytes that the crossing bound
    /// proves at once. The caller answers for the bound's validity: the solver cannot check it.
    package var knownBound: Double?

    /// How much the solver prints to standard output.
    package var logLevel: LogLevel = .quiet

    /// Threads CBC may use; `nil` leaves CBC's default (one). GLPK is single-threaded.
    package var threads: Int?

    /// Whether the solve must repeat exactly: the same model and options give the same result
    /// whatever the process solved or allocated before, in the calling process as in a child.
    ///
    /// CBC 2.10.8's feasibility pump reads heap memory it never wrote, so with it a solve's path
    /// depends on what earlier allocations left there: one of #18's segment programs took 3,692
    /// simplex iterations in a fresh process and 3,690 or 3,699 after another solve in the same
    /// one. A repeatable CBC solve runs without the pump. Work budgets set this, with node and
    /// iteration limits and one thread (docs/planner.md, "Deterministic mode"). GLPK ignores it.
    package var repeatable = false

    /// Called now and then during branch and bound, from the solving thread.
    ///
    /// Keep it quick: the solver waits for it. Reports come at most every quarter
    /// second, and whenever a better solution is found; none come during a pure LP. They
    /// describe the whole program's search, never that of a heuristic's sub-problem.
    package var progress: (@Sendable (SolveProgress) -> Void)?

    /// Set it from anywhere to stop the solve early with ``TerminationStatus/interrupted``.
    ///
    /// Cancelling the Swift task that runs the solve has the same effect. Both are
    /// checked between branch-and-bound nodes and, in CBC, between the root's cut rounds and
    /// after its heuristics; not during a long LP solve. The solve keeps its incumbent.
    package var cancellation: CancellationFlag?

    /// Runs the solve in a child process with a hard deadline; `nil` takes the calling task's
    /// ``SolverContainment/current`` (and solves in process when there is none).
    package var containment: SolverContainment?

    /// Set by the `async` solve when its task is cancelled; the solve itself runs
    /// on another thread, where `Task.isCancelled` cannot see the task.
    var taskCancellation: CancellationFlag?

    /// Creates the default options.
    package init() {}
}

/// The amount of solver output.
package enum LogLevel: Int, Sendable, Hashable, CaseIterable, Comparable {
    /// Nothing is printed.
    case quiet = 0
    /// The solver's usual progress log.
    case normal = 1
    /// Everything the solver can say.
    case verbose = 2

    package static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
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
package final class CancellationFlag: Sendable {
    private let state = Atomic<Bool>(false)

    package init() {}

    /// Asks every solve that watches this flag to stop as soon as it can.
    package func cancel() {
        state.store(true, ordering: .relaxed)
    }

    /// Whether ``cancel()`` has been called.
    package var isCancelled: Bool {
        state.load(ordering: .relaxed)
    }
}

extension SolveOptions {
    /// Whether `objective` reaches ``knownBound``, within a tolerance far below one unit of any
    /// integral objective (1e-6 plus 1e-9 of its size, as solvers' own optimality tests allow).
    func meetsKnownBound(_ objective: Double, maximize: Bool) -> Bool {
        guard let known = knownBound else { return false }
        let tolerance = 1e-6 + 1e-9 * abs(known)
        return maximize ? objective >= known - tolerance : objective <= known + tolerance
    }

    /// Whether the caller wants the solve to stop, by flag or by task cancellation.
    var isCancelled: Bool {
        (cancellation?.isCancelled ?? false) || (taskCancellation?.isCancelled ?? false) || Task.isCancelled
    }
}
