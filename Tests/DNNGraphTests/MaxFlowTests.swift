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
}
