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

    @Flag(name: .long, help: "Count the budget in work units (solver nodes and iterations, order-search evaluations; about a second each on the benchmark machine) instead of seconds: the same plan on any machine and under any load.")
    var deterministic = false

    @Option(name: .long, help: "Stop once the relative gap between plan and bound is at most this (0 proves optimality).")
    var gap: Double = 0

    @Option(name: .long, help: "Keep this schedule and optimise only replacement and addresses: default, mpmf (minimum-peak search, then program), mpmf-search (the search alone), greedy, or a file with one operator name per line.")
    var fixedSchedule: String?

    @Option(name: .long, help: "Also write the capacity program in CPLEX LP format to this file.")
    var writeLp: String?

    @Flag(name: .long, help: "Run the solver inside this process instead of a cosma-solver child (a solver crash then ends cosma).")
    var inProcessSolver = false

    @Flag(name: .long, help: "Show each phase, then incumbent, bound and elapsed time on stderr while the solver runs; a heartbeat names the phase when nothing else was printed for 2 s.")
    var progress = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if gap < 0 || gap >= 1 { throw ValidationError("--gap must be in [0, 1), got \(gap)") }
        if segmentOps < 2 { throw ValidationError("--segment-ops must be at least 2, got \(segmentOps)") }
        if method != .exact && fixedSchedule != nil {
            throw ValidationError("--fixed-schedule keeps the order, which only the exact method does; use --method exact")
        }
    }

    func run() throws {
        try reportingErrors {
            try checkTimeLimit(timeLimit)
            let started = ContinuousClock.now
            try checkOutputPath(output.output)
            try checkOutputPath(writeLp)
            let reporter = progress ? PhaseReporter() : nil
            defer { reporter?.stop() }
            let named = ["m_p", "m_h"].contains(target.capacity.lowercased())
            reporter?.enter("reading the graph and resolving the capacity" + (named ? " (minimum-peak search for M_P)" : ""))
            // Proving M_P spends the limit too, at most most of it (TimeBudget.minimumPeakForBudgets);
            // a deterministic limit counts the planner's work alone: the search's own state
            // budgets already make M_P the same on every machine.
            let minimumPeak = MinimumPeakOptions(deterministic: deterministic, sharing: TimeBudget(seconds: timeLimit))
            let (g, config, schedule) = try target.loadResolving(minimumPeak: minimumPeak)
            reporter?.enter("planning: baselines, order search, building the program")
            let order = try fixedSchedule.map { try scheduleOrder($0, graph: g, config: config) }
            if let writeLp { try writeProgram(to: writeLp, graph: g, config: config, order: order) }
            // The limit counts from the start of the command: loading and budgets spend it too. A
            // deterministic limit counts work, which the clock must not touch.
            let left = deterministic ? timeLimit : max(timeLimit - (ContinuousClock.now - started).inSeconds, TimeBudget.smallestShare)
            let options = exactOptions(timeLimit: left, reporter: reporter, minimumPeak: schedule)
            StageListener.set(Self.stageListener(reporter))
            let (planned, signal) = Interruption.run { [method, segmentOps] in
                order == nil
                    ? try Cosma.solve(g, configuration: config, method: method, options: options, segmentOperators: segmentOps)
                    : try Cosma.solve(g, configuration: config, fixedOrder: order, options: options)
            }
            StageListener.set(nil)
            guard let result = try planned.get(signal: signal) else { throw Interruption.nothingWritten(signal) }
            reporter?.enter("simulating and writing the plan")
            try write(result.result.plan, to: output.output)
            reporter?.stop()
            printSummary(result.result, graph: g, json: output.json, exact: result)
            if let signal { throw Interruption.planWritten(signal, to: output.output) }
        }
    }

    /// What names the planner's stage in the heartbeat of `--progress`, not only the broad phase.
    private static func stageListener(_ reporter: PhaseReporter?) -> (@Sendable (PlannerStage) -> Void)? {
        guard let reporter else { return nil }
        return { stage in reporter.enter("planning: \(stage.rawValue)") }
    }

    private func writeProgram(to path: String, graph: Graph, config: Configuration, order: [OperatorID]?) throws {
        let program = JointProgram(problem: PlanningProblem(graph: graph, configuration: config, fixedOrder: order))
        do {
            try program.model.writeLP(to: URL(fileURLWithPath: path))
        } catch {
            throw InputError(source: path, message: "cannot write the LP file (\(error)); check that the folder exists and is writable")
        }
    }

    private func exactOptions(timeLimit: Double, reporter: PhaseReporter?, minimumPeak: Schedule?) -> ExactOptions {
        var options = ExactOptions(solver: solver, timeLimit: timeLimit, relativeGap: gap,
                                   solverIsolation: inProcessSolver ? .inProcess : .childProcess, deterministic: deterministic)
        options.minimumPeak = minimumPeak
        if let reporter { options.progress = { reporter.solver($0) } }
        return options
    }

    /// The order named by `--fixed-schedule`: a schedule kind or a file of operator names.
    func scheduleOrder(_ spec: String, graph: Graph, config: Configuration) throws -> [OperatorID] {
        if let kind = ScheduleKind(rawValue: spec) {
            return Cosma.schedule(kind, for: graph, tensors: config.tensors, alignment: config.alignment, inPlace: config.inPlace).order
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
