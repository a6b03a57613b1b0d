/// Packs blocks with fixed lifetimes into a memory of fixed capacity: the dynamic storage
/// allocation problem that a compiler solves when it knows every tensor's lifetime in advance.
///
/// Two blocks whose lifetimes share a position must occupy disjoint address ranges, and every
/// block keeps one offset for its whole lifetime. Deciding whether a packing exists is NP-hard
/// (Garey and Johnson, problem SR2), so the allocator tries cheap ideas first:
///
/// 1. **Greedy packings** in several orders (largest first, as TensorFlow Lite's arena planner
///    does; largest area, that is size times lifetime; earliest start; most contended, that is
///    live where memory is fullest; longest first), each block put into the best-fitting or the
///    lowest gap left by the blocks already placed that it overlaps in time. They settle most
///    instances that have some slack everywhere.
/// 2. **Tightest positions first.** Where the live bytes come within a few percent of the
///    capacity, a packing must be nearly perfect, and greedy orders rarely find it; elsewhere
///    there is room to spare. So the blocks live at the tightest positions are packed on their
///    own by the exact search below (a small instance: a handful of blocks per tight position),
///    and each packing it finds is completed greedily around them, until one completes. This is
///    what packs PNASNet-5 at its minimum peak, where one position is exactly full.
/// 3. **The exact allocator** (``ExactAllocator``: MiniMalloc's canonical search with section
///    inference, dominance and decomposition) over all blocks. Stage 2 enumerates canonical
///    packings of the tight blocks with ``CanonicalSearch``, the simpler search this allocator
///    used before: any packing can be pushed down until every block sits at 0 or directly on
///    top of a block it overlaps in time, so the search only chooses which block comes next.
///    Blocks with the same size and lifetime are interchangeable, so both searches place them in
///    index order only: the four parameters of a batch normalisation, loaded together, would
///    otherwise be tried in all 24 orders at every position, which is what kept DenseNet-121's
///    relaxed plan at `M_R` unpacked (6 million nodes for 32 blocks; 18 thousand with it).
///
/// Stages 2 and 3 share ``nodeLimit``, and stop at ``deadline`` when one is set. The search of
/// stage 3 is complete: when it ends without reaching either it proves that no packing exists
/// (``Outcome/infeasible``). Sizes are used as given; a caller with an alignment rounds every
/// size up to it and the capacity down to it, so that every offset (a sum of sizes) is aligned
/// too.
///
/// Example: three blocks of 4 bytes, live over positions 0...1, 1...2 and 2...3, fit in 8 bytes
/// (the first and the last share an address range, the middle one sits above them):
///
/// ```swift
/// let blocks = [StaticAllocator.Block(size: 4, first: 0, last: 1),
///               StaticAllocator.Block(size: 4, first: 1, last: 2),
///               StaticAllocator.Block(size: 4, first: 2, last: 3)]
/// StaticAllocator(capacity: 8).allocate(blocks)   // .packed([0, 4, 0])
/// ```
///
/// Complexity: each greedy pass is O(n·d log d) for n blocks overlapping at most d others; each
/// search node costs O(n·d + L), where L sums the number of blocks live at each position where
/// some block ends.
package struct StaticAllocator: Sendable {
    /// A block to place: its size and the positions (inclusive) during which it is live.
    package struct Block: Hashable, Sendable {
        package var size: Int
        package var first: Int
        package var last: Int

        package init(size: Int, first: Int, last: Int) {
            self.size = size
            self.first = first
            self.last = last
        }

        /// For each block, the one before it in `order` with the same size and lifetime (its
        /// twin), or `nil`. Twins are interchangeable in any packing, so a search need try them
        /// in one order only.
        package static func twins(of blocks: [Block], in order: [Int]) -> [Int?] {
            var latest: [Block: Int] = [:]
            var twin = [Int?](repeating: nil, count: blocks.count)
            for i in order {
                twin[i] = latest[blocks[i]]
                latest[blocks[i]] = i
            }
            return twin
        }
    }

    /// What an allocation attempt established.
    package enum Outcome: Hashable, Sendable {
        /// A packing: the offset of each block, in the order the blocks were given.
        case packed([Int])
        /// No packing exists: the search explored every canonical packing, or some position
        /// holds more live bytes than the capacity.
        case infeasible
        /// No packing was found within the node limit; one may still exist.
        case unknown

        /// The offsets of a packing, `nil` otherwise.
        package var offsets: [Int]? {
            if case .packed(let offsets) = self { offsets } else { nil }
        }
    }

    /// The size of the memory: every block must end at or below it.
    package var capacity: Int
    /// Search nodes allowed after the greedy packings fail; 0 skips the searches.
    package var nodeLimit: Int
    /// When the searches stop, whatever nodes are left (`nil`: never). A node limit alone is no
    /// wall-clock promise: the 200,000 nodes that ``ExactPlanner`` gives stays that do not pack
    /// took about a second on RandWire-ER, begun with the time limit spent (results/limits.md).
    package var deadline: ContinuousClock.Instant?

    package init(capacity: Int, nodeLimit: Int = 100_000, deadline: ContinuousClock.Instant? = nil) {
        self.capacity = capacity
        self.nodeLimit = nodeLimit
        self.deadline = deadline
    }

    /// How full a position must be, as a fraction of the capacity left free, for its blocks to
    /// be packed first in stage 2; each level widens the set of blocks packed exactly.
    static let tightSlack: [Double] = [0.01, 0.04, 0.12]

    /// Packings of the tight blocks that stage 2 tries to complete, per level: completing one
    /// costs a few greedy passes over every block.
    static let completionAttempts = 64

    /// Packs `blocks` into ``capacity`` bytes; see ``StaticAllocator`` for how.
    package func allocate(_ blocks: [Block]) -> Outcome {
        if blocks.isEmpty { return .packed([]) }
        precondition(blocks.allSatisfy { $0.size > 0 && $0.first <= $0.last }, "blocks need a positive size and a lifetime")
        if blocks.contains(where: { $0.size > capacity }) { return .infeasible }
        let instance = Instance(blocks)
        let loads = instance.cliqueLoads
        if instance.peak > capacity { return .infeasible }
        if let offsets = instance.greedy(capacity: capacity) { return .packed(offsets) }

        var nodesLeft = nodeLimit
        var tried: Set<[Int]> = []
        for slack in Self.tightSlack where nodesLeft > 0 {
            let tight = blocks.indices.filter { i in
                instance.cliquesOf[i].contains { Double(capacity - loads[$0]) <= slack * Double(capacity) }
            }
            guard !tight.isEmpty, tight.count < blocks.count, tried.insert(tight).inserted else { continue }
            var search = CanonicalSearch(instance: Instance(tight.map { blocks[$0] }), capacity: capacity, nodeLimit: nodesLeft,
                                         deadline: deadline)
            var attempts = 0
            var packing: [Int]?
            _ = search.enumerate { partial in
                attempts += 1
                var fixed = [Int](repeating: -1, count: blocks.count)
                for (k, i) in tight.enumerated() { fixed[i] = partial[k] }
                packing = instance.greedy(capacity: capacity, fixed: fixed)
                return packing != nil || attempts >= Self.completionAttempts
            }
            nodesLeft -= search.nodes
            if let packing { return .packed(packing) }
            if search.timedOut { return .unknown }
        }
        guard nodesLeft > 0 else { return .unknown }
        return ExactAllocator(capacity: capacity, nodeLimit: nodesLeft, deadline: deadline, greedyFirst: false).attempt(instance).outcome
    }
}

