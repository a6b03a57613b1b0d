import DNNGraph
@testable import Heuristics
import Testing

@Suite struct ExactAllocatorTests {
    typealias Block = StaticAllocator.Block

    /// The independent check: every block inside `[0, capacity)`, aligned, kept where fixed, and
    /// apart from every block it overlaps in time (all pairs, no shortcut).
    static func isValid(_ offsets: [Int], _ blocks: [Block], capacity: Int, alignment: Int = 1, fixed: [Int?]? = nil) -> Bool {
        guard offsets.count == blocks.count else { return false }
        for (i, a) in blocks.enumerated() {
            if offsets[i] < 0 || offsets[i] + a.size > capacity { return false }
            if let f = fixed?[i] { if offsets[i] != f { return false } } else if offsets[i] % alignment != 0 { return false }
            for (j, b) in blocks.enumerated() where j > i && a.first <= b.last && b.first <= a.last {
                if offsets[i] < offsets[j] + b.size && offsets[j] < offsets[i] + a.size { return false }
            }
        }
        return true
    }

    /// The oracle: every aligned offset of every block (fixed blocks at theirs), in index order,
    /// with no pruning beyond collisions.
    static func bruteForcePacks(_ blocks: [Block], capacity: Int, alignment: Int = 1, fixed: [Int?]? = nil) -> Bool {
        var offsets = [Int](repeating: 0, count: blocks.count)
        func place(_ i: Int) -> Bool {
            if i == blocks.count { return true }
            guard blocks[i].size <= capacity else { return false }
            let choices = fixed?[i].map { [$0] } ?? Array(stride(from: 0, through: capacity - blocks[i].size, by: alignment))
            for offset in choices where offset >= 0 && offset + blocks[i].size <= capacity {
                offsets[i] = offset
                let collides = (0..<i).contains { j in
                    blocks[j].first <= blocks[i].last && blocks[i].first <= blocks[j].last
                        && offsets[j] < offset + blocks[i].size && offset < offsets[j] + blocks[j].size
                }
                if !collides && place(i + 1) { return true }
            }
            return false
        }
        return place(0)
    }

    /// Up to seven blocks over six positions, some of them twins, with a capacity at the peak of
    /// live bytes or just above or below it, where fragmentation decides.
    static func randomInstance(seed: UInt64) -> (blocks: [Block], capacity: Int) {
        var random = SeededGenerator(seed: seed)
        var blocks: [Block] = []
        for _ in 0..<(1 + random.nextInt(below: 7)) {
            if !blocks.isEmpty && random.nextInt(below: 5) == 0 {
                blocks.append(blocks[random.nextInt(below: blocks.count)])
                continue
            }
            let first = random.nextInt(below: 6)
            blocks.append(Block(size: 1 + random.nextInt(below: 5), first: first, last: first + random.nextInt(below: 6 - first)))
        }
        let peak = ExactAllocator.sectionBound(blocks)
        return (blocks, max(1, peak - 1 + random.nextInt(below: 4)))
    }

