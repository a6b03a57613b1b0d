import ArgumentParser
import Cosma
import Foundation

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Describe a graph: operators, tensors, bytes and budgets.")

    @Argument(help: "The graph, canonical JSON.")
    var graph: String

    @OptionGroup var accelerator: AcceleratorOptions

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try reportingErrors {
            let g = try loadGraph(graph)
            let budgets = Cosma.budgets(for: g, tensors: accelerator.tensors, alignment: accelerator.alignment)
            var byKind: [TensorKind: (count: Int, bytes: Int)] = [:]
            for t in g.tensors { byKind[t.kind, default: (0, 0)] = (byKind[t.kind, default: (0, 0)].count + 1, byKind[t.kind, default: (0, 0)].bytes + t.bytes) }
            let compulsory = g.compulsoryTraffic(in: accelerator.tensors)
            if json {
                var fields: [(String, JSONValue)] = [
                    ("graph", .string(g.name)), ("operators", .int(g.operators.count)), ("tensors", .int(g.tensors.count)),
                ]
                for kind in TensorKind.allCases {
                    let entry = byKind[kind, default: (0, 0)]
                    fields.append((kind.rawValue, .object([("count", .int(entry.count)), ("bytes", .int(entry.bytes))])))
                }
                fields += [
                    ("setting", .string(accelerator.tensors.rawValue)), ("alignment", .int(accelerator.alignment)),
                    ("compulsoryTraffic", .int(compulsory)),
                    ("budgets", .object([
                        ("M_R", .int(budgets.mR)), ("M_ROperator", .string(g.operators[budgets.mROperator].name)),
                        ("defaultPeak", .int(budgets.defaultPeak)),
                        ("M_P", budgets.mP.map { .int($0) } ?? .null), ("M_H", budgets.mH.map { .int($0) } ?? .null),
                        ("M_PSource", budgets.mPSource.map { .string($0) } ?? .null),
                    ])),
                ]
                print(JSONValue.object(fields).formatted(expandDepth: 1), terminator: "")
                return
            }
            print("graph       \(g.name)")
            print("operators   \(g.operators.count)")
            for kind in TensorKind.allCases {
                let entry = byKind[kind, default: (0, 0)]
                print("\(kind.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0))\(entry.count) tensors, \(entry.bytes) bytes (\(formatBytes(entry.bytes)))")
            }
            print("setting     \(accelerator.tensors.rawValue), alignment \(accelerator.alignment)")
            print("compulsory  \(compulsory) bytes of traffic")
            print("M_R         \(budgets.mR) bytes (\(formatBytes(budgets.mR))), operator '\(g.operators[budgets.mROperator].name)'")
            print("peak        \(budgets.defaultPeak) bytes (\(formatBytes(budgets.defaultPeak))) with the default order, no spills")
            if let mP = budgets.mP, let mH = budgets.mH {
                print("M_P         \(mP) bytes (\(formatBytes(mP))), \(budgets.mPSource ?? "")")
                print("M_H         \(mH) bytes (\(formatBytes(mH)))")
            } else {
                print("M_P, M_H    not available: the minimum-peak search could not prove its best order optimal on this graph")
            }
        }
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check that a graph file is well-formed.")

    @Argument(help: "The graph, canonical JSON.")
    var graph: String

    func run() throws {
        try reportingErrors {
            let g = try loadGraph(graph)
            print("\(graph): valid graph '\(g.name)', \(g.operators.count) operators, \(g.tensors.count) tensors")
        }
    }
}
