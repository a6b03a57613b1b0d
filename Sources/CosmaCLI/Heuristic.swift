import ArgumentParser
import Cosma
import Foundation

struct Heuristic: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a plan with a compiler heuristic: a fixed order, on-line allocation and eviction.")

    @Argument(help: "The graph, canonical JSON.")
    var graph: String

    @Option(name: .long, help: "Scratchpad capacity: bytes, units (512KiB) or a budget name (M_R, M_H, M_P).")
    var capacity: String

    @OptionGroup var accelerator: AcceleratorOptions

    @Option(name: .long, help: "Which tensor to evict when operands do not fit.")
    var replace: ReplacementPolicy = .belady

    @Option(name: .long, help: "How to choose a free gap.")
    var alloc: AllocationPolicy = .bestFit

    @OptionGroup var output: OutputOptions

    func run() throws {
        try reportingErrors {
            let g = try loadGraph(graph)
            let config = try Cosma.configuration(for: g, capacity: try CapacitySpec(parsing: capacity),
                                                 tensors: accelerator.tensors, alignment: accelerator.alignment)
            let result = try Cosma.heuristicPlan(for: g, configuration: config, replacement: replace, allocation: alloc)
            try write(result.plan, to: output.output)
            printSummary(result, graph: g, json: output.json)
        }
    }
}

/// The summary every planning command prints after its plan passed the simulator.
func printSummary(_ result: CertifiedPlan, graph: Graph, json: Bool) {
    let t = result.report.traffic
    let plan = result.plan
    if json {
        var fields: [(String, JSONValue)] = [
            ("graph", .string(graph.name)), ("method", .string(plan.method ?? "")), ("valid", .bool(true)),
            ("capacity", .int(plan.capacity)), ("alignment", .int(plan.alignment)), ("tensors", .string(plan.tensors.rawValue)),
            ("traffic", t.jsonValue), ("peakOccupancy", .int(result.report.peakOccupancy)),
        ]
        if let s = plan.solver {
            fields.append(("solver", .object([("name", .string(s.name)), ("status", .string(s.status))])))
        }
        print(JSONValue.object(fields).formatted(expandDepth: 1), terminator: "")
        return
    }
    print("\(graph.name): \(plan.method ?? "plan") at capacity \(plan.capacity) bytes (\(formatBytes(plan.capacity))), tensors \(plan.tensors.rawValue)")
    print("non-compulsory traffic  \(t.nonCompulsory) bytes (\(formatBytes(t.nonCompulsory)))")
    print("total traffic           \(t.total) bytes (compulsory \(t.compulsory))")
    print("peak occupancy          \(result.report.peakOccupancy) bytes; the plan passed the simulator")
}
