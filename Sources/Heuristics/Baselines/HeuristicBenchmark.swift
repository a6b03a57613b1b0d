package import DNNGraph
package import Scratchpad

/// Run times of every schedule and every baseline on a set of graphs, the numbers behind
/// `results/heuristics.md`.
///
/// Each graph is measured in both tensor settings. Schedules are timed on their own; plans are
/// timed with their schedule already computed, certification by the simulator included, at
/// `M_R`, `M_H`, `M_P` and halfway from `M_P` to the default order's peak (when `M_P` is proven),
/// and the default order's peak. Every time is the median of ``repeats`` runs.
package struct HeuristicBenchmark: Sendable {
    package var repeats: Int
    package var baselines: [Baseline]
    /// Makes the ``ScheduleKind/mpmf`` order, whose minimum-peak program lives in CosmaILP
    /// (`Cosma.schedule`); without it that order and its baselines are left out.
    package var minimumPeak: (@Sendable (Graph, TensorSetting) -> Schedule)?

    package init(repeats: Int = 5, baselines: [Baseline] = Baseline.all,
                 minimumPeak: (@Sendable (Graph, TensorSetting) -> Schedule)? = nil) {
        self.repeats = max(1, repeats)
        self.baselines = baselines
        self.minimumPeak = minimumPeak
    }

    package struct ScheduleRow: Sendable {
        package var graph: String
        package var operators: Int
        package var setting: TensorSetting
        package var schedule: Schedule
        package var kind: ScheduleKind
        package var medianSeconds: Double
    }

    package struct PlanRow: Sendable {
        package var graph: String
        package var operators: Int
        package var setting: TensorSetting
        package var budget: String
        package var capacity: Int
        package var baseline: Baseline
        /// Non-compulsory traffic, or the failure.
        package var result: Result<Int, PlanningFailure>
        package var method: String?
        package var medianSeconds: Double
    }

    package struct Measurements: Sendable {
        package var schedules: [ScheduleRow] = []
        package var plans: [PlanRow] = []

        package init() {}
    }

    /// Measures one graph in both settings and appends the rows.
    package func measure(_ graph: Graph, into measurements: inout Measurements) throws {
        for setting in TensorSetting.allCases {
            var schedules: [ScheduleKind: Schedule] = [:]
            for kind in ScheduleKind.allCases {
                let make: () -> Schedule
                if kind == .mpmf {
                    guard let minimumPeak else { continue }
                    make = { minimumPeak(graph, setting) }
                } else {
                    make = { graph.schedule(kind, setting: setting, alignment: 1) }
                }
                let (schedule, seconds) = median(make)
                schedules[kind] = schedule
                measurements.schedules.append(ScheduleRow(graph: graph.name, operators: graph.operators.count, setting: setting,
                                                          schedule: schedule, kind: kind, medianSeconds: seconds))
            }
            var budgets = Budgets(graph: graph, setting: setting, alignment: 1)
            for kind in [ScheduleKind.mpmf, .mpmfSearch] { if let schedule = schedules[kind] { budgets.record(schedule) } }
            // Halfway between M_P and the default peak the file order must spill but usually can:
            // the on-line path is timed on complete plans, not only on failures.
            let between = budgets.mP.map { ($0 + budgets.defaultPeak) / 2 }
            let capacities = [("M_R", budgets.mR), ("M_H", budgets.mH), ("M_P", budgets.mP), ("(M_P + peak) / 2", between),
                              ("default peak", budgets.defaultPeak)]
            for case let (budget, capacity?) in capacities {
                let config = Configuration(capacity: capacity, alignment: 1, tensors: setting)
                for baseline in baselines {
                    guard let schedule = schedules[baseline.schedule] else { continue }
                    let (result, seconds) = try median { try baseline.plan(graph: graph, configuration: config, schedule: schedule) }
                    measurements.plans.append(PlanRow(
                        graph: graph.name, operators: graph.operators.count, setting: setting, budget: budget, capacity: capacity,
                        baseline: baseline, result: result.map(\.report.traffic.nonCompulsory),
                        method: try? result.get().plan.method, medianSeconds: seconds))
                }
            }
        }
    }

    private func median<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        var times: [Double] = []
        var value: T?
        for _ in 0..<repeats {
            let start = ContinuousClock.now
            value = try body()
            times.append((ContinuousClock.now - start).inSeconds)
        }
        return (value!, times.sorted()[times.count / 2])
    }

}
