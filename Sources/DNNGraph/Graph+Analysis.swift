/// Structural facts about a graph that schedulers and formulations share.
extension Graph {
    /// The longest path from a source to each operator, counted in operators (sources are level 0).
    public func topologicalLevels() -> [Int] {
        var level = [Int](repeating: 0, count: operators.count)
        for op in operators.indices {
            for p in predecessors[op] { level[op] = max(level[op], level[p] + 1) }
        }
        return level
    }

    /// For each operator, how many operators must run before it (its ancestors) and after it
    /// (its descendants).
    ///
    /// In any schedule of `N` operators, operator `o` runs at a position in
    /// `ancestors[o] ... N - 1 - descendants[o]` (its ASAP and ALAP positions). Chain-like networks
    /// have tiny windows, which is what keeps the time-indexed programs small.
    /// Cost: O(N · E / 64) with bitsets.
    public func ancestorAndDescendantCounts() -> (ancestors: [Int], descendants: [Int]) {
        let reach = reachability()
        return (operators.indices.map(reach.ancestorCount), operators.indices.map(reach.descendantCount))
    }

    /// Which operators precede which in every schedule. Cost: O(N · E / 64) with bitsets.
    package func reachability() -> Reachability {
        let n = operators.count
        let words = (n + 63) / 64
        func closure(order: some Sequence<OperatorID>, parents: [[OperatorID]]) -> [UInt64] {
            var bits = [UInt64](repeating: 0, count: n * words)
            for op in order {
                let base = op * words
                for p in parents[op] {
                    let pBase = p * words
                    for w in 0..<words { bits[base + w] |= bits[pBase + w] }
                    bits[base + p / 64] |= 1 << UInt64(p % 64)
                }
            }
            return bits
        }
        return Reachability(words: words, ancestors: closure(order: 0..<n, parents: predecessors),
                            descendants: closure(order: (0..<n).reversed(), parents: successors))
    }

    /// The graph's *separated segments*, in the order they run: a *separator* is an operator that
    /// every other one precedes or follows (the end of a RandWire stage), so the operators after
    /// one separator up to the next run as one contiguous block in every schedule. A segment ends
    /// at each separator, which keeps the tensors a stage's last operator gathers inside the
    /// segment that makes them (the last segment holds what runs after the last separator).
    /// `order` is any schedule of the graph, and each segment lists its operators in that order.
    /// One segment when the graph has no separator but its last operator.
    package func separatedSegments(order: [OperatorID], reach: Reachability) -> [[OperatorID]] {
        let n = operators.count
        var segments: [[OperatorID]] = [[]]
        for o in order {
            segments[segments.count - 1].append(o)
            if reach.ancestorCount(o) + reach.descendantCount(o) == n - 1 { segments.append([]) }
        }
        if segments.last?.isEmpty == true { segments.removeLast() }
        return segments
    }

    /// The tensors `members` make that an operator outside them reads. Where the members are a
    /// block of separated segments, those are the tensors a later block reads, and that block pays
    /// their store: the segment bound counts each store in the last block that reads the tensor.
    package func tensorsReadOutside(_ members: [OperatorID]) -> Set<TensorID> {
        let inside = Set(members)
        return Set(members.flatMap { operators[$0].outputs }.filter { t in consumers[t].contains { !inside.contains($0) } })
    }

    /// Earliest and latest position of each operator in any schedule (see
    /// ``ancestorAndDescendantCounts()``).
    public func positionWindows() -> [ClosedRange<Int>] {
        let (a, d) = ancestorAndDescendantCounts()
        return operators.indices.map { a[$0]...(operators.count - 1 - d[$0]) }
    }

    /// Checks that `order` lists every operator once and respects every dependency.
    /// - Returns: a message naming the first problem, or `nil` when the order can run.
    public func scheduleProblem(_ order: [OperatorID]) -> String? {
        guard order.count == operators.count else {
            return "the schedule lists \(order.count) operators but the graph has \(operators.count)"
        }
        var position = [Int](repeating: -1, count: operators.count)
        for (k, op) in order.enumerated() {
            guard operators.indices.contains(op) else { return "the schedule names an unknown operator #\(op)" }
            guard position[op] < 0 else { return "operator '\(operators[op].name)' appears twice in the schedule" }
            position[op] = k
        }
        for (k, op) in order.enumerated() {
            for p in predecessors[op] where position[p] > k {
                return "operator '\(operators[op].name)' is scheduled before '\(operators[p].name)', which produces one of its inputs"
            }
        }
        return nil
    }
}

/// The ancestor relation of a graph's operators, as bitsets: `a` is an ancestor of `b` when every
/// schedule runs `a` before `b`.
package struct Reachability: Sendable {
    let words: Int
    let ancestors: [UInt64]
    let descendants: [UInt64]

    /// Whether every schedule runs `a` before `b` (a path leads from `a` to `b`).
    package func isAncestor(_ a: OperatorID, of b: OperatorID) -> Bool {
        ancestors[b * words + a / 64] & (1 << UInt64(a % 64)) != 0
    }

    /// How many operators must run before `op`.
    package func ancestorCount(_ op: OperatorID) -> Int {
        ancestors[(op * words)..<((op + 1) * words)].reduce(0) { $0 + $1.nonzeroBitCount }
    }

    /// Calls `body` with every operator that descends from one of `sources` and is an ancestor of
    /// one of `sinks`, in index order: the operators every schedule runs between them. A word of
    /// 64 operators at a time, so the cost is O(N / 64 · (sources + sinks)) plus the operators
    /// found, where a test per operator costs O(N · (sources + sinks)).
    package func forEachBetween(_ sources: [OperatorID], and sinks: [OperatorID], _ body: (OperatorID) -> Void) {
        for w in 0..<words {
            var down: UInt64 = 0
            for s in sources { down |= descendants[s * words + w] }
            guard down != 0 else { continue }
            var up: UInt64 = 0
            for r in sinks { up |= ancestors[r * words + w] }
            var bits = down & up
            while bits != 0 {
                body(w * 64 + bits.trailingZeroBitCount)
                bits &= bits - 1
            }
        }
    }

    /// How many operators must run after `op`.
    package func descendantCount(_ op: OperatorID) -> Int {
        descendants[(op * words)..<((op + 1) * words)].reduce(0) { $0 + $1.nonzeroBitCount }
    }
}
