import ArgumentParser
import Cosma
import DNNGraph
import Scratchpad
import Heuristics
import MILP
import CosmaILP
import Foundation
import Reports

/// `cosma sweep`: a batch over evenly spaced capacities of each graph, written as curves.
struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Traffic against capacity: a batch over N capacities from --from to --to for every graph, with curves.",
        discussion: """
            Each graph is planned at N evenly spaced capacities from its own --from to its own --to (budget names or \
            sizes; by default M_R to M_P), in both settings unless --tensors says otherwise. This is `cosma batch` with \
            the budgets M_R..M_P@01ofN ... (`--budgets sweep:N` there), so it resumes, shards (--shard) and runs on \
            Slurm (--slurm) the same way. Besides the batch's report, OUT gets sweep.csv (per model and setting: \
            capacity, the cheapest plan's non-compulsory traffic, the best proven bound, proven or not), sweep.md, \
            curves/GRAPH.svg (step curves; an unproven point shows its bound) and curves/zoo-SETTING.svg. With \
            --at-most T it answers, per model, the smallest capacity of the sweep whose traffic is at most T. \
            Below a graph's M_R its points are planned on the graph tiled for the capacity (as cosma tile does; the plan refers to the tiled graph, kept beside it in plans/), so the curves go below M_R; a point below the smallest capacity tiling reaches is unavailable, with the operator that cannot be tiled small enough.
            """)

    @Argument(help: "Graph files or glob patterns.")
    var graphs: [String]

    @Option(name: .long, help: "The smallest capacity: a budget name or a size (below M_R the graph is tiled).")
    var from = "M_R"

    @Option(name: .long, help: "The largest capacity: a budget name or a size.")
    var to = "M_P"

    @Option(name: .long, help: "Capacities, both ends included.")
    var points = 16

    @Option(name: .long, help: "Comma-separated tensor settings: activations, all.")
    var tensors = "activations,all"

    @Option(name: .long, help: "Comma-separated methods (as for cosma batch).")
    var methods = "exact"

    @OptionGroup var exact: BatchSolverOptions

    @Option(name: .long, help: "Worker processes at a time (default: the number of cores).")
    var jobs: Int?

    @Option(name: .long, help: "Kill a worker after this many seconds (default: twice the time limit plus 60).")
    var killAfter: Double?

    @Option(name: .long, help: "The sweep's folder.")
    var out: String

    @Option(name: .long, help: "Non-compulsory traffic (bytes or a size): report the smallest capacity of the sweep whose traffic is at most it.")
    var atMost: String?

    @Option(name: .long, help: "Run only shard I/N (see cosma batch --shard).")
    var shard: String?

    @Flag(name: .long, help: "Submit to Slurm (see cosma batch --slurm); --tasks gives the shards.")
    var slurm = false

    @Option(name: .long, help: "Slurm: array tasks (shards).")
    var tasks: Int?

    func run() throws {
        let limit = try reportingErrors {
            try atMost.map { text throws(InputError) in Int(text) == 0 ? 0 : try parseByteCount(text, what: "--at-most") }
        }
        let labels = try reportingErrors {
            try SweepBudget.points(from: CapacitySpec(parsing: from), to: CapacitySpec(parsing: to), count: points).map(\.description)
        }
        var arguments = ["--graphs"] + graphs + ["--budgets", labels.joined(separator: ","), "--tensors", tensors, "--methods", methods]
            + exact.arguments + ["--out", out]
        if let jobs { arguments += ["--jobs", "\(jobs)"] }
        if let killAfter { arguments += ["--kill-after", "\(killAfter)"] }
        if let shard { arguments += ["--shard", shard] }
        if slurm { arguments += ["--slurm"] + (tasks.map { ["--tasks", "\($0)"] } ?? []) }
        let whole = try Batch.parse(arguments).execute()
        guard let limit else { return }
        // Without --shard and --slurm the batch ran whole here and hands back every row.
        guard let whole else {
            print("--at-most is answered once every shard is merged: run `cosma sweep` again without --shard or --slurm (it resumes), or read sweep.csv")
            return
        }
        answer(limit, rows: whole.rows, matrix: whole.matrix)
    }

    /// Prints, per curve, the smallest capacity of the sweep whose traffic is at most `limit`.
    func answer(_ limit: Int, rows: [ResultRow], matrix: InstanceMatrix) {
        print("smallest capacity with at most \(limit) bytes of non-compulsory traffic:")
        for curve in SweepCurve.curves(rows: rows, matrix: matrix) {
            let a = curve.smallestCapacity(trafficAtMost: limit)
            var text = "  \(curve.graph) \(curve.setting.rawValue): "
            if let c = a.provenCapacity {
                text += "\(c) bytes (\(formatBytes(c)), proven)"
                if let p = a.plannedCapacity, p < c { text += "; a plan reaches it at \(p) bytes already, not proven smallest" }
            } else if let p = a.plannedCapacity {
                text += "\(p) bytes (\(formatBytes(p))) has a plan within the limit; no proven point reaches it"
            } else {
                text += "no capacity of the sweep reaches it"
            }
            if let above = a.above { text += "; every plan at \(above) bytes exceeds it (proven bound), so the threshold is above \(above) bytes" }
            print(text)
        }
    }
}
