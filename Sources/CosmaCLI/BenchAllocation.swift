import ArgumentParser
import Cosma
import DNNGraph
import Scratchpad
import Heuristics
import MILP
import CosmaILP
import Foundation
import Reports

struct BenchAllocation: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allocation",
        abstract: "The exact allocator on MiniMalloc's benchmark (beside MiniMalloc's measured results) and on every graph's lifetimes.",
        discussion: """
            MiniMalloc's instances are packed at the capacity in their file names with --time-limit each, then \
            minimised with --minimize-time-limit. MiniMalloc's own results come from DIR/measured.csv \
            (tools/measure_minimalloc.sh). Each graph's tensor lifetimes, in the default and the minimum-peak \
            orders and both tensor settings, are minimised with --minimize-time-limit.
            """)

    @Option(name: .long, help: "MiniMalloc's benchmark folder (tools/fetch_minimalloc_benchmarks.sh).")
    var minimalloc = "benchmarks/minimalloc"

    @Option(name: .long, parsing: .upToNextOption, help: "Graph files or glob patterns (quote them).")
    var graphs: [String] = []

    @Option(name: .long, help: "Seconds per attempt at MiniMalloc's capacity.")
    var timeLimit: Double = 60

    @Option(name: .long, help: "Seconds per minimisation.")
    var minimizeTimeLimit: Double = 10

    @Option(name: .long, help: "Where to write the Markdown report.")
    var out = "results/allocation.md"

    func validate() throws {
        guard timeLimit > 0, minimizeTimeLimit > 0 else { throw ValidationError("time limits must be positive") }
    }

    func run() throws {
        try reportingErrors { () throws in
            let instances = try AllocationBenchmark.instances(in: minimalloc)
            let measured = try AllocationBenchmark.measured(in: minimalloc)
            var graphFiles: [String] = []
            for pattern in graphs {
                let paths = expandGlob(pattern)
                guard !paths.isEmpty else {
                    throw InputError(source: pattern, message: "no file matches this pattern; check the path or quote the glob")
                }
                graphFiles += paths
            }
            let bench = AllocationBenchmark(timeLimit: timeLimit, minimizeTimeLimit: minimizeTimeLimit)
            let fixedRows = instances.map { bench.atCapacity($0) }
            let minimumRows = instances.map { bench.minimum($0.name, $0.table.blocks, upTo: $0.capacity) }
            var graphRows: [AllocationBenchmark.GraphRow] = []
            for path in graphFiles {
                graphRows += bench.graphRows(try loadGraph(path))
            }
            let text = bench.report(fixed: fixedRows, minimums: minimumRows, measured: measured, graphs: graphRows)
            try writeAtomically(text, to: URL(fileURLWithPath: out))
            print("wrote \(out)")
        }
    }
}

/// Runs and reports `cosma bench allocation`.
struct AllocationBenchmark {
    var timeLimit: Double
    var minimizeTimeLimit: Double

    struct Instance {
        var name: String
        var capacity: Int
        var table: BufferTable
    }

    /// MiniMalloc's result on one instance, as tools/measure_minimalloc.sh recorded it.
    struct Measured {
        var status: String
        var height: Int?
        var seconds: Double?
    }

    struct FixedRow {
        var name: String
        var buffers: Int
        var capacity: Int
        var bound: Int
        var outcome: String
        var height: Int?
        var seconds: Double
        var nodes: Int
    }

    struct MinimumRow {
        var name: String
        var bound: Int
        var height: Int?
        var proven: Bool
        var lowerBound: Int
        var seconds: Double
    }

    struct GraphRow {
        var graph: String
        var tensors: TensorSetting
        var order: String
        var minimum: MinimumRow
    }

    /// Every CSV under `dir`/challenging and `dir`/examples; the capacity is the number that
    /// ends its name (`A.1048576.csv`).
    static func instances(in dir: String) throws(InputError) -> [Instance] {
        var result: [Instance] = []
        for sub in ["challenging", "examples"] {
            for path in expandGlob("\(dir)/\(sub)/*.csv") {
                let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
                guard let dot = stem.lastIndex(of: "."), let capacity = Int(stem[stem.index(after: dot)...]) else {
                    throw InputError(source: path, message: "the file name must end in .CAPACITY.csv, as MiniMalloc's do")
                }
                result.append(Instance(name: String(stem[..<dot]), capacity: capacity, table: try Pack.load(path)))
            }
        }
        guard !result.isEmpty else {
            throw InputError(source: dir, message: "no instances here; run tools/fetch_minimalloc_benchmarks.sh")
        }
        return result
    }

