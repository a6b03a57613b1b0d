package import DNNGraph
package import Scratchpad

extension Graph {
    /// Offsets for every tracked tensor of a schedule run without spilling, packed by the
    /// ``StaticAllocator`` into `capacity`, or `nil` when it finds no packing within
    /// `nodeLimit` search nodes (or proves that none exists).
    ///
    /// Unlike `Graph.arenaPlan(order:setting:alignment:)` (TensorFlow Lite's single greedy pass,
    /// whose arena may exceed any capacity), this searches for a packing that fits a given
    /// capacity; it succeeds only if `capacity` is at least the schedule's peak live bytes.
    /// Every occupied size is rounded up to `alignment`, so every offset is aligned.
    package func staticArenaPlan(order: [OperatorID], setting: TensorSetting, alignment: Int, capacity: Int,
                                inPlace: InPlaceMode = .off, nodeLimit: Int = 100_000) -> ArenaPlan?
    {
        let buffers = buffers(order: order, setting: setting, inPlace: inPlace)
        let intervals = buffers.map(\.interval)
        let blocks = intervals.map {
            StaticAllocator.Block(size: roundUp(tensors[$0.tensor].bytes, to: alignment), first: $0.first, last: $0.last)
        }
        let usable = capacity / alignment * alignment
        guard let offsets = StaticAllocator(capacity: usable, nodeLimit: nodeLimit).allocate(blocks).offsets else { return nil }
        let arenaBytes = zip(blocks, offsets).map { $0.size + $1 }.max() ?? 0
        return ArenaPlan(offsets: Dictionary(uniqueKeysWithValues: zip(intervals.map(\.tensor), offsets)), arenaBytes: arenaBytes)
            .sharing(buffers)
    }
}
