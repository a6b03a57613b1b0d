import Cosma
package import DNNGraph
import Scratchpad
internal import Heuristics
import MILP
import CosmaILP
internal import Foundation

/// One graph, tensor setting and named budget of a benchmark; `capacity` is `nil` when the budget
/// needs an `M_P` that is not proven.
package struct BenchInstance: Sendable {
    package var graph: Graph
    package var setting: TensorSetting
    package var budget: BudgetName
    package var capacity: Int?
}

/// The benchmark tables of `cosma bench` (results/exact.md, results/exact-ideas.md,
/// results/divide-and-conquer.md, results/heuristics.md, results/allocation.md, results/tiling.md): each runs its
/// method on every instance and returns the Markdown table with machine, versions and date. The
/// command line only parses the arguments, reads the inputs and writes the file.
package enum BenchTables {
    /// Every graph in both settings, at every named budget.
    package static func instances(_ graphs: [Graph]) -> [BenchInstance] {
        var result: [BenchInstance] = []
        for g in graphs {
            for setting in TensorSetting.allCases {
                let budgets = Cosma.budgets(for: g, tensors: setting)
                for name in BudgetName.allCases {
                    result.append(BenchInstance(graph: g, setting: setting, budget: name, capacity: try? budgets.resolve(.budget(name))))
                }
            }
        }
        return result
    }

    /// The header every table starts with: its title, the command that wrote it, machine,
    /// toolchain and date.
    static func preamble(_ title: String, command: String) -> [String] {
        [
            "# \(title)", "",
            "Written by `\(command)` on \(MachineInfo.timestamp()).",
            "", "- machine: \(MachineInfo.description())", "- toolchain: \(MachineInfo.toolchainVersion())",
        ]
    }

    /// What a table's time limit counts, for its header: seconds, or work units in the
    /// deterministic mode (``ExactOptions/deterministic``), where what is proven does not depend
    /// on the machine's speed or load.
    static func limitMode(_ timeLimit: Double, deterministic: Bool, per unit: String) -> String {
        deterministic
            ? "deterministic: a budget of \(timeLimit) work units per \(unit) (solver nodes and iterations, order-search evaluations, search states; no decision reads the clock), so the plans and what is proven do not depend on the machine's speed or load; wall times are those of a shared machine"
            : "wall-clock: \(timeLimit) s per \(unit)"
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
