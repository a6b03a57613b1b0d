import Foundation
package import MILP
package import Heuristics
import Synchronization

/// The stages of Cosma's planners, in the order the exact method runs its own. The trace names
/// them, and ``TimeBudget/Policy`` gives each its share of the budget.
public enum PlannerStage: String, Sendable, Hashable, CaseIterable {
    /// The heuristics' plans (`ExactPlanner/baselinePlans()`): the first incumbent.
    case warmStarts = "warm starts"
    /// `ForcedLiveCovers`: spills that capacity alone forces, whatever the schedule.
    case covers = "forced-live covers"
    /// `CrossingBound`: minimum cuts, the covers and the reload intervals.
    case crossingBound = "crossing bound"
    /// The paper's fixed-schedule program on the best incumbent's order.
    case fixedSchedule = "fixed-schedule program"
    /// The `JointProgram` in capacity mode: its optimum is a lower bound, its stays are packed.
    case capacityProgram = "capacity program"
    /// The capacity program again with room kept free beside the operands, until its stays pack.
    case repair = "repair"
    /// The `JointProgram` with addresses, when the relaxation's stays do not pack.
    case addressProgram = "address program"
    /// Divide and conquer after an exact solve that ended without a proof.
    case polish = "polish"
    /// Divide and conquer's spill-aware order search.
    case orderSearch = "order search"
    /// Divide and conquer's search of each separated segment's least traffic: a bound, and an order.
    case segmentSearch = "segment search"
    /// Divide and conquer's beam searches that order the blocks of separated segments, beside the
    /// segment search.
    case segmentBeams = "segment beams"
    /// Divide and conquer's improvement passes over segments of the schedule.
    case segments = "segment passes"
}

/// Who hears which stage a planner enters: `cosma solve --progress` names it in its heartbeat, so
/// that a long stage without solver reports (the warm starts with their minimum-peak search, the
/// order search, the bounds' searches) is never silent. Process-wide: only the command-line tool,
/// which runs one solve per process, sets it; the library's callers get the solver's reports.
package enum StageListener {
    private static let listener = Mutex<(@Sendable (PlannerStage) -> Void)?>(nil)

    /// Makes `listener` hear every stage entered from now on (`nil`: none).
    package static func set(_ listener: (@Sendable (PlannerStage) -> Void)?) {
        self.listener.withLock { $0 = listener }
    }

    /// Tells the listener, if any, that `stage` starts.
    package static func announce(_ stage: PlannerStage) {
        listener.withLock { $0 }?(stage)
    }
}

/// How much of a planner's budget each stage may spend, and what is left.
///
/// A budget is counted in one unit, `spent` of `limit`. Today the unit is wall-clock seconds; the
/// ``Policy`` only speaks of fractions of the total or of what remains, with floors and caps in the
/// same unit, so a work measure (solver nodes, passes, evaluations) can replace seconds for a
/// deterministic mode without touching the stages. A budget without a limit lets every stage run
/// to completion: the outcome then does not depend on the machine's speed.
public struct TimeBudget: Sendable {
    /// The whole budget; `nil` for none.
    public let limit: Double?
    /// The policy that divides it among the stages.
    public let policy: Policy
    private let meter: @Sendable () -> Double
    /// What a deterministic budget has counted; `nil` for a wall-clock budget.
    private let ledger: WorkLedger?
    /// Set for a lane (``lanes(_:)``): its thread cannot see the task's cancellation, so the lane
    /// that can sets this for it.
    private let stop: CancellationFlag?

    /// A wall-clock budget of `seconds` from now (`nil`: no limit).
    public init(seconds: Double?, policy: Policy = .standard) {
        let clock = ContinuousClock()
        let start = clock.now
        self.init(limit: seconds, policy: policy, meter: { (clock.now - start).inSeconds })
    }

    /// A deterministic budget of `units` of work (`nil`: no limit), counted by `charge(_:)`
    /// instead of the clock; a unit is about one second of one core of the machine the
    /// benchmarks ran on (`WorkRates`). No decision under it reads the clock, so the same input
    /// gives the same plan on any machine and under any load.
    public init(work units: Double?, policy: Policy = .standard) {
        let ledger = WorkLedger(limit: units)
        self.init(limit: units, policy: policy, meter: { ledger.spent }, ledger: ledger)
    }

