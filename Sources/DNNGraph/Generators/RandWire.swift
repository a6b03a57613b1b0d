/// The random graph families of RandWire, each with its parameters.
package enum RandomGraphModel: Sendable, Hashable, CustomStringConvertible {
    /// Watts-Strogatz: a ring where each node links to its `k` nearest neighbours (`k` even), each
    /// link then rewired to a random node with probability `p`.
    case wattsStrogatz(k: Int, p: Double)
    /// Erdos-Renyi: every pair of nodes is linked with probability `p`.
    case erdosRenyi(p: Double)
    /// Barabasi-Albert: starting from `m` unlinked nodes, each new node links to `m` distinct
    /// existing nodes chosen with probability proportional to their degree.
    case barabasiAlbert(m: Int)

    package var description: String {
        switch self {
        case .wattsStrogatz(let k, let p): "WS(K=\(k), P=\(p))"
        case .erdosRenyi(let p): "ER(P=\(p))"
        case .barabasiAlbert(let m): "BA(M=\(m))"
        }
    }

    /// A random DAG on `nodes` nodes: the undirected random graph with every edge directed from
    /// the lower to the higher node index, as RandWire does.
    /// - Precondition: Watts-Strogatz needs an even `k` below `nodes`; Barabasi-Albert needs
    ///   `1 <= m < nodes`.
    /// - Returns: the predecessors of each node, ascending; each is lower than the node.
    package func randomDAG(nodes n: Int, using rng: inout SeededGenerator) -> [[Int]] {
        var predecessors = [[Int]](repeating: [], count: n)
        for edge in undirectedEdges(nodes: n, using: &rng) {
            predecessors[edge.high].append(edge.low)
        }
        return predecessors.map { $0.sorted() }
    }

    private struct Edge: Hashable {
        var low: Int
        var high: Int
        init(_ a: Int, _ b: Int) {
            low = min(a, b)
            high = max(a, b)
        }
    }

    /// The edges in the order they were drawn, so that the DAG does not depend on hashing.
    private func undirectedEdges(nodes n: Int, using rng: inout SeededGenerator) -> [Edge] {
        var edges: [Edge] = []
        var present = Set<Edge>()
        func link(_ a: Int, _ b: Int) {
            if present.insert(Edge(a, b)).inserted { edges.append(Edge(a, b)) }
        }
        switch self {
        case .erdosRenyi(let p):
            for i in 0..<n {
                for j in (i + 1)..<n where rng.nextDouble() < p { link(i, j) }
            }
        case .wattsStrogatz(let k, let p):
            precondition(k % 2 == 0 && k < n, "Watts-Strogatz needs an even K below the node count")
            for i in 0..<n {
                for offset in stride(from: 1, through: k / 2, by: 1) { link(i, (i + offset) % n) }
            }
            // Xie et al.: for each offset in turn, walk the ring clockwise and rewire the link to
            // the offset-th next node with probability P to a uniform node, avoiding self-loops
            // and duplicate links.
            for offset in stride(from: 1, through: k / 2, by: 1) {
                for i in 0..<n where rng.nextDouble() < p {
                    let old = Edge(i, (i + offset) % n)
                    guard present.contains(old) else { continue }
                    let candidates = (0..<n).filter { $0 != i && !present.contains(Edge(i, $0)) }
                    guard !candidates.isEmpty else { continue }
                    let target = candidates[rng.nextInt(below: candidates.count)]
                    present.remove(old)
                    edges.removeAll { $0 == old }
                    link(i, target)
                }
            }
        case .barabasiAlbert(let m):
            precondition(m >= 1 && m < n, "Barabasi-Albert needs 1 <= M < node count")
            // The first new node links to all initial nodes, which have no degree yet; after that,
            // drawing from the list of link endpoints is drawing proportionally to degree.
            var targets = Array(0..<m)
            var endpoints: [Int] = []
            for source in m..<n {
                for t in targets { link(source, t) }
                endpoints += targets + Array(repeating: source, count: m)
                var chosen = Set<Int>()
                targets = []
                while targets.count < m {
                    let candidate = endpoints[rng.nextInt(below: endpoints.count)]
                    if chosen.insert(candidate).inserted { targets.append(candidate) }
                }
            }
        }
        return edges
    }
}

