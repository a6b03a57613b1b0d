import Foundation

/// The versioned formats of the files and answers Cosma writes: the contract that compilers
/// embedding Cosma rely on (`schemas/` holds one JSON Schema per format).
///
/// Every document Cosma writes starts with a `"format"` field naming its kind and version, such
/// as `"cosma-plan/1"`. Readers accept documents without the field (written before formats were
/// versioned, and the same as version 1) and refuse any other kind or version with a message that
/// says which one they read. A version changes only when a reader of the old version would
/// misread the new one: new optional keys keep the version, since readers ignore keys they do not
/// know.
package enum DocumentFormat: String, CaseIterable, Sendable {
    /// A graph in canonical JSON (`schemas/graph.schema.json`).
    case graph = "cosma-graph/1"
    /// A plan (`schemas/plan.schema.json`).
    case plan = "cosma-plan/1"
    /// The options of a library call (`schemas/options.schema.json`).
    case options = "cosma-options/1"
    /// The summary of a planning command or call (`schemas/summary.schema.json`).
    case summary = "cosma-summary/1"
    /// The report of a replayed plan (`schemas/simulation.schema.json`).
    case simulation = "cosma-simulation/1"
    /// A progress report of a running solve (`schemas/progress.schema.json`).
    case progress = "cosma-progress/1"
    /// The answer of a library call: a plan with its summary, a simulation, or an error
    /// (`schemas/result.schema.json`).
    case result = "cosma-result/1"
    /// What `cosma info --json` says about a graph: its tensors, bytes and budgets
    /// (`schemas/info.schema.json`).
    case info = "cosma-info/1"
    /// The side-by-side table of `cosma heuristic --baseline ... --json`
    /// (`schemas/baselines.schema.json`).
    case baselines = "cosma-baselines/1"
    /// The instance matrix of a batch folder, `batch.json` (`schemas/batch.schema.json`).
    case batch = "cosma-batch/1"
    /// Every row of a batch, `results.json` (`schemas/batch-results.schema.json`).
    case batchResults = "cosma-batch-results/1"

    /// What the document holds, as people say it: `graph`, `plan`, ...
    package var kind: String { String(rawValue.dropFirst("cosma-".count).prefix { $0 != "/" }) }

    /// The `"format"` entry that starts every document of this kind.
    package var field: (String, JSONValue) { ("format", .string(rawValue)) }

    /// Refuses a document whose `"format"` names another kind or a version this reader does not
    /// know; a document without the field passes (it predates versioned formats). Documents that
    /// are not JSON objects pass too: the reader's own decoder reports what is wrong with them.
    package func check(_ data: Data, source: String) throws(InputError) {
        struct Probe: Decodable {
            var format: String?
        }
        try checkJSONNesting(data, source: source)
        guard let probe = try? JSONDecoder().decode(Probe.self, from: data) else {
            if (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["format"] != nil {
                throw InputError(source: source, message: "\"format\" must be a string such as \"\(rawValue)\"; fix it or remove the key")
            }
            return
        }
        guard let found = probe.format, found != rawValue else { return }
        if let other = DocumentFormat(rawValue: found) {
            throw InputError(source: source, message: "this is a \(other.kind) (format \"\(found)\"), not a \(kind); pass a \(kind) here")
        }
        throw InputError(source: source, message: """
            format "\(found)" is not one this Cosma reads (it reads "\(rawValue)" and files without "format"); \
            upgrade Cosma, or write the \(kind) in format "\(rawValue)"
            """)
    }
}