    /// A budget whose spending `meter` reports (for tests, and for work-counting budgets).
    package init(limit: Double?, policy: Policy = .standard, meter: @escaping @Sendable () -> Double) {
        self.init(limit: limit, policy: policy, meter: meter, ledger: nil)
    }

    private init(limit: Double?, policy: Policy, meter: @escaping @Sendable () -> Double, ledger: WorkLedger?,
                 stop: CancellationFlag? = nil) {
        self.limit = limit
        self.policy = policy
        self.meter = meter
        self.ledger = ledger
        self.stop = stop
    }

    /// Whether the budget counts work rather than seconds (the deterministic mode).
    public var isDeterministic: Bool { ledger != nil }

    /// Counts `units` of work done (a wall-clock budget counts seconds by itself and ignores it).
    package func charge(_ units: Double) {
        ledger?.add(units)
    }

    /// What has been spent since the budget started.
    public var spent: Double { meter() }

    /// What is left (never negative); `nil` without a limit.
    ///
    /// A cancelled task (SIGINT in `cosma solve`, the cancel flag of `cosma_plan_with_progress`)
    /// has nothing left, so that every stage ends with the best plan it has.
    public var remaining: Double? { limit.map { isStopped ? 0 : max(0, $0 - spent) } }

    /// The instant a wall-clock budget ends; `nil` under a work budget, whose decisions never
    /// read the clock, and without a limit. For work that no share pays for and that must still
    /// end with the budget, such as packing a program's stays (``ExactPlanner``).
    package var end: ContinuousClock.Instant? {
        guard !isDeterministic, let remaining else { return nil }
        return Self.instant(in: remaining)
    }

    /// The instant `seconds` from now, to the millisecond below.
    package static func instant(in seconds: Double) -> ContinuousClock.Instant {
        ContinuousClock.now.advanced(by: .milliseconds(Int64((seconds * 1000).rounded(.down))))
    }

    /// Whether the task was cancelled, or the lane this budget belongs to was stopped.
    var isStopped: Bool { SearchLimit.isCancelled || (stop?.isCancelled ?? false) }

    /// Whether at least `amount` is left (always, without a limit).
    public func hasLeft(_ amount: Double) -> Bool { remaining.map { $0 >= amount } ?? true }

    /// The share `stage` may spend now under the policy; `nil` means no limit.
    public func share(for stage: PlannerStage) -> Double? {
        guard let rule = policy.shares[stage] else { return remaining }
        return share(rule)
    }

    /// The share `part` of a stage may spend now under the policy; `nil` means no limit.
    public func share(for part: Policy.Part) -> Double? {
        guard let rule = policy.parts[part] else { return remaining }
        return share(rule)
    }

    /// `rule` applied to this budget now; `nil` means no limit.
    public func share(_ rule: Share) -> Double? {
        guard let limit, let left = remaining else { return nil }
        let base = rule.base == .total ? limit : left
        // A floor never reaches past the end of the budget: the limit is a wall-clock promise.
        return min(rule.atMost, max(rule.atLeast, rule.fraction * base), max(left, Self.smallestShare))
    }

    /// The share a stage gets when the budget is spent: solvers refuse a limit of 0.
    public static let smallestShare = 0.01

    /// Under a work budget, the units spent since it had spent `spent`; `nil` under a wall-clock
    /// budget, whose spending is seconds (what a trace records apart).
    package func workSince(_ spent: Double) -> Double? { isDeterministic ? self.spent - spent : nil }

    /// How far past the end of a work budget, as a fraction of it, a CBC solve may run before its
    /// hard iteration limit stops it (``limit(_:for:)``).
    static let hardLimitOverrun = 0.25

    /// The largest node or iteration limit handed to a solver (the shims take a C `int`).
    static let largestLimit = Double(Int32.max)

    /// A budget of `amount` (or of everything left, when `nil`) counted from now, under the same
    /// policy: what a stage hands to the work it runs itself.
    public func child(_ amount: Double?) -> TimeBudget {
        child(amount, policy: policy)
    }

