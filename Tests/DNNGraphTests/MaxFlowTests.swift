import CosmaTestSupport
import DNNGraph
import Testing

@Suite struct MaxFlowTests {
    @Test func matchesTheCheapestCutByEnumeration() {
        var rng = SplitMix64(seed: 42)
        for trial in 0..<200 {
            let n = Int.random(in: 3...7, using: &rng)
            var edges: [(Int, Int, Int)] = []
            for _ in 0..<Int.random(in: 2...14, using: &rng) {
                let a = Int.random(in: 0..<n, using: &rng)
                let b = Int.random(in: 0..<n, using: &rng)
                if a != b { edges.append((a, b, Int.random(in: 0...9, using: &rng))) }
            }
            var network = MaxFlow(nodes: n)
            for (a, b, c) in edges { network.addEdge(from: a, to: b, capacity: c) }
            let flow = network.maximumFlow(from: 0, to: n - 1)
            // Source side: every subset holding node 0 and not node n-1.
            var cheapest = Int.max
            for mask in 0..<(1 << n) where mask & 1 == 1 && mask & (1 << (n - 1)) == 0 {
                let cut = edges.reduce(0) { $0 + ((mask >> $1.0) & 1 == 1 && (mask >> $1.1) & 1 == 0 ? $1.2 : 0) }
                cheapest = min(cheapest, cut)
            }
            #expect(flow == cheapest, "trial \(trial)")
        }
    }

    /// After a maximum flow, the nodes that cannot reach the sink through edges with capacity
    /// left are a minimum cut's source side, and the largest: every minimum cut's source side
    /// lies inside it (the segment search carries a cut from one state to the next when the
    /// operator just run lies there, so the larger the side, the more cuts carry).
    @Test func theNodesThatCannotReachTheSinkAreTheLargestMinimumSourceSide() {
        var rng = SplitMix64(seed: 7)
        var larger = 0
        for trial in 0..<300 {
            let n = Int.random(in: 3...7, using: &rng)
            var edges: [(Int, Int, Int)] = []
            for _ in 0..<Int.random(in: 2...14, using: &rng) {
                let a = Int.random(in: 0..<n, using: &rng)
                let b = Int.random(in: 0..<n, using: &rng)
                if a != b { edges.append((a, b, Int.random(in: 0...3, using: &rng))) }
            }
            var network = MaxFlow(nodes: n)
            for (a, b, c) in edges { network.addEdge(from: a, to: b, capacity: c) }
            let flow = network.maximumFlow(from: 0, to: n - 1)
            let reaches = network.reachingSink(n - 1)
            let side = (0..<n).reduce(0) { reaches[$1] ? $0 : $0 | 1 << $1 }
            func cut(_ mask: Int) -> Int { edges.reduce(0) { $0 + ((mask >> $1.0) & 1 == 1 && (mask >> $1.1) & 1 == 0 ? $1.2 : 0) } }
            #expect(side & 1 == 1 && side & (1 << (n - 1)) == 0, "trial \(trial)")
            #expect(cut(side) == flow, "trial \(trial)")
            for mask in 0..<(1 << n) where mask & 1 == 1 && mask & (1 << (n - 1)) == 0 && cut(mask) == flow {
                #expect(mask & ~side == 0, "trial \(trial): \(mask) is a minimum cut's side outside \(side)")
                if mask != side { larger += 1 }
            }
        }
        // Many networks have several minimum cuts: the side is the largest, not the only one.
        #expect(larger > 20, "\(larger)")
    }
}
