import Cosma
package import DNNGraph
import Scratchpad
internal import Heuristics
import MILP
import CosmaILP
internal import Tiling
internal import Foundation

/// One instance as a batch hands it to a worker process, and the worker's side of the exchange.
///
/// The batch runs every instance in its own `cosma` process because CBC is not safe to run twice
/// at once in one process, and because a process that overruns can be killed without harm. The
/// parent passes the request as one JSON argument; the worker prints exactly one compact JSON
/// ``ResultRow`` line on stdout and exits 0, whatever the outcome of the method.
package struct WorkerRequest: Codable, Hashable, Sendable {
    package var file: String
    package var setting: TensorSetting
    package var budget: String
    package var method: String
    package var solver: String
    package var timeLimit: Double
    /// ``MethodSettings/deterministic``; absent in requests of earlier versions.
    package var deterministic: Bool?
    /// Where to write the certified plan, if anywhere.
    package var planPath: String?

    package init(instance: InstanceKey, settings: MethodSettings, planPath: String?) {
        file = instance.file
        setting = instance.setting
        budget = instance.budget
        method = instance.method
        solver = settings.solver.rawValue
        timeLimit = settings.timeLimit
        deterministic = settings.deterministic ? true : nil
        self.planPath = planPath
    }

    package var key: InstanceKey { InstanceKey(file: file, setting: setting, budget: budget, method: method) }

    /// The request as the worker's command-line argument.
    package var argument: String {
        JSONValue.object([
            ("file", .string(file)), ("setting", .string(setting.rawValue)), ("budget", .string(budget)),
            ("method", .string(method)), ("solver", .string(solver)), ("timeLimit", .double(timeLimit)),
            ("deterministic", deterministic.map { .bool($0) } ?? .null),
            ("planPath", planPath.map { .string($0) } ?? .null),
        ]).compact
    }

    /// Reads the argument the parent passed.
    package init(argument: String) throws(InputError) {
        self = try decodeJSON(WorkerRequest.self, from: Data(argument.utf8), source: "batch-worker request")
    }

    /// Runs the instance in this process and returns its row. Input problems specific to the
    /// instance (an unresolvable budget, a method name this version does not know) become rows;
    /// a plan that breaks a rule throws (a bug, which the parent records as a crash).
    package func run() throws -> ResultRow {
        let clock = ContinuousClock()
        let start = clock.now
        func wall() -> Double { roundedSeconds((clock.now - start).inSeconds) }
        func row(graph: String, capacity: Int?, status: RowStatus, reason: String) -> ResultRow {
            ResultRow(graph: graph, file: file, setting: setting, budget: budget, capacity: capacity, method: method,
                      status: status, wallSeconds: wall(), reason: reason)
        }
        let graph: Graph
        do {
            graph = try Cosma.loadGraph(at: URL(fileURLWithPath: file))
        } catch {
            return row(graph: URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent, capacity: nil,
                       status: .failed, reason: error.description)
        }
        guard let backend = SolverBackend(rawValue: solver) else {
            return row(graph: graph.name, capacity: nil, status: .failed, reason: "unknown solver '\(solver)'")
        }
        let methods: [BatchMethod]
        do {
            methods = try BatchMethod.parse(method)
        } catch {
            return row(graph: graph.name, capacity: nil, status: .failed, reason: error.message)
        }
        guard methods.count == 1, let chosen = methods.first else {
            return row(graph: graph.name, capacity: nil, status: .failed, reason: "'\(method)' names \(methods.count) methods; a worker runs one")
        }
        let instance: (tiled: TiledGraph?, configuration: Configuration)
        do {
            instance = try BudgetLabel.instance(budget, graph: graph, setting: setting)
        } catch {
            return row(graph: graph.name, capacity: nil, status: .unavailable, reason: error.message)
        }
        // Below M_R the plan refers to the tiled graph, kept beside it so that it can be replayed.
        let planned = instance.tiled?.graph ?? graph
        let outcome = try chosen.run(graph: planned, configuration: instance.configuration,
                                     settings: MethodSettings(solver: backend, timeLimit: timeLimit, deterministic: deterministic ?? false))
        if let plan = outcome.plan, let planPath {
            try writeAtomically(plan.plan.json(), to: URL(fileURLWithPath: planPath))
            if let tiled = instance.tiled {
                try writeAtomically(tiled.graph.canonicalJSON(), to: URL(fileURLWithPath: BatchRun.tiledGraphPath(ofPlan: planPath)))
            }
        }
        let traffic = outcome.plan?.report.traffic
        return ResultRow(graph: graph.name, file: file, setting: setting, budget: budget, capacity: instance.configuration.capacity,
                         method: method, status: outcome.status, total: traffic?.total, compulsory: traffic?.compulsory,
                         nonCompulsory: traffic?.nonCompulsory, bound: outcome.bound, gap: outcome.gap,
                         buildSeconds: outcome.buildSeconds.map(roundedSeconds), solveSeconds: outcome.solveSeconds.map(roundedSeconds),
                         methodSeconds: roundedSeconds(outcome.methodSeconds),
                         wallSeconds: wall(), reason: outcome.reason, tiles: instance.tiled.map { $0.tiles })
    }
}

/// A duration in seconds.
