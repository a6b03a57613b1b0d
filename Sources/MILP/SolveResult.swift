/// Why a solve stopped. It says nothing on its own about whether a solution exists:
/// a time limit may come with or without an incumbent, so check `SolveResult/solution`.
public enum TerminationStatus: String, Sendable, Hashable, CaseIterable {
    /// The solution is proven optimal (within the solver's default tolerances).
    case optimal
    /// No solution exists (or none reaches the cutoff).
    case infeasible
    /// The objective can improve without limit (for MIPs: the relaxation can).
    case unbounded
    /// The time limit, or the node limit (`SolveOptions/nodeLimit`), was reached first.
    case timeLimit
    /// The requested relative or absolute gap was reached first.
    case gapLimit
    /// The solve was cancelled.
    case interrupted
    /// The solver gave up, typically on numerical trouble; a solution may still exist.
    case error
}

/// An assignment of values to every variable of a model.
///
/// Values of integer and binary variables are snapped to the nearest integer when
/// the solver returned them within its tolerance (2.9999999 becomes 3), and the
/// objective is recomputed from the snapped values.
package struct Solution: Sendable {
    /// One value per variable, indexed by ``Variable/index``.
    package let values: [Double]
    /// The objective at ``values``, offset included.
    package let objective: Double

    package init(values: [Double], objective: Double) {
        self.values = values
        self.objective = objective
    }

    /// The value of `variable`.
    package func value(of variable: Variable) -> Double { values[variable.index] }

    /// The value of `variable` rounded to the nearest integer.
    package func integerValue(of variable: Variable) -> Int { Int(values[variable.index].rounded()) }

    /// Whether a binary `variable` is 1 (its value is above one half).
    package func isSet(_ variable: Variable) -> Bool { values[variable.index] > 0.5 }

    package subscript(variable: Variable) -> Double { values[variable.index] }
}

/// The outcome of a solve: why it stopped, the best solution found, and statistics.
package struct SolveResult: Sendable {
    /// The backend that produced the result.
    package let backend: SolverBackend
    /// Why the solve stopped.
    package let status: TerminationStatus
    /// The best solution found, if any.
    package let solution: Solution?
    /// The best objective any solution could reach, as proven by the solver.
    package let bestBound: Double?
    /// Branch-and-bound nodes explored (0 for pure LPs).
    package let nodes: Int
    /// Simplex iterations of every linear program the solve made, over every node: what a
    /// deterministic budget charges (`TimeBudget` in CosmaILP), since a relaxation may take a
    /// few iterations or tens of thousands. CBC's own count leaves out most of them (its
    /// preprocessing, its root's cut rounds and heuristics, and every iteration of a search that
    /// ends in its root), so its shim counts them itself. 0 where the solver does not say (CBC
    /// reading a file).
    package let iterations: Int
    /// Wall-clock seconds spent, including building the solver's model.
    package let solveSeconds: Double
    /// What went wrong when a contained solver process crashed, hung or ran out of memory
    /// (``SolverContainment``); `nil` when the solver answered.
    package let note: String?

    package init(
        backend: SolverBackend,
        status: TerminationStatus,
        solution: Solution?,
        bestBound: Double?,
        nodes: Int,
        iterations: Int = 0,
        solveSeconds: Double,
        note: String? = nil
    ) {
        self.iterations = iterations
        self.backend = backend
        self.status = status
        self.solution = solution
        self.bestBound = bestBound
        self.nodes = nodes
        self.solveSeconds = solveSeconds
        self.note = note
    }

    /// The objective of ``solution``.
    package var objective: Double? { solution?.objective }

    /// `|objective − bestBound| / max(|objective|, 1e-10)`; 0 when optimal.
    package var gap: Double? {
        status == .optimal ? (solution == nil ? nil : 0) : relativeGap(objective, bestBound)
    }
}

/// A solver could not run at all, as opposed to running and finding no solution.
package struct SolverError: Error, Sendable, CustomStringConvertible {
    /// The backend that failed.
    package let backend: SolverBackend
    /// The solver's own return code, when it gave one.
    package let code: Int?
    /// What the solver printed about the failure.
    package let message: String
    /// What we were doing when it failed.
    package let context: String

    package init(backend: SolverBackend, code: Int?, message: String, context: String) {
        self.backend = backend
        self.code = code
        self.message = message
        self.context = context
    }

    package var description: String {
        let codeText = code.map { " (code \($0))" } ?? ""
        return "\(backend.rawValue) failed while \(context)\(codeText): \(message)"
    }
}