    /// ``child(_:)`` under another policy: what a planner hands to a planner it runs.
    package func child(_ amount: Double?, policy: Policy) -> TimeBudget {
        child(amount, policy: policy, stop: stop)
    }

    /// A child that reads this budget's meter from now and answers to `stop`.
    private func child(_ amount: Double?, policy: Policy, stop: CancellationFlag?) -> TimeBudget {
        let offset = spent
        let meter = self.meter
        return TimeBudget(limit: amount ?? remaining, policy: policy, meter: { meter() - offset }, ledger: ledger, stop: stop)
    }

    /// Budgets for work that runs side by side, one per amount and policy, on threads of their
    /// own (divide and conquer runs its bounds beside its fixed-schedule program on the
    /// minimum-peak order, so that both cores work). A lane's solves are capped at its own end,
    /// and a quarter more (``hardLimitOverrun``), not at the parent's.
    ///
    /// Under a work budget each lane keeps a ledger of its own, started from this one's
    /// iterations per node: what one lane spends never shows in another's remaining, so neither
    /// lane's decisions depend on how fast the other runs, and the deterministic mode stays
    /// deterministic. ``Lanes/join()`` then charges this budget what the slowest lane spent (the
    /// work that passed while both ran, which is what a unit of about a second measures) and
    /// records every lane's solves, in lane order. Under a wall-clock budget the lanes are children
    /// of this one, all measuring the same clock.
    package func lanes(_ lanes: [(amount: Double?, policy: Policy)]) -> Lanes {
        let stop = CancellationFlag()
        let budgets = lanes.map { lane -> TimeBudget in
            // At most what is left; `nil` (no limit) where neither sets one.
            let amount = lane.amount.map { min($0, remaining ?? $0) } ?? remaining
            guard let ledger else { return child(amount, policy: lane.policy, stop: stop) }
            let own = WorkLedger(limit: amount, startingFrom: ledger)
            return TimeBudget(limit: amount, policy: lane.policy, meter: { own.spent }, ledger: own, stop: stop)
        }
        return Lanes(parent: self, budgets: budgets, stop: stop)
    }

    /// Budgets that run side by side (``TimeBudget/lanes(_:)``).
    package struct Lanes: Sendable {
        let parent: TimeBudget
        package let budgets: [TimeBudget]
        /// Read by the lanes' solves through their budgets, and by their searches through
        /// ``SearchLimit/stopped`` (``run(_:_:)``).
        let stop: CancellationFlag

        /// Stops every lane: their remaining becomes 0, their solves are interrupted and their
        /// searches end. For the task that waits for a lane on another thread, when it is cancelled.
        package func stopAll() { stop.cancel() }

        /// Runs `body` as a lane on a thread outside the task: its searches and its budget's
        /// remaining see ``stopAll()`` as they see a cancelled task, and its solves see the
        /// task's solver containment, which a task-local value does not carry to that thread.
        package func run<T>(_ containment: SolverContainment?, _ body: () throws -> T) rethrows -> T {
            let stopped: @Sendable () -> Bool = { [stop] in stop.isCancelled }
            return try SearchLimit.$stopped.withValue(stopped) {
                try SolverContainment.$current.withValue(containment, operation: body)
            }
        }

        /// Charges the parent for the lanes once all of them have ended (see ``TimeBudget/lanes(_:)``):
        /// the units charged, `nil` under a wall-clock budget.
        @discardableResult
        package func join() -> Double? {
            guard let ledger = parent.ledger else { return nil }
            let own = budgets.compactMap(\.ledger)
            for lane in own { ledger.record(nodes: lane.ownSearch.nodes, iterations: lane.ownSearch.iterations) }
            let longest = own.map(\.spent).max() ?? 0
            ledger.add(longest)
            return longest
        }
    }

