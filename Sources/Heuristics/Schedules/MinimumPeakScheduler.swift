public import DNNGraph
public import Scratchpad

/// Finds an operator order with the smallest peak of live bytes when nothing is spilled: the
/// minimum-peak-memory ("MPMF") schedule that the COSMA paper (Li, Gupta, Malik, 2023) uses as a
/// baseline and whose peak defines the budget `M_P`.
///
/// The scheduler is a branch and bound around a dynamic program over down-sets:
/// 1. the better of the file order and the memory-aware greedy order is the incumbent;
/// 2. if its peak equals the largest working set of one operator, no order can do better;
/// 3. otherwise the down-set search looks for an order strictly below the incumbent. If it stays
///    within ``exactStateBudget`` states it is exhaustive, and its answer (or the incumbent, when
///    nothing beats it) is proven minimal; beyond the budget it continues as a beam search of
///    width ``beamWidth`` and the result is only the best order found.
///
/// ```swift
/// let schedule = MinimumPeakScheduler().schedule(graph, setting: .activations, alignment: 1)
/// if schedule.provenMinimal { print("M_P =", schedule.peakBytes) }
/// ```
///
/// Chain-like networks (ResNet, DenseNet, MobileNet) have few down-sets per layer and are solved
/// exactly; wide random graphs (NAS cells) fall back to the beam.
public struct MinimumPeakScheduler: Sendable {
    /// How many search states may be created before the search gives up exactness.
    public var exactStateBudget: Int
    /// How many states per layer the beam keeps once the exact budget is spent.
    public var beamWidth: Int

    public init(exactStateBudget: Int = 500_000, beamWidth: Int = 64) {
        self.exactStateBudget = exactStateBudget
        self.beamWidth = beamWidth
    }

    public func schedule(_ graph: Graph, setting: TensorSetting, alignment: Int) -> Schedule {
        let model = LiveMemoryModel(graph: graph, setting: setting, alignment: alignment)
        let fileOrder = graph.schedule(.default, setting: setting, alignment: alignment)
        let greedy = MinimumPeakScheduler.memoryAwareGreedy(model)
        var incumbent = greedy.peakBytes < fileOrder.peakBytes ? greedy : fileOrder
        let lowerBound = graph.workingSets(setting: setting, alignment: alignment).max() ?? 0
        if incumbent.peakBytes <= lowerBound {
            incumbent.provenMinimal = true
            return incumbent
        }
        let search = DownSetSearch(model: model, beamWidth: beamWidth, exactStateBudget: exactStateBudget,
                                   bound: incumbent.peakBytes).run()
        let algorithm: ScheduleAlgorithm = search.exhaustive ? .exactDownSetSearch : .beamSearch(width: beamWidth)
        guard let best = search.best else {
            if search.exhaustive {
                incumbent.algorithm = algorithm
                incumbent.provenMinimal = true
            }
            return incumbent
        }
        return Schedule(order: best.order, peakBytes: best.peak, algorithm: algorithm, provenMinimal: search.exhaustive)
    }

    /// The memory-aware greedy order: run next the ready operator that keeps the peak so far
    /// lowest, then the one that leaves the fewest live bytes, then the one listed first.
    static func memoryAwareGreedy(_ model: LiveMemoryModel) -> Schedule {
        let search = DownSetSearch(model: model, beamWidth: 1, exactStateBudget: 0, bound: Int.max).run()
        // An unbounded search always completes: every down-set has a ready operator.
        let best = search.best!
        return Schedule(order: best.order, peakBytes: best.peak, algorithm: .memoryAwareGreedy, provenMinimal: false)
    }
}

extension Graph {
    /// The order a baseline follows, with its peak live bytes and how it was found.
    public func schedule(_ kind: ScheduleKind, setting: TensorSetting, alignment: Int,
                         scheduler: MinimumPeakScheduler = MinimumPeakScheduler()) -> Schedule
    {
        switch kind {
        case .default:
            let order = Array(operators.indices)
            return Schedule(order: order, peakBytes: peakLiveBytes(order: order, setting: setting, alignment: alignment),
                            algorithm: .fileOrder, provenMinimal: false)
        case .greedy:
            return MinimumPeakScheduler.memoryAwareGreedy(LiveMemoryModel(graph: self, setting: setting, alignment: alignment))
        case .mpmf:
            return scheduler.schedule(self, setting: setting, alignment: alignment)
        }
    }
}

extension Budgets {
    /// Fills `M_P` from a schedule whose peak is proven minimal; an unproven peak is only an upper
    /// bound on `M_P` and is ignored, so ``Budgets/resolve(_:)`` keeps refusing `M_P` and `M_H`.
    public mutating func record(_ schedule: Schedule) {
        guard schedule.provenMinimal else { return }
        mP = schedule.peakBytes
        mPSource = "proven minimal (order from the \(schedule.algorithm))"
    }
}
