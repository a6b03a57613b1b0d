import Cosma
import CosmaILP
import DivideAndConquer
import DNNGraph
import Scratchpad
import Foundation

/// The options of a library call (`schemas/options.schema.json`): what the command-line tool
/// takes, with the same defaults. Unknown keys are refused, so that a misspelt option never
/// silently plans with a default.
struct CallOptions: Decodable {
    /// How a call plans: the CLI's `solve --method` values, plus `heuristic` (the paper's default
    /// order with Belady replacement and best-fit allocation, in milliseconds).
    enum Method: String, Decodable, CaseIterable {
        case exact
        case divideAndConquer = "divide-and-conquer"
        case auto
        case heuristic

        /// The facade's method of the same name; `nil` for `heuristic`, which solves nothing.
        var solving: Cosma.Method? { Cosma.Method(rawValue: rawValue) }
    }

    var capacity: CapacitySpec?
    /// `nil` when not given: planning then uses `activations` and 1, replaying the plan's own.
    var tensors: TensorSetting?
    var alignment: Int?
    /// `nil` when not given: planning then uses `off`, replaying the plan's own mode.
    var inPlace: InPlaceMode?
    var method = Method.exact
    var solver = SolverBackend.cbc
    /// Seconds the planner may take (60, as `cosma solve`); `nil`, from `"timeLimit": null`, lets
    /// every stage of the exact method run to completion (``ExactOptions/timeLimit``), so that
    /// the plan does not depend on the machine's speed.
    var timeLimit: Double? = 60
    var gap = 0.0
    var segmentOps = DivideAndConquerOptions().segmentOperators
    /// Where solvers run: `child-process` (the default: a solver crash, hang or memory exhaustion
    /// cannot end the host) or `in-process` (``SolverContainment``).
    var solverIsolation = SolverIsolation.childProcess
    /// ``ExactOptions/deterministic``: `timeLimit` counts work units, not seconds.
    var deterministic = false

    static let keys = ["format", "capacity", "tensors", "alignment", "inPlace", "method", "solver", "timeLimit", "gap", "segmentOps",
                       "solverIsolation", "deterministic"]

    init() {}

    init(from decoder: any Decoder) throws {
        let c = try OptionKey.container(decoder, allowing: Self.keys)
        func value<T: Decodable>(_ key: String) throws -> T? { try c.decodeIfPresent(T.self, forKey: OptionKey(key)) }
        if let bytes: Int = try? value("capacity") {
            capacity = .bytes(bytes)
        } else if let text: String = try value("capacity") {
            capacity = try CapacitySpec(parsing: text)
        }
        tensors = try value("tensors")
        alignment = try value("alignment")
        inPlace = try value("inPlace")
        method = try value("method") ?? method
        if let name: String = try value("solver") {
            guard let backend = SolverBackend(rawValue: name) else {
                throw DecodingError.dataCorruptedError(forKey: OptionKey("solver"), in: c,
                                                       debugDescription: "'\(name)' is not a solver; use \"cbc\" or \"glpk\"")
            }
            solver = backend
        }
        let limit = OptionKey("timeLimit")
        if c.contains(limit) { timeLimit = try c.decodeNil(forKey: limit) ? nil : try c.decode(Double.self, forKey: limit) }
        gap = try value("gap") ?? gap
        segmentOps = try value("segmentOps") ?? segmentOps
        if let name: String = try value("solverIsolation") {
            guard let isolation = SolverIsolation(rawValue: name) else {
                throw DecodingError.dataCorruptedError(forKey: OptionKey("solverIsolation"), in: c,
                                                       debugDescription: "'\(name)' is not a solver isolation; use \"child-process\" or \"in-process\"")
            }
            solverIsolation = isolation
        }
        deterministic = try value("deterministic") ?? deterministic
    }

    /// Reads options JSON; `nil` or an empty text means every default.
    init(json text: String?) throws(InputError) {
        self = try OptionKey.decode(CallOptions.self, from: text) ?? CallOptions()
        try check()
    }

    private func check() throws(InputError) {
        func bad(_ key: String, _ message: String) -> InputError { InputError(source: "options.\(key)", message: message) }
        if let problem = Configuration.problem(alignment: alignment) { throw bad("alignment", problem) }
        if let timeLimit, let problem = ExactOptions.problem(timeLimit: timeLimit) {
            throw bad("timeLimit", "timeLimit \(problem); give one such as 60, or null for no limit")
        }
        if !(gap >= 0 && gap < 1) { throw bad("gap", "gap must be in [0, 1), got \(gap)") }
        if segmentOps < 2 { throw bad("segmentOps", "segmentOps must be at least 2, got \(segmentOps)") }
    }

    /// The capacity, which planning needs and replaying does not.
    func requiredCapacity() throws(InputError) -> CapacitySpec {
        guard let capacity else {
            throw InputError(source: "options.capacity", message: "planning needs a capacity; give \"capacity\" in bytes (4096), with a unit (\"512KiB\") or as a budget name (\"M_R\")")
        }
        return capacity
    }
}

/// The options of `cosma_import_onnx` (`schemas/options.schema.json`): those of `cosma import`.
struct ImportCallOptions: Decodable {
    var options = ONNXImportOptions()

    static let keys = ["format", "elementBytes", "fuseActivations", "dimensions", "name"]

    init() {}

    init(from decoder: any Decoder) throws {
        let c = try OptionKey.container(decoder, allowing: Self.keys)
        func value<T: Decodable>(_ key: String) throws -> T? { try c.decodeIfPresent(T.self, forKey: OptionKey(key)) }
        options = ONNXImportOptions(elementBytes: try value("elementBytes"), fuseActivations: try value("fuseActivations") ?? false,
                                    dimensions: try value("dimensions") ?? [:], graphName: try value("name"))
    }

    init(json text: String?) throws(InputError) {
        self = try OptionKey.decode(ImportCallOptions.self, from: text) ?? ImportCallOptions()
        if let bytes = options.elementBytes, bytes < 1 {
            throw InputError(source: "options.elementBytes", message: "elementBytes must be at least 1, got \(bytes)")
        }
    }
}

/// The keys of an options object, which refuses keys it does not know.
typealias OptionKey = JSONKey

extension JSONKey {
    static func container(_ decoder: any Decoder, allowing keys: [String]) throws -> KeyedDecodingContainer<OptionKey> {
        let c = try decoder.container(keyedBy: OptionKey.self)
        if let unknown = c.allKeys.first(where: { !keys.contains($0.stringValue) }) {
            throw DecodingError.dataCorruptedError(
                forKey: unknown, in: c, debugDescription: "not an option here; the options are \(keys.joined(separator: ", "))")
        }
        return c
    }

    /// Options JSON decoded with messages that name the key; `nil` for no text.
    static func decode<T: Decodable>(_ type: T.Type, from text: String?) throws(InputError) -> T? {
        guard let text, !text.allSatisfy(\.isWhitespace) else { return nil }
        let data = Data(text.utf8)
        try DocumentFormat.options.check(data, source: "options")
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as InputError {
            // Thrown by a value's own parser (a capacity such as "5 parsecs").
            throw InputError(source: "options.\(error.source)", message: error.message)
        } catch {
            return try decodeJSON(type, from: data, source: "options")
        }
    }
}
