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

struct GraphsTable: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graphs-table",
        abstract: "Print a Markdown table of graphs: size, bytes by kind, M_R, the default order's peak and M_P in both tensor settings.")

    @Argument(help: "Graphs, canonical JSON.")
    var graphs: [String]

    @Option(name: .long, help: ArgumentHelp("Where a graph comes from, shown in the table (repeatable).", valueName: "NAME=TEXT"))
    var source: [String] = []

    func run() throws {
        let sources = Dictionary(try assignments(source, option: "--source"), uniquingKeysWith: { $1 })
        try reportingErrors {
            print("| graph | source | operators | tensors | input bytes | activation bytes | weight bytes | M_R (activations) | peak (activations) | M_P (activations) | M_R (all) | peak (all) | M_P (all) |")
            print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for path in graphs {
                let g = try loadGraph(path)
                func bytes(_ kind: TensorKind) -> Int { g.tensors.filter { $0.kind == kind }.reduce(0) { $0 + $1.bytes } }
                let budgets = TensorSetting.allCases.map { Cosma.budgets(for: g, tensors: $0) }
                // An unproven M_P shows its bracket, never a single number.
                func mP(_ b: Budgets) -> String {
                    b.mP.map { "\($0)" } ?? "unproven: \(b.mPLowerBound ?? b.mR) to \(b.bestPeak ?? b.defaultPeak)"
                }
                let cells = [g.name, sources[g.name] ?? "", "\(g.operators.count)", "\(g.tensors.count)",
                             "\(bytes(.input))", "\(bytes(.activation))", "\(bytes(.weight))"]
                    + budgets.flatMap { ["\($0.mR)", "\($0.defaultPeak)", mP($0)] }
                print("| \(cells.joined(separator: " | ")) |")
            }
        }
    }
}
