/// Maximum flow, hence minimum cut, by Dinic's algorithm: the tool behind bounds that ask for the
/// cheapest set of operators that can run before another one.
///
/// Capacities are integers; ``infinite`` marks edges a cut may never cross.
package struct MaxFlow: Sendable {
    /// A capacity no finite cut reaches.
    package static let infinite = Int.max / 4

    private var head: [Int]
    private var next: [Int] = []
    private var to: [Int] = []
    private var capacity: [Int] = []
    /// The flow's own arrays, kept across flows and ``reset(nodes:)``.
    private var level: [Int] = []
    private var cursor: [Int] = []
    private var queue: [Int] = []
    private var path: [Int] = []

    /// A network of `nodes` nodes numbered from 0, without edges.
    package init(nodes: Int) {
        head = [Int](repeating: -1, count: nodes)
    }

    /// Makes this a network of `nodes` nodes without edges, keeping the storage: the segment
    /// search runs a small flow per cut it makes exact, up to hundreds of thousands per block.
    package mutating func reset(nodes: Int) {
        head.removeAll(keepingCapacity: true)
        head.append(contentsOf: repeatElement(-1, count: nodes))
        next.removeAll(keepingCapacity: true)
        to.removeAll(keepingCapacity: true)
        capacity.removeAll(keepingCapacity: true)
    }

    /// Adds a directed edge and its residual twin.
    package mutating func addEdge(from a: Int, to b: Int, capacity c: Int) {
        half(from: a, to: b, capacity: c)
        half(from: b, to: a, capacity: 0)
    }

    private mutating func half(from u: Int, to v: Int, capacity c: Int) {
        to.append(v)
        capacity.append(c)
        next.append(head[u])
        head[u] = to.count - 1
    }

    /// The value of a maximum flow from `source` to `sink` (equal to the minimum cut), stopping
    /// early once it reaches `limit`.
    package mutating func maximumFlow(from source: Int, to sink: Int, limit: Int = infinite) -> Int {
        var total = 0
        let n = head.count
        // Taken out for the flow and put back after, so that the next flow reuses their storage.
        var (level, cursor, queue, path) = (self.level, self.cursor, self.queue, self.path)
        (self.level, self.cursor, self.queue, self.path) = ([], [], [], [])
        defer { (self.level, self.cursor, self.queue, self.path) = (level, cursor, queue, path) }
        Self.refill(&level, count: n)
        Self.refill(&cursor, count: n)
        Self.refill(&queue, count: n)
        while total < limit {
            for i in level.indices { level[i] = -1 }
            level[source] = 0
            var (front, back) = (0, 1)
            queue[0] = source
            while front < back {
                let u = queue[front]
                front += 1
                var e = head[u]
                while e >= 0 {
                    if capacity[e] > 0 && level[to[e]] < 0 {
                        level[to[e]] = level[u] + 1
                        queue[back] = to[e]
                        back += 1
                    }
                    e = next[e]
                }
            }
            if level[sink] < 0 { break }
            for i in 0..<n { cursor[i] = head[i] }
            while total < limit {
                let pushed = augment(source, sink: sink, amount: limit - total, level: level, cursor: &cursor, path: &path)
                if pushed == 0 { break }
                total += pushed
            }
        }
        return min(total, limit)
    }

    /// `array` as `count` entries of -1, in the storage it has.
    private static func refill(_ array: inout [Int], count: Int) {
        array.removeAll(keepingCapacity: true)
        array.append(contentsOf: repeatElement(-1, count: count))
    }

    /// After ``maximumFlow(from:to:limit:)`` reached the maximum (or a `limit` that some cut
    /// meets), the nodes that can still reach `sink` through edges with capacity left: the sink
    /// side of the minimum cut whose source side is largest.
    package func reachingSink(_ sink: Int) -> [Bool] {
        var reaches = [Bool](repeating: false, count: head.count)
        reaches[sink] = true
        var stack = [sink]
        while let v = stack.popLast() {
            var e = head[v]
            while e >= 0 {
                // `e` runs from `v` to `w`; its twin from `w` to `v` has what `w` may still send.
                let w = to[e]
                if !reaches[w] && capacity[e ^ 1] > 0 {
                    reaches[w] = true
                    stack.append(w)
                }
                e = next[e]
            }
        }
        return reaches
    }

    /// One blocking-flow path by depth-first search, iteratively (graphs have thousands of nodes).
    private mutating func augment(_ source: Int, sink: Int, amount: Int, level: [Int], cursor: inout [Int], path: inout [Int]) -> Int {
        path.removeAll(keepingCapacity: true)  // edges
        var u = source
        while true {
            if u == sink {
                var bottleneck = amount
                for e in path { bottleneck = min(bottleneck, capacity[e]) }
                for e in path {
                    capacity[e] -= bottleneck
                    capacity[e ^ 1] += bottleneck
                }
                return bottleneck
            }
            var advanced = false
            while cursor[u] >= 0 {
                let e = cursor[u]
                if capacity[e] > 0 && level[to[e]] == level[u] + 1 {
                    path.append(e)
                    u = to[e]
                    advanced = true
                    break
                }
                cursor[u] = next[e]
            }
            if advanced { continue }
            // Dead end: never try this node again in this phase, and step back.
            guard let last = path.popLast() else { return 0 }
            let from = to[last ^ 1]
            cursor[from] = next[cursor[from]]
            u = from
        }
    }
}
