/// The static orders that break ties between blocks of equal lowest offset, by letters: `W`
/// the width of the lifetime, `A` the area (size times width), `T` the heaviest section the
/// block lies in. Each compares descending; the block index ends ties.
enum StaticOrder: CaseIterable {
    case widthAreaTotal, totalAreaWidth, totalWidthArea
}

/// The depth-first search of ``ExactAllocator`` over canonical packings, with section inference,
/// dominance, hatless pruning, twins and dynamic decomposition.
///
/// State: each placed block's offset; each unplaced block's lowest offset (the highest aligned
/// top among the placed blocks it overlaps, or its fixed offset); each section's floor and
/// unplaced bytes; and, between adjacent sections, how many unplaced blocks span both (a zero
/// cuts the rest of the problem in two). Every change is trailed and undone on backtracking.
struct SectionSearch {
    enum Status { case found, notFound, aborted }

    let instance: Instance
    let capacity: Int
    let alignment: Int
    let fixed: [Int?]
    let deadline: ContinuousClock.Instant?
    private let size: [Int]
    /// The sections of block `i` are `lo[i]..<hi[i]` (indices into `instance.cliques`).
    private let lo: [Int]
    private let hi: [Int]
    /// The interchangeable block placed before each one, if any (never a fixed block).
    private let twin: [Int?]

    private(set) var nodes = 0
    private var roundEnd = 0
    private var timedOut = false
    /// The static order of the current round.
    private var currentOrder = StaticOrder.widthAreaTotal
    private var offset: [Int]
    private var minOffset: [Int]
    private var floor: [Int]
    private var total: [Int]
    private var cuts: [Int]
    private var solution: [Int]
    private var offsetTrail: [(block: Int, old: Int)] = []
    private var floorTrail: [(section: Int, old: Int)] = []
    private var sectionStamp: [Int]
    private var stamp = 0

    init(instance: Instance, capacity: Int, alignment: Int, fixed: [Int?], deadline: ContinuousClock.Instant?) {
        self.instance = instance
        self.capacity = capacity
        self.alignment = alignment
        self.fixed = fixed
        self.deadline = deadline
        let n = instance.blocks.count
        size = instance.blocks.map(\.size)
        lo = instance.cliquesOf.map { $0.first! }
        hi = instance.cliquesOf.map { $0.last! + 1 }
        twin = instance.twin.enumerated().map { i, t in
            guard let t, fixed[i] == nil, fixed[t] == nil else { return nil }
            return t
        }
        offset = [Int](repeating: -1, count: n)
        minOffset = fixed.map { $0 ?? 0 }
        let sections = instance.cliques.count
        floor = [Int](repeating: 0, count: sections)
        total = instance.cliqueLoads
        cuts = [Int](repeating: 0, count: max(0, sections - 1))
        for i in 0..<n where hi[i] - lo[i] > 1 {
            for k in lo[i]..<(hi[i] - 1) { cuts[k] += 1 }
        }
        solution = [Int](repeating: -1, count: n)
        sectionStamp = [Int](repeating: 0, count: sections)
    }

    /// Rounds of the static orders in turn, each round with twice the node budget of the one
    /// before, until one settles the instance or `nodeLimit` or the deadline runs out.
    mutating func run(nodeLimit: Int) -> StaticAllocator.Outcome {
        let all = Array(instance.blocks.indices)
        let sections = 0..<instance.cliques.count
        let rootCuts = cuts.indices.filter { cuts[$0] == 0 }.map { $0 + 1 }
        var budget = max(64, 2 * all.count)
        while true {
            for order in StaticOrder.allCases {
                let left = nodeLimit - nodes
                if left <= 0 || timedOut { return .unknown }
                roundEnd = nodes + min(budget, left)
                currentOrder = order
                switch solveParts(sections, all, cutpoints: rootCuts, after: 0) {
                case .found:
                    assert(ExactAllocator.isValid(solution, instance.blocks, capacity: capacity, alignment: alignment))
                    return .packed(solution)
                case .notFound:
                    return .infeasible
                case .aborted:
                    continue
                }
            }
            budget = budget > Int.max / 4 ? Int.max / 2 : budget * 2
        }
    }

