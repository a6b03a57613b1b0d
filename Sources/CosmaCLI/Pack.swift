import ArgumentParser
import Cosma
import DNNGraph
import Scratchpad
import Heuristics
import MILP
import CosmaILP
import Foundation

struct Pack: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pack buffers with fixed lifetimes (MiniMalloc's CSV: id,lower,upper,size) into a capacity.",
        discussion: """
            Writes id,offset (to -o, else to stdout) and the height. Exit 0 packed; 1 when no packing fits \
            (proven: "infeasible") or none was found in time ("unknown"); 2 for unusable input. \
            --minimize searches the smallest capacity up to --capacity (default: the sum of all sizes) and \
            reports the lower bound, proven where the search settles it.
            """)

    @Argument(help: "The buffers, CSV with the header id,lower,upper,size; lifetimes are [lower, upper).")
    var buffers: String

    @Option(name: .long, help: "Capacity: bytes or units (1MiB).")
    var capacity: String?

    @Option(name: .long, help: "Seconds allowed (for --minimize: in all).")
    var timeLimit: Double = 60

    @Option(name: .long, help: "Search nodes allowed per attempt (for reproducible outcomes).")
    var nodes: Int = Int.max / 2

    @Option(name: .long, help: "Every offset is a multiple of this.")
    var alignment: Int = 1

    @Option(name: [.short, .long], help: "Write id,offset to this CSV file.")
    var output: String?

    @Flag(name: .long, help: "Search for the smallest capacity that packs the buffers.")
    var minimize = false

    func validate() throws {
        if let problem = Configuration.problem(alignment: alignment) { throw ValidationError("--\(problem)") }
        try validateTimeLimit(timeLimit)
        guard nodes >= 1 else { throw ValidationError("--nodes must be positive, got \(nodes)") }
        guard capacity != nil || minimize else { throw ValidationError("give --capacity, or --minimize to search for it") }
    }

    func run() throws {
        let packed = try reportingErrors { () throws(InputError) -> Bool in
            let table = try Self.load(buffers)
            let limit = try capacity.map { text throws(InputError) in try parseByteCount(text, what: "--capacity") }
                ?? table.blocks.reduce(0) { $0 + $1.size }
            let start = ContinuousClock.now
            let allocator = ExactAllocator(capacity: limit, alignment: alignment, nodeLimit: nodes,
                                           deadline: start + .seconds(timeLimit))
            if minimize { return try report(minimum: allocator.minimize(table.blocks), table, limit, start) }
            let outcome = allocator.allocate(table.blocks)
            let seconds = (ContinuousClock.now - start).inSeconds
            switch outcome {
            case .packed(let offsets):
                try emit(table, offsets, capacity: limit, summary: "packed \(table.blocks.count) buffers in \(limit) bytes: height \(ExactAllocator.height(of: offsets, table.blocks)) (\(Self.format(seconds)) s)")
                return true
            case .infeasible:
                printError("infeasible: no packing of the \(table.blocks.count) buffers fits in \(limit) bytes (proven, \(Self.format(seconds)) s)")
            case .unknown:
                printError("unknown: no packing found in \(limit) bytes within the limits (\(Self.format(seconds)) s); none is proven impossible")
            }
            return false
        }
        if !packed { throw ExitCode(1) }
    }

    /// Reads and parses a buffer file, naming it in every error.
    static func load(_ path: String) throws(InputError) -> BufferTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(source: path, message: "cannot read this file; check the path")
        }
        return try BufferTable(parsing: String(decoding: data, as: UTF8.self), source: path)
    }

    static func format(_ seconds: Double) -> String { String(format: "%.3f", seconds) }

    private func report(minimum: ExactAllocator.Minimum?, _ table: BufferTable, _ limit: Int,
                        _ start: ContinuousClock.Instant) throws(InputError) -> Bool
    {
        let seconds = Self.format((ContinuousClock.now - start).inSeconds)
        guard let minimum else {
            printError("no packing found in \(limit) bytes (\(seconds) s); raise --capacity or --time-limit")
            return false
        }
        let proof = minimum.proven ? "proven minimal" : "lower bound \(minimum.lowerBound), not proven minimal"
        try emit(table, minimum.offsets, capacity: limit, summary: "smallest capacity found: \(minimum.height) bytes (\(proof); \(seconds) s)")
        return true
    }

    /// Writes the offsets (to the output file, else to stdout) and the summary.
    private func emit(_ table: BufferTable, _ offsets: [Int], capacity: Int, summary: String) throws(InputError) {
        // The independent check every packing passes before it is written.
        precondition(ExactAllocator.isValid(offsets, table.blocks, capacity: capacity, alignment: alignment),
                     "the allocator returned overlapping or unaligned offsets")
        if let output {
            try writeOutput(table.offsetsCSV(offsets), to: output)
            print(summary)
        } else {
            print(table.offsetsCSV(offsets), terminator: "")
            FileHandle.standardError.write(Data((summary + "\n").utf8))
        }
    }
}