    /// Sets the limits of a solve of `model` that may spend everything left of this budget: its
    /// seconds, or under a work budget the nodes they pay for (``WorkRates``), one thread (CBC's
    /// parallel search is not repeatable), no clock, and a repeatable solve
    /// (``SolveOptions/repeatable``: CBC without its feasibility pump). A node is priced with the simplex
    /// iterations the budget's earlier solves took per node (``WorkLedger/iterationsPerNode``):
    /// on RandWire's segment programs a node takes hundreds, on NAS cells' a few dozen, and a
    /// node limit priced without them let one solve run 36 s on 2.4 units.
    package func limit(_ options: inout SolveOptions, for model: Model) {
        if let stop, options.cancellation == nil { options.cancellation = stop }
        guard isDeterministic else {
            // Spent or cancelled, a solve still gets the smallest share: solvers refuse 0, and a
            // refused solve would lose the plan the caller already has.
            options.timeLimit = remaining.map { max($0, Self.smallestShare) }
            return
        }
        options.timeLimit = nil
        options.threads = 1
        options.repeatable = true
        if let remaining, let ledger {
            let rates = WorkRates.standard
            let fixed = rates.solveCost(model, nodes: 0, iterations: 0)
            let available = remaining - fixed
            /// The simplex iterations `units` pay for (none for a negative amount).
            func iterations(paidBy units: Double) -> Int { Int(min(max(0, units) / rates.iterationPrice(model), Self.largestLimit)) }
            let node = rates.nodeCost(model, iterations: ledger.iterationsPerNode)
            options.nodeLimit = max(1, Int(min(available / node, Self.largestLimit)))
            // The node limit is priced with the iterations per node seen so far, and one solve
            // can take many more: RandWire-ER (seed 2) at `M_R` spent 6.7 units on a reload
            // program given 2, in 29 nodes of 227 iterations each. The iterations are capped too.
            let capped = max(1, iterations(paidBy: available))
            options.iterationLimit = capped
            // CBC reports nothing while it works on its root, so the cap above cannot stop it
            // there: at 40 units one RandWire-BA instance spent 364 in segment programs' roots.
            // A solve may overrun its share (capping roots there lost more bounds and plans than
            // it saved, journal 15 of results/divide-and-conquer-ablation.md), and the whole
            // budget by ``hardLimitOverrun`` (capping at the budget's end lost five plans, journal 17),
            // but no further: the hard limit stops it at any simplex iteration.
            // A program beyond the flat price (``WorkRates/pricesFlat(_:)``) may not
            // overrun: the overruns that paid were segment programs' roots, all far smaller, and
            // a large program's root runs seconds of cut rounds between its iterations. Allowed
            // to, PNASNet-5's address program at `M_R` spent 25 units of the 10 it was given, and
            // the instance 63 s.
            if !rates.pricesFlat(model) {
                options.hardIterationLimit = capped
            } else if let whole = ledger.limit {
                let left = whole * (1 + Self.hardLimitOverrun) - ledger.spent - fixed
                options.hardIterationLimit = max(capped, iterations(paidBy: left))
            }
        }
    }

    /// Solves `model` with `solver` under what is left of this budget (``limit(_:for:)``) and
    /// charges what it did: every solver call of the planners goes through here.
    package func solve(_ model: Model, with solver: SolverBackend, options: SolveOptions = SolveOptions()) throws -> SolveResult {
        var options = options
        limit(&options, for: model)
        let outcome = try solver.solve(model, options: options)
        charge(solving: model, nodes: outcome.nodes, iterations: outcome.iterations)
        return outcome
    }

    /// Charges a solve of `model` that explored `nodes` nodes in `iterations` simplex iterations
    /// (a wall-clock budget counts itself).
    package func charge(solving model: Model, nodes: Int, iterations: Int) {
        guard let ledger else { return }
        ledger.record(nodes: nodes, iterations: iterations)
        charge(WorkRates.standard.solveCost(model, nodes: nodes, iterations: iterations))
    }

    /// Under a work budget, how many of `wanted` evaluations of an order search on `graphSize`
    /// operators this budget pays for, charged at once; under a wall-clock budget, `wanted`.
    package func evaluations(_ wanted: Int, operators graphSize: Int) -> Int {
        guard isDeterministic else { return wanted }
        let cost = WorkRates.standard.evaluationCost(operators: graphSize)
        let affordable = remaining.map { Int($0 / cost) } ?? wanted
        let granted = max(1, min(wanted, affordable))
        charge(Double(granted) * cost)
        return granted
    }

