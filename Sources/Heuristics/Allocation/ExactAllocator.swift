/// An exact allocator for blocks with fixed lifetimes (dynamic storage allocation), as strong as
/// MiniMalloc (Moffitt, "MiniMalloc: A Lightweight Memory Allocator for Hardware-Accelerated
/// Machine Learning", ASPLOS 2023), from its published ideas:
///
/// - **Canonical solutions.** Any packing can be pushed down until every block sits at 0 or on
///   top of a block it overlaps in time. Listed by increasing offset, each block then sits at the
///   highest top among the earlier blocks it overlaps, so the search only chooses which block
///   comes next; offsets never decrease along a branch, and blocks at equal offsets (which never
///   overlap in time) come in one order only.
/// - **Sections.** The timeline is cut at every position where a block ends; each *section* holds
///   the blocks live there. A section's floor (the top of its highest placed block, or the lowest
///   offset any of its unplaced blocks may take) plus its unplaced bytes must fit the capacity:
///   this inference rule prunes most branches, and sections whose blocks are all placed split the
///   rest into independent subproblems (dynamic decomposition).
/// - **Dominance.** A block placed at or above the top that another unplaced block could reach
///   from its lowest offset leaves a gap that block could fill, so such a partial solution is
///   dominated; and a block with nothing unplaced above it in time ("hatless") never needs
///   alternatives, since moving it later could not help anyone.
/// - **Search order.** Blocks with the lowest possible offset first, ties broken by a static
///   order that puts the widest and largest blocks, or those in the fullest sections, first. The
///   three static orders run in turn with a node limit that doubles each round.
///
/// Beyond MiniMalloc, what Cosma meets adds:
/// - **Twins.** Blocks of the same size and lifetime (the bands of a tiled graph, the parameters
///   of a batch normalisation) are interchangeable, so they are placed in index order only.
/// - **Fixed blocks**, kept at a given offset (divide and conquer keeps the stays around a
///   re-planned segment where they are).
/// - **Alignment** of every offset, native rather than by rounding sizes, so that the last block
///   may end at an unaligned capacity.
/// - A **greedy stage** first (the greedy orders of ``StaticAllocator``), which settles instances
///   with slack everywhere without search.
///
/// The search is complete: when it ends within its limits without a packing, none exists.
/// Limits are a node count (for reproducible outcomes, as tests need) and an optional deadline.
package struct ExactAllocator: Sendable {
    package typealias Block = StaticAllocator.Block
    package typealias Outcome = StaticAllocator.Outcome

    /// The size of the memory: every block must end at or below it.
    package var capacity: Int
    /// Every offset is a multiple of it.
    package var alignment: Int
    /// Search nodes allowed over all rounds.
    package var nodeLimit: Int
    /// When the search gives up, if it has not before; `nil` means no time limit.
    package var deadline: ContinuousClock.Instant?
    /// Whether to try the greedy packings before searching.
    package var greedyFirst: Bool

    package init(capacity: Int, alignment: Int = 1, nodeLimit: Int = 10_000_000,
                deadline: ContinuousClock.Instant? = nil, greedyFirst: Bool = true)
    {
        precondition(alignment >= 1, "alignment must be positive")
        self.capacity = capacity
        self.alignment = alignment
        self.nodeLimit = nodeLimit
        self.deadline = deadline
        self.greedyFirst = greedyFirst
    }

    /// What one attempt established, and how many search nodes it took.
    package struct Attempt: Sendable {
        package var outcome: Outcome
        package var nodes: Int
    }

    /// Packs `blocks` into ``capacity`` bytes; see ``ExactAllocator``.
    package func allocate(_ blocks: [Block]) -> Outcome { attempt(blocks).outcome }

    /// Packs `blocks`, keeping each block whose `fixed` entry is set at that (aligned or not)
    /// offset; ``Outcome/infeasible`` is then a proof for these fixed offsets.
    package func allocate(_ blocks: [Block], fixed: [Int?]) -> Outcome { attempt(blocks, fixed: fixed).outcome }

    /// ``allocate(_:fixed:)`` with the number of search nodes spent.
    package func attempt(_ blocks: [Block], fixed: [Int?]? = nil) -> Attempt {
        attempt(Instance(blocks), fixed: fixed)
    }

    /// ``attempt(_:fixed:)`` on blocks whose conflicts and sections the caller has computed.
    package func attempt(_ instance: Instance, fixed: [Int?]? = nil) -> Attempt {
        if instance.blocks.isEmpty { return Attempt(outcome: .packed([]), nodes: 0) }
        precondition(instance.blocks.allSatisfy { $0.size > 0 && $0.first <= $0.last }, "blocks need a positive size and a lifetime")
        let fixed = fixed ?? [Int?](repeating: nil, count: instance.blocks.count)
        precondition(fixed.count == instance.blocks.count, "one fixed entry per block")
        if !fitsTrivially(instance, fixed: fixed) { return Attempt(outcome: .infeasible, nodes: 0) }
        if greedyFirst, alignment == 1 {
            let seed = fixed.map { $0 ?? -1 }
            if let offsets = instance.greedy(capacity: capacity, fixed: seed) { return Attempt(outcome: .packed(offsets), nodes: 0) }
        }
        var search = SectionSearch(instance: instance, capacity: capacity, alignment: alignment, fixed: fixed,
                                   deadline: deadline)
        let outcome = search.run(nodeLimit: nodeLimit)
        return Attempt(outcome: outcome, nodes: search.nodes)
    }

    /// The checks that need no search: every block fits, fixed blocks are inside and apart, and
    /// no section holds more bytes than the capacity.
    package func fitsTrivially(_ instance: Instance, fixed: [Int?]) -> Bool {
        let blocks = instance.blocks
        for (i, block) in blocks.enumerated() {
            let lowest = fixed[i] ?? 0
            if lowest < 0 || lowest + block.size > capacity { return false }
            guard let offset = fixed[i] else { continue }
            for j in instance.conflicts[i] where j > i {
                if let other = fixed[j], other < offset + block.size, offset < other + blocks[j].size { return false }
            }
        }
        return instance.peak <= capacity
    }
}

