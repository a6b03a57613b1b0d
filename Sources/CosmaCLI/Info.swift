import ArgumentParser
import Cosma
import DNNGraph
import Scratchpad
import Heuristics
import MILP
import CosmaILP
import DivideAndConquer
import ONNXImport
import Tiling
import Foundation

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Describe a graph: operators, tensors, bytes and budgets.")

    @Argument(help: "The graph, canonical JSON.")
    var graph: String

    @OptionGroup var accelerator: AcceleratorOptions

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @Option(name: .long, help: "Seconds to spend proving M_P: the searches take up to three quarters, the minimum-peak program (when the searches leave M_P unproven) the rest; 0: the searches without a time limit, and no program.")
    var timeLimit: Double = MinimumPeakOptions().timeLimit

    @Option(name: .long, help: "The MILP solver for the minimum-peak program.")
    var solver: SolverBackend = .cbc

    @Option(name: .long, help: "States each exact minimum-peak search may create (the whole graph, then each window relaxation).")
    var searchStates: Int = MinimumPeakScheduler().exactStateBudget

    func validate() throws {
        guard timeLimit >= 0, timeLimit.isFinite else { throw ValidationError("--time-limit must be a finite number of seconds, not negative, got \(timeLimit)") }
        guard searchStates >= 0 else { throw ValidationError("--search-states must not be negative, got \(searchStates)") }
    }

    func run() throws {
        try reportingErrors {
            let started = ContinuousClock.now
            let g = try loadGraph(graph)
            let minimumPeak = minimumPeak(of: g, started: started)
            var budgets = Cosma.budgets(for: g, tensors: accelerator.tensors, alignment: accelerator.alignment, inPlace: accelerator.inPlace,
                                        minimumPeak: nil)
            budgets.record(minimumPeak.schedule)
            let best = minimumPeak.schedule
            var byKind: [TensorKind: (count: Int, bytes: Int)] = [:]
            for t in g.tensors { byKind[t.kind, default: (0, 0)] = (byKind[t.kind, default: (0, 0)].count + 1, byKind[t.kind, default: (0, 0)].bytes + t.bytes) }
            let compulsory = g.compulsoryTraffic(in: accelerator.tensors)
            // What the limit leaves after M_P: on 20,000 operators the tiling needs seconds.
            let tiling = smallestTiledCapacity(g, deadline: timeLimit > 0 ? started.advanced(by: .seconds(timeLimit)) : nil)
            if json {
                var fields: [(String, JSONValue)] = [
                    DocumentFormat.info.field, ("graph", .string(g.name)), ("operators", .int(g.operators.count)), ("tensors", .int(g.tensors.count)),
                ]
                for kind in TensorKind.allCases {
                    let entry = byKind[kind, default: (0, 0)]
                    fields.append((kind.rawValue, .object([("count", .int(entry.count)), ("bytes", .int(entry.bytes))])))
                }
                fields += [
                    ("setting", .string(accelerator.tensors.rawValue)), ("alignment", .int(accelerator.alignment)),
                    ("inPlace", .string(accelerator.inPlace.rawValue)),
                    ("compulsoryTraffic", .int(compulsory)),
                    ("budgets", .object([
                        ("M_R", .int(budgets.mR)), ("M_ROperator", .string(g.operators[budgets.mROperator].name)),
                        ("defaultPeak", .int(budgets.defaultPeak)),
                        ("M_P", budgets.mP.map { .int($0) } ?? .null), ("M_H", budgets.mH.map { .int($0) } ?? .null),
                        ("M_PSource", budgets.mPSource.map { .string($0) } ?? .null),
                        ("minimumPeak", .object([
                            ("proven", .bool(best.provenMinimal)),
                            ("proof", best.proof.map { .string($0.description) } ?? .null),
                            ("bestPeak", .int(best.peakBytes)), ("algorithm", .string(best.algorithm.description)),
                            ("lowerBound", best.lowerBound.map { .int($0) } ?? .null),
                            ("programRows", minimumPeak.programRows.map { .int($0) } ?? .null),
                            ("programStatus", minimumPeak.programStatus.map { .string($0.rawValue) } ?? .null),
                            ("programSeconds", minimumPeak.programSeconds.map { .double($0) } ?? .null),
                            ("programError", minimumPeak.programError.map { .string($0) } ?? .null),
                        ])),
                    ])),
                    ("tiling", tiling.map { .object([("smallestCapacity", .int($0.capacity)), ("operator", .string($0.operator))]) } ?? .null),
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
            print("setting     \(accelerator.tensors.rawValue), alignment \(accelerator.alignment), in-place \(accelerator.inPlace.rawValue)")
            print("compulsory  \(compulsory) bytes of traffic")
            print("M_R         \(budgets.mR) bytes (\(formatBytes(budgets.mR))), operator '\(g.operators[budgets.mROperator].name)'")
            print("peak        \(budgets.defaultPeak) bytes (\(formatBytes(budgets.defaultPeak))) with the default order, no spills")
            if let mP = budgets.mP, let mH = budgets.mH {
                print("M_P         \(mP) bytes (\(formatBytes(mP))), \(budgets.mPSource ?? "")")
                print("M_H         \(mH) bytes (\(formatBytes(mH)))")
            } else {
                let lower = best.lowerBound ?? budgets.mR
                var how = "the searches"
                if let status = minimumPeak.programStatus {
                    how += " and the minimum-peak program (\(status.rawValue) after \(String(format: "%.1f", minimumPeak.programSeconds ?? 0)) s)"
                } else if let rows = minimumPeak.programRows, timeLimit > 0 {
                    let size = minimumPeak.programRowsAreLowerBound ? "at least \(rows)" : "\(rows)"
                    how += " (the minimum-peak program, \(size) rows, is too large to attempt)"
                }
                if let error = minimumPeak.programError { how += " (the solver failed: \(error))" }
                print("M_P         unproven: \(how) left a gap; the best order (\(best.algorithm)) peaks at \(best.peakBytes) bytes, no order peaks below \(lower) bytes (gap \(best.peakBytes - lower) bytes)")
                print("M_H         not available until M_P is proven")
            }
            if let tiling {
                print("tiled       runnable from \(tiling.capacity) bytes (\(formatBytes(tiling.capacity))) with operator tiling (cosma tile); operator '\(tiling.operator)' sets it")
            } else {
                print("tiled       not computed: it would not end within --time-limit \(timeLimit) s (a larger limit, or 0 for none, computes it)")
            }
        }
    }

    /// The minimum-peak order and what is proven about it. The limit counts from `started`, the
    /// start of the command, as in `cosma solve`: the searches stop at their share of it (on
    /// 20,000 operators they would run for minutes), and describing the graph afterwards takes a
    /// fraction of a second.
    func minimumPeak(of g: Graph, started: ContinuousClock.Instant) -> MinimumPeakResult {
        var options = MinimumPeakOptions(scheduler: MinimumPeakScheduler(exactStateBudget: searchStates), solver: solver,
                                         timeLimit: timeLimit)
        if timeLimit > 0 {
            options.budget = TimeBudget(seconds: max(timeLimit - (ContinuousClock.now - started).inSeconds, TimeBudget.smallestShare))
        }
        return Cosma.minimumPeak(for: g, tensors: accelerator.tensors, alignment: accelerator.alignment, inPlace: accelerator.inPlace,
                                 options: options)
    }

    /// The smallest capacity at which tiling makes the graph runnable, confirmed by tiling at it;
    /// `nil` when that cannot end by `deadline`.
    func smallestTiledCapacity(_ g: Graph, deadline: ContinuousClock.Instant?) -> (capacity: Int, operator: String)? {
        Tiler(setting: accelerator.tensors, alignment: accelerator.alignment).smallestRunnableCapacity(of: g, deadline: deadline)
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check that a graph file is well-formed (and, with --original, a faithful tiling of another).")

    @Argument(help: "The graph, canonical JSON.")
    var graph: String

    @Option(name: .long, help: "Check GRAPH as a tiling of this graph: slices partition tensors, tiles partition outputs, each tile reads exactly what its receptive field touches.")
    var original: String?

    func run() throws {
        try reportingErrors {
            let g = try loadGraph(graph)
            print("\(graph): valid graph '\(g.name)', \(g.operators.count) operators, \(g.tensors.count) tensors")
            guard let original else { return }
            let problems = TilingCheck.problems(tiled: g, original: try loadGraph(original))
            guard problems.isEmpty else {
                throw InputError(source: graph, message: "not a faithful tiling of \(original): " + problems.joined(separator: "; "))
            }
            print("\(graph): a faithful tiling of \(original)")
        }
    }
}
