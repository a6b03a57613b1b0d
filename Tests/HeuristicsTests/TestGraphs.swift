import DNNGraph
import Heuristics
import Scratchpad

/// Small graphs written out by hand, and seeded random ones, for the heuristics tests.
enum TestGraphs {
    /// Builds a graph from `name:bytes` tensors: names starting with `w` are weights, those listed
    /// in `inputs` are graph inputs, the rest activations.
    static func make(_ name: String, inputs: [String] = ["x"], tensors: [String: Int],
                     operators: [(String, [String], [String])], outputs: [String]) throws -> Graph {
        let tensorList = tensors.keys.sorted().map { t in
            Tensor(name: t, bytes: tensors[t]!, kind: inputs.contains(t) ? .input : t.hasPrefix("w") ? .weight : .activation)
        }
        return try Graph(document: GraphDocument(
            name: name, tensors: tensorList,
            operators: operators.map { .init(name: $0.0, type: "Op", inputs: $0.1, outputs: $0.2) },
            outputs: outputs))
    }

    /// Two independent branches `x -> a -> a2` and `x -> b -> b2` joined by `J`. The file runs
    /// both big tensors `a` and `b` side by side (peak 110 bytes); finishing one branch first
    /// peaks at 65.
    static func twoBranches() throws -> Graph {
        try make("two-branches", tensors: ["x": 10, "a": 50, "b": 50, "a2": 5, "b2": 5, "y": 5],
                 operators: [("A", ["x"], ["a"]), ("B", ["x"], ["b"]), ("A2", ["a"], ["a2"]), ("B2", ["b"], ["b2"]),
                             ("J", ["a2", "b2"], ["y"])],
                 outputs: ["y"])
    }

    /// `Q` makes `q` (read last, by `T`); `R` needs room for `r` while `x` (an input, read again by
    /// `S`) and `q` (no DRAM copy) are resident: Belady evicts `q`, the greedy choice `x`.
    static func beladyVersusGreedy() throws -> Graph {
        try make("belady-vs-greedy", inputs: ["x", "z"], tensors: ["x": 20, "z": 20, "q": 20, "r": 20, "s": 5, "t": 5],
                 operators: [("Q", ["x"], ["q"]), ("R", ["z"], ["r"]), ("S", ["x", "r"], ["s"]), ("T", ["q", "s"], ["t"])],
                 outputs: ["t"])
    }

    /// In the file order `a` sits between `x` and `b` when `C` needs 20 contiguous bytes of a
    /// 30-byte scratchpad: the on-line allocator fails although `A, B, D, C` runs in 30 bytes.
    static func fragmentation() throws -> Graph {
        try make("fragmentation", tensors: ["x": 10, "a": 10, "b": 10, "c": 20, "y": 10],
                 operators: [("A", ["x"], ["a"]), ("B", ["x"], ["b"]), ("C", ["a"], ["c"]), ("D", ["b"], ["y"])],
                 outputs: ["c", "y"])
    }

    /// ``fragmentation()`` run on-line in the file order at 30 bytes with Belady, where the
    /// compilers' allocators fragment, then replayed.
    static func planFragmentation(allocation: AllocationPolicy = .bestFit, fallback: OnlineFallback = .fail) throws -> CertifiedPlan {
        try HeuristicPlanner.plan(graph: fragmentation(), configuration: Configuration(capacity: 30), order: [0, 1, 2, 3],
                                  scheduleName: "default", replacement: .belady, allocation: allocation,
                                  fallback: fallback)
    }

    /// A chain whose one order peaks at 15 bytes (`a`, `b` and `c` while `P2` runs), where every
    /// allocator that does not look ahead fragments. TensorFlow Lite's arena puts `d` and `a` at
    /// 0 (their lifetimes are disjoint), `c` above both at 8 and `b` above `c`: 16 bytes. On line,
    /// `a` low leaves `c` no 5-byte gap and `a` high leaves `d` no 8-byte one. With `a` at 0,
    /// `b` at 7 and `c` at 10, `d` fits under `c` and 15 bytes suffice.
    static func arenaFragments() throws -> Graph {
        try make("arena-fragments", tensors: ["x": 1, "a": 7, "b": 3, "c": 5, "d": 8, "y": 1],
                 operators: [("P0", ["x"], ["a"]), ("P1", ["a"], ["b"]), ("P2", ["a", "b"], ["c"]), ("P3", ["c"], ["d"]),
                             ("P4", ["d"], ["y"])],
                 outputs: ["y"])
    }

    /// A random DAG of `operators` operators: each reads one to three earlier tensors (graph
    /// inputs included) and maybe a weight, and writes one or two tensors; tensors nobody reads
    /// are graph outputs. Sizes are multiples of 8 bytes.
    static func random(operators: Int, seed: UInt64) throws -> Graph {
        var rng = SplitMix64(seed: seed)
        var tensors: [Tensor] = (0..<2).map { Tensor(name: "in\($0)", bytes: 8 * Int.random(in: 1...32, using: &rng), kind: .input) }
        var available = tensors.map(\.name)
        var read = Set<String>()
        var ops: [GraphDocument.OperatorEntry] = []
        for k in 0..<operators {
            var inputs = Set<String>()
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                inputs.insert(available[Int.random(in: max(0, available.count - 6)..<available.count, using: &rng)])
            }
            read.formUnion(inputs)
            var names = inputs.sorted()
            if Bool.random(using: &rng) {
                tensors.append(Tensor(name: "w\(k)", bytes: 8 * Int.random(in: 1...16, using: &rng), kind: .weight))
                names.append("w\(k)")
            }
            let outputs = (0..<Int.random(in: 1...2, using: &rng)).map { "t\(k)_\($0)" }
            for o in outputs {
                tensors.append(Tensor(name: o, bytes: 8 * Int.random(in: 1...32, using: &rng), kind: .activation))
            }
            available += outputs
            ops.append(.init(name: "op\(k)", type: "Op", inputs: names, outputs: outputs))
        }
        let outputs = tensors.filter { $0.kind == .activation && !read.contains($0.name) }.map(\.name)
        return try Graph(document: GraphDocument(name: "random-\(operators)-\(seed)", tensors: tensors, operators: ops, outputs: outputs))
    }
}
