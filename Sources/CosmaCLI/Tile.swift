import ArgumentParser
import Cosma
import DNNGraph
import Scratchpad
import Tiling
import Foundation

struct Tile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Split operators that do not fit the scratchpad into tiles, and write the tiled graph.",
        discussion: """
            An operator whose operands do not fit is cut into the fewest equal tiles along one axis of its \
            output (image or matrix rows, else output channels or columns) whose operands fit; tensors are cut \
            into disjoint slices so that each tile reads exactly the slices its receptive field touches. Tiles \
            carry "tileOf" and slices "sliceOf"; operators and tensors not split keep their names. The tiled \
            graph is checked against the original before it is written.
            """)

    @Argument(help: "The graph, canonical JSON.")
    var graph: String

    @Option(name: .long, help: "Scratchpad capacity: bytes or units (512KiB).")
    var capacity: String

    @OptionGroup var accelerator: AcceleratorOptions

    @OptionGroup var tiling: TilingOptions

    @Option(name: [.short, .long], help: "Write the tiled graph to this JSON file.")
    var output: String

    func run() throws {
        try reportingErrors {
            let g = try loadGraph(graph)
            guard case .bytes(let bytes) = try CapacitySpec(parsing: capacity), bytes > 0 else {
                throw InputError(source: "capacity", message: "give the capacity in bytes or units (512KiB), got '\(capacity)'")
            }
            let tiled = try tiling.tile(g, capacity: bytes, accelerator: accelerator, source: graph)
            try writeAtomically(tiled.graph.canonicalJSON(), to: URL(fileURLWithPath: output))
            print("\(output): \(tiling.summary(tiled, original: g)); checked against the original")
        }
    }
}

/// How planning commands tile below `M_R`.
struct TilingOptions: ParsableArguments {
    @Option(name: .long, help: "Tiling: cut each operator that must be split into this many times the fewest tiles that fit (finer tiles let the planner keep more of a cascade on chip).")
    var tileRefinement: Int = 1

    func validate() throws {
        guard tileRefinement >= 1 else { throw ValidationError("--tile-refinement must be at least 1, got \(tileRefinement)") }
    }

    func tile(_ g: Graph, capacity: Int, accelerator: AcceleratorOptions, source: String) throws(InputError) -> TiledGraph {
        let tiler = Tiler(setting: accelerator.tensors, alignment: accelerator.alignment, refinement: tileRefinement)
        do {
            return try tiler.checkedTile(g, capacity: capacity)
        } catch {
            throw InputError(source: source, message: error.message)
        }
    }

    func summary(_ tiled: TiledGraph, original: Graph) -> String {
        let slices = tiled.graph.tensors.count { $0.sliceOf != nil }
        return "\(tiled.tiledOperators) of \(original.operators.count) operators split into \(tiled.tiles) tiles, \(slices) slice tensors; the tiled graph has \(tiled.graph.operators.count) operators and \(tiled.graph.tensors.count) tensors"
    }
}