    /// What a combinatorial search (the minimum-peak search of ``MinimumPeakScheduler``) may
    /// spend of `amount` (everything left when `nil`) on a graph of `graphSize` operators: under a
    /// work budget the states it pays for (``charge(searched:operators:)`` charges those it used);
    /// under a wall-clock one the instant
    /// `amount` seconds from now. A spent or cancelled budget gives a spent limit: the search then
    /// returns the greedy or file order it starts from, which is always there.
    package func searchLimit(_ amount: Double?, operators graphSize: Int) -> SearchLimit {
        guard let amount = amount ?? remaining else { return SearchLimit() }
        let affordable = max(0, min(amount, remaining ?? amount))
        guard isDeterministic else {
            return SearchLimit(deadline: Self.instant(in: affordable))
        }
        return SearchLimit(states: Int(min(affordable / WorkRates.standard.stateCost(operators: graphSize), Double(Int.max / 2))))
    }

    /// ``searchLimit(_:operators:)`` for a search whose states cost `stateCost` units each.
    package func searchLimit(_ amount: Double?, stateCost: Double) -> SearchLimit {
        guard isDeterministic else { return searchLimit(amount, operators: 1) }
        guard let amount = amount ?? remaining else { return SearchLimit() }
        let affordable = max(0, min(amount, remaining ?? amount))
        return SearchLimit(states: Int(min(affordable / stateCost, Double(Int.max / 2))))
    }

    /// ``searchLimit(_:operators:)`` for `share` of this budget (``share(_:)``).
    package func searchLimit(share: Share, operators graphSize: Int) -> SearchLimit {
        searchLimit(self.share(share), operators: graphSize)
    }

    /// Charges the states the search behind `schedule` created on a graph of `graphSize`
    /// operators (a wall-clock budget counts itself).
    package func charge(searched schedule: Schedule, operators graphSize: Int) {
        charge(states: schedule.searchStates, operators: graphSize)
    }

    /// Charges `states` states of a search on a graph of `graphSize` operators (a wall-clock
    /// budget counts itself).
    package func charge(states: Int, operators graphSize: Int) {
        charge(Double(states) * WorkRates.standard.stateCost(operators: graphSize))
    }

    /// The share of its budget the minimum-peak search may spend where a planner runs it for a
    /// warm start, and where `cosma solve` and the C library prove `M_P` to resolve `M_H`.
    /// Without `M_P` there is nothing to plan, so the proof may take most of the limit; a
    /// warm start is one of several, so it gets a quarter.
    package static let minimumPeakForBudgets = Share(3 / 4, of: .remaining)
    package static let minimumPeakForWarmStart = Share(1 / 4, of: .remaining)
    /// The share of a `MinimumPeakResult`'s budget its search may spend; the program gets what is
    /// left.
    package static let minimumPeakSearch = Share(3 / 4, of: .remaining)
    /// The share after which the baselines left are not run, once one has a plan.
    package static let warmStartBaselines = Share(1 / 2, of: .remaining)

    /// One stage's share: `fraction` of the total or of what remains, at least `atLeast` and at
    /// most `atMost`.
    public struct Share: Sendable, Hashable {
        public enum Base: Sendable, Hashable { case total, remaining }
        public var base: Base
        public var fraction: Double
        public var atLeast: Double
        public var atMost: Double

        public init(_ fraction: Double, of base: Base, atLeast: Double = 0, atMost: Double = .infinity) {
            self.base = base
            self.fraction = fraction
            self.atLeast = atLeast
            self.atMost = atMost
        }

        /// Everything that is left, at least `atLeast`.
        public static func rest(atLeast: Double = 0) -> Share { Share(1, of: .remaining, atLeast: atLeast) }
    }

    /// The share of every stage, and of the parts of a stage that divide its time further; a
    /// stage or part without a rule may spend everything that is left.
    public struct Policy: Sendable {
        public var shares: [PlannerStage: Share]
        public var parts: [Part: Share]

        /// Work inside a stage that gets its own share of the budget the stage runs under.
        public enum Part: Sendable, Hashable, CaseIterable {
            /// Divide and conquer's segment passes from the first of two starts (the second gets
            /// the rest).
            case firstStart
            /// One round of chain hoists inside the segment passes.
            case chainHoists
            /// The order search of a restart, when the passes have stalled.
            case restartOrderSearch
        }