    /// `count` blocks of 1 to 64 bytes starting within `positions` positions, each live for up
    /// to `longest` positions.
    static func randomBlocks(seed: UInt64, count: Int, positions: Int, longest: Int) -> [Block] {
        var random = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            let first = random.nextInt(below: positions)
            return Block(size: 1 + random.nextInt(below: 64), first: first, last: first + random.nextInt(below: longest))
        }
    }

    /// The search alone and with the greedy stage, with and without alignment, agrees with the
    /// oracle: a valid packing whenever one exists, a proof of infeasibility otherwise.
    @Test(arguments: [1, 2, 3])
    func agreesWithBruteForce(alignment: Int) {
        for seed in UInt64(0)..<500 {
            let (blocks, capacity) = Self.randomInstance(seed: seed)
            let exists = Self.bruteForcePacks(blocks, capacity: capacity, alignment: alignment)
            for greedy in [false, true] {
                let allocator = ExactAllocator(capacity: capacity, alignment: alignment, nodeLimit: 1_000_000, greedyFirst: greedy)
                switch allocator.allocate(blocks) {
                case .packed(let offsets):
                    #expect(exists && Self.isValid(offsets, blocks, capacity: capacity, alignment: alignment),
                            "seed \(seed), alignment \(alignment): \(blocks) in \(capacity) gave \(offsets)")
                case .infeasible:
                    #expect(!exists, "seed \(seed), alignment \(alignment): false proof of infeasibility for \(blocks) in \(capacity)")
                case .unknown:
                    Issue.record("seed \(seed): a million nodes should settle seven blocks")
                }
            }
        }
    }

    /// Some blocks fixed at offsets a packing of the whole instance gave (or at random ones):
    /// the others are packed around them exactly when the oracle can.
    @Test func agreesWithBruteForceAroundFixedBlocks() {
        for seed in UInt64(0)..<400 {
            let (blocks, capacity) = Self.randomInstance(seed: 10_000 + seed)
            var random = SeededGenerator(seed: 20_000 + seed)
            let fixed: [Int?] = blocks.map { block in
                guard random.nextInt(below: 3) == 0, capacity >= block.size else { return nil }
                return random.nextInt(below: capacity - block.size + 1)
            }
            let exists = Self.bruteForcePacks(blocks, capacity: capacity, fixed: fixed)
            let outcome = ExactAllocator(capacity: capacity, nodeLimit: 1_000_000, greedyFirst: false).allocate(blocks, fixed: fixed)
            switch outcome {
            case .packed(let offsets):
                #expect(exists && Self.isValid(offsets, blocks, capacity: capacity, fixed: fixed), "seed \(seed): \(blocks), fixed \(fixed)")
            case .infeasible:
                #expect(!exists, "seed \(seed): false proof for \(blocks) in \(capacity), fixed \(fixed)")
            case .unknown:
                Issue.record("seed \(seed): a million nodes should settle seven blocks")
            }
        }
    }

    /// The smallest capacity agrees with the oracle's, and is proven.
    @Test func minimizesToTheOraclesOptimum() throws {
        for seed in UInt64(0)..<200 {
            let (blocks, _) = Self.randomInstance(seed: 30_000 + seed)
            var optimum = ExactAllocator.sectionBound(blocks)
            while !Self.bruteForcePacks(blocks, capacity: optimum) { optimum += 1 }
            let total = blocks.reduce(0) { $0 + $1.size }
            let minimum = try #require(ExactAllocator(capacity: total, nodeLimit: 1_000_000).minimize(blocks), "seed \(seed)")
            #expect(minimum.height == optimum && minimum.proven, "seed \(seed): \(blocks) gave \(minimum.height), optimum \(optimum)")
            #expect(Self.isValid(minimum.offsets, blocks, capacity: minimum.height), "seed \(seed)")
        }
    }

    /// Larger instances with a small node limit: whatever comes back is a valid packing, an
    /// honest "unknown", or a proof that the oracle's lower bound (the fullest section) confirms.
    @Test func staysHonestAtItsNodeLimit() {
        for seed in UInt64(0)..<30 {
            let blocks = Self.randomBlocks(seed: 40_000 + seed, count: 60, positions: 40, longest: 10)
            let peak = ExactAllocator.sectionBound(blocks)
            for capacity in [peak, peak + peak / 50] {
                let outcome = ExactAllocator(capacity: capacity, nodeLimit: 3_000, greedyFirst: false).allocate(blocks)
                if case .packed(let offsets) = outcome {
                    #expect(Self.isValid(offsets, blocks, capacity: capacity), "seed \(40_000 + seed) at \(capacity)")
                }
            }
            #expect(ExactAllocator(capacity: peak - 1, nodeLimit: 10).allocate(blocks) == .infeasible)
        }
    }

    /// Twenty interchangeable bands of a tiled graph that exactly fill the memory, and one
    /// more that does not fit: both settled at once, the twins tried in one order only.
    @Test func settlesBandsOfTwinsAtOnce() {
        let bands = [Block](repeating: Block(size: 3, first: 0, last: 9), count: 20)
        let shifted = bands + [Block](repeating: Block(size: 3, first: 5, last: 12), count: 1)
        let search = ExactAllocator(capacity: 60, nodeLimit: 1_000, greedyFirst: false)
        let packed = search.attempt(bands)
        #expect(packed.outcome.offsets.map { Self.isValid($0, bands, capacity: 60) } == true)
        #expect(search.attempt(shifted).outcome == .infeasible)
    }

    @Test func readsMiniMallocsFormatAndNamesTheLineOfAnError() throws {
        let table = try BufferTable(parsing: "id,lower,upper,size\nb0,0,3,4\nb1,2,5,8\n", source: "x.csv")
        #expect(table.ids == ["b0", "b1"])
        #expect(table.blocks == [Block(size: 4, first: 0, last: 2), Block(size: 8, first: 2, last: 4)])
        #expect(table.offsetsCSV([0, 4]) == "id,offset\nb0,0\nb1,4\n")
        let aliases = try BufferTable(parsing: "buffer,begin,end,size\n7,1,2,5", source: "y.csv")
        #expect(aliases.blocks == [Block(size: 5, first: 1, last: 1)])
        let bad: [(String, String)] = [
            ("id,lower,upper,size\nb0,0,3,4\nb1,5,5,8\n", "x.csv:3"),
            ("id,lower,upper,size\nb0,0,three,4\n", "x.csv:2"),
            ("id,lower,upper\nb0,0,3\n", "x.csv:1"),
            ("id,lower,upper,size\nb0,0,3\n", "x.csv:2"),
            ("", "x.csv"),
        ]
        for (text, place) in bad {
            #expect(throws: InputError.self) { try BufferTable(parsing: text, source: "x.csv") }
            do { _ = try BufferTable(parsing: text, source: "x.csv") } catch { #expect(error.source == place, "\(text)") }
        }
    }
}
