import ArgumentParser
import Cosma
import DNNGraph
import Scratchpad
import Heuristics
import MILP
import CosmaILP
import DivideAndConquer
import ONNXImport
import Tiling
import Foundation

@main
struct CosmaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cosma",
        abstract: "Optimal operator schedules, scratchpad addresses and spills for DNN accelerators.",
        discussion: """
            Capacities take bytes (2408448), units (512KiB, 2MiB, 1.5MB) or budget names (M_R, M_H, M_P).
            Exit codes: 0 success; 1 no valid plan (a method failed, or a simulated plan breaks a rule); \
            2 unusable input.
            """,
        version: cosmaVersion,
        subcommands: [Info.self, Validate.self, Simulate.self, Heuristic.self, Import.self, Generate.self, GraphsTable.self, Bench.self, Solve.self, Batch.self, Sweep.self, Plot.self, BatchWorker.self, Pack.self, Tile.self])

    /// ArgumentParser's `main`, except that a usage error (unknown option, missing argument,
    /// invalid value) exits with 2, "unusable input", as documented, instead of BSD's 64; and
    /// every command's solver calls run in `cosma-solver` children (``SolverContainment``), so
    /// that a solver crash or hang is a result, not the end of `cosma`; `cosma solve
    /// --in-process-solver` and batch workers (processes of their own already) solve in process.
    static func main() {
        SolverContainment.with(.childProcess, timeLimit: nil) { _ in
            do {
                var command = try parseAsRoot()
                try command.run()
            } catch {
                if exitCode(for: error) == .validationFailure {
                    FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                    Foundation.exit(2)
                }
                exit(withError: error)
            }
        }
    }
}

/// A time limit is a wall-clock promise: a positive, finite number of seconds (NaN, infinity,
/// zero and negative values are refused with exit code 2, naming `option`).
func checkTimeLimit(_ seconds: Double, option: String = "--time-limit") throws(InputError) {
    if let problem = ExactOptions.problem(timeLimit: seconds) {
        throw InputError(source: option, message: "\(option) \(problem); give one such as \(option) 60")
    }
}

/// ``checkTimeLimit(_:option:)`` for a command's `validate()`, whose errors print the usage.
func validateTimeLimit(_ seconds: Double, option: String = "--time-limit") throws(ValidationError) {
    if let problem = ExactOptions.problem(timeLimit: seconds) { throw ValidationError("\(option) \(problem)") }
}

extension TensorSetting: ExpressibleByArgument {}
extension InPlaceMode: ExpressibleByArgument {}
extension ReplacementPolicy: ExpressibleByArgument {}
extension AllocationPolicy: ExpressibleByArgument {}
extension ArenaAllocator: ExpressibleByArgument {}
extension ScheduleKind: ExpressibleByArgument {}

/// Options every planning command shares.
struct AcceleratorOptions: ParsableArguments {
    @Option(name: .long, help: "Tensors that live in the scratchpad: activations (weights stream from DRAM) or all.")
    var tensors: TensorSetting = .activations

    @Option(name: .long, help: "Alignment of every offset and size, in bytes.")
    var alignment: Int = 1

    @Option(name: .long, help: "Whether an elementwise operator may write its output over an input that dies there, and views share their input's bytes (docs/in-place.md): off (the COSMA paper's model) or on.")
    var inPlace: InPlaceMode = .off

    func validate() throws {
        if let problem = Configuration.problem(alignment: alignment) { throw ValidationError("--\(problem)") }
    }
}

/// The graph and accelerator every planning command starts from.
struct PlanningTarget: ParsableArguments {
    @Argument(help: "The graph, canonical JSON.")
    var graph: String

    @Option(name: .long, help: "Scratchpad capacity: bytes, units (512KiB) or a budget name (M_R, M_H, M_P).")
    var capacity: String

    @OptionGroup var accelerator: AcceleratorOptions

    @Option(name: .long, help: "Below M_R the graph is tiled and the plan refers to the tiled graph: write that graph to this JSON file.")
    var tiledGraph: String?

    @OptionGroup var tiling: TilingOptions

