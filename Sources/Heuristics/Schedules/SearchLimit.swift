/// How far a combinatorial search may go: a number of states, an instant, or both (none: only
/// the search's own budgets). A planner hands its share of the budget to the searches it runs as
/// one of these (`TimeBudget.searchLimit` in CosmaILP): states under a work budget, so that the
/// outcome never depends on the machine's speed, an instant under a wall-clock one. A cancelled
/// task has spent its limit too, so that SIGINT and the C library's cancel flag end a search
/// with its best so far.
package struct SearchLimit: Sendable {
    /// States left to create; `nil` for no count.
    package private(set) var statesLeft: Int?
    /// When the search must stop; `nil` for no instant.
    package let deadline: ContinuousClock.Instant?
    /// States created so far under this limit.
    package private(set) var statesSpent = 0

    package init(states: Int? = nil, deadline: ContinuousClock.Instant? = nil) {
        statesLeft = states.map { max(0, $0) }
        self.deadline = deadline
    }

    /// A limit that is spent already: the searches return their first incumbent at once.
    package static let spent = SearchLimit(states: 0)

    /// Whether nothing is left: no state to create, the instant passed, or the task cancelled.
    package var isSpent: Bool { statesLeft == 0 || Self.expired(deadline) }

    /// `wanted` states, or fewer when fewer are left.
    package func states(_ wanted: Int) -> Int { min(wanted, statesLeft ?? wanted) }

    /// Counts `states` states created.
    package mutating func spend(_ states: Int) {
        statesLeft = statesLeft.map { max(0, $0 - states) }
        statesSpent += states
    }

    /// Whether `deadline` has passed or the task was cancelled (``isCancelled``); what a search
    /// asks every so many states, since reading the clock for every state would cost more than
    /// the state.
    package static func expired(_ deadline: ContinuousClock.Instant?) -> Bool {
        isCancelled || deadline.map { ContinuousClock.now >= $0 } ?? false
    }

    /// Whether the work this thread runs outside its task has been stopped, when it runs such
    /// work (divide and conquer's bound lane, `TimeBudget.lanes` in CosmaILP): there
    /// `Task.isCancelled` is always false, so the task that waits for the lane passes its
    /// cancellation on this way. A question rather than a flag of this module's own: the lane's
    /// solves read the same stop from the solver layer's flag, which this module does not see.
    @TaskLocal package static var stopped: (@Sendable () -> Bool)?

    /// Whether the task was cancelled, or the work outside it was stopped (``stopped``).
    package static var isCancelled: Bool { Task.isCancelled || (stopped?() ?? false) }
}
