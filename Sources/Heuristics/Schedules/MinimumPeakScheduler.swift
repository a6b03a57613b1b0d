package import DNNGraph
package import Scratchpad

/// Finds an operator order with the smallest peak of live bytes when nothing is spilled: the
/// minimum-peak-memory ("MPMF") schedule that the COSMA paper (Li, Gupta, Malik, 2023) uses as a
/// baseline and whose peak defines the budget `M_P`, together with a proof that it is minimal or
/// the best lower bound known.
///
/// A branch and bound in stages, each cheap enough to try before the next:
/// 1. the better of the file order and the memory-aware greedy order is the incumbent;
/// 2. ``PeakLowerBound`` (working sets plus tensors live in every order) may equal it: proven;
/// 3. a best-first search over down-sets looks for an order strictly below the incumbent. Within
///    ``exactStateBudget`` states it is exhaustive and its answer is proven minimal; otherwise the
///    smallest peak still open is a lower bound;
/// 4. a beam search of width ``beamWidth`` looks for a better incumbent;
/// 5. windows of the incumbent's order around its peak, of growing size, are searched exhaustively
///    as relaxations of the whole graph (only tensors surely live are counted): if no order of a
///    window beats the incumbent, the incumbent is minimal; else the window's minimum is a bound.
///
/// ```swift
/// let schedule = MinimumPeakScheduler().schedule(graph, setting: .activations, alignment: 1)
/// if let proof = schedule.proof { print("M_P =", schedule.peakBytes, "proven by", proof) }
/// ```
///
/// Chain-like networks are proven by the bound or the search at once; wide ones (NAS cells,
/// Transformers) by a window; whatever stays unproven keeps its gap in ``Schedule/lowerBound``.
package struct MinimumPeakScheduler: Sendable {
    /// How many states each exhaustive search (the whole graph, then each window) may create.
    package var exactStateBudget: Int
    /// How many states per layer the beam keeps.
    package var beamWidth: Int
    /// Window sizes (operators) tried in turn around the incumbent's peak.
    package var windowSizes: [Int]
    /// How far all stages together may go (states, a deadline): a planner's share of its budget.
    /// When it runs out the search returns its incumbent, unproven, with the best bound so far;
    /// the greedy and file orders it starts from are always computed, so there is always one.
    package var limit: SearchLimit

    package init(exactStateBudget: Int = 1_000_000, beamWidth: Int = 64, windowSizes: [Int] = [16, 32, 64, 128, 256],
                 limit: SearchLimit = SearchLimit()) {
        self.exactStateBudget = exactStateBudget
        self.beamWidth = beamWidth
        self.windowSizes = windowSizes
        self.limit = limit
    }

    /// With `inPlace` on, every stage measures peaks under the in-place model (docs/in-place.md).
    /// The schedule's ``Schedule/searchStates`` says how many states the searches created.
    package func schedule(_ graph: Graph, setting: TensorSetting, alignment: Int, inPlace: InPlaceMode = .off) -> Schedule {
        var allowance = limit
        var schedule = search(graph, setting: setting, alignment: alignment, inPlace: inPlace, allowance: &allowance)
        schedule.searchStates = allowance.statesSpent
        return schedule
    }

    private func search(_ graph: Graph, setting: TensorSetting, alignment: Int, inPlace: InPlaceMode,
                        allowance: inout SearchLimit) -> Schedule {
        let model = LiveMemoryModel(graph: graph, setting: setting, alignment: alignment, inPlace: inPlace)
        let fileOrder = graph.schedule(.default, setting: setting, alignment: alignment, inPlace: inPlace)
        let greedy = MinimumPeakScheduler.memoryAwareGreedy(model)
        var incumbent = greedy.peakBytes < fileOrder.peakBytes ? greedy : fileOrder
        let n = graph.operators.count
        guard n > 0 else { return Schedule(order: [], peakBytes: 0, algorithm: .fileOrder, proof: .workingSet) }

        let bound = PeakLowerBound(graph: graph, setting: setting, alignment: alignment, inPlace: inPlace)
        var lowerBound = bound.bytes
        var boundProof: MinimumPeakProof = bound.forcedLive == 0 ? .workingSet : .forcedLiveBound(operator: bound.operator)
        func proven(_ schedule: Schedule) -> Schedule? {
            guard schedule.peakBytes <= lowerBound else { return nil }
            var result = schedule
            result.proof = boundProof
            result.lowerBound = schedule.peakBytes
            return result
        }
        if let done = proven(incumbent) { return done }

        let reach = graph.reachability()
        // Rounds of growing budgets, so that whichever stage proves an instance does so at a
        // small multiple of the states it needs: the full search wins on NAS networks (the best
        // order hides far from the greedy ones), the windows on Transformers (the bound is tight
        // but the whole graph is too wide to search).
        var budgets = [exactStateBudget / 16, exactStateBudget / 4, exactStateBudget].filter { $0 > 0 }
        if budgets.isEmpty { budgets = [0] }
        var settledWindows = 0
        /// The exact search over the whole graph below the incumbent: a proven schedule, or nil
        /// with the bound it reached recorded.
        func searchWholeGraph(_ budget: Int) -> Schedule? {
            let search = BestFirstPeakSearch(model: model, reach: reach)
                .run(cutoff: incumbent.peakBytes, stateBudget: allowance.states(budget), deadline: allowance.deadline)
            allowance.spend(search.states)
            if search.exhaustive {
                guard let best = search.best else {
                    var result = incumbent
                    result.proof = .downSetSearch
                    result.lowerBound = incumbent.peakBytes
                    return result
                }
                let peak = graph.peakLiveBytes(order: best.order, setting: setting, alignment: alignment, inPlace: inPlace)
                assert(peak == best.peak, "the search's peak must be the order's peak")
                return Schedule(order: best.order, peakBytes: peak, algorithm: .bestFirstSearch, proof: .downSetSearch)
            }
            if search.lowerBound > lowerBound {
                lowerBound = search.lowerBound
                boundProof = .downSetSearch
            }
            return nil
        }
        for (round, budget) in budgets.enumerated() where !allowance.isSpent {
            // Round 0 searches the whole graph first and then improves the incumbent with the
            // beam; later rounds try the windows first, which prove tight bounds at a fraction of
            // the full search's states.
            if round == 0, let done = searchWholeGraph(budget) { return done }
            if round == 0, let better = beam(model, below: incumbent.peakBytes, allowance: &allowance) {
                incumbent = better
                if let done = proven(incumbent) { return done }
            }
            relaxWindows(model, reach: reach, around: incumbent, setting: setting, alignment: alignment, inPlace: inPlace,
                         budget: budget, allowance: &allowance, settled: &settledWindows, lowerBound: &lowerBound, proof: &boundProof)
            if let done = proven(incumbent) { return done }
            if round > 0, let done = searchWholeGraph(budget) { return done }
        }
        incumbent.lowerBound = lowerBound
        return incumbent
    }

    /// The beam search's order when it beats `peak`; `nil` when it does not or the allowance ran
    /// out before it completed an order.
    private func beam(_ model: LiveMemoryModel, below peak: Int, allowance: inout SearchLimit) -> Schedule? {
        // Its states are not counted as it goes: it runs only when the allowance can pay for all.
        let most = model.graph.operators.count * beamWidth * 8
        guard !allowance.isSpent, allowance.states(most) == most else { return nil }
        let beam = DownSetSearch(model: model, beamWidth: beamWidth, exactStateBudget: 0, bound: peak, stoppable: true,
                                 deadline: allowance.deadline).run()
        allowance.spend(beam.states)
        return beam.best.map { Schedule(order: $0.order, peakBytes: $0.peak, algorithm: .beamSearch(width: beamWidth)) }
    }

    /// The windows are centred where the incumbent peaks: an order that beats it must do better
    /// there, and a window's own minimum is a bound even when it does not. Windows finished in an
    /// earlier round (up to `settled` operators) would only repeat their answer. Raises
    /// `lowerBound` (with its `proof`) and stops once it meets the incumbent's peak.
    private func relaxWindows(_ model: LiveMemoryModel, reach: Reachability, around incumbent: Schedule, setting: TensorSetting,
                              alignment: Int, inPlace: InPlaceMode, budget: Int, allowance: inout SearchLimit, settled: inout Int,
                              lowerBound: inout Int, proof: inout MinimumPeakProof) {
        let graph = model.graph
        let n = graph.operators.count
        let profile = graph.liveProfile(order: incumbent.order, setting: setting, alignment: alignment, inPlace: inPlace)
        let centre = profile.indices.max { profile[$0] < profile[$1] } ?? 0
        for size in windowSizes where size < n && size > settled && !allowance.isSpent {
            let low = max(0, min(centre - size / 2, n - size))
            let window = Array(incumbent.order[low..<(low + size)])
            let relaxed = BestFirstPeakSearch(model: model, reach: reach, subset: window)
                .run(cutoff: incumbent.peakBytes, stateBudget: allowance.states(budget), deadline: allowance.deadline)
            allowance.spend(relaxed.states)
            if relaxed.lowerBound > lowerBound {
                lowerBound = relaxed.lowerBound
                proof = .windowRelaxation(operators: size)
            }
            if incumbent.peakBytes <= lowerBound { return }
            // A larger window only costs more states; once one overflows, wait for a larger budget.
            guard relaxed.exhaustive else { break }
            settled = size
        }
    }

    /// The memory-aware greedy order: run next the ready operator that keeps the peak so far
    /// lowest, then the one that leaves the fewest live bytes, then the one listed first.
    static func memoryAwareGreedy(_ model: LiveMemoryModel) -> Schedule {
        let search = DownSetSearch(model: model, beamWidth: 1, exactStateBudget: 0, bound: Int.max).run()
        // An unbounded search always completes: every down-set has a ready operator.
        let best = search.best!
        return Schedule(order: best.order, peakBytes: best.peak, algorithm: .memoryAwareGreedy)
    }
}

