package import DNNGraph
package import Scratchpad

/// Lower bounds on the live bytes that **every** order of a graph reaches while some operator of a
/// set `S` runs: the relaxation of ``MinimumPeakScheduler``'s windows (``BestFirstPeakSearch`` over
/// a subset), for any `S`.
///
/// An order of the whole graph restricted to `S` is an order of `S`, and at each operator of `S`
/// the relaxation counts only tensors live in the full order too, so the smallest relaxed peak
/// over the orders of `S` is at most the live bytes of *some* step of `S` in every order. When
/// every other operator is an ancestor or a descendant of all of `S` (a segment between two
/// operators that every schedule runs in turn), nothing it counts is relaxed: the bound is that
/// segment's own minimum peak.
package struct WindowPeaks: Sendable {
    private let model: LiveMemoryModel
    private let reach: Reachability

    /// Live bytes as ``Graph/liveIntervals(order:setting:inPlace:)`` counts them, sizes rounded up
    /// to `alignment`; `reach` is the graph's ancestor relation.
    package init(graph: Graph, setting: TensorSetting, alignment: Int, inPlace: InPlaceMode, reach: Reachability) {
        model = LiveMemoryModel(graph: graph, setting: setting, alignment: alignment, inPlace: inPlace)
        self.reach = reach
    }

    /// A lower bound on the smallest relaxed peak over the orders of `window`, at most `cutoff`:
    /// the minimum itself when the search finishes within `limit` (or `stateBudget`), else the
    /// smallest peak still open. Spends the states it creates from `limit`.
    package func lowerBound(of window: [OperatorID], cutoff: Int, stateBudget: Int, limit: inout SearchLimit) -> Int {
        let search = BestFirstPeakSearch(model: model, reach: reach, subset: window)
            .run(cutoff: cutoff, stateBudget: limit.states(stateBudget), deadline: limit.deadline)
        limit.spend(search.states)
        return search.lowerBound
    }
}