    /// `dir`/measured.csv: its comment lines (what was measured, when, where) and one result
    /// per instance.
    static func measured(in dir: String) throws(InputError) -> (notes: [String], results: [String: Measured]) {
        let path = "\(dir)/measured.csv"
        guard let data = FileManager.default.contents(atPath: path) else { return ([], [:]) }
        var notes: [String] = []
        var results: [String: Measured] = [:]
        for (n, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            if line.hasPrefix("#") {
                notes.append(String(line.dropFirst()).trimmingCharacters(in: .whitespaces))
                continue
            }
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if f.first == "instance" { continue }
            guard f.count == 6 else {
                throw InputError(source: "\(path):\(n + 1)", message: "expected instance,capacity,time_limit_s,status,height,seconds")
            }
            results[f[0]] = Measured(status: f[3], height: Int(f[4]), seconds: Double(f[5]))
        }
        return (notes, results)
    }

    func deadline(_ seconds: Double) -> ContinuousClock.Instant { .now + .seconds(seconds) }

    /// One attempt at the instance's own capacity.
    func atCapacity(_ instance: Instance) -> FixedRow {
        FileHandle.standardError.write(Data("packing \(instance.name) at \(instance.capacity)\n".utf8))
        let blocks = instance.table.blocks
        let start = ContinuousClock.now
        let attempt = ExactAllocator(capacity: instance.capacity, nodeLimit: Int.max / 2, deadline: deadline(timeLimit)).attempt(blocks)
        let seconds = (ContinuousClock.now - start).inSeconds
        var outcome = "unknown"
        var height: Int?
        switch attempt.outcome {
        case .packed(let offsets):
            precondition(ExactAllocator.isValid(offsets, blocks, capacity: instance.capacity), "invalid packing of \(instance.name)")
            outcome = "packed"
            height = ExactAllocator.height(of: offsets, blocks)
        case .infeasible: outcome = "infeasible"
        case .unknown: break
        }
        return FixedRow(name: instance.name, buffers: blocks.count, capacity: instance.capacity,
                        bound: ExactAllocator.sectionBound(blocks), outcome: outcome, height: height, seconds: seconds, nodes: attempt.nodes)
    }

    /// The smallest capacity up to `limit` (default: the sum of all sizes) found within the
    /// minimisation time limit.
    func minimum(_ name: String, _ blocks: [StaticAllocator.Block], upTo limit: Int? = nil) -> MinimumRow {
        FileHandle.standardError.write(Data("minimising \(name)\n".utf8))
        let start = ContinuousClock.now
        let total = blocks.reduce(0) { $0 + $1.size }
        let minimum = ExactAllocator(capacity: limit ?? max(total, 1), nodeLimit: Int.max / 2, deadline: deadline(minimizeTimeLimit)).minimize(blocks)
        if let minimum {
            precondition(ExactAllocator.isValid(minimum.offsets, blocks, capacity: minimum.height), "invalid packing of \(name)")
        }
        return MinimumRow(name: name, bound: ExactAllocator.sectionBound(blocks), height: minimum?.height, proven: minimum?.proven ?? false,
                          lowerBound: minimum?.lowerBound ?? ExactAllocator.sectionBound(blocks),
                          seconds: (ContinuousClock.now - start).inSeconds)
    }

    /// The graph's tensor lifetimes in the default and the minimum-peak orders, both settings.
    func graphRows(_ graph: Graph) -> [GraphRow] {
        var rows: [GraphRow] = []
        for setting in TensorSetting.allCases {
            for kind in [ScheduleKind.default, .mpmf] {
                let order = Cosma.schedule(kind, for: graph, tensors: setting).order
                let blocks = graph.liveIntervals(order: order, setting: setting).map {
                    StaticAllocator.Block(size: graph.tensors[$0.tensor].bytes, first: $0.first, last: $0.last)
                }
                let name = "\(graph.name) \(setting.rawValue) \(kind.rawValue)"
                rows.append(GraphRow(graph: graph.name, tensors: setting, order: kind == .default ? "default" : "minimum-peak",
                                     minimum: minimum(name, blocks)))
            }
        }
        return rows
    }
}