extension Graph {
    /// The order a baseline follows, with its peak live bytes and how it was found. Not for
    /// ``ScheduleKind/mpmf``, which needs the minimum-peak program (`MinimumPeakResult` in
    /// CosmaILP, `Cosma.schedule`): callers pass that order in.
    package func schedule(_ kind: ScheduleKind, setting: TensorSetting, alignment: Int, inPlace: InPlaceMode = .off,
                         scheduler: MinimumPeakScheduler = MinimumPeakScheduler()) -> Schedule
    {
        switch kind {
        case .default:
            let order = Array(operators.indices)
            return Schedule(order: order, peakBytes: peakLiveBytes(order: order, setting: setting, alignment: alignment, inPlace: inPlace),
                            algorithm: .fileOrder)
        case .greedy:
            return MinimumPeakScheduler.memoryAwareGreedy(LiveMemoryModel(graph: self, setting: setting, alignment: alignment, inPlace: inPlace))
        case .mpmfSearch:
            return scheduler.schedule(self, setting: setting, alignment: alignment, inPlace: inPlace)
        case .mpmf:
            preconditionFailure("the mpmf order needs the minimum-peak program: compute it with MinimumPeakResult and pass it in")
        }
    }
}

extension Budgets {
    /// Records what a minimum-peak schedule tells about `M_P`: its value when the schedule is
    /// proven minimal; otherwise only the bracket (its peak above, its lower bound below), so that
    /// ``Budgets/resolve(_:)`` keeps refusing `M_P` and `M_H`.
    package mutating func record(_ schedule: Schedule) {
        guard let proof = schedule.proof else {
            bestPeak = min(bestPeak ?? schedule.peakBytes, schedule.peakBytes)
            if let bound = schedule.lowerBound { mPLowerBound = max(mPLowerBound ?? bound, bound) }
            return
        }
        mP = schedule.peakBytes
        bestPeak = schedule.peakBytes
        mPLowerBound = schedule.peakBytes
        mPSource = "proven minimal: \(proof) (order from the \(schedule.algorithm))"
    }
}
