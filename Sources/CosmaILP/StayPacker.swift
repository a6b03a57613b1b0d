package import Heuristics

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
package struct StayPacker: Sendable {
    /// A stay to place: its occupied size and the positions it spans.
    package typealias Item = StaticAllocator.Block

    package var capacity: Int
    package var alignment: Int
    /// Search nodes allowed after the greedy attempts fail.
    package var nodeLimit: Int
    /// When the searches stop, whatever nodes are left (`nil`: never); see ``StaticAllocator/deadline``.
    package var deadline: ContinuousClock.Instant?

    /// How long packing may run past the end of a wall-clock budget. A time limit promises the
    /// end within the limit plus a second (loading, simulating and writing included,
    /// results/limits.md), and stays that are never packed are worth nothing. Without a deadline,
    /// RandWire-ER at 10 s packed for about a second from the budget's end and ended up to 2.8 s
    /// late; with the deadline alone, AmoebaNet at 10 s lost its plan of 166,208 bytes in three
    /// runs of three (451,584 to 526,848 instead), which a quarter second kept in three of three.
    package static let grace = Duration.milliseconds(250)

    /// A packer whose searches stop ``grace`` after `budgetEnd`, the end of the caller's
    /// wall-clock budget (`nil`, as under a work budget: only the node limit stops them, since the
    /// search is not charged and its outcome must not depend on the machine).
    package init(capacity: Int, alignment: Int, nodeLimit: Int = 200_000, budgetEnd: ContinuousClock.Instant? = nil) {
        self.capacity = capacity
        self.alignment = alignment
        self.nodeLimit = nodeLimit
        self.deadline = budgetEnd.map { $0 + Self.grace }
    }

    /// Offsets for the items, in their order, or `nil` when no packing was found.
    package func pack(_ items: [Item]) -> [Int]? {
        // Every offset the allocator gives is a sum of sizes, so aligned sizes keep it aligned.
        let blocks = items.map { Item(size: align($0.size), first: $0.first, last: $0.last) }
        return StaticAllocator(capacity: capacity / alignment * alignment, nodeLimit: nodeLimit, deadline: deadline).allocate(blocks).offsets
    }

    /// Offsets for the items, in their order, keeping every item whose `fixed` entry is set at
    /// that offset; `nil` when the fixed items collide or the others find no room around them.
    ///
    /// Divide and conquer re-plans one segment of a schedule and keeps the rest of the plan: the
    /// stays it did not touch keep their addresses and the new ones are packed around them.
    package func pack(_ items: [Item], fixed: [Int?]) -> [Int]? {
        precondition(fixed.count == items.count, "one fixed entry per item")
        if items.isEmpty { return [] }
        // Conflicts and sections computed once, for the checks, the greedy passes and the search.
        let instance = Instance(items)
        let allocator = ExactAllocator(capacity: capacity, alignment: alignment, nodeLimit: nodeLimit, deadline: deadline, greedyFirst: false)
        guard allocator.fitsTrivially(instance, fixed: fixed) else { return nil }
        let free = items.indices.filter { fixed[$0] == nil }
        let orders: [[Int]] = [
            free.sorted { (items[$0].size, items[$1].last - items[$1].first, $1) > (items[$1].size, items[$0].last - items[$0].first, $0) },
            free.sorted { (items[$0].last - items[$0].first, items[$0].size, $1) > (items[$1].last - items[$1].first, items[$1].size, $0) },
            free.sorted { (items[$0].first, -items[$0].size, $0) < (items[$1].first, -items[$1].size, $1) },
        ]
        let seed = fixed.map { $0 ?? -1 }
        for order in orders {
            if let offsets = instance.greedy(order: order, rule: .lowest, capacity: capacity, fixed: seed, alignment: alignment) {
                return offsets
            }
        }
        return allocator.attempt(instance, fixed: fixed).outcome.offsets
    }

    private func align(_ v: Int) -> Int { (v + alignment - 1) / alignment * alignment }
}
