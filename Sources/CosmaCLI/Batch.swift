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
import Reports

struct Batch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every graph × setting × budget × method in worker processes and write result files, a report and charts.",
        discussion: """
            Every instance runs in its own `cosma` process (at most --jobs at a time) and every plan is replayed by the \
            simulator before it is counted. Finished rows are appended to OUT/journal.jsonl as they come, so an \
            interrupted batch continues where it stopped when the same command is run again. At the end OUT holds \
            results.csv, results.json (one row per graph, setting, budget and method), report.md with per-budget \
            tables, SVG charts and memory maps, and plans/ (the plans of Cosma's methods and the paper's baselines). \
            Methods: exact, fixed-schedule (the joint program on the mpmf order), divide-and-conquer, paper-baselines (the COSMA paper's \
            four), heuristics (every order, replacement and allocation), or one baseline as schedule+replacement+allocation.
            """)

    @Option(name: .long, parsing: .upToNextOption, help: "Graph files or glob patterns (quote them), for example 'graphs/*.json'.")
    var graphs: [String] = []

    @Option(name: .long, help: "Comma-separated budgets: M_R, M_H, M_P, sizes such as 2MiB (below M_R the graph is tiled for it), and sweep:N (N capacities from M_R to M_P).")
    var budgets = "M_R,M_H,M_P"

    @Option(name: .long, help: "Comma-separated tensor settings: activations, all.")
    var tensors = "activations,all"

    @Option(name: .long, help: "Comma-separated methods: exact, fixed-schedule, divide-and-conquer, paper-baselines, heuristics, or schedule+replacement+allocation.")
    var methods = "exact,fixed-schedule,paper-baselines"

    @OptionGroup var exact: BatchSolverOptions

    @Option(name: .long, help: "Worker processes at a time; the default is the number of cores.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, help: "Kill a worker after this many seconds (default: twice the time limit plus 60).")
    var killAfter: Double?

    @Option(name: .long, help: "The batch's folder, for example results/paper.")
    var out: String?

    @OptionGroup var distribution: BatchDistribution

    /// When a worker is killed: `--kill-after`, or twice the time limit plus 60 seconds.
    /// A deterministic worker gets more room: what its work units cost in seconds depends on the load.
    var workerKillAfter: Double { killAfter ?? (exact.deterministic ? 10 : 2) * exact.timeLimit + 60 }

    func validate() throws {
        try validateTimeLimit(exact.timeLimit)
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        if let killAfter, killAfter <= 0 { throw ValidationError("--kill-after must be positive, got \(killAfter)") }
        try distribution.validate(graphs: graphs, out: out)
    }

    func run() throws {
        _ = try execute()
    }

    /// Does what the options say; returns the rows of a whole batch run here, with its matrix, so
    /// that a caller (`cosma sweep --at-most`) reads them from memory rather than from the journal.
    /// Nil after `--merge`, `--resubmit`, `--slurm` and `--shard`, whose rows are not all here.
    func execute() throws -> (rows: [ResultRow], matrix: InstanceMatrix)? {
        try reportingErrors { () throws -> (rows: [ResultRow], matrix: InstanceMatrix)? in
            if let merge = distribution.merge {
                try mergeShards(URL(fileURLWithPath: merge))
                return nil
            }
            if let folder = distribution.resubmit {
                try resubmit(URL(fileURLWithPath: folder))
                return nil
            }
            let (matrix, graphNames) = try instanceMatrix()
            if distribution.slurm {
                try submit(matrix)
                return nil
            }
            return try runLocally(matrix, graphNames: graphNames).map { ($0, matrix) }
        }
    }

    /// The matrix of the graphs, settings, budgets and methods given, with each file's graph name.
    func instanceMatrix() throws(InputError) -> (InstanceMatrix, [String: String]) {
        var files: [String] = []
        var graphNames: [String: String] = [:]
        for pattern in graphs {
            let paths = expandGlob(pattern)
            guard !paths.isEmpty else {
                throw InputError(source: pattern, message: "no file matches this pattern; check the path or quote the glob")
            }
            for path in paths where !files.contains(path) {
                let graph = try loadGraph(path)
                graphNames[path] = graph.name
                files.append(path)
            }
        }
        let settings = try tensors.split(separator: ",").map { word throws(InputError) -> TensorSetting in
            let w = word.trimmingCharacters(in: .whitespaces)
            guard let s = TensorSetting(rawValue: w) else {
                throw InputError(source: "--tensors", message: "'\(w)' is not a tensor setting; use activations, all or activations,all")
            }
            return s
        }
        let matrix = try InstanceMatrix(files: files, settings: settings, budgets: [budgets],
                                        methods: try BatchMethod.parseList([methods]),
                                        method: MethodSettings(solver: exact.solver, timeLimit: exact.timeLimit,
                                                               deterministic: exact.deterministic))
        return (matrix, graphNames)
    }

    /// Runs the matrix (or one shard of it) here, in worker processes; a whole batch then writes
    /// its report and returns its rows, a shard only its journal (and returns nil).
    func runLocally(_ matrix: InstanceMatrix, graphNames: [String: String]) throws(InputError) -> [ResultRow]? {
        let folder = URL(fileURLWithPath: out ?? "")
        let limit = workerKillAfter
        var batch = BatchRun(matrix: matrix, folder: folder, workerCommand: (try executableURL(), ["batch-worker"]),
                             jobs: jobs, killAfter: limit, graphNames: graphNames)
        batch.shard = try distribution.shard.map { text throws(InputError) in try Shard(parsing: text) }
        let display = ProgressDisplay()
        let rows = try batch.run(progress: display.update)
        display.finish()
        if let shard = batch.shard {
            try finishShard(shard, rows: rows, folder: folder, killAfter: limit)
            return nil
        }
        let header = reportHeader(folder: folder, command: CommandLine.arguments.dropFirst().map(shellQuoted).joined(separator: " "),
                                  solver: exact.solver, jobs: jobs, killAfter: limit)
        let written = try BatchOutputs.write(rows: rows, matrix: matrix, header: header, folder: folder, plans: batch.plansFolder)
        let withoutPlan = rows.filter { !$0.status.hasPlan }.count
        print("\(rows.count) rows (\(withoutPlan) without a plan); wrote \(written.count) files to \(out ?? ""): report.md, results.csv, results.json, charts and maps")
        return rows
    }

    /// This executable, which the workers run too.
    func executableURL() throws(InputError) -> URL {
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? Bundle.main.executablePath
        guard let path else {
            throw InputError(source: "cosma", message: "cannot find this executable's path to start workers; run cosma by its full path")
        }
        return URL(fileURLWithPath: path)
    }
}

