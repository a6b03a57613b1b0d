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

extension SolverBackend: ExpressibleByArgument {}
extension Cosma.Method: ExpressibleByArgument {}

struct Solve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find a plan with minimum off-chip traffic and prove it optimal where possible.",
        discussion: """
            The exact method solves COSMA's joint program over schedule, addresses and replacement. It starts \
            from the best baseline plan, solves a capacity program (a relaxation, so its optimum is a lower \
            bound), packs the resulting stays into the scratchpad, and brings addresses into the program \
            only when packing fails. Only a plan whose traffic equals a proven bound is called optimal. At a \
            time limit the best plan found is written and labelled as such.
            """)

    @OptionGroup var target: PlanningTarget

    @Option(name: .long, help: "How to plan: exact (the joint program), divide-and-conquer (segment by segment, for large graphs), or auto (picks one from the program's size and says which).")
    var method: Cosma.Method = .exact

    @Option(name: .long, help: "Divide and conquer: operators per segment in the first pass.")
    var segmentOps: Int = DivideAndConquerOptions().segmentOperators

    @Option(name: .long, help: "The MILP solver.")
    var solver: SolverBackend = .cbc

    @Option(name: .long, help: "Stop the solver after this many seconds (work units with --deterministic) and keep the best plan found.")
    var timeLimit: Double = 60

    @Flag(name: .long, help: "Count the budget in work units (solver nodes, order-search evaluations; about a second each on the benchmark machine) instead of seconds: the same plan on any machine and under any load.")
    var deterministic = false

    @Option(name: .long, help: "Stop once the relative gap between plan and bound is at most this (0 proves optimality).")
    var gap: Double = 0

    @Option(name: .long, help: "Keep this schedule and optimise only replacement and addresses: default, mpmf, greedy, or a file with one operator name per line.")
    var fixedSchedule: String?

    @Option(name: .long, help: "Also write the capacity program in CPLEX LP format to this file.")
    var writeLp: String?

    @Flag(name: .long, help: "Show incumbent, bound and elapsed time on stderr while the solver runs.")
    var progress = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if timeLimit <= 0 { throw ValidationError("--time-limit must be positive, got \(timeLimit)") }
        if gap < 0 || gap >= 1 { throw ValidationError("--gap must be in [0, 1), got \(gap)") }
        if segmentOps < 2 { throw ValidationError("--segment-ops must be at least 2, got \(segmentOps)") }
        if method != .exact && fixedSchedule != nil {
            throw ValidationError("--fixed-schedule keeps the order, which only the exact method does; use --method exact")
        }
    }

    func run() throws {
        try reportingErrors {
            let (g, config) = try target.load()
            let order = try fixedSchedule.map { try scheduleOrder($0, graph: g, config: config) }
            if let writeLp {
                let program = JointProgram(problem: PlanningProblem(graph: g, configuration: config, fixedOrder: order))
                do {
                    try program.model.writeLP(to: URL(fileURLWithPath: writeLp))
                } catch {
                    throw InputError(source: writeLp, message: "cannot write the LP file (\(error)); check that the folder exists and is writable")
                }
            }
            var options = ExactOptions(solver: solver, timeLimit: timeLimit, relativeGap: gap, deterministic: deterministic)
            if progress {
                options.progress = { p in
                    let incumbent = p.incumbent.map { String(format: "%.0f", $0) } ?? "-"
                    let bound = p.bestBound.map { String(format: "%.0f", $0) } ?? "-"
                    FileHandle.standardError.write(Data(String(format: "cosma: %7.1fs  incumbent %@  bound %@  nodes %d\n",
                                                               p.elapsedSeconds, incumbent, bound, p.nodes).utf8))
                }
            }
            let result = order == nil
                ? try Cosma.solve(g, configuration: config, method: method, options: options, segmentOperators: segmentOps)
                : try Cosma.solve(g, configuration: config, fixedOrder: order, options: options)
            try write(result.result.plan, to: output.output)
            printSummary(result.result, graph: g, json: output.json, exact: result)
        }
    }

    /// The order named by `--fixed-schedule`: a schedule kind or a file of operator names.
    func scheduleOrder(_ spec: String, graph: Graph, config: Configuration) throws -> [OperatorID] {
        if let kind = ScheduleKind(rawValue: spec) {
            return Cosma.schedule(kind, for: graph, tensors: config.tensors, alignment: config.alignment).order
        }
        let text = String(decoding: try readInput(URL(fileURLWithPath: spec)), as: UTF8.self)
        var order: [OperatorID] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let name = line.trimmingCharacters(in: .whitespaces)
            if name.isEmpty { continue }
            guard let op = graph.operatorID(named: name) else {
                throw InputError(source: spec, message: "line \(n + 1): '\(name)' is not an operator of graph '\(graph.name)'; list one operator name per line")
            }
            order.append(op)
        }
        if let problem = graph.scheduleProblem(order) {
            throw InputError(source: spec, message: "\(problem); list every operator once in an order that can run")
        }
        return order
    }
}
