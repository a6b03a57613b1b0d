package import DNNGraph
package import Scratchpad

/// The static allocator a heuristic uses for fixed lifetimes: it packs a whole schedule run
/// without spilling, and the plan uses its offsets when the arena fits the capacity.
///
/// These are the planners compilers ship: TensorFlow Lite's arena planner (the COSMA paper's
/// choice) and the three algorithms of TVM's unified static memory planner (USMP). All four
/// know every lifetime in advance and place one tensor at a time; they differ in the order in
/// which tensors are placed and in how a tensor's offset is chosen among the tensors already
/// placed whose lifetimes overlap its own (its conflicts).
package enum ArenaAllocator: String, Sendable, CaseIterable {
    /// TensorFlow Lite: largest first, the smallest gap among conflicts
    /// (`Graph.arenaPlan(order:setting:alignment:)`).
    case tflite = "tflite-arena"
    /// TVM's greedy by size: largest first (ties: more conflicts first), each at the lowest offset
    /// clear of its placed conflicts.
    case greedyBySize = "greedy-by-size"
    /// TVM's greedy by conflicts: most conflicts first (ties: larger first), same placement rule.
    case greedyByConflicts = "greedy-by-conflicts"
    /// TVM's hill climbing: the greedy placement repeated over permutations of the placement
    /// order, swapping neighbours of a tensor that reaches the top, until the arena fits the
    /// capacity or a fixed number of attempts is spent (deterministic: a seeded generator).
    case hillClimb = "hill-climb"
}

extension Graph {
    /// Offsets for the tensors of a schedule run without spilling, packed by `allocator`.
    ///
    /// - Parameter target: the capacity the arena should fit; hill climbing stops as soon as it
    ///   does, and does not start when the schedule's peak live bytes exceed it (no packing can
    ///   then fit, since every arena is at least that peak).
    package func arenaPlan(order: [OperatorID], setting: TensorSetting, alignment: Int, allocator: ArenaAllocator,
                          target: Int, inPlace: InPlaceMode = .off) -> ArenaPlan
    {
        if allocator == .tflite { return arenaPlan(order: order, setting: setting, alignment: alignment, inPlace: inPlace) }
        let buffers = buffers(order: order, setting: setting, inPlace: inPlace)
        let intervals = buffers.map(\.interval)
        let packing = ConflictPacking(intervals.map {
            StaticAllocator.Block(size: roundUp(tensors[$0.tensor].bytes, to: alignment), first: $0.first, last: $0.last)
        })
        let placed: (offsets: [Int], top: Int)
        switch allocator {
        case .tflite, .greedyBySize: placed = packing.firstFit(packing.bySize)
        case .greedyByConflicts: placed = packing.firstFit(packing.byConflicts)
        case .hillClimb:
            let peak = peakLiveBytes(order: order, setting: setting, alignment: alignment, inPlace: inPlace)
            placed = packing.hillClimb(target: target, hopeless: peak > target)
        }
        return ArenaPlan(offsets: Dictionary(uniqueKeysWithValues: zip(intervals.map(\.tensor), placed.offsets)),
                         arenaBytes: placed.top).sharing(buffers)
    }
}

/// Blocks with fixed lifetimes and the pairs whose lifetimes overlap: the data TVM's USMP
/// algorithms work on.
struct ConflictPacking {
    /// The ``StaticAllocator``'s view of the blocks: its conflicts and its greedy placement.
    let instance: Instance
    let sizes: [Int]
    /// For each block, the blocks whose lifetimes overlap its own.
    var conflicts: [[Int]] { instance.conflicts }
    /// Attempts of ``hillClimb(target:hopeless:)``; TVM's planner makes 500.
    static let attempts = 500

    init(_ blocks: [StaticAllocator.Block]) {
        instance = Instance(blocks)
        sizes = blocks.map(\.size)
    }

    /// Largest first; ties: more conflicts, then lower index.
    var bySize: [Int] {
        sizes.indices.sorted { (sizes[$0], conflicts[$0].count, $1) > (sizes[$1], conflicts[$1].count, $0) }
    }

    /// Most conflicts first; ties: larger, then lower index.
    var byConflicts: [Int] {
        sizes.indices.sorted { (conflicts[$0].count, sizes[$0], $1) > (conflicts[$1].count, sizes[$1], $0) }
    }

    /// Places the blocks in `order`, each at the lowest offset clear of its conflicts placed
    /// before it (sizes are aligned, so every offset is): the ``StaticAllocator``'s greedy pass
    /// with the lowest gap and no capacity. Returns the offsets by block and the arena's top.
    func firstFit(_ order: [Int]) -> (offsets: [Int], top: Int) {
        // With no capacity the top gap always fits, so the pass places every block.
        let offsets = instance.greedy(order: order, rule: .lowest, capacity: .max, fixed: nil)!
        return (offsets, zip(offsets, sizes).map(+).max() ?? 0)
    }

    /// TVM's hill climbing, started from the better of the two greedy orders: after each greedy
    /// placement, a block that reaches the top is picked, and one of its conflicts placed before
    /// it is swapped in the order with a conflict of such a conflict (or another one). A worse
    /// arena is kept with a probability that shrinks with the attempts, as in TVM; the best
    /// seen is returned.
    func hillClimb(target: Int, hopeless: Bool) -> (offsets: [Int], top: Int) {
        let starts = [bySize, byConflicts].map { ($0, firstFit($0)) }
        var (order, current) = starts.min { $0.1.top < $1.1.top }!
        var best = current
        guard !hopeless, sizes.count > 1 else { return best }
        var position = [Int](repeating: 0, count: sizes.count)
        for (i, b) in order.enumerated() { position[b] = i }
        var rng = SeededGenerator(seed: 0)
        for attempt in 1...Self.attempts where best.top > target {
            let tops = sizes.indices.filter { current.offsets[$0] + sizes[$0] == current.top }
            let node = tops[Int(rng.next() % UInt64(tops.count))]
            let first = conflicts[node].filter { position[$0] < position[node] }
            guard !first.isEmpty else { continue }
            let second = first.flatMap { c in conflicts[c].filter { position[$0] < position[c] && $0 != node } }
            let a = first[Int(rng.next() % UInt64(first.count))]
            let pool = !second.isEmpty && rng.next() % 100 > 25 ? second : first
            let b = pool[Int(rng.next() % UInt64(pool.count))]
            guard a != b else { continue }
            order.swapAt(position[a], position[b])
            position.swapAt(a, b)
            let tried = firstFit(order)
            let worse = tried.top - current.top
            if worse <= 0 || Int(rng.next() % 100) < 50 * worse / max(tried.top, 1) / attempt {
                current = tried
                if tried.top < best.top { best = tried }
            } else {
                order.swapAt(position[a], position[b])
                position.swapAt(a, b)
            }
        }
        return best
    }
}
