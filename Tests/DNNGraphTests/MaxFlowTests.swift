import CosmaTestSupport
import DNNGraph
import Testing

@Suite struct MaxFlowTests {
    /// A random network of `n`, 3 to 7, nodes (0 the source, `n - 1` the sink) after a maximum
    /// flow, its edges, and the flow's value.
    static func randomNetwork(_ rng: inout SplitMix64, capacities: ClosedRange<Int>) -> (n: Int, network: MaxFlow, edges: [(Int, Int, Int)], flow: Int) {
        let n = Int.random(in: 3...7, using: &rng)
        var edges: [(Int, Int, Int)] = []
        for _ in 0..<Int.random(in: 2...14, using: &rng) {
            let a = Int.random(in: 0..<n, using: &rng)
            let b = Int.random(in: 0..<n, using: &rng)
            if a != b { edges.append((a, b, Int.random(in: capacities, using: &rng))) }
        }
        var network = MaxFlow(nodes: n)
        for (a, b, c) in edges { network.addEdge(from: a, to: b, capacity: c) }
        let flow = network.maximumFlow(from: 0, to: n - 1)
        return (n, network, edges, flow)
    }

    /// Every source side of `n` nodes (a subset holding node 0 and not node `n - 1`, as a bit
    /// mask) with the capacity of the edges it cuts.
    static func cuts(_ n: Int, _ edges: [(Int, Int, Int)]) -> [(side: Int, capacity: Int)] {
        (0..<(1 << n)).filter { $0 & 1 == 1 && $0 & (1 << (n - 1)) == 0 }.map { mask in
            (mask, edges.reduce(0) { $0 + ((mask >> $1.0) & 1 == 1 && (mask >> $1.1) & 1 == 0 ? $1.2 : 0) })
        }
    }

    /// One network reset and refilled for each random network, as the segment search reuses one
    /// for its flows, gives each flow and each largest minimum side a fresh network gives: no
    /// edge, capacity or search array of the flow before leaks into the next.
    @Test func aResetNetworkFlowsAsAFreshOne() {
        var rng = SplitMix64(seed: 11)
        var reused = MaxFlow(nodes: 0)
        for trial in 0..<300 {
            let (n, fresh, edges, flow) = Self.randomNetwork(&rng, capacities: 0...5)
            reused.reset(nodes: n)
            for (a, b, c) in edges { reused.addEdge(from: a, to: b, capacity: c) }
            #expect(reused.maximumFlow(from: 0, to: n - 1) == flow, "trial \(trial)")
            #expect(reused.reachingSink(n - 1) == fresh.reachingSink(n - 1), "trial \(trial)")
        }
    }

    @Test func matchesTheCheapestCutByEnumeration() {
        var rng = SplitMix64(seed: 42)
        for trial in 0..<200 {
            let (n, _, edges, flow) = Self.randomNetwork(&rng, capacities: 0...9)
            #expect(flow == Self.cuts(n, edges).map(\.capacity).min(), "trial \(trial)")
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
            let (n, network, edges, flow) = Self.randomNetwork(&rng, capacities: 0...3)
            let reaches = network.reachingSink(n - 1)
            let side = (0..<n).reduce(0) { reaches[$1] ? $0 : $0 | 1 << $1 }
            let cuts = Self.cuts(n, edges)
            #expect(cuts.contains { $0.side == side && $0.capacity == flow }, "trial \(trial)")
            for cut in cuts where cut.capacity == flow {
                #expect(cut.side & ~side == 0, "trial \(trial): \(cut.side) is a minimum cut's side outside \(side)")
                if cut.side != side { larger += 1 }
            }
        }
        // Many networks have several minimum cuts: the side is the largest, not the only one.
        #expect(larger > 20, "\(larger)")
    }
}
