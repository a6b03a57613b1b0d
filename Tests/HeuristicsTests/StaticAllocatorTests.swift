import DNNGraph
@testable import Heuristics
import Scratchpad
import Testing

@Suite struct StaticAllocatorTests {
    typealias Block = StaticAllocator.Block

    // The independent check and the brute-force oracle are ExactAllocatorTests'.
    static func isValid(_ offsets: [Int], _ blocks: [Block], capacity: Int) -> Bool {
        ExactAllocatorTests.isValid(offsets, blocks, capacity: capacity)
    }

    static func bruteForcePacks(_ blocks: [Block], capacity: Int) -> Bool {
        ExactAllocatorTests.bruteForcePacks(blocks, capacity: capacity)
    }

    /// Up to six blocks over five positions, with a capacity at the peak of live bytes or just
    /// above or below it, where fragmentation decides.
    static func randomInstance(seed: UInt64) -> (blocks: [Block], capacity: Int) {
        var random = SeededGenerator(seed: seed)
        let blocks = (0..<(1 + random.nextInt(below: 6))).map { _ in
            let first = random.nextInt(below: 5)
            return Block(size: 1 + random.nextInt(below: 4), first: first, last: first + random.nextInt(below: 5 - first))
        }
        let peak = (0..<5).map { t in blocks.filter { $0.first <= t && t <= $0.last }.reduce(0) { $0 + $1.size } }.max()!
        return (blocks, max(1, peak - 1 + random.nextInt(below: 3)))
    }

    @Test func packsTheDocumentationExample() {
        let blocks = [Block(size: 4, first: 0, last: 1), Block(size: 4, first: 1, last: 2), Block(size: 4, first: 2, last: 3)]
        #expect(StaticAllocator(capacity: 8).allocate(blocks) == .packed([0, 4, 0]))
        #expect(StaticAllocator(capacity: 7).allocate(blocks) == .infeasible)
    }

    /// The whole allocator and its exhaustive search alone (no greedy stage) agree with the
    /// oracle: a packing whenever one exists, a proof of infeasibility otherwise.
    @Test func agreesWithBruteForceOnTinyInstances() {
        for seed in UInt64(0)..<400 {
            let (blocks, capacity) = Self.randomInstance(seed: seed)
            let exists = Self.bruteForcePacks(blocks, capacity: capacity)
            let outcome = StaticAllocator(capacity: capacity, nodeLimit: 1_000_000).allocate(blocks)
            var search = CanonicalSearch(instance: Instance(blocks), capacity: capacity, nodeLimit: 1_000_000)
            for result in [outcome, search.run()] {
                switch result {
                case .packed(let offsets):
                    #expect(exists && Self.isValid(offsets, blocks, capacity: capacity), "seed \(seed): \(blocks) in \(capacity)")
                case .infeasible:
                    #expect(!exists, "seed \(seed): missed a packing of \(blocks) in \(capacity)")
                case .unknown:
                    Issue.record("seed \(seed): a million nodes should settle six blocks")
                }
            }
        }
    }

    /// A deadline that has passed leaves the greedy packings and stops both searches before
    /// their first node: where only a search packs, the answer is `unknown`, never a wrong
    /// `infeasible`; without the deadline the same instances pack. (ExactPlanner gives the stays of
    /// a program the end of a wall-clock budget: 200,000 nodes took RandWire-ER 1 s past it.)
    @Test func aPassedDeadlineStopsTheSearches() {
        var searched = 0
        for seed in UInt64(0)..<4000 where searched < 20 {
            // Up to ten blocks over eight positions, at the peak of live bytes: the greedy
            // packings fail on a few of these.
            var random = SeededGenerator(seed: seed)
            let blocks = (0..<(4 + random.nextInt(below: 7))).map { _ in
                let first = random.nextInt(below: 8)
                return Block(size: 1 + random.nextInt(below: 5), first: first, last: first + random.nextInt(below: 8 - first))
            }
            let instance = Instance(blocks)
            let capacity = instance.peak
            guard instance.greedy(capacity: capacity) == nil, Self.bruteForcePacks(blocks, capacity: capacity)
            else { continue }
            searched += 1
            let late = StaticAllocator(capacity: capacity, nodeLimit: 1_000_000, deadline: .now - .seconds(1)).allocate(blocks)
            #expect(late == .unknown, "seed \(seed): \(late)")
            let timely = StaticAllocator(capacity: capacity, nodeLimit: 1_000_000, deadline: .now + .seconds(3600)).allocate(blocks)
            #expect(timely.offsets.map { Self.isValid($0, blocks, capacity: capacity) } == true, "seed \(seed): \(timely)")
        }
        #expect(searched > 5, "\(searched) instances need a search")
    }