        public init(shares: [PlannerStage: Share], parts: [Part: Share] = [:]) {
            self.shares = shares
            self.parts = parts
        }

        /// Cosma's policy, in seconds. The bounds come first and are usually solved at the root,
        /// so they get little; the fixed-schedule program is solved in a fraction of a second on
        /// most graphs; the capacity, repair and address programs get what is left, at least one
        /// second each. Divide and conquer gives its crossing bound a tenth, its order search a
        /// quarter and its fixed-schedule starts a third of its budget, the segments the rest; on a
        /// graph with separated segments their search first takes up to two fifths.
        public static let standard = Policy(shares: [
            .covers: Share(1 / 4, of: .total, atMost: 5),
            .crossingBound: Share(1, of: .remaining, atLeast: 1, atMost: 10),
            .fixedSchedule: Share(1 / 6, of: .remaining, atLeast: 0.5, atMost: 5),
            .capacityProgram: .rest(atLeast: 1),
            .repair: .rest(atLeast: 1),
            .addressProgram: .rest(atLeast: 1),
            .polish: .rest(),
        ])

        /// Divide and conquer's shares of its own budget (see ``standard``). Inside the segment
        /// passes the first start gets 60% of what is left, a round of chain hoists a third of
        /// what is left, and a restart's order search a third, at most 10 s.
        public static let divideAndConquer = Policy(shares: [
            .crossingBound: Share(1 / 10, of: .total, atLeast: 1, atMost: 10),
            .segmentSearch: Share(2 / 5, of: .total, atMost: 24),
            .orderSearch: Share(1 / 4, of: .total, atMost: 15),
            .fixedSchedule: Share(1 / 3, of: .total, atLeast: 1, atMost: 30),
            .segments: .rest(),
        ], parts: [
            .firstStart: Share(0.6, of: .remaining),
            .chainHoists: Share(1 / 3, of: .remaining),
            .restartOrderSearch: Share(1 / 3, of: .remaining, atMost: 10),
        ])

        /// Divide and conquer's bound lane, which runs beside its plan lane (``TimeBudget/lanes(_:)``)
        /// with what the two bound stages get of ``divideAndConquer``: the crossing bound a fifth of
        /// it (a tenth of the whole), the segment search the rest.
        package static let boundLane = Policy(shares: [
            .crossingBound: Share(1 / 5, of: .total, atLeast: 1, atMost: 10),
            .segmentSearch: .rest(),
        ])

        /// Divide and conquer's plan lane, beside the bound lane and as long: the segment beams
        /// as much of it as their wider beams need, then the fixed-schedule program on the
        /// minimum-peak order the rest. With two thirds, the wide beam did not fit on RandWire-ER
        /// seed 3 with weights at `M_R`, where that program finds nothing better anyway
        /// (results/divide-and-conquer-ablation.md, journal 49).
        package static let planLane = Policy(shares: [
            .segmentBeams: Share(1, of: .total),
            .fixedSchedule: .rest(),
        ])
    }
}

/// What a deterministic budget has spent, shared by the budget and every child of it, and the
/// simplex iterations per branch-and-bound node its solves have taken so far (iteration counts
/// do not depend on the machine, so neither does anything priced with them).
final class WorkLedger: Sendable {
    /// The whole budget's units, which its children's limits do not show.
    let limit: Double?
    private let units = Mutex<Double>(0)
    private let search = Mutex<(nodes: Int, iterations: Int)>((0, 0))
    /// The solves counted when a lane's ledger began (``TimeBudget/lanes(_:)``), which its
    /// parent has already.
    private let inherited: (nodes: Int, iterations: Int)

    init(limit: Double?) {
        self.limit = limit
        inherited = (0, 0)
    }

    /// A lane's ledger: nothing spent, `parent`'s solves so far for its iterations per node.
    init(limit: Double?, startingFrom parent: WorkLedger) {
        self.limit = limit
        inherited = parent.search.withLock { $0 }
        search.withLock { $0 = inherited }
    }