/// The exact methods' solver and time limit, declared once for `cosma batch` and `cosma sweep`
/// (which hands them on to the batch it runs, see ``arguments``).
struct BatchSolverOptions: ParsableArguments {
    @Option(name: .long, help: "The MILP solver of the exact methods.")
    var solver: SolverBackend = .cbc

    @Option(name: .long, help: "Solver time limit per instance, in seconds (work units with --deterministic).")
    var timeLimit: Double = 60

    @Flag(name: .long, help: "Count the budget in work units instead of seconds: the same plans on any machine and under any load.")
    var deterministic = false

    /// The options as `cosma batch` reads them.
    var arguments: [String] {
        ["--solver", solver.rawValue, "--time-limit", "\(timeLimit)"] + (deterministic ? ["--deterministic"] : [])
    }
}

/// Quotes a command-line word for a shell when it needs it, so a report's command can be pasted.
func shellQuoted(_ word: String) -> String {
    SlurmScripts.quoted(word)
}

/// The progress bar on stderr: redrawn in place on a terminal, one line per finished instance
/// otherwise (logs, CI).
final class ProgressDisplay {
    let terminal = isatty(STDERR_FILENO) == 1
    let width = Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 120
    var lastDraw = ContinuousClock.now - .seconds(1)
    var lastDone = 0
    var drewSomething = false

    func update(_ state: BatchProgress) {
        if terminal {
            let now = ContinuousClock.now
            guard now - lastDraw >= .milliseconds(200) || state.done != lastDone else { return }
            lastDraw = now
            lastDone = state.done
            drewSomething = true
            FileHandle.standardError.write(Data(("\r" + state.line(width: width - 1) + "\u{1B}[K").utf8))
        } else {
            for (i, row) in state.justFinished.enumerated() {
                let count = state.resumed + state.done - state.justFinished.count + i + 1
                var outcome = row.status.hasPlan ? "\(row.status.rawValue), \(row.nonCompulsory ?? 0) bytes" : "\(row.status.rawValue): \(row.reason ?? "")"
                if let tiles = row.tiles { outcome += " (below M_R: tiled into \(tiles) tiles, the plan refers to the tiled graph)" }
                let left = state.estimatedSecondsLeft.map { ", ~\(BatchProgress.duration($0)) left" } ?? ""
                FileHandle.standardError.write(Data("[\(count)/\(state.total)\(left)] \(row.graph) \(row.setting.rawValue) \(row.budget) \(row.method): \(outcome)\n".utf8))
            }
        }
    }

    func finish() {
        if terminal && drewSomething { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// Runs one instance of a batch and prints its row: the process `cosma batch` starts per instance.
struct BatchWorker: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch-worker", abstract: "Run one batch instance (started by cosma batch).", shouldDisplay: false)

    @Argument(help: "The instance, as JSON.")
    var request: String

    func run() throws {
        exitWhenOrphaned()
        // Test hook (Tests/CosmaCLITests/BatchFaultTests.swift): a worker that is still running
        // when the test kills it or its batch, whatever the machine's speed.
        if let pause = ProcessInfo.processInfo.environment["COSMA_TEST_WORKER_PAUSE"].flatMap(Double.init), pause > 0 {
            usleep(UInt32(min(pause, 600) * 1_000_000))
        }
        do {
            let row = try WorkerRequest(argument: request).run()
            print(row.jsonValue.compact)
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
    }

    /// A worker whose batch was killed has nobody to report to: stop instead of solving on.
    func exitWhenOrphaned() {
        let parent = getppid()
        Thread.detachNewThread {
            while true {
                sleep(1)
                if getppid() != parent { Glibc.exit(3) }
            }
        }
    }
}

struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw a plan's memory map as SVG: address against step, one box per residency.",
        discussion: "The plan is replayed first; a plan that breaks a rule is not drawn (exit 1, violations listed). Stores are red marks, reloads blue ones, the capacity a dashed line.")

    @Argument(help: "The plan, JSON (as written by solve, heuristic or batch).")
    var plan: String

    @Option(name: .long, help: "The graph the plan was made for, canonical JSON.")
    var graph: String

    @Option(name: [.short, .long], help: "The SVG file to write.")
    var output: String

    @Option(name: .long, help: "Title above the map (default: graph, method and capacity).")
    var title: String?

    func run() throws {
        try reportingErrors {
            try checkOutputPath(output)
            let g = try loadGraph(graph)
            let p = try Plan(contentsOf: URL(fileURLWithPath: plan))
            try Cosma.checkPlan(p, isFor: g, planSource: plan)
            let map = try MemoryMap(plan: p, graph: g)
            try writeOutput(map.svg(title: title), to: output)
            print("wrote \(output): \(map.steps) steps, \(map.stays.count) residencies, \(map.stays.filter(\.reload).count) reloads, \(map.stores.count) stores")
        }
    }
}
