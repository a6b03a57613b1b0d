import Cosma
package import DNNGraph
import Scratchpad
internal import Heuristics
import MILP
import CosmaILP
internal import Foundation

/// What a batch runs: every graph × tensor setting × budget × method, with the solver settings.
///
/// The matrix is written to the batch folder (`batch.json`) so that a resumed run can check it is
/// continuing the same batch; its order is the order of every output file, whatever order the
/// workers finished in.
package struct InstanceMatrix: Hashable, Sendable {
    /// Graph files, as given after glob expansion.
    package var files: [String]
    package var settings: [TensorSetting]
    /// Budget labels: `M_R`, `M_H`, `M_P`, sizes as written (`2MiB`) or sweep points (``SweepBudget``).
    package var budgets: [String]
    package var methods: [BatchMethod]
    /// Solver and time limit of every method.
    package var method: MethodSettings

    /// Checks every budget word, normalising budget names to `M_R`, `M_H`, `M_P` and expanding
    /// `sweep:N` into its points.
    package init(files: [String], settings: [TensorSetting], budgets: [String], methods: [BatchMethod],
                method: MethodSettings) throws(InputError)
    {
        guard !files.isEmpty else { throw InputError(source: "--graphs", message: "no graph file given; for example --graphs 'graphs/*.json'") }
        guard !settings.isEmpty else { throw InputError(source: "--tensors", message: "no tensor setting given; use activations, all or both") }
        var labels: [String] = []
        for word in budgets.flatMap({ $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }) where !word.isEmpty {
            if let points = try SweepBudget.expand(listWord: word) {
                labels += points.map(\.description).filter { !labels.contains($0) }
                continue
            }
            if SweepBudget(label: word) != nil {
                if !labels.contains(word) { labels.append(word) }
                continue
            }
            let label: String
            do {
                switch try CapacitySpec(parsing: word) {
                case .budget(let name): label = name.rawValue
                case .bytes: label = word
                }
            } catch {
                throw InputError(source: "--budgets", message: error.message)
            }
            if !labels.contains(label) { labels.append(label) }
        }
        guard !labels.isEmpty else { throw InputError(source: "--budgets", message: "no budget given; for example --budgets M_R,M_H,M_P,2MiB") }
        self.files = files
        self.settings = settings
        self.budgets = labels
        self.methods = methods
        self.method = method
    }

    /// Every instance, graph-major, in the order of the output files.
    package var instances: [InstanceKey] {
        files.flatMap { file in
            settings.flatMap { setting in
                budgets.flatMap { budget in
                    methods.map { InstanceKey(file: file, setting: setting, budget: budget, method: $0.description) }
                }
            }
        }
    }

    /// The matrix as JSON, for `batch.json` (``DocumentFormat/batch``).
    package var jsonValue: JSONValue {
        .object([
            DocumentFormat.batch.field,
            ("files", .array(files.map { .string($0) })),
            ("settings", .array(settings.map { .string($0.rawValue) })),
            ("budgets", .array(budgets.map { .string($0) })),
            ("methods", .array(methods.map { .string($0.description) })),
            ("solver", .string(method.solver.rawValue)),
            ("timeLimit", .double(method.timeLimit)),
            ("deterministic", .bool(method.deterministic)),
        ])
    }
}