extension AllocationBenchmark {
    static func seconds(_ s: Double?) -> String { s.map { String(format: "%.2f", $0) } ?? "–" }

    func report(fixed: [FixedRow], minimums: [MinimumRow], measured: (notes: [String], results: [String: Measured]),
                graphs: [GraphRow]) -> String
    {
        var lines = [
            "# Address allocation: the exact allocator against MiniMalloc", "",
            "Written by `cosma \(CommandLine.arguments.dropFirst().joined(separator: " "))` on \(MachineInfo.timestamp()).",
            "", "- machine: \(MachineInfo.description())", "- toolchain: \(MachineInfo.toolchainVersion())",
            "- build: \(MachineInfo.buildConfiguration)",
            "- instances: google/minimalloc's benchmarks (`benchmarks/minimalloc/`, Apache-2.0); lifetimes `[lower, upper)`",
        ]
        lines += measured.notes.map { "- MiniMalloc's results (`benchmarks/minimalloc/measured.csv`): \($0)" }
        lines += ["", "## At MiniMalloc's capacity, \(Self.seconds(timeLimit)) s per attempt", "",
                  "The bound is the fullest section (peak live bytes). Cosma runs `ExactAllocator` (greedy stage, then the search).", "",
                  "| instance | buffers | capacity | bound | Cosma | height | time (s) | nodes | MiniMalloc | height | time (s) |",
                  "|---|--:|--:|--:|---|--:|--:|--:|---|--:|--:|"]
        for r in fixed {
            let m = measured.results[r.name]
            lines.append("| \(r.name) | \(r.buffers) | \(r.capacity) | \(r.bound) | \(r.outcome) | \(r.height.map(String.init) ?? "–") | "
                + "\(Self.seconds(r.seconds)) | \(r.nodes) | \(m?.status ?? "not measured") | \(m?.height.map(String.init) ?? "–") | \(Self.seconds(m?.seconds)) |")
        }
        let theirs = fixed.filter { measured.results[$0.name]?.status == "packed" }
        let both = theirs.filter { $0.outcome == "packed" }
        let times = fixed.map(\.seconds).sorted()
        lines += ["", "Cosma packs \(fixed.filter { $0.outcome == "packed" }.count) of \(fixed.count) instances; "
                  + "of the \(theirs.count) MiniMalloc packs, Cosma packs \(both.count). "
                  + "Median time \(Self.seconds(times.isEmpty ? nil : times[times.count / 2])) s, slowest \(Self.seconds(times.last)) s."]
        lines += ["", "## Smallest capacity, \(Self.seconds(minimizeTimeLimit)) s per instance", "",
                  "`ExactAllocator.minimize` up to the instance's capacity: the bound first, then bisection. Proven when the search shows that one byte less cannot be packed (or the bound is met).", "",
                  "| instance | bound | smallest found | proven | lower bound | time (s) |", "|---|--:|--:|---|--:|--:|"]
        lines += minimums.map { minimumLine($0, label: $0.name) }
        lines += ["", "## Tensor lifetimes of the graphs, \(Self.seconds(minimizeTimeLimit)) s per instance", "",
                  "Every tracked tensor of a schedule run without spilling, at its size (alignment 1); the bound is the order's peak.", "",
                  "| graph | tensors | order | bound | smallest found | proven | lower bound | time (s) |", "|---|---|---|--:|--:|---|--:|--:|"]
        for g in graphs {
            lines.append(minimumLine(g.minimum, label: "\(g.graph) | \(g.tensors.rawValue) | \(g.order)"))
        }
        let proven = graphs.filter(\.minimum.proven).count
        lines += ["", "\(proven) of \(graphs.count) graph instances packed at a proven minimum."]
        return lines.joined(separator: "\n") + "\n"
    }

    private func minimumLine(_ r: MinimumRow, label: String) -> String {
        "| \(label) | \(r.bound) | \(r.height.map(String.init) ?? "–") | \(r.proven ? "yes" : "no") | \(r.lowerBound) | \(Self.seconds(r.seconds)) |"
    }
}
