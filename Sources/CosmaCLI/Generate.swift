import ArgumentParser
import Cosma
import DNNGraph
import Scratchpad
import Heuristics
import MILP
import CosmaILP
import DivideAndConquer
import ONNXImport
import Foundation

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate benchmark graphs from a recipe.",
        subcommands: [RandWireCommand.self])
}

extension RandWireRegime: ExpressibleByArgument {}

struct RandWireCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "randwire",
        abstract: "A randomly wired network (Xie et al. 2019) with seeded random stages.",
        discussion: """
            Defaults follow the paper: WS(N=32, K=4, P=0.75), ER(P=0.2), BA(M=5), image 224, and C=109 in \
            the regular regime (four random stages from 56x56), C=78 in the small one (a two-convolution \
            stem, three random stages from 28x28). The same options and seed give the same graph on every \
            platform.
            """)

    enum Model: String, ExpressibleByArgument, CaseIterable {
        case ws, er, ba
    }

    @Option(name: .long, help: "The random graph family: ws (Watts-Strogatz), er (Erdos-Renyi) or ba (Barabasi-Albert).")
    var model: Model

    @Option(name: .long, help: "Seed of the random stages.")
    var seed: UInt64

    @Option(name: .long, help: "The network's shape: regular (four random stages) or small (three).")
    var regime: RandWireRegime = .regular

    @Option(name: .long, help: "N: nodes of every random stage but the first, which has N/2.")
    var nodes = 32

    @Option(name: .long, help: "C: channels of the first random stage (default 109 regular, 78 small).")
    var channels: Int?

    @Option(name: .long, help: "Input image height and width.")
    var image = 224

    @Option(name: .customLong("k"), help: "WS: neighbours per node on the ring (even).")
    var neighbours = 4

    @Option(name: .customLong("p"), help: "WS: rewiring probability (default 0.75); ER: link probability (default 0.2).")
    var probability: Double?

    @Option(name: .customLong("m"), help: "BA: links per new node.")
    var links = 5

    @Option(name: .long, help: "Bytes per tensor element (1 = int8, the paper's setting).")
    var elementBytes = 1

    @Option(name: .long, help: "The graph's name (default: randwire_<model>).")
    var name: String?

    @Option(name: [.short, .long], help: "Write the graph to this JSON file.")
    var output: String

    var randomModel: RandomGraphModel {
        switch model {
        case .ws: .wattsStrogatz(k: neighbours, p: probability ?? 0.75)
        case .er: .erdosRenyi(p: probability ?? 0.2)
        case .ba: .barabasiAlbert(m: links)
        }
    }

    func validate() throws {
        guard nodes >= 4, (channels ?? 2) >= 2, image >= 1, elementBytes >= 1 else {
            throw ValidationError("--nodes must be at least 4, --channels at least 2, --image and --element-bytes at least 1")
        }
        if let probability, !(0...1).contains(probability) {
            throw ValidationError("--p must be a probability between 0 and 1, got \(probability)")
        }
        switch model {
        case .ws where neighbours % 2 != 0 || neighbours < 2 || neighbours >= nodes / 2:
            throw ValidationError("--k must be even, at least 2 and below N/2 (the first stage has N/2 nodes), got \(neighbours)")
        case .ba where links < 1 || links >= nodes / 2:
            throw ValidationError("--m must be at least 1 and below N/2 (the first stage has N/2 nodes), got \(links)")
        default:
            break
        }
    }

    func run() throws {
        let generator = RandWire(model: randomModel, regime: regime, nodes: nodes,
                                 channels: channels ?? regime.paperChannels, imageSize: image, seed: seed,
                                 elementBytes: elementBytes, name: name ?? "randwire_\(model.rawValue)")
        try reportingErrors {
            try checkOutputPath(output)
            let graph = generator.makeGraph()
            try writeOutput(graph.canonicalJSON(), to: output)
            print("\(output): graph '\(graph.name)', \(randomModel), \(regime.rawValue) regime, C=\(generator.channels), seed \(seed), \(graph.operators.count) operators, \(graph.tensors.count) tensors")
        }
    }
}