    /// Solves the parts of `sections` between `cutpoints` (section indices where no unplaced
    /// block crosses) one after the other, each from its own static order; every block of a
    /// part must lie at or above `floorOffset`.
    private mutating func solveParts(_ sections: Range<Int>, _ blocks: [Int], cutpoints: [Int], after floorOffset: Int) -> Status {
        let bounds = [sections.lowerBound] + cutpoints + [sections.upperBound]
        for p in 1..<bounds.count where bounds[p - 1] < bounds[p] {
            let part = bounds[p - 1]..<bounds[p]
            let members = blocks.filter { offset[$0] < 0 && lo[$0] < part.upperBound && part.lowerBound < hi[$0] }
            if members.isEmpty { continue }
            let status = search(part, preorder(members, by: currentOrder), last: (floorOffset, -1))
            if status != .found { return status }
        }
        return .found
    }

    /// `blocks` in a static order, using the unplaced bytes of the sections as they are now.
    private func preorder(_ blocks: [Int], by order: StaticOrder) -> [Int] {
        let width = { (i: Int) in self.instance.blocks[i].last - self.instance.blocks[i].first + 1 }
        func key(_ i: Int) -> [Int] {
            let w = width(i)
            let area = size[i] * w
            let heaviest = (lo[i]..<hi[i]).map { total[$0] }.max() ?? 0
            switch order {
            case .widthAreaTotal: return [w, area, heaviest]
            case .totalAreaWidth: return [heaviest, area, w]
            case .totalWidthArea: return [heaviest, w, area]
            }
        }
        let keys = Dictionary(uniqueKeysWithValues: blocks.map { ($0, key($0)) })
        return blocks.sorted { a, b in
            let (ka, kb) = (keys[a]!, keys[b]!)
            return ka != kb ? ka.lexicographicallyPrecedes(kb, by: >) : a < b
        }
    }

    /// One node: the unplaced blocks of `order` by lowest offset (then rank in `order`), each
    /// tried next unless canonical order, dominance or a twin rules it out.
    private mutating func search(_ sections: Range<Int>, _ order: [Int], last: (offset: Int, rank: Int)) -> Status {
        if nodes >= roundEnd { return .aborted }
        nodes += 1
        // From the first node on, so that a search begun past its deadline does not start.
        if nodes & 1023 == 1, let deadline, ContinuousClock.now >= deadline {
            timedOut = true
            return .aborted
        }
        guard let (ordering, minHeight) = candidates(order, last: last) else { return .notFound }
        if ordering.isEmpty { return .found }
        for (o, rank) in ordering {
            if (o, rank) < last { continue }
            // Dominance: some unplaced block fits entirely below `o`; it must come first.
            if o >= minHeight { break }
            let b = order[rank]
            if let t = twin[b], offset[t] < 0 { continue }
            let (status, hatless) = branch(b, at: o, rank: rank, sections, order)
            if status != .notFound { return status }
            if hatless { break }
        }
        return .notFound
    }

    /// The unplaced blocks of `order` as (lowest offset, rank), sorted, and the lowest top an
    /// unfixed one can reach; `nil` when one can no longer be placed.
    private func candidates(_ order: [Int], last: (offset: Int, rank: Int)) -> ([(Int, Int)], Int)? {
        var ordering: [(Int, Int)] = []
        var minHeight = Int.max
        for (rank, b) in order.enumerated() where offset[b] < 0 {
            let o = minOffset[b]
            if o + size[b] > capacity { return nil }
            if (o, rank) < last {
                // Below the current offset: only a block placed later that it overlaps can
                // lift it back into reach, and a fixed block cannot move at all.
                if fixed[b] != nil || !instance.conflicts[b].contains(where: { offset[$0] < 0 }) { return nil }
            }
            if fixed[b] == nil { minHeight = min(minHeight, o + size[b]) }
            ordering.append((o, rank))
        }
        ordering.sort { $0 < $1 }
        return (ordering, minHeight)
    }

