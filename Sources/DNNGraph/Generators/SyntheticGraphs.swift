/// Seeded graphs shaped like the networks Cosma plans, for benchmarks and tests at sizes the
/// `graphs/` folder may not have yet.
package enum SyntheticGraphs {
    /// A chain with skip connections of exactly `operators` operators, mixing ResNet-style blocks
    /// (two convolutions and an `Add` with the block input), DenseNet-style blocks (a convolution
    /// and a `Concat` with the block input), Inception-style blocks and occasional transitions.
    ///
    /// An Inception-style block has two or three branches, each a convolution to a large tensor
    /// and one back to a small one, joined by a `Concat`; the file lists the first convolution of
    /// every branch before the second ones (breadth first), so the large tensors are live together
    /// unless a scheduler runs the branches one after the other.
    ///
    /// Every convolution has its own weight, so the `all` setting has something to plan. Sizes
    /// are multiples of 64 bytes around a stage size between 8 and 64 KiB that transitions
    /// double or halve.
    /// The same `operators` and `seed` always give the same graph.
    package static func residualNetwork(operators: Int, seed: UInt64) -> GraphDocument {
        var builder = Builder(rng: SplitMix64(seed: seed))
        var stage = 32 * 1024
        var current = builder.tensor("x", bytes: stage, kind: .input)
        while builder.operators.count < operators {
            let remaining = operators - builder.operators.count
            let roll = Int.random(in: 0..<20, using: &builder.rng)
            let branches = Int.random(in: 2...3, using: &builder.rng)
            if remaining >= 2 * branches + 1 && roll < 4 {
                let wide = (0..<branches).map { _ in builder.conv(current, outBytes: 4 * stage) }
                let narrow = wide.map { builder.conv($0, outBytes: stage / 4) }
                current = builder.op("Concat", inputs: narrow, outBytes: branches * (stage / 4))
            } else if remaining >= 3 && roll < 11 {
                let a = builder.conv(current, outBytes: stage)
                let b = builder.conv(a, outBytes: builder.size(of: current))
                current = builder.op("Add", inputs: [b, current], outBytes: builder.size(of: current))
            } else if remaining >= 2 && roll < 17 && builder.size(of: current) < 2 * stage {
                let grown = builder.conv(current, outBytes: stage / 4)
                current = builder.op("Concat", inputs: [current, grown], outBytes: builder.size(of: current) + stage / 4)
            } else {
                // A transition: resets what dense blocks grew, and moves to a neighbouring stage size.
                stage = min(64 * 1024, max(8 * 1024, Bool.random(using: &builder.rng) ? stage * 2 : stage / 2))
                current = builder.conv(current, outBytes: stage)
            }
        }
        return GraphDocument(name: "synthetic-\(operators)-\(seed)", tensors: builder.tensors,
                             operators: builder.operators, outputs: [current])
    }

    private struct Builder {
        var rng: SplitMix64
        var tensors: [Tensor] = []
        var operators: [GraphDocument.OperatorEntry] = []
        var bytes: [String: Int] = [:]

        mutating func tensor(_ name: String, bytes: Int, kind: TensorKind) -> String {
            tensors.append(Tensor(name: name, bytes: bytes, kind: kind))
            self.bytes[name] = bytes
            return name
        }

        func size(of name: String) -> Int { bytes[name] ?? 0 }

        mutating func op(_ type: String, inputs: [String], outBytes: Int) -> String {
            let k = operators.count
            let out = tensor("t\(k)", bytes: outBytes, kind: .activation)
            operators.append(.init(name: "\(type.lowercased())\(k)", type: type, inputs: inputs, outputs: [out]))
            return out
        }

        mutating func conv(_ input: String, outBytes: Int) -> String {
            let weight = tensor("w\(operators.count)", bytes: 64 * Int.random(in: 1...64, using: &rng), kind: .weight)
            return op("Conv", inputs: [input, weight], outBytes: outBytes)
        }
    }
}
