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

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay a plan and check every rule.",
        discussion: "Exit 0 when the plan is valid, 1 when it breaks a rule (each violation is listed), 2 for unusable input.")

    @Argument(help: "The graph, canonical JSON.")
    var graph: String

    @Argument(help: "The plan, JSON.")
    var plan: String

    @Option(name: .long, help: "Replay at this capacity instead of the plan's (bytes, units, or M_R/M_H/M_P).")
    var capacity: String?

    @Option(name: .long, help: "Replay in this tensor setting instead of the plan's.")
    var tensors: TensorSetting?

    @Option(name: .long, help: "Replay with this alignment instead of the plan's.")
    var alignment: Int?

    @Option(name: .long, help: "Replay under this in-place model (on|off) instead of the plan's.")
    var inPlace: InPlaceMode?

    @Flag(name: .long, help: "Print one JSON object: valid, traffic, violations, ...")
    var json = false

    func run() throws {
        let report = try reportingErrors { () throws -> SimulationReport in
            let g = try loadGraph(graph)
            let p = try Plan(contentsOf: URL(fileURLWithPath: plan))
            let config = try Cosma.configuration(replaying: p, on: g, capacity: try capacity.map { c throws(InputError) in try CapacitySpec(parsing: c) },
                                                 tensors: tensors, alignment: alignment, inPlace: inPlace, planSource: plan)
            let report = Cosma.simulate(p, on: g, configuration: config)
            if json {
                print(Cosma.simulationReport(report, graph: g, configuration: config).formatted(expandDepth: 2), terminator: "")
            } else {
                let t = report.traffic
                print(report.isValid ? "valid plan for '\(g.name)' at capacity \(config.capacity) bytes" : "INVALID plan for '\(g.name)' at capacity \(config.capacity) bytes: \(report.violations.count) violation(s)")
                print("traffic          \(t.total) bytes (compulsory \(t.compulsory), non-compulsory \(t.nonCompulsory))")
                print("peak occupancy   \(report.peakOccupancy) bytes, highest address \(report.peakAddress)")
                for v in report.violations { print("  - \(v)") }
            }
            return report
        }
        if !report.isValid { throw ExitCode(1) }
    }
}
