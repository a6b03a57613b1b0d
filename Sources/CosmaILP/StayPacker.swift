public import Heuristics

/// Assigns addresses to stays whose lifetimes are fixed (dynamic storage allocation), some of
/// them possibly at addresses decided already.
///
/// Two stays that are resident at a common position must occupy disjoint ranges of `[0, capacity)`.
/// Without fixed stays this is ``StaticAllocator`` (greedy orders, the tightest positions packed
/// exactly first, then a MiniMalloc-style search). With fixed stays, which divide and conquer
/// keeps around a re-planned segment, the packer tries greedy placements in several orders
/// (largest first, longest first, earliest first), each stay at the lowest address that does not
/// collide with the stays already placed, then the ``ExactAllocator`` with the fixed stays kept
/// where they are.
///
/// A packing it returns is always valid; failing to find one within its node budget does not
/// prove that none exists, so callers fall back to a program that decides addresses.
public struct StayPacker: Sendable {
    /// A stay to place: its occupied size and the positions it spans.
    public typealias Item = StaticAllocator.Block

    public var capacity: Int
    public var alignment: Int
    /// Search nodes allowed after the greedy attempts fail.
    public var nodeLimit: Int

    public init(capacity: Int, alignment: Int, nodeLimit: Int = 200_000) {
        self.capacity = capacity
        self.alignment = alignment
        self.nodeLimit = nodeLimit
    }

    /// Offsets for the items, in their order, or `nil` when no packing was found.
    public func pack(_ items: [Item]) -> [Int]? {
        // Every offset the allocator gives is a sum of sizes, so aligned sizes keep it aligned.
        let blocks = items.map { Item(size: align($0.size), first: $0.first, last: $0.last) }
        return StaticAllocator(capacity: capacity / alignment * alignment, nodeLimit: nodeLimit).allocate(blocks).offsets
    }

    /// Offsets for the items, in their order, keeping every item whose `fixed` entry is set at
    /// that offset; `nil` when the fixed items collide or the others find no room around them.
    ///
    /// Divide and conquer re-plans one segment of a schedule and keeps the rest of the plan: the
    /// stays it did not touch keep their addresses and the new ones are packed around them.
    public func pack(_ items: [Item], fixed: [Int?]) -> [Int]? {
        precondition(fixed.count == items.count, "one fixed entry per item")
        if items.isEmpty { return [] }
        let conflicts = conflictLists(items)
        for (i, offset) in fixed.enumerated() {
            guard let offset else { continue }
            if offset < 0 || offset + items[i].size > capacity { return nil }
            for j in conflicts[i] where j > i {
                if let other = fixed[j], other < offset + items[i].size, offset < other + items[j].size { return nil }
            }
        }
        let free = items.indices.filter { fixed[$0] == nil }
        let orders: [[Int]] = [
            free.sorted { (items[$0].size, items[$1].last - items[$1].first, $1) > (items[$1].size, items[$0].last - items[$0].first, $0) },
            free.sorted { (items[$0].last - items[$0].first, items[$0].size, $1) > (items[$1].last - items[$1].first, items[$1].size, $0) },
            free.sorted { (items[$0].first, -items[$0].size, $0) < (items[$1].first, -items[$1].size, $1) },
        ]
        for order in orders {
            if let offsets = greedy(items, order: order, conflicts: conflicts, fixed: fixed) { return offsets }
        }
        return ExactAllocator(capacity: capacity, alignment: alignment, nodeLimit: nodeLimit, greedyFirst: false)
            .allocate(items, fixed: fixed).offsets
    }

    private func conflictLists(_ items: [Item]) -> [[Int]] {
        let byStart = items.indices.sorted { items[$0].first < items[$1].first }
        var conflicts = [[Int]](repeating: [], count: items.count)
        for (n, i) in byStart.enumerated() {
            for j in byStart[(n + 1)...] {
                if items[j].first > items[i].last { break }
                conflicts[i].append(j)
                conflicts[j].append(i)
            }
        }
        return conflicts
    }

    private func align(_ v: Int) -> Int { (v + alignment - 1) / alignment * alignment }

    /// The lowest aligned offset where `item` fits among the placed items it overlaps in time.
    private func lowestFit(_ item: Item, neighbours: [(offset: Int, end: Int)]) -> Int? {
        var candidate = 0
        for n in neighbours.sorted(by: { $0.offset < $1.offset }) {
            if n.offset >= candidate + item.size { break }
            candidate = max(candidate, align(n.end))
        }
        return candidate + item.size <= capacity ? candidate : nil
    }

    private func greedy(_ items: [Item], order: [Int], conflicts: [[Int]], fixed: [Int?]) -> [Int]? {
        var offsets = fixed
        for i in order {
            let placed = conflicts[i].compactMap { j in offsets[j].map { (offset: $0, end: $0 + items[j].size) } }
            guard let at = lowestFit(items[i], neighbours: placed) else { return nil }
            offsets[i] = at
        }
        return offsets.map { $0! }
    }
}
