package import DNNGraph
package import Scratchpad

/// Offsets for every tracked tensor of a schedule run without spilling, and the arena they need.
package struct ArenaPlan: Hashable, Sendable {
    /// Offset of each tracked tensor that the schedule touches.
    package var offsets: [TensorID: Int]
    /// The highest address any tensor reaches: the scratchpad this plan needs.
    package var arenaBytes: Int
}

extension Graph {
    /// TensorFlow Lite's arena planner ("greedy by size", `ArenaPlanner` with
    /// `SimpleMemoryArena` in TensorFlow Lite), the allocator of the COSMA paper's baselines.
    ///
    /// It knows every lifetime in advance (`Graph.liveIntervals(order:setting:)`). Tensors are taken
    /// by size, largest first (ties: earlier first use, then lower index); each goes into the
    /// smallest gap between the already placed tensors whose lifetimes overlap its own, or, when
    /// no gap fits, just above the highest of them. Tensors whose lifetimes are disjoint may share
    /// addresses. Cost: O(T²) for T tensors.
    ///
    /// With `inPlace` on, each in-place chain is one buffer (``Graph/buffers(order:setting:inPlace:)``)
    /// and all its tensors get its offset, as TensorFlow Lite's arena shares them.
    package func arenaPlan(order: [OperatorID], setting: TensorSetting, alignment: Int, inPlace: InPlaceMode = .off) -> ArenaPlan {
        let buffers = buffers(order: order, setting: setting, inPlace: inPlace)
        let intervals = buffers.map(\.interval)
            .sorted { (-tensors[$0.tensor].bytes, $0.first, $0.tensor) < (-tensors[$1.tensor].bytes, $1.first, $1.tensor) }
        var placed: [(interval: LiveInterval, offset: Int, size: Int)] = []
        var offsets: [TensorID: Int] = [:]
        var arenaBytes = 0
        for interval in intervals {
            let size = roundUp(tensors[interval.tensor].bytes, to: alignment)
            var cursor = 0
            var best: (offset: Int, gap: Int)?
            for other in placed where other.interval.first <= interval.last && interval.first <= other.interval.last {
                let gap = other.offset - cursor
                if gap >= size && gap < (best?.gap ?? Int.max) { best = (cursor, gap) }
                cursor = max(cursor, other.offset + other.size)
            }
            let offset = best?.offset ?? cursor
            offsets[interval.tensor] = offset
            arenaBytes = max(arenaBytes, offset + size)
            let position = placed.firstIndex { $0.offset > offset } ?? placed.count
            placed.insert((interval, offset, size), at: position)
        }
        return ArenaPlan(offsets: offsets, arenaBytes: arenaBytes).sharing(buffers)
    }
}

extension ArenaPlan {
    /// The plan with every member of a buffer at the offset given to the buffer's first tensor.
    func sharing(_ buffers: [(interval: LiveInterval, members: [TensorID])]) -> ArenaPlan {
        var result = self
        for b in buffers where b.members.count > 1 {
            guard let offset = offsets[b.interval.tensor] else { continue }
            for t in b.members { result.offsets[t] = offset }
        }
        return result
    }
}
