/// Seeded graphs shaped like the networks Cosma plans, for benchmarks and tests at sizes the
/// `graphs/` folder may not have yet.
public enum SyntheticGraphs {
    /// A chain with skip connections of exactly `operators` operators, mixing ResNet-style blocks
    /// (two convolutions and an `Add` with the block input) and DenseNet-style blocks (a
    /// convolution and a `Concat` with the block input), with occasional down-sampling.
    ///
    /// Every convolution has its own weight, so the `all` setting has something to plan. Sizes
    /// are multiples of 64 bytes around a stage size that halves at each down-sampling step.
    /// The same `operators` and `seed` always give the same graph.
    public static func residualNetwork(operators: Int, seed: UInt64) -> GraphDocument {
        var builder = Builder(rng: SplitMix64(seed: seed))
        var current = builder.tensor("x", bytes: 64 * 1024, kind: .input)
        var stage = 32 * 1024
        while builder.operators.count < operators {
            let remaining = operators - builder.operators.count
            let roll = Int.random(in: 0..<10, using: &builder.rng)
            if remaining >= 3 && roll < 5 {
                let a = builder.conv(current, outBytes: stage)
                let b = builder.conv(a, outBytes: builder.size(of: current))
                current = builder.op("Add", inputs: [b, current], outBytes: builder.size(of: current))
            } else if remaining >= 2 && roll < 8 {
                let grown = builder.conv(current, outBytes: stage / 4)
                current = builder.op("Concat", inputs: [current, grown], outBytes: builder.size(of: current) + stage / 4)
            } else {
                stage = max(1024, stage / 2)
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
