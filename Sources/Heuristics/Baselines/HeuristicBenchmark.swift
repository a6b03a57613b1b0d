public import DNNGraph
public import Scratchpad

/// Run times of every schedule and every baseline on a set of graphs, the numbers behind
/// `results/heuristics.md`.
///
/// Each graph is measured in both tensor settings. Schedules are timed on their own; plans are
/// timed with their schedule already computed, certification by the simulator included, at
/// `M_R`, `M_H`, `M_P` and halfway from `M_P` to the default order's peak (when `M_P` is proven),
/// and the default order's peak. Every time is the median of ``repeats`` runs.
public struct HeuristicBenchmark: Sendable {
    public var repeats: Int
    public var baselines: [Baseline]

    public init(repeats: Int = 5, baselines: [Baseline] = Baseline.all) {
        self.repeats = max(1, repeats)
        self.baselines = baselines
    }

    public struct ScheduleRow: Sendable {
        public var graph: String
        public var operators: Int
        public var setting: TensorSetting
        public var schedule: Schedule
        public var kind: ScheduleKind
        public var medianSeconds: Double
    }

    public struct PlanRow: Sendable {
        public var graph: String
        public var operators: Int
        public var setting: TensorSetting
        public var budget: String
        public var capacity: Int
        public var baseline: Baseline
        /// Non-compulsory traffic, or the failure.
        public var result: Result<Int, PlanningFailure>
        public var method: String?
        public var medianSeconds: Double
    }

    public struct Measurements: Sendable {
        public var schedules: [ScheduleRow] = []
        public var plans: [PlanRow] = []

        public init() {}
    }

    /// Measures one graph in both settings and appends the rows.
    public func measure(_ graph: Graph, into measurements: inout Measurements) throws {
        for setting in TensorSetting.allCases {
            var schedules: [ScheduleKind: Schedule] = [:]
            for kind in ScheduleKind.allCases {
                let (schedule, seconds) = median { graph.schedule(kind, setting: setting, alignment: 1) }
                schedules[kind] = schedule
                measurements.schedules.append(ScheduleRow(graph: graph.name, operators: graph.operators.count, setting: setting,
                                                          schedule: schedule, kind: kind, medianSeconds: seconds))
            }
            var budgets = Budgets(graph: graph, setting: setting, alignment: 1)
            if let mpmf = schedules[.mpmf] { budgets.record(mpmf) }
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
