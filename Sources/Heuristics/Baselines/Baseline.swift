public import DNNGraph
public import Scratchpad

/// One heuristic method: a schedule, a replacement policy, an on-line allocation policy, the
/// allocator that packs the whole schedule when it fits, and whether it gives up on
/// fragmentation.
public struct Baseline: Hashable, Sendable, CustomStringConvertible {
    public var schedule: ScheduleKind
    public var replacement: ReplacementPolicy
    public var allocation: AllocationPolicy
    /// The static allocator tried first (TensorFlow Lite's in the COSMA paper).
    package var arena: ArenaAllocator
    /// Whether to fail when operands do not fit (`OnlineFallback/fail`) instead of evicting
    /// further and compacting (`OnlineFallback/defragment`), as the paper's baselines did.
    public var strict: Bool

    package init(schedule: ScheduleKind, replacement: ReplacementPolicy, allocation: AllocationPolicy = .bestFit,
                arena: ArenaAllocator = .tflite, strict: Bool = false)
    {
        self.schedule = schedule
        self.replacement = replacement
        self.allocation = allocation
        self.arena = arena
        self.strict = strict
    }

    /// `schedule+replacement+allocation`, then `+allocator` unless it is TensorFlow Lite's, then
    /// `+strict` when it gives up on fragmentation.
    public var description: String {
        "\(schedule.rawValue)+\(replacement.rawValue)+\(allocation.rawValue)"
            + (arena == .tflite ? "" : "+\(arena.rawValue)") + (strict ? "+strict" : "")
    }

    /// The same heuristic with ``strict`` set.
    public var strictVariant: Baseline {
        var b = self
        b.strict = true
        return b
    }

    /// Reads ``description`` back, or `nil` when `name` is not a heuristic's name (the allocation
    /// defaults to best-fit).
    public init?(name: String) {
        var parts = name.split(separator: "+").map(String.init)
        let strict = parts.last == "strict"
        if strict { parts.removeLast() }
        let arena = parts.count > 3 ? ArenaAllocator(rawValue: parts.removeLast()) : .tflite
        guard (2...3).contains(parts.count), let arena, let schedule = ScheduleKind(rawValue: parts[0]),
              let replacement = ReplacementPolicy(rawValue: parts[1]),
              let allocation = parts.count == 3 ? AllocationPolicy(rawValue: parts[2]) : .bestFit
        else { return nil }
        self.init(schedule: schedule, replacement: replacement, allocation: allocation, arena: arena, strict: strict)
    }

    /// The four baselines of the COSMA paper (Li, Gupta, Malik, 2023, section on baselines): the
    /// default or minimum-peak order, with Belady or the greedy replacement, and TensorFlow Lite's
    /// best-fit allocation.
    public static let paper: [Baseline] = [ScheduleKind.default, .mpmf].flatMap { schedule in
        [ReplacementPolicy.belady, .greedy].map { Baseline(schedule: schedule, replacement: $0) }
    }

    /// What compilers ship beside the paper's four: TVM's hill-climbing arena for fixed lifetimes
    /// and, when it does not fit, size-aware Belady or LRU replacement, on the file's order and
    /// on the minimum-peak one.
    public static let production: [Baseline] = [ScheduleKind.default, .mpmf].flatMap { schedule in
        [ReplacementPolicy.sizeBelady, .lru].map { Baseline(schedule: schedule, replacement: $0, arena: .hillClimb) }
    }

    /// The same heuristic on the minimum-peak search's order where this one follows ``ScheduleKind/mpmf``:
    /// what the planners' warm starts run, without the minimum-peak program.
    package var onMinimumPeakSearch: Baseline {
        var b = self
        if b.schedule == .mpmf { b.schedule = .mpmfSearch }
        return b
    }

    /// Every combination Cosma implements on the default, minimum-peak and greedy orders
    /// (``ScheduleKind/mpmfSearch`` only stands in for ``ScheduleKind/mpmf`` in warm starts).
    public static let all: [Baseline] = [ScheduleKind.default, .mpmf, .greedy].flatMap { schedule in
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
    /// once for many capacities); the other kinds are computed here, `mpmf-search` with
    /// `scheduler`. The `mpmf` order comes only from `schedules` (the program that makes it lives
    /// in CosmaILP): without it an `mpmf` baseline runs as its ``onMinimumPeakSearch`` variant,
    /// and its outcome and plan say `mpmf-search`.
    /// A ``PlanningFailure`` is an outcome like a plan; only a plan that breaks a rule (a bug)
    /// throws.
    ///
    /// Past `deadline` (or once the task is cancelled) the baselines left are not run, as soon as
    /// one has a plan: on a graph of 20,000 operators each takes seconds, and the first is a
    /// valid start.
    package static func run(_ baselines: [Baseline], graph: Graph, configuration: Configuration,
                           scheduler: MinimumPeakScheduler = MinimumPeakScheduler(),
                           schedules known: [ScheduleKind: Schedule] = [:],
                           until deadline: ContinuousClock.Instant? = nil) throws -> [BaselineOutcome]
    {
        var schedules = known
        var outcomes: [BaselineOutcome] = []
        for requested in baselines {
            if outcomes.contains(where: { (try? $0.result.get()) != nil }), SearchLimit.expired(deadline) { break }
            let baseline = requested.schedule == .mpmf && schedules[.mpmf] == nil ? requested.onMinimumPeakSearch : requested
            let schedule = schedules[baseline.schedule] ?? graph.schedule(
                baseline.schedule, setting: configuration.tensors, alignment: configuration.alignment, inPlace: configuration.inPlace,
                scheduler: scheduler)
            schedules[baseline.schedule] = schedule
            outcomes.append(BaselineOutcome(baseline: baseline, schedule: schedule,
                                            result: try baseline.plan(graph: graph, configuration: configuration, schedule: schedule)))
        }
        return outcomes
    }

    /// Plans `schedule` (which must be of kind ``schedule``) with this baseline's policies.
    public func plan(graph: Graph, configuration: Configuration, schedule: Schedule) throws -> Result<CertifiedPlan, PlanningFailure> {
        do {
            return .success(try HeuristicPlanner.plan(graph: graph, configuration: configuration, order: schedule.order,
                                                      scheduleName: self.schedule.rawValue, replacement: replacement,
                                                      allocation: allocation, arena: arena,
                                                      fallback: strict ? .fail : .defragment))
        } catch let failure as PlanningFailure {
            return .failure(failure)
        }
    }
}