    /// Loads the graph and resolves the capacity; below `M_R` it tiles the graph (saying so on
    /// stderr) and returns the tiled graph, which the plan then refers to.
    /// `minimumPeak` proves `M_P` when the capacity names `M_P` or `M_H`.
    func load(minimumPeak: MinimumPeakOptions = MinimumPeakOptions()) throws(InputError) -> (Graph, Configuration) {
        let (g, config, _) = try loadResolving(minimumPeak: minimumPeak)
        return (g, config)
    }

    /// ``load(minimumPeak:)`` with the minimum-peak schedule computed to resolve `M_P` or `M_H`
    /// (`nil` for other capacities), which the planner starts from.
    func loadResolving(minimumPeak: MinimumPeakOptions = MinimumPeakOptions()) throws(InputError)
        -> (Graph, Configuration, minimumPeak: Schedule?)
    {
        var g = try loadGraph(graph)
        if case .bytes(let bytes) = try CapacitySpec(parsing: capacity), bytes > 0,
           bytes < Budgets(graph: g, setting: accelerator.tensors, alignment: accelerator.alignment, inPlace: accelerator.inPlace).mR
        {
            let tiled = try tiling.tile(g, capacity: bytes, accelerator: accelerator, source: graph)
            var note = "cosma: capacity \(bytes) bytes is below M_R; tiled: \(tiling.summary(tiled, original: g)); the plan refers to the tiled graph"
            if let tiledGraph {
                try writeAtomically(tiled.graph.canonicalJSON(), to: URL(fileURLWithPath: tiledGraph))
                note += ", written to \(tiledGraph)"
            } else {
                note += " (write it with --tiled-graph FILE to replay the plan)"
            }
            FileHandle.standardError.write(Data((note + "\n").utf8))
            g = tiled.graph
        }
        let resolved = try Cosma.resolve(try CapacitySpec(parsing: capacity), for: g, tensors: accelerator.tensors,
                                         alignment: accelerator.alignment, inPlace: accelerator.inPlace, minimumPeak: minimumPeak)
        return (g, resolved.configuration, resolved.minimumPeak)
    }
}

/// Where a command writes its plan, and how it reports.
struct OutputOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "Write the plan to this JSON file ('-': standard output, the summary then goes to standard error).")
    var output: String?

    @Flag(name: .long, help: "Print a machine-readable summary instead of the human one.")
    var json = false
}

/// Turns library errors into a message on stderr and the documented exit code.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch {
        guard let failure = CallFailure(error) else { throw error }
        printError(failure.message)
        throw ExitCode(failure.code)
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("cosma: error: \(message)\n".utf8))
}

func loadGraph(_ path: String) throws(InputError) -> Graph {
    try Cosma.loadGraph(at: URL(fileURLWithPath: path))
}

/// Writes a plan that has been certified by the simulator.
func write(_ plan: Plan, to path: String?) throws(InputError) {
    guard let path else { return }
    try writeOutput(plan.json(), to: path)
}

/// Writes a command's output file (see ``writeAtomically(_:to:)``); `-` is standard output,
/// after which the command's summary goes to standard error so that stdout holds only the file.
func writeOutput(_ text: String, to path: String) throws(InputError) {
    guard path == "-" else { return try writeAtomically(text, to: URL(fileURLWithPath: path)) }
    print(text, terminator: "")
    fflush(nil)
    dup2(STDERR_FILENO, STDOUT_FILENO)
}

/// Refuses an output path that cannot be written, before any long work whose result would be
/// lost with it: a missing folder, a folder where the file should go, a folder without write
/// permission.
func checkOutputPath(_ path: String?) throws(InputError) {
    guard let path, path != "-" else { return }
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
        if isFolder.boolValue { throw InputError(source: path, message: "is a folder; give a file name for the output") }
        guard access(path, W_OK) == 0 else { throw InputError(source: path, message: "the file exists and is not writable; give another path") }
        return
    }
    let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
    guard FileManager.default.fileExists(atPath: parent, isDirectory: &isFolder), isFolder.boolValue else {
        throw InputError(source: path, message: "the folder \(parent) does not exist; create it first or give another path")
    }
    guard access(parent, W_OK) == 0 else {
        throw InputError(source: path, message: "the folder \(parent) is not writable; give another path")
    }
}