/// The two network shapes of RandWire (Xie et al. 2019, Table 1).
package enum RandWireRegime: String, Sendable, Hashable, CaseIterable {
    /// A stem of two convolutions (3x3 to `C/2` channels with stride 2, ReLU, 3x3 to `C` with
    /// stride 2), then three random stages of `N/2`, `N` and `N` nodes with `C`, `2C` and `4C`
    /// channels at 28, 14 and 7 pixels (for a 224 image). The paper's small regime uses `C = 78`.
    case small
    /// A stem of one convolution (3x3 to `C/2` channels with stride 2, ReLU), then four random
    /// stages of `N/2`, `N`, `N` and `N` nodes with `C`, `2C`, `4C` and `8C` channels at 56, 28,
    /// 14 and 7 pixels. The paper's regular regime uses `C = 109` or `154`. Its first stage works
    /// on tensors four times the small regime's, so many of them live at once: the regime that
    /// stresses a scratchpad planner.
    case regular

    /// `C` as the paper uses it: 78 in the small regime, 109 (the smaller of two) in the regular one.
    package var paperChannels: Int {
        switch self {
        case .small: 78
        case .regular: 109
        }
    }
}

/// A randomly wired network (RandWire) as an operator graph.
///
/// Xie, Kirillov, Girshick and He, "Exploring Randomly Wired Neural Networks for Image
/// Recognition" (ICCV 2019), in either of its regimes (``RandWireRegime``): a convolutional stem,
/// random stages that halve the resolution and double the channels, and a classifier (ReLU, 1x1
/// convolution to 1280 channels, ReLU, global average pooling, fully connected layer to 1000
/// classes).
///
/// Each stage is a random DAG (``RandomGraphModel/randomDAG(nodes:using:)``). A node sums its
/// inputs with learned weights (operator `WeightedSum`, whose weight tensor holds one scalar per
/// input; a node with one input needs none), then runs ReLU, a depthwise 3x3 `Conv` and a
/// pointwise 1x1 `Conv` whose bias is the folded BatchNorm. Nodes without predecessors read the
/// stage's input and use stride 2; the outputs of nodes without successors are averaged (`Mean`)
/// into the stage's output. Every tensor's size is its element count times ``elementBytes``.
///
/// ```swift
/// let graph = RandWire(model: .wattsStrogatz(k: 4, p: 0.75), regime: .regular, channels: 109, seed: 1).makeGraph()
/// ```
///
/// The same parameters and seed give the same graph on every platform (``SeededGenerator``).
package struct RandWire: Sendable, Hashable {
    package var model: RandomGraphModel
    package var regime: RandWireRegime
    /// `N`: nodes of every random stage but the first, which has `N/2`.
    package var nodes: Int
    /// `C`: channels of the first random stage.
    package var channels: Int
    /// Height and width of the input image.
    package var imageSize: Int
    package var seed: UInt64
    /// Bytes per element of every tensor (1 is the COSMA paper's int8 setting).
    package var elementBytes: Int
    package var name: String

    package init(model: RandomGraphModel, regime: RandWireRegime = .small, nodes: Int = 32, channels: Int = 78,
                imageSize: Int = 224, seed: UInt64, elementBytes: Int = 1, name: String = "randwire")
    {
        self.model = model
        self.regime = regime
        self.nodes = nodes
        self.channels = channels
        self.imageSize = imageSize
        self.seed = seed
        self.elementBytes = elementBytes
        self.name = name
    }

    /// The random DAG of each stage, in stage order; what ``makeGraph()`` wires.
    package func stageDAGs() -> [[[Int]]] {
        var rng = SeededGenerator(seed: seed)
        let sizes = regime == .small ? [nodes / 2, nodes, nodes] : [nodes / 2, nodes, nodes, nodes]
        return sizes.map { model.randomDAG(nodes: $0, using: &rng) }
    }

    /// Builds the network. Cost: O(N^2) per stage for drawing the random graph.
    package func makeGraph() -> Graph {
        var b = NetworkBuilder(elementBytes: elementBytes)
        var size = imageSize
        var x = b.input("image", [1, 3, size, size])
        x = b.conv("conv1", x, from: 3, to: channels / 2, kernel: 3, stride: 2, size: &size)
        x = b.unary("relu1", "Relu", x)
        var width = channels / 2
        if regime == .small {
            x = b.conv("conv2", x, from: channels / 2, to: channels, kernel: 3, stride: 2, size: &size)
            width = channels
        }
        for (s, dag) in stageDAGs().enumerated() {
            x = b.stage("s\(s + 1)", dag: dag, input: x, from: width, to: channels << s, size: &size)
            width = channels << s
        }
        x = b.unary("head_relu", "Relu", x)
        x = b.conv("head_conv", x, from: width, to: 1280, kernel: 1, stride: 1, size: &size)
        x = b.unary("head_act", "Relu", x)
        x = b.op("pool", "GlobalAveragePool", [x], shape: [1, 1280, 1, 1])
        x = b.op("flatten", "Flatten", [x], shape: [1, 1280])
        x = b.op("fc", "Gemm", [x, b.weight("fc_w", [1000, 1280]), b.weight("fc_b", [1000])], shape: [1, 1000])
        b.operators[b.operators.count - 1].attributes = ["transB": .int(1)]
        let document = GraphDocument(name: name, tensors: b.tensors, operators: b.operators, outputs: [x])
        do {
            return try Graph(document: document)
        } catch {
            preconditionFailure("RandWire built an invalid graph: \(error)")
        }
    }
}