/// Where a greedy pass puts a block among the free gaps of its lifetime.
package enum PlacementRule: CaseIterable {
    /// The smallest gap that fits, the top gap (up to the capacity) included.
    case bestFit
    /// The lowest gap that fits.
    case lowest
}

/// The blocks with what every stage needs: who overlaps whom, and where memory is fullest.
/// Computed once per set of blocks and shared by the greedy stage, both searches and
/// the stay packer's greedy placements around fixed stays.
package struct Instance {
    let blocks: [StaticAllocator.Block]
    /// For each block, the blocks whose lifetimes overlap its own.
    let conflicts: [[Int]]
    /// The blocks live at each position where some block ends. Every set of blocks live at one
    /// position is contained in one of these (the one at the earliest end among them), so they
    /// are the only positions a packing can overfill.
    let cliques: [[Int]]
    /// For each block, the indices of the cliques that lie within its lifetime.
    let cliquesOf: [[Int]]
    /// For each block, the nearest lower-indexed block with the same size and lifetime.
    let twin: [Int?]
    /// The bytes live in each clique.
    let cliqueLoads: [Int]
    /// The fullest clique (the peak of live bytes): a lower bound on every packing's height.
    var peak: Int { cliqueLoads.max() ?? 0 }

    package init(_ blocks: [StaticAllocator.Block]) {
        self.blocks = blocks
        let byStart = blocks.indices.sorted { (blocks[$0].first, $0) < (blocks[$1].first, $1) }
        var conflicts = [[Int]](repeating: [], count: blocks.count)
        for (n, i) in byStart.enumerated() {
            for j in byStart[(n + 1)...] {
                if blocks[j].first > blocks[i].last { break }
                conflicts[i].append(j)
                conflicts[j].append(i)
            }
        }
        self.conflicts = conflicts
        let ends = Array(Set(blocks.map(\.last))).sorted()
        var cliques = [[Int]](repeating: [], count: ends.count)
        var cliquesOf = [[Int]](repeating: [], count: blocks.count)
        for (i, block) in blocks.enumerated() {
            var c = ends.partitioningIndex { $0 >= block.first }
            while c < ends.count && ends[c] <= block.last {
                cliques[c].append(i)
                cliquesOf[i].append(c)
                c += 1
            }
        }
        self.cliques = cliques
        self.cliquesOf = cliquesOf
        cliqueLoads = cliques.map { $0.reduce(0) { $0 + blocks[$1].size } }
        twin = StaticAllocator.Block.twins(of: blocks, in: Array(blocks.indices))
    }

    /// The orders the greedy stage tries, each ending ties by index so that results are
    /// reproducible.
    func greedyOrders() -> [[Int]] {
        let size = blocks.map(\.size)
        let length = blocks.map { $0.last - $0.first + 1 }
        // Blocks live where memory is fullest have the least freedom: placing them first keeps
        // the tightest positions free of gaps.
        let contention = cliquesOf.map { $0.map { cliqueLoads[$0] }.max() ?? 0 }
        let ids = Array(blocks.indices)
        return [
            ids.sorted { (size[$0], length[$0], $1) > (size[$1], length[$1], $0) },
            ids.sorted { (size[$0] * length[$0], size[$0], $1) > (size[$1] * length[$1], size[$1], $0) },
            ids.sorted { (blocks[$0].first, -size[$0], $0) < (blocks[$1].first, -size[$1], $1) },
            ids.sorted { (contention[$0], size[$0], $1) > (contention[$1], size[$1], $0) },
            ids.sorted { (length[$0], size[$0], $1) > (length[$1], size[$1], $0) },
        ]
    }

    /// The first greedy packing (every order, every rule) that fits `capacity`, keeping the
    /// blocks whose `fixed` offset is not -1 where they are.
    func greedy(capacity: Int, fixed: [Int]? = nil) -> [Int]? {
        for order in greedyOrders() {
            for rule in PlacementRule.allCases {
                if let offsets = greedy(order: order, rule: rule, capacity: capacity, fixed: fixed) { return offsets }
            }
        }
        return nil
    }

    /// Places the blocks one by one in `order`, each into a gap chosen by `rule` among the
    /// blocks already placed that overlap it, at a multiple of `alignment`; `nil` when one finds
    /// no gap below `capacity`.
    package func greedy(order: [Int], rule: PlacementRule, capacity: Int, fixed: [Int]?, alignment: Int = 1) -> [Int]? {
        var offsets = fixed ?? [Int](repeating: -1, count: blocks.count)
        for i in order where offsets[i] < 0 {
            let size = blocks[i].size
            let neighbours = conflicts[i].filter { offsets[$0] >= 0 }.sorted { offsets[$0] < offsets[$1] }
            var cursor = 0
            var chosen: (offset: Int, gap: Int)?
            func consider(_ gap: Int) {
                guard gap >= size else { return }
                switch rule {
                case .bestFit: if gap < (chosen?.gap ?? Int.max) { chosen = (cursor, gap) }
                case .lowest: if chosen == nil { chosen = (cursor, gap) }
                }
            }
            for j in neighbours {
                consider(offsets[j] - cursor)
                cursor = max(cursor, (offsets[j] + blocks[j].size + alignment - 1) / alignment * alignment)
            }
            consider(capacity - cursor)
            guard let chosen else { return nil }
            offsets[i] = chosen.offset
        }
        return offsets
    }
}

