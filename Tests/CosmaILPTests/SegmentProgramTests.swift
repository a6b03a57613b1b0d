import CosmaILP
import CosmaTestSupport
import DNNGraph
import Scratchpad
import Testing

@Suite struct SegmentTests {
    @Test func segmentProblemMovesOnlyTheSegmentsOperators() throws {
        for seed in UInt64(1)...20 {
            let graph = try randomTinyGraph(seed: seed, operators: 8, withWeights: false)
            let order = Array(graph.operators.indices)
            let free = 2..<6
            let config = Configuration(capacity: 1000, tensors: .activations)
            let problem = PlanningProblem(graph: graph, configuration: config, order: order, free: free)
            for (k, op) in order.enumerated() where !free.contains(k) {
                #expect(problem.operatorWindow[op] == k...k, "seed \(seed)")
            }
            // Every position of every window is taken by some valid order that keeps the rest.
            let reachable = allOrders(graph).filter { o in o.indices.allSatisfy { free.contains($0) || o[$0] == order[$0] } }
            for k in free {
                let op = order[k]
                let used = Set(reachable.map { $0.firstIndex(of: op)! })
                #expect(used == Set(problem.operatorWindow[op]), "seed \(seed), operator \(op)")
            }
        }
    }

    @Test func packerKeepsFixedItemsAndPacksAroundThem() {
        let packer = StayPacker(capacity: 10, alignment: 1)
        let items = [StayPacker.Item(size: 4, first: 0, last: 3), .init(size: 6, first: 1, last: 2), .init(size: 4, first: 3, last: 5)]
        // Item 0 holds 6..<10; item 1 fits below it; item 2 overlaps only item 0 and reuses 0..<4.
        #expect(packer.pack(items, fixed: [6, nil, nil]) == [6, 0, 0])
        // With item 2 also alive at position 2 there is no room left for it.
        let crowded = [items[0], items[1], StayPacker.Item(size: 4, first: 2, last: 5)]
        #expect(packer.pack(crowded, fixed: [6, nil, nil]) == nil)
        #expect(packer.pack(items, fixed: [6, 3, nil]) == nil, "fixed items that collide")
    }

    /// Items drawn from three kinds, so that most have a twin (same size and lifetime), some
    /// fixed where a packing of all of them puts them: what the packer returns keeps the fixed
    /// ones and is valid, and it completes the packing it was cut from.
    @Test func packerCompletesPackingsOfRepeatedItems() {
        var completed = 0
        var instances = 0
        for seed in UInt64(0)..<150 {
            var random = SeededGenerator(seed: 9000 + seed)
            let kinds = (0..<3).map { _ in
                let first = random.nextInt(below: 4)
                return StayPacker.Item(size: 1 + random.nextInt(below: 3), first: first, last: first + random.nextInt(below: 4 - first))
            }
            let items = (0..<(3 + random.nextInt(below: 6))).map { _ in kinds[random.nextInt(below: kinds.count)] }
            let peak = (0..<4).map { t in items.filter { $0.first <= t && t <= $0.last }.reduce(0) { $0 + $1.size } }.max()!
            let packer = StayPacker(capacity: peak + random.nextInt(below: 2), alignment: 1)
            guard let whole = packer.pack(items) else { continue }
            instances += 1
            let fixed = whole.map { random.nextInt(below: 3) == 0 ? $0 : nil }
            guard let offsets = packer.pack(items, fixed: fixed) else { continue }
            completed += 1
            for (i, item) in items.enumerated() {
                #expect(fixed[i] == nil || offsets[i] == fixed[i], "seed \(seed): item \(i) moved")
                #expect(offsets[i] >= 0 && offsets[i] + item.size <= packer.capacity, "seed \(seed)")
                for (j, other) in items.enumerated() where j > i && item.first <= other.last && other.first <= item.last {
                    #expect(offsets[i] + item.size <= offsets[j] || offsets[j] + other.size <= offsets[i], "seed \(seed): \(i) and \(j) collide")
                }
            }
        }
        #expect(instances >= 100)
        #expect(completed == instances, "completed \(completed) of \(instances) packings")
    }
}