    /// Places `b` at `o`, propagates, searches on and undoes; also whether `b` had nothing
    /// unplaced overlapping it (then no other choice here can do better).
    private mutating func branch(_ b: Int, at o: Int, rank: Int, _ sections: Range<Int>, _ order: [Int])
        -> (Status, hatless: Bool)
    {
        let (offsetMark, floorMark) = (offsetTrail.count, floorTrail.count)
        offset[b] = o
        solution[b] = o
        let (hatless, consistent) = propagate(b, at: o)
        var status = Status.notFound
        if consistent && sectionsFit(sections, above: o) {
            status = decompose(b, at: o, rank: rank, sections, order)
        }
        while offsetTrail.count > offsetMark {
            let (block, old) = offsetTrail.removeLast()
            minOffset[block] = old
        }
        while floorTrail.count > floorMark {
            let (section, old) = floorTrail.removeLast()
            floor[section] = old
        }
        for s in lo[b]..<hi[b] { total[s] += size[b] }
        offset[b] = -1
        return (status, hatless)
    }

    /// Lifts the lowest offsets of the unplaced blocks `b` overlaps and the floors of the
    /// sections involved. Returns whether `b` was hatless and whether every fixed block can
    /// still be at its offset.
    private mutating func propagate(_ b: Int, at o: Int) -> (hatless: Bool, consistent: Bool) {
        let top = o + size[b]
        let lifted = (top + alignment - 1) / alignment * alignment
        var hatless = true
        var consistent = true
        stamp += 1
        for j in instance.conflicts[b] where offset[j] < 0 {
            hatless = false
            guard minOffset[j] < lifted else { continue }
            offsetTrail.append((j, minOffset[j]))
            minOffset[j] = lifted
            if let f = fixed[j], lifted > f { consistent = false }
            for s in lo[j]..<hi[j] { sectionStamp[s] = stamp }
        }
        for s in lo[b]..<hi[b] {
            floorTrail.append((s, floor[s]))
            floor[s] = top
            total[s] -= size[b]
        }
        for j in instance.conflicts[b] where offset[j] < 0 {
            for s in lo[j]..<hi[j] where sectionStamp[s] == stamp {
                sectionStamp[s] = 0
                liftFloor(s)
            }
        }
        return (hatless, consistent)
    }

    /// A section's floor is at least the lowest offset any of its unplaced blocks may take.
    private mutating func liftFloor(_ s: Int) {
        var lowest = Int.max
        for i in instance.cliques[s] where offset[i] < 0 { lowest = min(lowest, minOffset[i]) }
        if lowest != Int.max && floor[s] < lowest {
            floorTrail.append((s, floor[s]))
            floor[s] = lowest
        }
    }

    /// The inference rule: in every section, the unplaced bytes must fit between the floor (or
    /// the current offset, which later blocks cannot go below) and the capacity.
    private func sectionsFit(_ sections: Range<Int>, above o: Int) -> Bool {
        for s in sections where max(floor[s], o) + total[s] > capacity { return false }
        return true
    }

    /// Searches on after placing `b`; where `b` was the last unplaced block spanning two
    /// adjacent sections, the parts on either side are solved separately.
    private mutating func decompose(_ b: Int, at o: Int, rank: Int, _ sections: Range<Int>, _ order: [Int]) -> Status {
        var cutpoints: [Int] = []
        for k in lo[b]..<(hi[b] - 1) {
            cuts[k] -= 1
            if cuts[k] == 0 { cutpoints.append(k + 1) }
        }
        defer { for k in lo[b]..<(hi[b] - 1) { cuts[k] += 1 } }
        if cutpoints.isEmpty { return search(sections, order, last: (o, rank)) }
        return solveParts(sections, order, cutpoints: cutpoints, after: o)
    }
}
