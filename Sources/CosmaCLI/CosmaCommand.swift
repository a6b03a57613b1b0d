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
        subcommands: [Info.self, Validate.self, Simulate.self, Heuristic.self, Import.self, Generate.self, GraphsTable.self, Bench.self, Solve.self, Batch.self, Sweep.self, Plot.self, BatchWorker.self, Pack.self])

    /// Every command's solver calls run in `cosma-solver` children (``SolverContainment``), so
    /// that a solver crash or hang is a result, not the end of `cosma`; `cosma solve
    /// --in-process-solver` and batch workers (processes of their own already) solve in process.
    static func main() {
        SolverContainment.$current.withValue(SolverContainment()) { main(nil) }
    }
}

/// A time limit is a wall-clock promise: a positive, finite number of seconds (NaN, infinity,
/// zero and negative values are refused with exit code 2, naming `option`).
func checkTimeLimit(_ seconds: Double, option: String = "--time-limit") throws(InputError) {
    guard seconds.isFinite, seconds > 0 else {
        throw InputError(source: option, message: "\(option) must be a positive, finite number of seconds, got \(seconds); "
                         + "give one such as \(option) 60")
    }
}

extension TensorSetting: ExpressibleByArgument {}
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

    func validate() throws {
        guard alignment >= 1 else { throw ValidationError("--alignment must be at least 1, got \(alignment)") }
    }
}

/// The graph and accelerator every planning command starts from.
struct PlanningTarget: ParsableArguments {
    @Argument(help: "The graph, canonical JSON.")
    var graph: String

    @Option(name: .long, help: "Scratchpad capacity: bytes, units (512KiB) or a budget name (M_R, M_H, M_P).")
    var capacity: String

    @OptionGroup var accelerator: AcceleratorOptions

    /// Loads the graph and resolves the capacity, rejecting capacities below `M_R`.
    func load() throws(InputError) -> (Graph, Configuration) {
        let g = try loadGraph(graph)
        let config = try Cosma.configuration(for: g, capacity: try CapacitySpec(parsing: capacity),
                                             tensors: accelerator.tensors, alignment: accelerator.alignment)
        return (g, config)
    }
}

/// Where a command writes its plan, and how it reports.
struct OutputOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "Write the plan to this JSON file.")
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
    try writeAtomically(plan.json(), to: URL(fileURLWithPath: path))
}