    /// Instances where most blocks have a twin (the same size and lifetime), which the search
    /// places in one order only: it still agrees with the oracle.
    @Test func agreesWithBruteForceWhereBlocksRepeat() {
        for seed in UInt64(0)..<200 {
            var random = SeededGenerator(seed: 5000 + seed)
            let kinds = (0..<2).map { _ in
                let first = random.nextInt(below: 3)
                return Block(size: 1 + random.nextInt(below: 2), first: first, last: first + random.nextInt(below: 3 - first))
            }
            let blocks = (0..<(2 + random.nextInt(below: 5))).map { _ in kinds[random.nextInt(below: kinds.count)] }
            let peak = (0..<3).map { t in blocks.filter { $0.first <= t && t <= $0.last }.reduce(0) { $0 + $1.size } }.max()!
            let capacity = max(1, peak - 1 + random.nextInt(below: 3))
            let exists = Self.bruteForcePacks(blocks, capacity: capacity)
            var search = CanonicalSearch(instance: Instance(blocks), capacity: capacity, nodeLimit: 1_000_000)
            switch search.run() {
            case .packed(let offsets): #expect(exists && Self.isValid(offsets, blocks, capacity: capacity), "seed \(seed)")
            case .infeasible: #expect(!exists, "seed \(seed): missed a packing of \(blocks) in \(capacity)")
            case .unknown: Issue.record("seed \(seed): a million nodes should settle six blocks")
            }
        }
    }

    /// Five interchangeable blocks that fill the memory have 120 canonical packings that differ
    /// only by which copy sits where; the search lists one of them.
    @Test func listsInterchangeableBlocksInOneOrderOnly() {
        let blocks = [Block](repeating: Block(size: 2, first: 0, last: 3), count: 5)
        var search = CanonicalSearch(instance: Instance(blocks), capacity: 10, nodeLimit: 1_000_000)
        var packings: [[Int]] = []
        _ = search.enumerate { offsets in
            packings.append(offsets)
            return false
        }
        #expect(packings == [[0, 2, 4, 6, 8]])
    }

    /// Larger instances at their peak, with a small node limit: whatever comes back is either a
    /// valid packing or honest about not having one.
    @Test func neverReturnsAnInvalidPacking() {
        for seed in UInt64(0)..<40 {
            let blocks = ExactAllocatorTests.randomBlocks(seed: 1000 + seed, count: 40, positions: 30, longest: 8)
            let peak = (0..<40).map { t in blocks.filter { $0.first <= t && t <= $0.last }.reduce(0) { $0 + $1.size } }.max()!
            for capacity in [peak, peak + peak / 20] {
                if case .packed(let offsets) = StaticAllocator(capacity: capacity, nodeLimit: 2_000).allocate(blocks) {
                    #expect(Self.isValid(offsets, blocks, capacity: capacity), "seed \(1000 + seed) at \(capacity)")
                }
            }
        }
    }

    @Test func refusesWhatCannotFit() {
        #expect(StaticAllocator(capacity: 3).allocate([Block(size: 4, first: 0, last: 0)]) == .infeasible)
        #expect(StaticAllocator(capacity: 5).allocate([Block(size: 3, first: 0, last: 1), Block(size: 3, first: 1, last: 1)]) == .infeasible)
        #expect(StaticAllocator(capacity: 5).allocate([]) == .packed([]))
    }

    /// Where TensorFlow Lite's arena fragments past the peak, the static arena fits the peak
    /// and the plan spills nothing.
    @Test func staticArenaPacksWhereTheTFLiteArenaFragments() throws {
        let graph = try TestGraphs.arenaFragments()
        let order = Array(graph.operators.indices)
        #expect(graph.peakLiveBytes(order: order, setting: .activations, alignment: 1) == 15)
        #expect(graph.arenaPlan(order: order, setting: .activations, alignment: 1).arenaBytes == 16)
        let config = Configuration(capacity: 15)
        let packed = try #require(try HeuristicPlanner.staticArenaPlan(graph: graph, configuration: config, order: order,
                                                                       scheduleName: "default"))
        #expect(packed.report.traffic.nonCompulsory == 0)
        #expect(packed.plan.method == "heuristic:default+static-arena")
        let tflite = try? HeuristicPlanner.plan(graph: graph, configuration: config, order: order, scheduleName: "default")
        #expect(tflite.map { $0.report.traffic.nonCompulsory > 0 } ?? true)
    }

    @Test func staticArenaAlignsAndDeclinesBelowThePeak() throws {
        let graph = try TestGraphs.arenaFragments()
        let order = Array(graph.operators.indices)
        let arena = try #require(graph.staticArenaPlan(order: order, setting: .activations, alignment: 4, capacity: 32))
        #expect(arena.offsets.values.allSatisfy { $0 % 4 == 0 })
        #expect(arena.arenaBytes <= 32)
        #expect(try HeuristicPlanner.staticArenaPlan(graph: graph, configuration: Configuration(capacity: 14), order: order,
                                                     scheduleName: "default") == nil)
    }
}