    /// The solves counted here and not in the ledger this one started from.
    var ownSearch: (nodes: Int, iterations: Int) {
        search.withLock { ($0.nodes - inherited.nodes, $0.iterations - inherited.iterations) }
    }

    var spent: Double { units.withLock { $0 } }

    func add(_ amount: Double) {
        units.withLock { $0 += max(0, amount) }
    }

    /// Counts a solve's nodes and iterations (a solve without nodes tells nothing per node).
    func record(nodes: Int, iterations: Int) {
        guard nodes > 0 else { return }
        search.withLock { $0 = ($0.nodes + nodes, $0.iterations + iterations) }
    }

    /// Iterations per node over the solves so far; before any, ``WorkRates/priorIterationsPerNode``.
    var iterationsPerNode: Double {
        search.withLock { $0.nodes == 0 ? WorkRates.priorIterationsPerNode : Double($0.iterations) / Double($0.nodes) }
    }
}

/// The prices of work under a deterministic budget: what a solve, a branch-and-bound node and an
/// order-search evaluation cost, in units of about one second of one core. They only need to be
/// proportionate, since they decide how far a search goes, never what it finds; the benchmark
/// (`cosma bench divide-and-conquer --deterministic`) records the wall time they came to.
package struct WorkRates: Sendable {
    /// A solve's fixed cost, and its cost per nonzero (building the program, lowering it and
    /// handing it over; preprocessing).
    var perSolve: Double
    var perNonzero: Double
    /// A node's fixed cost, and its cost per nonzero (its cut rounds and heuristics; its
    /// relaxation's iterations are priced apart).
    var perNode: Double
    var perNodeNonzero: Double
    /// An order-search evaluation's cost per operator (one on-line replay of the schedule): about
    /// 9 µs on the benchmark machine (release build, deterministic mode: the 7.5 units of order
    /// search that 50 µs priced 220 evaluations of PNASNet-5's 679 operators took 1.27 s, and 341
    /// of RandWire-BA's 440 took 1.37 s). At 50 µs the order search got a fifth of the evaluations
    /// its share of the budget is meant to pay for (a unit is about a second of one core).
    var perEvaluatedOperator: Double
    /// A minimum-peak search state's cost per operator (its down-set is a bit set of them).
    var perStateOperator: Double = 4e-9
    /// A simplex iteration, of any linear program the solve makes (``SolveResult/iterations``),
    /// whatever the program's size. Over the 274 CBC solves of seven instances of #18's benchmark
    /// at 20 units (RandWire BA, WS and ER, PNASNet-5, AmoebaNet, NASNet-A), a solve took 1.8e-4 s
    /// per iteration (least squares; no term in the program's size was significant), 9.2e-5 s
    /// at the median solve of more than 500, on a loaded machine about 2.4 times slower than the
    /// benchmark machine. Priced per nonzero and with CBC's own count, which leaves most
    /// iterations out, a solve that ended in its root was charged almost nothing whatever it
    /// did: 0.5 units for a root of 43,208 iterations and 4.2 s (docs/planner.md).
    ///
    /// That holds up to ``flatIterationNonzeros`` nonzeros; beyond, an iteration costs in
    /// proportion to the program's nonzeros (``iterationPrice(_:)``).
    var perIteration: Double = 1e-4
    /// The most nonzeros at which an iteration costs ``perIteration``. The solves of one
    /// divide-and-conquer run on RandWire-BA at `M_R` have up to 82,568 nonzeros (median 11,262);
    /// replayed one by one (session 23), those of PNASNet-5 at `M_R` took 0.04 to 0.13 ms per
    /// iteration up to 61,484 nonzeros (the whole graph's covering programs, which presolve
    /// shrinks), but its address program, 297,350 nonzeros in 81,881 rows, took 0.22 ms per
    /// iteration with its root's cut rounds counted in: 250,000 iterations priced flat as 25
    /// units took 56 s.
    static let flatIterationNonzeros = 100_000

    /// A simplex iteration's price in `model`: ``perIteration`` up to ``flatIterationNonzeros``
    /// nonzeros, and beyond, that price in proportion to the nonzeros (twice as many, twice it).
    func iterationPrice(_ model: Model) -> Double {
        pricesFlat(model) ? perIteration : perIteration * Double(model.entryCount) / Double(Self.flatIterationNonzeros)
    }

    /// Whether `model` is within ``flatIterationNonzeros``: its iterations cost ``perIteration``,
    /// and its solve may overrun its share (``TimeBudget/limit(_:for:)``).
    func pricesFlat(_ model: Model) -> Bool { model.entryCount <= Self.flatIterationNonzeros }
    /// Iterations per node assumed before a budget's first branch and bound has said.
    static let priorIterationsPerNode = 50.0

    /// Measured on NASNet-A Mobile at `M_H` (the benchmark machine, release build): a budget of
    /// 10 units at two fifths of these prices took 26 s of CPU time.
    package static let standard = WorkRates(perSolve: 0.025, perNonzero: 5e-6, perNode: 5e-3, perNodeNonzero: 5e-7,
                                            perEvaluatedOperator: 1e-5)

    func solveCost(_ model: Model, nodes: Int, iterations: Int) -> Double {
        perSolve + perNonzero * Double(model.entryCount) + Double(nodes) * (perNode + perNodeNonzero * Double(model.entryCount))
            + Double(iterations) * iterationPrice(model)
    }

    /// A node's price, with `iterations` simplex iterations expected in it.
    func nodeCost(_ model: Model, iterations: Double) -> Double {
        perNode + perNodeNonzero * Double(model.entryCount) + iterations * iterationPrice(model)
    }

    func evaluationCost(operators: Int) -> Double { perEvaluatedOperator * Double(max(1, operators)) }

    func stateCost(operators: Int) -> Double { perStateOperator * Double(max(1, operators)) }

    /// A state of ``SegmentTrafficSearch``: its children are every ready operator with every
    /// minimal set of evictions. About 1.5 µs on the benchmark machine (release build, RandWire's
    /// stages at `M_R`; at `M_H` a state costs half as much). It was 3.3 µs (RandWire-WS's first
    /// stage at `M_R`: 2.19 million states in 7.1 s) before ``StateIndex`` replaced a dictionary,
    /// which halved the search's time: on RandWire-WS with weights at `M_R` the segment search
    /// stage took 12.1 s instead of 25.3 s for the same states (median of three paired runs,
    /// results/divide-and-conquer-ablation.md). Since the estimate counts a minimum cut per
    /// operator, a search that does not settle walks states with more evictions, and a state of
    /// RandWire-BA's 97-operator stage at `M_R` costs about twice as much (the segment search stage
    /// 15.0 s instead of 8.3 s for the same 3 million states). The price was kept: the 3 million
    /// states a segment may make bind before the share does, so a dearer state would only take
    /// units from the later stages, whose plans then change (results/divide-and-conquer-ablation.md).
    /// The estimate lifted from each state (session 32) makes a state dearer again, and its
    /// maximum flows are charged as states (``SegmentTrafficSearch/statesPerFlow``): RandWire-ER
    /// seed 2's 120-operator stage with activations at `M_R` took 9.0 s for 2.98 million states
    /// and 188,655 flows, 1.5 µs per state charged.
    package static let segmentTrafficState = 1.5e-6
    /// A child the segment beam search makes: its moves, its debt, its place in the depth's index
    /// and ranking. A state expanded made 28 to 300 children in the beams of width 500 measured
    /// (release build, this machine, session 25), and took 7 to 82 µs: a price per state
    /// expanded (it was 21 µs) charged RandWire-ER seed 2 with weights at `M_R` 1.17 units for a
    /// beam of 3.9 s, and RandWire-WS with weights at `M_R` 1.14 for 0.33 s. Per child made, the
    /// five beams took 0.25 to 0.64 µs (median 0.28; least squares 0.30): 14.3 million children
    /// in 3.9 s (RandWire-ER seed 2, 117 operators, with weights, `M_R`); 2.7 million in 1.7 s
    /// (its 120-operator block); 1.3 million in 0.33 s (RandWire-WS, 114, with weights, `M_R`);
    /// 2.8 million in 0.78 s (RandWire-BA seed 2, 101, `M_H`); 4.6 million in 2.3 s
    /// (RandWire-BA, 97, with weights, `M_R`).
    package static let segmentBeamChild = 3e-7
}
