/// An order for ``BinaryHeap``: whether an entry comes out before another. A strict total order
/// (ties broken by a node index) keeps the searches that use it deterministic.
protocol HeapOrdered {
    func precedes(_ other: Self) -> Bool
}

/// A binary min-heap: the open states of the best-first searches (``BestFirstPeakSearch``,
/// ``SegmentTrafficSearch``).
struct BinaryHeap<Entry: HeapOrdered> {
    private var items: [Entry] = []

    var isEmpty: Bool { items.isEmpty }

    /// The entry that comes out next.
    var first: Entry? { items.first }

    mutating func push(_ e: Entry) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard items[i].precedes(items[p]) else { break }
            items.swapAt(i, p)
            i = p
        }
    }

    mutating func pop() -> Entry? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1
                let r = l + 1
                var m = i
                if l < items.count && items[l].precedes(items[m]) { m = l }
                if r < items.count && items[r].precedes(items[m]) { m = r }
                guard m != i else { break }
                items.swapAt(i, m)
                i = m
            }
        }
        return first
    }
}
