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

/// Sets of baselines the `heuristic` command can run side by side.
enum BaselineSet: String, CaseIterable, ExpressibleByArgument {
    /// The four combinations of the COSMA paper.
    case paper
    /// TVM's hill-climbing arena with size-aware Belady or LRU (``Baseline/production``).
    case production
    /// Every schedule, replacement and allocation policy, and the production ones.
    case all

    var baselines: [Baseline] {
        switch self {
        case .paper: Baseline.paper
        case .production: Baseline.production
        case .all: Baseline.all + Baseline.production
        }
    }
}

struct Heuristic: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a plan with a compiler heuristic: an order, TFLite arena or on-line allocation, and eviction.",
        discussion: """
            When TensorFlow Lite's arena planner packs the whole order into the capacity the plan spills nothing; \
            otherwise tensors are placed on-line in free gaps (--alloc) and evicted by --replace. --arena picks \
            another allocator for the zero-spill packing: TVM's greedy-by-size, greedy-by-conflicts or hill-climb. \
            When an operator's operands do not fit, the heuristic evicts further in its policy's order and then \
            compacts the scattered operands (reloading them, storing first what has no DRAM copy); the summary \
            counts how often. With --strict it fails there instead, with exit code 1, as the COSMA paper's \
            baselines did. --baseline runs several combinations and prints a table (a failure is a row, not an error).
            """)

    @OptionGroup var target: PlanningTarget

    @Option(name: .long, help: "Operator order: the file's, the minimum-peak one, or the memory-aware greedy one.")
    var schedule: ScheduleKind = .default

    @Option(name: .long, help: "Which tensors to evict when operands do not fit.")
    var replace: ReplacementPolicy = .belady

    @Option(name: .long, help: "How to choose a free gap when allocating on-line.")
    var alloc: AllocationPolicy = .bestFit

    @Option(name: .long, help: "Allocator for the zero-spill packing of the whole order.")
    var arena: ArenaAllocator = .tflite

    @Flag(name: .long, help: "Fail when fragmentation leaves no room for an operator's operands, instead of evicting further and compacting.")
    var strict = false

    @Option(name: .long, help: "Run a set of combinations instead and print a table: paper (the COSMA paper's four), production (TVM's hill-climbing arena with size-aware Belady or LRU) or all.")
    var baseline: BaselineSet?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if baseline != nil && output.output != nil {
            throw ValidationError("--baseline prints a table and writes no plan; drop -o, or drop --baseline to write one plan")
        }
    }

    func run() throws {
        try reportingErrors {
            try checkOutputPath(output.output)
            let (g, config) = try target.load()
            if let baseline {
                let chosen = baseline.baselines.map { strict ? $0.strictVariant : $0 }
                printTable(try Cosma.baselines(chosen, for: g, configuration: config), graph: g,
                           configuration: config, json: output.json)
                return
            }
            let order = Cosma.schedule(schedule, for: g, tensors: config.tensors, alignment: config.alignment, inPlace: config.inPlace)
            let chosen = Baseline(schedule: schedule, replacement: replace, allocation: alloc, arena: arena, strict: strict)
            let result = try chosen.plan(graph: g, configuration: config, schedule: order).get()
            try write(result.plan, to: output.output)
            printSummary(result, graph: g, json: output.json)
            if !output.json { print("schedule                \(describe(order))") }
        }
    }
}

/// One line on where an order came from and what its peak proves.
func describe(_ schedule: Schedule) -> String {
    "\(schedule.algorithm), peak \(schedule.peakBytes) bytes without spills" + (schedule.provenMinimal ? " (proven minimal)" : "")
}

