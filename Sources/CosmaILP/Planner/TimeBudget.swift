import Foundation

/// The stages of Cosma's planners, in the order the exact method runs its own. The trace names
/// them, and ``TimeBudget/Policy`` gives each its share of the budget.
public enum PlannerStage: String, Sendable, Hashable, CaseIterable {
    /// The heuristics' plans (``ExactPlanner/baselinePlans()``): the first incumbent.
    case warmStarts = "warm starts"
    /// ``ForcedLiveCovers``: spills that capacity alone forces, whatever the schedule.
    case covers = "forced-live covers"
    /// ``CrossingBound``: minimum cuts, the covers and the reload intervals.
    case crossingBound = "crossing bound"
    /// The paper's fixed-schedule program on the best incumbent's order.
    case fixedSchedule = "fixed-schedule program"
    /// The ``JointProgram`` in capacity mode: its optimum is a lower bound, its stays are packed.
    case capacityProgram = "capacity program"
    /// The capacity program again with room kept free beside the operands, until its stays pack.
    case repair = "repair"
    /// The ``JointProgram`` with addresses, when the relaxation's stays do not pack.
    case addressProgram = "address program"
    /// Divide and conquer after an exact solve that ended without a proof.
    case polish = "polish"
    /// Divide and conquer's spill-aware order search.
    case orderSearch = "order search"
    /// Divide and conquer's improvement passes over segments of the schedule.
    case segments = "segment passes"
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

    /// A wall-clock budget of `seconds` from now (`nil`: no limit).
    public init(seconds: Double?, policy: Policy = .standard) {
        let clock = ContinuousClock()
        let start = clock.now
        self.init(limit: seconds, policy: policy, meter: { (clock.now - start).inSeconds })
    }

    /// A budget whose spending `meter` reports (for tests, and for work-counting budgets).
    package init(limit: Double?, policy: Policy = .standard, meter: @escaping @Sendable () -> Double) {
        self.limit = limit
        self.policy = policy
        self.meter = meter
    }

    /// What has been spent since the budget started.
    public var spent: Double { meter() }

    /// What is left (never negative); `nil` without a limit.
    ///
    /// A cancelled task (SIGINT in `cosma solve`, the cancel flag of `cosma_plan_with_progress`)
    /// has nothing left, so that every stage ends with the best plan it has.
    public var remaining: Double? { limit.map { Task.isCancelled ? 0 : max(0, $0 - spent) } }

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

    /// A budget of `amount` (or of everything left, when `nil`) counted from now, under the same
    /// policy: what a stage hands to the work it runs itself.
    public func child(_ amount: Double?) -> TimeBudget {
        let offset = spent
        let meter = self.meter
        return TimeBudget(limit: amount ?? remaining, policy: policy, meter: { meter() - offset })
    }

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
        /// quarter and its fixed-schedule starts a third of its budget, the segments the rest.
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
            .orderSearch: Share(1 / 4, of: .total, atMost: 15),
            .fixedSchedule: Share(1 / 3, of: .total, atLeast: 1, atMost: 30),
            .segments: .rest(),
        ], parts: [
            .firstStart: Share(0.6, of: .remaining),
            .chainHoists: Share(1 / 3, of: .remaining),
            .restartOrderSearch: Share(1 / 3, of: .remaining, atMost: 10),
        ])
    }
}