/// Appends tensors and operators in schedule order; every operator writes one tensor named like it.
private struct NetworkBuilder {
    let elementBytes: Int
    var tensors: [Tensor] = []
    var operators: [GraphDocument.OperatorEntry] = []

    private mutating func tensor(_ name: String, _ shape: [Int], _ kind: TensorKind) -> String {
        tensors.append(Tensor(name: name, bytes: shape.reduce(elementBytes, *), kind: kind, shape: shape))
        return name
    }

    mutating func input(_ name: String, _ shape: [Int]) -> String { tensor(name, shape, .input) }
    mutating func weight(_ name: String, _ shape: [Int]) -> String { tensor(name, shape, .weight) }

    mutating func op(_ name: String, _ type: String, _ inputs: [String], shape: [Int]) -> String {
        let output = tensor(name, shape, .activation)
        operators.append(.init(name: name, type: type, inputs: inputs, outputs: [output]))
        return output
    }

    mutating func unary(_ name: String, _ type: String, _ input: String) -> String {
        op(name, type, [input], shape: shape(of: input))
    }

    private func shape(of tensor: String) -> [Int] {
        tensors.last { $0.name == tensor }?.shape ?? []
    }

    /// A square convolution with padding `kernel / 2`; a depthwise one (one filter per channel, no
    /// bias: the pointwise convolution after it carries the folded BatchNorm) needs `from == to`.
    mutating func conv(_ name: String, _ input: String, from: Int, to: Int, kernel: Int, stride: Int,
                       depthwise: Bool = false, size: inout Int) -> String
    {
        size = (size + 2 * (kernel / 2) - kernel) / stride + 1
        var operands = [input, weight("\(name)_w", [to, depthwise ? 1 : from, kernel, kernel])]
        if !depthwise { operands.append(weight("\(name)_b", [to])) }
        let output = op(name, "Conv", operands, shape: [1, to, size, size])
        let pad = kernel / 2
        operators[operators.count - 1].attributes = [
            "kernel_shape": .ints([kernel, kernel]), "strides": .ints([stride, stride]),
            "pads": .ints([pad, pad, pad, pad]), "group": .int(depthwise ? to : 1),
        ]
        return output
    }

    /// One random stage: the node operators in index order (a topological order of the DAG),
    /// then the average of the nodes nothing reads.
    mutating func stage(_ prefix: String, dag: [[Int]], input: String, from: Int, to: Int, size: inout Int) -> String {
        let inputSize = size
        let outputSize = (inputSize - 1) / 2 + 1
        var outputs: [String] = []
        var hasSuccessor = [Bool](repeating: false, count: dag.count)
        for (v, predecessors) in dag.enumerated() {
            let node = "\(prefix)_n\(v)"
            var x: String
            var width = to
            if predecessors.isEmpty {
                x = input
                width = from
            } else if predecessors.count == 1 {
                x = outputs[predecessors[0]]
            } else {
                let sumWeights = weight("\(node)_sum_w", [predecessors.count])
                x = op("\(node)_sum", "WeightedSum", predecessors.map { outputs[$0] } + [sumWeights], shape: shape(of: outputs[predecessors[0]]))
            }
            for p in predecessors { hasSuccessor[p] = true }
            size = predecessors.isEmpty ? inputSize : outputSize
            x = unary("\(node)_relu", "Relu", x)
            x = conv("\(node)_dw", x, from: width, to: width, kernel: 3, stride: predecessors.isEmpty ? 2 : 1,
                     depthwise: true, size: &size)
            outputs.append(conv(node, x, from: width, to: to, kernel: 1, stride: 1, size: &size))
        }
        let sinks = dag.indices.filter { !hasSuccessor[$0] }.map { outputs[$0] }
        return sinks.count == 1 ? sinks[0] : op("\(prefix)_mean", "Mean", sinks, shape: shape(of: sinks[0]))
    }
}
