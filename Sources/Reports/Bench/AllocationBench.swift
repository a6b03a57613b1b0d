import Cosma
package import DNNGraph
package import Heuristics
internal import Foundation

/// One of MiniMalloc's instances: its name, the capacity its file name gives, and its buffers.
package struct AllocationInstance: Sendable {
    package var name: String
    package var capacity: Int
    package var table: BufferTable

    package init(name: String, capacity: Int, table: BufferTable) {
        self.name = name
        self.capacity = capacity
        self.table = table
    }
}

/// MiniMalloc's result on one instance, as tools/measure_minimalloc.sh recorded it.
package struct MeasuredAllocation: Sendable {
    package var status: String
    package var height: Int?
    package var seconds: Double?

    package init(status: String, height: Int?, seconds: Double?) {
        self.status = status
        self.height = height
        self.seconds = seconds
    }
}

extension BenchTables {
    /// results/allocation.md: the exact allocator on MiniMalloc's instances at their capacity and
    /// minimised (beside MiniMalloc's `measured` results: the notes of its file and one result per
    /// instance), and on every graph's tensor lifetimes minimised.
    package static func allocation(_ instances: [AllocationInstance],
                                  measured: (notes: [String], results: [String: MeasuredAllocation]), graphs: [Graph],
                                  timeLimit: Double, minimizeTimeLimit: Double, command: String) -> String
    {
        let bench = AllocationBenchmark(timeLimit: timeLimit, minimizeTimeLimit: minimizeTimeLimit)
        let fixedRows = instances.map { bench.atCapacity($0) }
        let minimumRows = instances.map { bench.minimum($0.name, $0.table.blocks, upTo: $0.capacity) }
        let graphRows = graphs.flatMap { bench.graphRows($0) }
        return bench.report(fixed: fixedRows, minimums: minimumRows, measured: measured, graphs: graphRows, command: command)
    }
}

/// Runs and reports `cosma bench allocation`.
struct AllocationBenchmark {
    var timeLimit: Double
    var minimizeTimeLimit: Double

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

    func deadline(_ seconds: Double) -> ContinuousClock.Instant { .now + .seconds(seconds) }

    /// One attempt at the instance's own capacity.
    func atCapacity(_ instance: AllocationInstance) -> FixedRow {
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
        let bound = ExactAllocator.sectionBound(blocks)
        return MinimumRow(name: name, bound: bound, height: minimum?.height, proven: minimum?.proven ?? false,
                          lowerBound: minimum?.lowerBound ?? bound,
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

    func report(fixed: [FixedRow], minimums: [MinimumRow], measured: (notes: [String], results: [String: MeasuredAllocation]),
                graphs: [GraphRow], command: String) -> String
    {
        var lines = BenchTables.preamble("Address allocation: the exact allocator against MiniMalloc", command: command) + [
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
        let times = fixed.map(\.seconds)
        lines += ["", "Cosma packs \(fixed.filter { $0.outcome == "packed" }.count) of \(fixed.count) instances; "
                  + "of the \(theirs.count) MiniMalloc packs, Cosma packs \(both.count). "
                  + "Median time \(Self.seconds(times.isEmpty ? nil : BenchTables.median(times))) s, slowest \(Self.seconds(times.max())) s."]
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
