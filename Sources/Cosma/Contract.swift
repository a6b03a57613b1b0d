package import CosmaILP
package import DNNGraph
import Foundation
import Heuristics
internal import MILP
package import Scratchpad

/// The machine-readable answers of Cosma, shared by the command-line tool (`--json`) and the C
/// library, so that both write one versioned format each (see ``DocumentFormat`` and `schemas/`).
extension Cosma {
    /// What a planning command or call reports about a plan that passed the simulator
    /// (``DocumentFormat/summary``); `exact` adds what the solver proved and where the time went.
    package static func summary(of result: CertifiedPlan, graph: Graph, exact: PlanResult? = nil) -> JSONValue {
        let plan = result.plan
        var fields: [(String, JSONValue)] = [
            DocumentFormat.summary.field,
            ("graph", .string(graph.name)), ("method", .string(plan.method ?? "")), ("valid", .bool(true)),
            ("capacity", .int(plan.capacity)), ("alignment", .int(plan.alignment)), ("tensors", .string(plan.tensors.rawValue)),
            ("traffic", result.report.traffic.jsonValue), ("peakOccupancy", .int(result.report.peakOccupancy)),
        ]
        if exact == nil { fields.append(("fallbacks", result.fallbacks.jsonValue)) }
        if let s = plan.solver {
            var solver: [(String, JSONValue)] = [("name", .string(s.name)), ("status", .string(s.status))]
            if let exact {
                solver += [
                    ("bound", .int(exact.bound)), ("gap", .double(exact.gap)),
                    ("buildSeconds", .double(exact.buildSeconds)), ("solveSeconds", .double(exact.solveSeconds)),
                    ("mode", .string(exact.work == nil ? "wall-clock" : "deterministic")),
                ]
                if let work = exact.work { solver.append(("work", .double(work))) }
            }
            fields.append(("solver", .object(solver)))
        }
        if let exact, !exact.trace.lines.isEmpty { fields.append(("notes", .array(exact.trace.lines.map { .string($0) }))) }
        return .object(fields)
    }

    /// A replayed plan: valid or not, its traffic and every violation (``DocumentFormat/simulation``).
    package static func simulationReport(_ report: SimulationReport, graph: Graph, configuration: Configuration) -> JSONValue {
        .object([
            DocumentFormat.simulation.field,
            ("valid", .bool(report.isValid)), ("graph", .string(graph.name)),
            ("capacity", .int(configuration.capacity)), ("alignment", .int(configuration.alignment)),
            ("tensors", .string(configuration.tensors.rawValue)), ("traffic", report.traffic.jsonValue),
            ("peakOccupancy", .int(report.peakOccupancy)), ("peakAddress", .int(report.peakAddress)),
            ("violations", .array(report.violations.map(\.jsonValue))),
        ])
    }
}

extension Cosma {
    /// Refuses a plan whose `"graph"` names another graph than the one given.
    package static func checkPlan(_ plan: Plan, isFor graph: Graph, planSource: String) throws(InputError) {
        guard plan.graph.isEmpty || plan.graph == graph.name else {
            throw InputError(source: planSource, message: "the plan was made for graph '\(plan.graph)', not for '\(graph.name)'; give the graph it was made for")
        }
    }

    /// The configuration a plan is replayed in: the plan's own, with any of capacity, tensor
    /// setting and alignment overridden. Only `M_P` and `M_H` need the minimum-peak proof; the
    /// other capacities resolve at once. A plan that names another graph is refused (a plan
    /// without a name, as older tools wrote, is replayed).
    package static func configuration(replaying plan: Plan, on graph: Graph, capacity: CapacitySpec? = nil,
                                     tensors: TensorSetting? = nil, alignment: Int? = nil,
                                     inPlace: InPlaceMode? = nil,
                                     planSource: String = "plan") throws(InputError) -> Configuration
    {
        try checkPlan(plan, isFor: graph, planSource: planSource)
        var config = plan.configuration
        if let tensors { config.tensors = tensors }
        if let inPlace { config.inPlace = inPlace }
        if let alignment {
            if let problem = Configuration.problem(alignment: alignment) { throw InputError(source: "alignment", message: problem) }
            config.alignment = alignment
        }
        if let capacity {
            let needsMinimumPeak = capacity == .budget(.mP) || capacity == .budget(.mH)
            config.capacity = try budgets(for: graph, tensors: config.tensors, alignment: config.alignment, inPlace: config.inPlace,
                                          minimumPeak: needsMinimumPeak ? MinimumPeakOptions() : nil).resolve(capacity)
        }
        return config
    }
}

/// An error as a caller of Cosma sees it: a code (1: no valid plan, 2: unusable input), a message
/// naming the problem, the item it concerns and what to do. The command-line tool prints the
/// message and exits with the code; the C library returns the code with ``jsonValue``.
package struct CallFailure: Error, Sendable {
    /// 1 when no valid plan was made, 2 when the input cannot be used.
    package var code: Int32
    package var message: String
    /// The file, option or argument the problem concerns (`graph`, `capacity`, `tensors[3]`...).
    package var item: String
    package var fix: String

    package init(code: Int32, message: String, item: String, fix: String) {
        self.code = code
        self.message = message
        self.item = item
        self.fix = fix
    }

    /// The failure an error of Cosma's stands for; `nil` for errors Cosma does not raise.
    package init?(_ error: any Error) {
        switch error {
        case let error as CallFailure:
            self = error
        case let error as InputError:
            // Messages say what is wrong, then after the last "; " what to do.
            let fix = error.message.range(of: "; ", options: .backwards).map { String(error.message[$0.upperBound...]) }
            self.init(code: 2, message: error.description, item: error.source,
                      fix: fix ?? "correct \(error.source) as the message says")
        case let error as PlanningFailure:
            self.init(code: 1, message: "no plan: \(error.description)", item: "capacity",
                      fix: "raise the capacity, or plan with the exact method, which spills where heuristics fragment")
        case let error as ExactFailure:
            self.init(code: 1, message: "no plan: \(error.description)", item: "method",
                      fix: "raise the time limit, or plan with another method")
        case let error as SolverError:
            self.init(code: 1, message: "the solver could not run: \(error.description)", item: "solver",
                      fix: "try the other solver (cbc or glpk)")
        case let error as InvalidPlanError:
            self.init(code: 1, message: error.description, item: error.method,
                      fix: "plan with another method and report this bug")
        default:
            return nil
        }
    }

    /// `{"format": "cosma-result/1", "error": {"message", "item", "fix"}}`.
    package var jsonValue: JSONValue {
        .object([
            DocumentFormat.result.field,
            ("error", .object([("message", .string(message)), ("item", .string(item)), ("fix", .string(fix))])),
        ])
    }
}

extension FallbackCounts {
    /// The counts as the `--json` summaries give them: how often each fallback of the on-line
    /// heuristics fired (``CertifiedPlan/fallbacks``).
    package var jsonValue: JSONValue {
        .object([
            ("furtherEvictions", .int(furtherEvictions)), ("compactions", .int(compactions)), ("reloads", .int(reloads)),
            ("storeReloads", .int(storeReloads)), ("flushes", .int(flushes)),
        ])
    }
}