/// The side-by-side table of `heuristic --baseline`.
func printTable(_ outcomes: [BaselineOutcome], graph: Graph, configuration: Configuration, json: Bool) {
    if json {
        let rows: [JSONValue] = outcomes.map { outcome in
            var fields: [(String, JSONValue)] = [
                ("schedule", .string(outcome.baseline.schedule.rawValue)),
                ("scheduleAlgorithm", .string(outcome.schedule.algorithm.description)),
                ("schedulePeak", .int(outcome.schedule.peakBytes)),
                ("replace", .string(outcome.baseline.replacement.rawValue)),
                ("alloc", .string(outcome.baseline.allocation.rawValue)),
            ]
            switch outcome.result {
            case .success(let result):
                fields += [("method", .string(result.plan.method ?? "")), ("traffic", result.report.traffic.jsonValue),
                           ("fallbacks", result.fallbacks.jsonValue)]
            case .failure(let failure):
                fields.append(("failure", .string(failure.description)))
            }
            return .object(fields)
        }
        print(JSONValue.object([
            DocumentFormat.baselines.field, ("graph", .string(graph.name)), ("capacity", .int(configuration.capacity)),
            ("tensors", .string(configuration.tensors.rawValue)), ("baselines", .array(rows)),
        ]).formatted(expandDepth: 2), terminator: "")
        return
    }
    print("\(graph.name) at capacity \(configuration.capacity) bytes (\(formatBytes(configuration.capacity))), tensors \(configuration.tensors.rawValue)")
    let header = ["schedule", "replace", "alloc", "non-compulsory bytes", "method"]
    var rows: [[String]] = outcomes.map { outcome in
        let b = outcome.baseline
        switch outcome.result {
        case .success(let result):
            return [b.schedule.rawValue, b.replacement.rawValue, b.allocation.rawValue,
                    "\(result.report.traffic.nonCompulsory)",
                    (result.plan.method ?? "") + (result.fallbacks.isEmpty ? "" : " (fallbacks: \(result.fallbacks))")]
        case .failure(let failure):
            return [b.schedule.rawValue, b.replacement.rawValue, b.allocation.rawValue, "fails",
                    "step \(failure.step + 1), needs \(failure.bytesNeeded) B, largest gap \(failure.largestGap) B"]
        }
    }
    rows.insert(header, at: 0)
    let widths = header.indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
    for row in rows {
        let padded = row.indices.dropLast().map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
        print((padded + [row[row.count - 1]]).joined(separator: "  "))
    }
    var seen = Set<ScheduleKind>()
    for outcome in outcomes where seen.insert(outcome.baseline.schedule).inserted {
        print("order \(outcome.baseline.schedule.rawValue): \(describe(outcome.schedule))")
    }
}

/// The summary every planning command prints after its plan passed the simulator; `exact` adds
/// what the solver proved and where the time went.
func printSummary(_ result: CertifiedPlan, graph: Graph, json: Bool, exact: PlanResult? = nil) {
    let t = result.report.traffic
    let plan = result.plan
    if json {
        print(Cosma.summary(of: result, graph: graph, exact: exact).formatted(expandDepth: 1), terminator: "")
        return
    }
    print("\(graph.name): \(plan.method ?? "plan") at capacity \(plan.capacity) bytes (\(formatBytes(plan.capacity))), tensors \(plan.tensors.rawValue)")
    if let exact {
        let statusLine = switch exact.status {
        case .optimal: "optimal (proven)"
        case .feasible: String(format: "feasible, not proven optimal: gap %.2f%%", exact.gap * 100)
        case .timeLimit: String(format: "%@ reached: best plan found, gap %.2f%%", exact.work == nil ? "time limit" : "work budget",
                                exact.gap * 100)
        }
        print("status                  \(statusLine)")
    }
    print("non-compulsory traffic  \(t.nonCompulsory) bytes (\(formatBytes(t.nonCompulsory)))")
    if let exact {
        print("lower bound             \(exact.bound) bytes")
    }
    print("total traffic           \(t.total) bytes (compulsory \(t.compulsory))")
    print("peak occupancy          \(result.report.peakOccupancy) bytes; the plan passed the simulator")
    if exact == nil {
        print("fallbacks               \(result.fallbacks)")
    }
    if let exact {
        print(String(format: "time                    %.3f s building, %.3f s solving (%@)", exact.buildSeconds, exact.solveSeconds,
                     plan.solver?.name ?? "no solver"))
        if let work = exact.work {
            print(String(format: "mode                    deterministic: %.1f work units spent (no decision read the clock)", work))
        } else {
            print("mode                    wall-clock (--deterministic for the same plan on every run)")
        }
        for line in exact.trace.lines { print("  - \(line)") }
    }
}
