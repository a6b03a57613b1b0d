import Cosma
internal import DNNGraph
import Scratchpad
internal import Heuristics
import CosmaILP
internal import Foundation

extension BenchTables {
    /// `results/in-place.md`: every graph's budgets and traffic with in-place off and on, side by
    /// side (docs/in-place.md), in the `activations` setting.
    /// - Throws: `InvalidPlanError` if a heuristic's plan breaks a rule (a bug).
    /// - Parameter exactTimeLimit: seconds for each solve of the exact method (`auto`: the joint
    ///   program where it is small enough, divide and conquer otherwise).
    package static func inPlace(_ graphs: [Graph], minimumPeak: MinimumPeakOptions, exactTimeLimit: Double, command: String) throws -> String {
        let rows = try graphs.map { try InPlaceRow(graph: $0, minimumPeak: minimumPeak, exactTimeLimit: exactTimeLimit) }
        var lines = preamble("In-place operators and views: budgets and traffic, off and on", command: command)
        lines += [
            "- build: \(MachineInfo.buildConfiguration)",
            "- setting: activations, alignment 1; `M_P` by the minimum-peak search and program "
                + "(\(minimumPeak.scheduler.exactStateBudget) states per search, \(minimumPeak.timeLimit) s for the program)", "",
            "Off is the COSMA paper's model (`--in-place off`, every result elsewhere in `results/`); on lets an "
                + "elementwise operator write its output over an input that dies there and a view share its input's bytes "
                + "(`--in-place on`). An unproven `M_P` shows the best order's peak and the best lower bound as `≤ peak (≥ bound)`.", "",
            "Traffic is non-compulsory bytes at the **off-mode** `M_R` and `M_H` capacities, the best plan of Cosma's heuristics "
                + "(the static arena when the order fits, else the on-line planner with Belady, best fit and compaction) over the "
                + "default and the minimum-peak order of each mode; every plan passed the simulator. "
                + "`M_H` needs the off-mode `M_P` proven; `-` where it is not.", "",
            "| graph | M_R off | M_R on | M_P off | M_P on | default peak off | default peak on | traffic at M_R off | on | traffic at M_H off | on |",
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for r in rows {
            let cells = [r.graph, "\(r.off.mR)", "\(r.on.mR)", r.mP(.off), r.mP(.on), "\(r.off.defaultPeak)", "\(r.on.defaultPeak)",
                         r.traffic(.mR, .off), r.traffic(.mR, .on), r.traffic(.mH, .off), r.traffic(.mH, .on)]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        lines += ["", "## The exact method, off and on", "",
                  "Non-compulsory traffic of `cosma solve --method auto` (the joint program where it is small enough, else divide "
                    + "and conquer; \(exactTimeLimit) s per solve, CBC) at the same capacities, handed the mode's minimum-peak schedule "
                    + "from the table above as `cosma solve` is at a named budget. With in-place on the program chooses "
                    + "the in-place writes and every bound is computed under the in-place model. `✓` marks an optimum the solver "
                    + "proved for that model; otherwise the plan's traffic and the proven lower bound, `N (≥ B)`.", "",
                  "| graph | exact at M_R off | on | exact at M_H off | on |", "|---|--:|--:|--:|--:|"]
        for r in rows {
            let cells = [r.graph, r.exact(.mR, .off), r.exact(.mR, .on), r.exact(.mH, .off), r.exact(.mH, .on)]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        let proven = rows.filter { $0.off.mP != nil && $0.on.mP != nil }
        if !proven.isEmpty {
            let ratios = proven.map { Double($0.on.mP!) / Double($0.off.mP!) }
            lines += ["", "`M_P` on / off over the \(proven.count) graphs proven both ways: median \(String(format: "%.3f", median(ratios))), "
                + "smallest \(String(format: "%.3f", ratios.min()!)), largest \(String(format: "%.3f", ratios.max()!))."]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// One graph of `results/in-place.md`.
struct InPlaceRow {
    var graph: String
    var off: Budgets
    var on: Budgets
    /// Non-compulsory traffic by capacity name and mode; `nil` when the capacity is unknown.
    var traffics: [String: Int] = [:]
    /// The exact method's traffic and bound by capacity name and mode.
    var exactResults: [String: (traffic: Int, bound: Int, proven: Bool)] = [:]

    init(graph: Graph, minimumPeak: MinimumPeakOptions, exactTimeLimit: Double) throws {
        self.graph = graph.name
        FileHandle.standardError.write(Data("in-place: \(graph.name) (\(graph.operators.count) operators)\n".utf8))
        var schedules: [InPlaceMode: Schedule] = [:]
        var budgets: [InPlaceMode: Budgets] = [:]
        for mode in InPlaceMode.allCases {
            let result = Cosma.minimumPeak(for: graph, tensors: .activations, inPlace: mode, options: minimumPeak)
            var b = Budgets(graph: graph, setting: .activations, alignment: 1, inPlace: mode)
            b.record(result.schedule)
            budgets[mode] = b
            schedules[mode] = result.schedule
        }
        off = budgets[.off]!
        on = budgets[.on]!
        for (name, capacity) in [("M_R", off.mR), ("M_H", off.mH)] {
            guard let capacity else { continue }
            for mode in InPlaceMode.allCases {
                let config = Configuration(capacity: capacity, inPlace: mode)
                let orders = [Array(graph.operators.indices), schedules[mode]!.order]
                traffics["\(name) \(mode.rawValue)"] = try orders.compactMap { try Self.bestTraffic(graph, config, order: $0) }.min()
                // The schedule behind the budgets, handed over as `cosma solve` does at a named
                // budget: without it the solve searches its own under a quarter of its time, and at
                // RandWire-ER's `M_R` (its `M_P`) planned 1,367,296 bytes where the heuristics on
                // this schedule spill nothing.
                var options = ExactOptions(timeLimit: exactTimeLimit)
                options.minimumPeak = schedules[mode]
                let exact = try Cosma.solve(graph, configuration: config, method: .auto, options: options)
                exactResults["\(name) \(mode.rawValue)"] = (exact.nonCompulsory, exact.bound, exact.status == .optimal)
            }
        }
    }

    func exact(_ budget: BudgetName, _ mode: InPlaceMode) -> String {
        guard let r = exactResults["\(budget.rawValue) \(mode.rawValue)"] else { return "-" }
        return r.proven ? "\(r.traffic) ✓" : "\(r.traffic) (≥ \(r.bound))"
    }

    /// The least non-compulsory traffic of the heuristics on one order, `nil` when the on-line
    /// planner finds no room; every plan is simulated, and one that breaks a rule throws.
    static func bestTraffic(_ graph: Graph, _ config: Configuration, order: [OperatorID]) throws -> Int? {
        if let arena = try HeuristicPlanner.staticArenaPlan(graph: graph, configuration: config, order: order, scheduleName: "order") {
            return arena.report.traffic.nonCompulsory
        }
        do {
            return try HeuristicPlanner.plan(graph: graph, configuration: config, order: order, scheduleName: "order",
                                             fallback: .defragment).report.traffic.nonCompulsory
        } catch is PlanningFailure {
            return nil
        }
    }

    func mP(_ mode: InPlaceMode) -> String {
        let b = mode == .off ? off : on
        if let mP = b.mP { return "\(mP)" }
        return "≤ \(b.bestPeak ?? b.defaultPeak) (≥ \(b.mPLowerBound ?? b.mR))"
    }

    func traffic(_ budget: BudgetName, _ mode: InPlaceMode) -> String {
        traffics["\(budget.rawValue) \(mode.rawValue)"].map { "\($0)" } ?? "-"
    }
}
