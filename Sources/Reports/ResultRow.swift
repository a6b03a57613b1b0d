import Cosma
package import DNNGraph
import Scratchpad
internal import Heuristics
import MILP
import CosmaILP
internal import Foundation

/// How one instance of a batch ended. The first four carry a certified plan; the others say why
/// there is none (``ResultRow/reason``).
package enum RowStatus: String, Codable, Sendable, CaseIterable, JSONEnumeration {
    /// An exact method's plan whose traffic equals a proven lower bound.
    case optimal
    /// An exact method's plan, not proven optimal; bound and gap say how far it may be.
    case feasible
    /// The solver stopped at its time limit; the best plan found is recorded.
    case timeLimit
    /// A heuristic's plan (heuristics prove nothing).
    case heuristic
    /// The method ran and could not produce a valid plan (for example fragmentation).
    case failed
    /// The budget cannot be resolved for this graph and setting (for example `M_P` unproven, or a
    /// capacity below `M_R`).
    case unavailable
    /// The worker overran the time limit by the batch's margin and was killed.
    case timeout
    /// The worker exited without a result (a crash, or a plan that broke a rule).
    case crashed

    init(_ status: PlanStatus) {
        switch status {
        case .optimal: self = .optimal
        case .feasible: self = .feasible
        case .timeLimit: self = .timeLimit
        }
    }

    /// Whether rows with this status carry a certified plan and its traffic.
    package var hasPlan: Bool { [.optimal, .feasible, .timeLimit, .heuristic].contains(self) }
}

/// One line of a batch's results: one graph, tensor setting, budget and method.
///
/// Traffic is in bytes and comes from the simulator's replay of the plan. Times are wall seconds,
/// rounded to milliseconds where they are measured so that every file of a run shows the same
/// values.
package struct ResultRow: Codable, Hashable, Sendable {
    /// The graph's name (from its file).
    package var graph: String
    /// The graph file, as the batch was given it.
    package var file: String
    package var setting: TensorSetting
    /// The budget as the batch names it: `M_R`, `M_H`, `M_P` or a size such as `2MiB`.
    package var budget: String
    /// The budget in bytes, when it could be resolved.
    package var capacity: Int?
    /// ``BatchMethod`` name.
    package var method: String
    package var status: RowStatus
    package var total: Int?
    package var compulsory: Int?
    package var nonCompulsory: Int?
    /// Proven lower bound on non-compulsory traffic (exact methods).
    package var bound: Int?
    /// Relative gap `(traffic - bound) / traffic` (exact methods).
    package var gap: Double?
    /// Seconds building programs (exact methods).
    package var buildSeconds: Double?
    /// Seconds in the solver (exact methods).
    package var solveSeconds: Double?
    /// Seconds the method took in all: for the exact methods the warm-start heuristics, building,
    /// solving and packing; for a heuristic its schedule and plan. Budgets and graph loading excluded.
    package var methodSeconds: Double?
    /// Seconds from the worker's start to its answer, graph loading and budgets included.
    package var wallSeconds: Double
    /// Why there is no plan, for rows without one.
    package var reason: String?
    /// Tile operators in the graph planned, when the capacity was below `M_R` and the graph was
    /// tiled for it (the plan then refers to the tiled graph); nil otherwise.
    package var tiles: Int?

    package init(graph: String, file: String, setting: TensorSetting, budget: String, capacity: Int?, method: String,
                status: RowStatus, total: Int? = nil, compulsory: Int? = nil, nonCompulsory: Int? = nil, bound: Int? = nil,
                gap: Double? = nil, buildSeconds: Double? = nil, solveSeconds: Double? = nil, methodSeconds: Double? = nil,
                wallSeconds: Double,
                reason: String? = nil, tiles: Int? = nil)
    {
        self.graph = graph
        self.file = file
        self.setting = setting
        self.budget = budget
        self.capacity = capacity
        self.method = method
        self.status = status
        self.total = total
        self.compulsory = compulsory
        self.nonCompulsory = nonCompulsory
        self.bound = bound
        self.gap = gap
        self.buildSeconds = buildSeconds
        self.solveSeconds = solveSeconds
        self.methodSeconds = methodSeconds
        self.wallSeconds = wallSeconds
        self.reason = reason
        self.tiles = tiles
    }

    /// The instance this row answers.
    package var key: InstanceKey { InstanceKey(file: file, setting: setting, budget: budget, method: method) }

    /// Column names of `results.csv`, in order; ``jsonValue`` uses the same keys.
    package static let columns = [
        "graph", "file", "setting", "budget", "capacity", "method", "status", "total", "compulsory", "nonCompulsory",
        "bound", "gap", "buildSeconds", "solveSeconds", "methodSeconds", "wallSeconds", "reason", "tiles",
    ]

    /// The row as JSON values, keyed by ``columns``; absent values are `null`.
    package var jsonValue: JSONValue {
        func int(_ v: Int?) -> JSONValue { v.map { .int($0) } ?? .null }
        func double(_ v: Double?) -> JSONValue { v.map { .double($0) } ?? .null }
        return .object([
            ("graph", .string(graph)), ("file", .string(file)), ("setting", .string(setting.rawValue)),
            ("budget", .string(budget)), ("capacity", int(capacity)), ("method", .string(method)),
            ("status", .string(status.rawValue)), ("total", int(total)), ("compulsory", int(compulsory)),
            ("nonCompulsory", int(nonCompulsory)), ("bound", int(bound)), ("gap", double(gap)),
            ("buildSeconds", double(buildSeconds)), ("solveSeconds", double(solveSeconds)),
            ("methodSeconds", double(methodSeconds)),
            ("wallSeconds", .double(wallSeconds)), ("reason", reason.map { .string($0) } ?? .null),
            ("tiles", int(tiles)),
        ])
    }

    /// The row's cells for `results.csv`, in ``columns`` order; absent values are empty. Numbers
    /// are written in Swift's shortest exact form, so parsing a cell gives the value back.
    package var csvCells: [String] {
        func text(_ v: Int?) -> String { v.map(String.init) ?? "" }
        func text(_ v: Double?) -> String { v.map { "\($0)" } ?? "" }
        return [
            graph, file, setting.rawValue, budget, text(capacity), method, status.rawValue, text(total), text(compulsory),
            text(nonCompulsory), text(bound), text(gap), text(buildSeconds), text(solveSeconds), text(methodSeconds), text(wallSeconds),
            reason ?? "", text(tiles),
        ]
    }

    /// Decodes a row from its compact JSON (a journal line or a worker's answer).
    package init(json line: String, source: String) throws(InputError) {
        self = try decodeJSON(ResultRow.self, from: Data(line.utf8), source: source)
    }
}

/// Identifies one instance of a batch: graph file, setting, budget name and method name.
package struct InstanceKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    package var file: String
    package var setting: TensorSetting
    package var budget: String
    package var method: String

    package init(file: String, setting: TensorSetting, budget: String, method: String) {
        self.file = file
        self.setting = setting
        self.budget = budget
        self.method = method
    }

    package var description: String { "\(file) \(setting.rawValue) \(budget) \(method)" }

    package static func < (a: InstanceKey, b: InstanceKey) -> Bool {
        (a.file, a.setting.rawValue, a.budget, a.method) < (b.file, b.setting.rawValue, b.budget, b.method)
    }
}

/// Rounds a measured time to milliseconds: finer digits are noise, and one value everywhere lets
/// a report be checked against its CSV exactly.
func roundedSeconds(_ seconds: Double) -> Double {
    (seconds * 1000).rounded() / 1000
}
