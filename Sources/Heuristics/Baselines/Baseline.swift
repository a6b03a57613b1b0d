public import DNNGraph
public import Scratchpad

/// One heuristic method: a schedule, a replacement policy and an on-line allocation policy.
public struct Baseline: Hashable, Sendable, CustomStringConvertible {
    public var schedule: ScheduleKind
    public var replacement: ReplacementPolicy
    public var allocation: AllocationPolicy

    public init(schedule: ScheduleKind, replacement: ReplacementPolicy, allocation: AllocationPolicy = .bestFit) {
        self.schedule = schedule
        self.replacement = replacement
        self.allocation = allocation
    }

    public var description: String { "\(schedule.rawValue)+\(replacement.rawValue)+\(allocation.rawValue)" }

    /// The four baselines of the COSMA paper (Li, Gupta, Malik, 2023, section on baselines): the
    /// default or minimum-peak order, with Belady or the greedy replacement, and TensorFlow Lite's
    /// best-fit allocation.
    public static let paper: [Baseline] = [ScheduleKind.default, .mpmf].flatMap { schedule in
        [ReplacementPolicy.belady, .greedy].map { Baseline(schedule: schedule, replacement: $0) }
    }

    /// Every combination Cosma implements.
    public static let all: [Baseline] = ScheduleKind.allCases.flatMap { schedule in
        ReplacementPolicy.allCases.flatMap { replacement in
            AllocationPolicy.allCases.map { Baseline(schedule: schedule, replacement: replacement, allocation: $0) }
        }
    }
}

/// What one baseline gave: the order it followed and either a certified plan or the failure.
public struct BaselineOutcome: Sendable {
    public var baseline: Baseline
    public var schedule: Schedule
    public var result: Result<CertifiedPlan, PlanningFailure>
}

extension Baseline {
    /// Runs several baselines on one graph and configuration, computing each schedule once.
    ///
    /// `schedules` supplies orders computed elsewhere (for example a minimum-peak order proven
    /// once for many capacities); the other kinds are computed here, `mpmf` with `scheduler`.
    /// A ``PlanningFailure`` is an outcome like a plan; only a plan that breaks a rule (a bug)
    /// throws.
    public static func run(_ baselines: [Baseline], graph: Graph, configuration: Configuration,
                           scheduler: MinimumPeakScheduler = MinimumPeakScheduler(),
                           schedules known: [ScheduleKind: Schedule] = [:]) throws -> [BaselineOutcome]
    {
        var schedules = known
        return try baselines.map { baseline in
            let schedule = schedules[baseline.schedule] ?? graph.schedule(
                baseline.schedule, setting: configuration.tensors, alignment: configuration.alignment, scheduler: scheduler)
            schedules[baseline.schedule] = schedule
            return BaselineOutcome(baseline: baseline, schedule: schedule,
                                   result: try baseline.plan(graph: graph, configuration: configuration, schedule: schedule))
        }
    }

    /// Plans `schedule` (which must be of kind ``schedule``) with this baseline's policies.
    public func plan(graph: Graph, configuration: Configuration, schedule: Schedule) throws -> Result<CertifiedPlan, PlanningFailure> {
        do {
            return .success(try HeuristicPlanner.plan(graph: graph, configuration: configuration, order: schedule.order,
                                                      scheduleName: self.schedule.rawValue, replacement: replacement,
                                                      allocation: allocation))
        } catch let failure as PlanningFailure {
            return .failure(failure)
        }
    }
}