extension ExactAllocator {
    /// The smallest capacity found for some blocks, and what is proven about it.
    package struct Minimum: Sendable {
        /// The offsets of the best packing, in the order of the blocks.
        package var offsets: [Int]
        /// Its height: the highest end of a block.
        package var height: Int
        /// A proven lower bound on every packing's height: the fullest section, or one more than
        /// the largest capacity proven too small.
        package var lowerBound: Int
        /// Whether `height` is proven minimal (`lowerBound == height`).
        package var proven: Bool { lowerBound == height }
        /// Search nodes spent over all attempts.
        package var nodes: Int
    }

    /// The heaviest section (the peak of live bytes), a lower bound for every packing.
    package static func sectionBound(_ blocks: [Block]) -> Int { Instance(blocks).peak }

    /// Searches for the smallest capacity up to ``capacity`` that packs `blocks`: the section
    /// bound first (often tight), then a bisection between the best bound and the best height.
    /// ``nodeLimit`` bounds each attempt; ``deadline`` bounds the whole, each attempt taking a
    /// share of the time left (a quarter for the bound, half for each bisection step).
    /// `nil` when not even ``capacity`` was packed.
    package func minimize(_ blocks: [Block]) -> Minimum? {
        // Conflicts and sections are the same at every capacity tried: computed once.
        let instance = Instance(blocks)
        var nodes = 0
        // Each attempt gets a share of the time left, so that one hopeless capacity (the bound,
        // where it is not tight) leaves time for the others.
        func tryCapacity(_ c: Int, share: Double) -> Outcome {
            var allocator = self
            allocator.capacity = c
            if let deadline {
                let now = ContinuousClock.now
                allocator.deadline = deadline <= now ? deadline : now + (deadline - now) * share
            }
            let attempt = allocator.attempt(instance)
            nodes += attempt.nodes
            return attempt.outcome
        }
        let alignedBound = (instance.peak + alignment - 1) / alignment * alignment
        var low = min(alignedBound, capacity)
        var proven = low
        guard let first = tryCapacity(capacity, share: 1).offsets else { return nil }
        var best = first
        var high = Self.height(of: best, blocks)
        var boundTried = false
        while low < high {
            if let deadline, ContinuousClock.now >= deadline { break }
            // The bound itself first: where it is tight one attempt settles everything.
            let mid = boundTried ? (low + high - 1) / 2 : low
            let share = boundTried ? 0.5 : 0.25
            boundTried = true
            switch tryCapacity(mid, share: share) {
            case .packed(let offsets):
                best = offsets
                high = Self.height(of: offsets, blocks)
            case .infeasible:
                low = mid + 1
                proven = low
            case .unknown:
                // Not proven either way: look higher, but the proven bound stays.
                low = mid + 1
            }
        }
        return Minimum(offsets: best, height: high, lowerBound: min(proven, high), nodes: nodes)
    }

    /// The highest end of a block in a packing.
    package static func height(of offsets: [Int], _ blocks: [Block]) -> Int {
        zip(offsets, blocks).map { $0 + $1.size }.max() ?? 0
    }

    /// Whether `offsets` keep every block inside `[0, capacity)`, aligned, and apart from every
    /// block it overlaps in time: the independent check every packing passes before use.
    package static func isValid(_ offsets: [Int], _ blocks: [Block], capacity: Int, alignment: Int = 1) -> Bool {
        guard offsets.count == blocks.count else { return false }
        let byStart = blocks.indices.sorted { blocks[$0].first < blocks[$1].first }
        for (n, i) in byStart.enumerated() {
            if offsets[i] < 0 || offsets[i] % alignment != 0 || offsets[i] + blocks[i].size > capacity { return false }
            for j in byStart[(n + 1)...] {
                if blocks[j].first > blocks[i].last { break }
                if offsets[i] < offsets[j] + blocks[j].size && offsets[j] < offsets[i] + blocks[i].size { return false }
            }
        }
        return true
    }
}