extension Array where Element: Comparable {
    /// The first index whose element satisfies `belongs`, for a predicate that is false and then
    /// true along the (sorted) array.
    fileprivate func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var lo = 0
        var hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if belongs(self[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}

/// The branch and bound over canonical packings (see ``StaticAllocator``).
///
/// Blocks are placed in order of increasing (offset, index); a block's offset is its *floor*,
/// the highest top among the placed blocks it overlaps. The index breaks ties so that blocks
/// at the same offset, which cannot overlap in time, are listed in one order only.
///
/// Stage 2 of ``StaticAllocator`` enumerates its packings (``enumerate(_:)``); deciding a
/// whole instance is the ``ExactAllocator``'s job, whose search also splits independent parts.
struct CanonicalSearch {
    let instance: Instance
    let capacity: Int
    let nodeLimit: Int
    let deadline: ContinuousClock.Instant?
    private(set) var nodes = 0
    /// Whether the search stopped at ``deadline``.
    private(set) var timedOut = false
    private var offsets: [Int]
    private var floors: [Int]
    /// Called with each complete packing; returning true stops the search.
    private var visit: ([Int]) -> Bool = { _ in true }
    /// Placements (old floor -1) and floor changes, newest last, so that a branch can be undone.
    private var trail: [(block: Int, oldFloor: Int)] = []
    /// Scratch marks for collecting cliques without allocating sets.
    private var cliqueMark: [Int]
    private var stamp = 0

    init(instance: Instance, capacity: Int, nodeLimit: Int, deadline: ContinuousClock.Instant? = nil) {
        self.instance = instance
        self.capacity = capacity
        self.nodeLimit = nodeLimit
        self.deadline = deadline
        offsets = [Int](repeating: -1, count: instance.blocks.count)
        floors = [Int](repeating: 0, count: instance.blocks.count)
        cliqueMark = [Int](repeating: 0, count: instance.cliques.count)
    }

    /// The first packing ``enumerate(_:)`` visits, a proof that none exists, or
    /// ``StaticAllocator/Outcome/unknown`` at the limit.
    mutating func run() -> StaticAllocator.Outcome {
        var first: [Int]?
        if enumerate({
            first = $0
            return true
        }), let first { return .packed(first) }
        return stopped ? .unknown : .infeasible
    }

    /// Whether the node limit or the deadline ended the search.
    private var stopped: Bool { nodes > nodeLimit || timedOut }

    /// Visits canonical packings until `visit` returns true (then returns true) or none are
    /// left or the node limit is reached (then returns false).
    mutating func enumerate(_ visit: @escaping ([Int]) -> Bool) -> Bool {
        self.visit = visit
        defer { self.visit = { _ in true } }
        return solve(Array(instance.blocks.indices), after: (offset: -1, index: -1))
    }

    /// Whether the unplaced blocks of `group` can be placed in canonical order after the block
    /// at `last` into a packing that `visit` accepts. On success they stay placed; on failure
    /// everything this call placed is undone.
    private mutating func solve(_ group: [Int], after last: (offset: Int, index: Int)) -> Bool {
        let pending = group.filter { offsets[$0] < 0 }
        if pending.isEmpty { return visit(offsets) }
        nodes += 1
        // From the first node on, so that a search begun past its deadline does not start.
        if nodes & 1023 == 1, let deadline, ContinuousClock.now >= deadline { timedOut = true }
        if stopped { return false }
        guard let candidates = candidates(pending, after: last) else { return false }
        for i in candidates {
            let start = trail.count
            place(i)
            if solve(pending, after: (offsets[i], i)) { return true }
            undo(to: start)
            if stopped { return false }
        }
        return false
    }

    private mutating func place(_ i: Int) {
        let top = floors[i] + instance.blocks[i].size
        offsets[i] = floors[i]
        trail.append((i, -1))
        for j in instance.conflicts[i] where offsets[j] < 0 && floors[j] < top {
            trail.append((j, floors[j]))
            floors[j] = top
        }
    }

    private mutating func undo(to start: Int) {
        while trail.count > start {
            let (block, oldFloor) = trail.removeLast()
            if oldFloor < 0 { offsets[block] = -1 } else { floors[block] = oldFloor }
        }
    }

    /// The blocks of `pending` that may come next, lowest first, or `nil` when no completion
    /// exists.
    private mutating func candidates(_ pending: [Int], after last: (offset: Int, index: Int)) -> [Int]? {
        let blocks = instance.blocks
        var candidates: [Int] = []
        for i in pending {
            // Floors only rise, and later offsets are at least `last.offset`.
            if max(floors[i], last.offset) + blocks[i].size > capacity { return nil }
            if (floors[i], i) > (last.offset, last.index) {
                // A block waits for its twin: swapping the two gives the same packing. (The twin
                // overlaps it in time, so waiting never strands it below the current offset.)
                if let twin = instance.twin[i], offsets[twin] < 0 { continue }
                candidates.append(i)
            } else if !instance.conflicts[i].contains(where: { offsets[$0] < 0 }) {
                // Below the current offset and nothing left to rest on: it can never be placed.
                return nil
            }
        }
        if candidates.isEmpty { return nil }
        stamp += 1
        for i in pending {
            for c in instance.cliquesOf[i] where cliqueMark[c] != stamp {
                cliqueMark[c] = stamp
                if !cliqueFits(c, after: last.offset) { return nil }
            }
        }
        return candidates.sorted {
            (floors[$0], -blocks[$0].size, -(blocks[$0].last - blocks[$0].first), $0)
                < (floors[$1], -blocks[$1].size, -(blocks[$1].last - blocks[$1].first), $1)
        }
    }

    /// Whether the unplaced blocks of one clique can still be stacked below the capacity. Each
    /// must sit at or above its lowest possible offset, and above a threshold `x` only the room
    /// the placed blocks leave is free; so for every `x` among those offsets, `x` plus the
    /// placed bytes above `x` plus the unplaced blocks that cannot go below `x` must fit.
    private func cliqueFits(_ c: Int, after lastOffset: Int) -> Bool {
        var lows: [(low: Int, size: Int)] = []
        var tops: [Int] = []
        for i in instance.cliques[c] {
            if offsets[i] < 0 {
                lows.append((max(floors[i], lastOffset), instance.blocks[i].size))
            } else {
                tops.append(offsets[i] + instance.blocks[i].size)
            }
        }
        lows.sort { $0.low > $1.low }
        var need = 0
        for (low, size) in lows {
            need += size
            let above = tops.reduce(0) { $0 + max(0, $1 - low) }
            if low + above + need > capacity { return false }
        }
        return true
    }
}
