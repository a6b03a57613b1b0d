import Cosma
internal import DNNGraph
import Scratchpad
internal import Heuristics
import MILP
import CosmaILP
package import Foundation

extension BenchTables {
    /// The settings of the divide-and-conquer table.
    package struct DivideAndConquerSettings: Sendable {
        package var solver: SolverBackend
        /// Seconds per instance, or work units in the ``deterministic`` mode.
        package var timeLimit: Double
        package var segmentOperators: Int
        /// Also solve each instance with the exact method and compare where it proves an optimum.
        package var compareExact: Bool
        /// Count the budget in work units (``ExactOptions/deterministic``).
        package var deterministic = false
        /// `M_R`, two capacities between it and `M_H`, and `M_H` (issue #18's set), instead of
        /// `M_R`, `M_H` and `M_P`.
        package var between = false
        /// A folder that keeps each instance's row, so that a run resumes and shards share it: the
        /// batch's journals (``Journal``), `journal.jsonl` or the shard's `journal-I-of-N.jsonl`.
        package var journal: URL?
        /// Only this shard's instances are run (the table shows the others from the journal).
        package var shard: Shard?
        /// The journal of a second run of the same instances: the table says whether its plans
        /// are the same bytes.
        package var agreeWith: URL?
        /// Write the table from the journal alone, running nothing (the rows not there are `not run`).
        package var reportOnly = false

        package init(solver: SolverBackend, timeLimit: Double, segmentOperators: Int, compareExact: Bool) {
            self.solver = solver
            self.timeLimit = timeLimit
            self.segmentOperators = segmentOperators
            self.compareExact = compareExact
        }
    }

    /// One capacity of one graph in one setting, named by a budget or by where it lies between two.
    struct DivideAndConquerInstance {
        var graph: Graph
        var setting: TensorSetting
        var label: String
        var capacity: Int?
        /// The minimum-peak schedule behind the budgets (the `between` set's), which divide and
        /// conquer and the `mpmf` baselines start from, as `cosma solve` does at a named budget.
        var minimumPeak: Schedule?
        var key: String { "\(graph.name)-\(setting.rawValue)-\(label.replacingOccurrences(of: "/", with: "_"))" }
    }

    /// What one instance came to: the row of the table, as the journal keeps it.
    struct DivideAndConquerRow: Codable {
        var status: String
        var traffic: Int
        var bound: Int
        var bestPaper: Int?
        var bestHeuristic: Int?
        var wall: Double
        var work: Double?
        /// FNV-1a of the plan's JSON text: two runs agree when their digests do.
        var planDigest: String
        var exact: String?
        var exactExcess: Double?
    }

    /// The instances: every graph in both settings at `M_R`, `M_H` and `M_P`, or with
    /// ``DivideAndConquerSettings/between`` at `M_R`, a third and two thirds of the way to `M_H`,
    /// and `M_H`; `deterministic`, the minimum-peak program behind `M_H` counts work units
    /// (``MinimumPeakOptions/deterministic``).
    static func divideAndConquerInstances(_ graphs: [Graph], between: Bool, deterministic: Bool = false) -> [DivideAndConquerInstance] {
        guard between else {
            return instances(graphs).map { .init(graph: $0.graph, setting: $0.setting, label: $0.budget.rawValue, capacity: $0.capacity) }
        }
        var result: [DivideAndConquerInstance] = []
        for g in graphs {
            for setting in TensorSetting.allCases {
                let minimumPeak = MinimumPeakOptions(deterministic: deterministic)
                let (budgets, schedule) = Cosma.budgetsAndSchedule(for: g, tensors: setting, minimumPeak: minimumPeak)
                let low = budgets.mR
                let high = try? budgets.resolve(.budget(.mH))
                result.append(.init(graph: g, setting: setting, label: "M_R", capacity: low, minimumPeak: schedule))
                for third in 1...2 {
                    result.append(.init(graph: g, setting: setting, label: "M_R+\(third)/3",
                                        capacity: high.map { low + ($0 - low) * third / 3 }, minimumPeak: schedule))
                }
                result.append(.init(graph: g, setting: setting, label: "M_H", capacity: high, minimumPeak: schedule))
            }
        }
        return result
    }

    /// results/divide-and-conquer.md: divide and conquer on every instance, with traffic, bound,
    /// gap and wall time against the best heuristic and the paper's baselines (and the exact
    /// optimum with ``DivideAndConquerSettings/compareExact``).
    package static func divideAndConquer(_ graphs: [Graph], settings: DivideAndConquerSettings, command: String,
                                        log: (String) -> Void = { _ in }) throws -> String {
        let instances = divideAndConquerInstances(graphs, between: settings.between, deterministic: settings.deterministic)
        var rows = try settings.journal.map(journalRows) ?? [:]
        let journal = try settings.journal.flatMap { folder throws(InputError) -> Journal? in
            if settings.reportOnly { return nil }
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return try Journal(appendingTo: Journal.url(in: folder, shard: settings.shard))
        }
        for (k, instance) in instances.enumerated() where rows[instance.key] == nil {
            guard !settings.reportOnly, settings.shard.map({ Shard.owner(of: k, count: $0.count) == $0.index }) ?? true,
                  let capacity = instance.capacity else { continue }
            log("solving \(instance.key)")
            let row = try divideAndConquerRow(instance, capacity: capacity, settings: settings)
            rows[instance.key] = row
            try journal?.append(line: try JournalEntry(instance: instance.key, row: row).line())
        }
        let others = try settings.agreeWith.map(journalRows) ?? [:]
        return divideAndConquerTable(instances, rows: rows, others: others, settings: settings, command: command)
    }

    /// Runs one instance: the baselines, then divide and conquer, timed.
    static func divideAndConquerRow(_ instance: DivideAndConquerInstance, capacity: Int,
                                    settings: DivideAndConquerSettings) throws -> DivideAndConquerRow {
        let g = instance.graph
        let config = Configuration(capacity: capacity, tensors: instance.setting)
        let outcomes = try Cosma.baselines(Baseline.all, for: g, configuration: config, minimumPeak: instance.minimumPeak)
        func best(_ subset: [Baseline]) -> Int? {
            outcomes.filter { subset.contains($0.baseline) }.compactMap { try? $0.result.get().report.traffic.nonCompulsory }.min()
        }
        let clock = ContinuousClock()
        let start = clock.now
        var options = ExactOptions(solver: settings.solver, timeLimit: settings.timeLimit, deterministic: settings.deterministic)
        options.minimumPeak = instance.minimumPeak
        let result = try Cosma.solve(g, configuration: config, method: .divideAndConquer, options: options,
                                     segmentOperators: settings.segmentOperators)
        let wall = (clock.now - start).inSeconds
        var row = DivideAndConquerRow(status: result.status.rawValue, traffic: result.nonCompulsory, bound: result.bound,
                                      bestPaper: best(Baseline.paper), bestHeuristic: best(Baseline.all), wall: wall,
                                      work: result.work, planDigest: digest(result.result.plan.json()))
        if settings.compareExact {
            let exact = try Cosma.solve(g, configuration: config, options: options)
            row.exact = "\(exact.nonCompulsory) (\(exact.status.rawValue))"
            if exact.status == .optimal {
                let excess = exact.nonCompulsory == 0 ? (result.nonCompulsory == 0 ? 0 : 1)
                    : Double(result.nonCompulsory - exact.nonCompulsory) / Double(exact.nonCompulsory)
                row.exactExcess = excess
                row.exact = "\(exact.nonCompulsory) (optimal; D&C +\(String(format: "%.1f", 100 * excess))%)"
            }
        }
        return row
    }

    /// FNV-1a, 64 bits, of `text`'s UTF-8 bytes, in hexadecimal: stable across processes, unlike
    /// `Hasher`.
    static func digest(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    /// One line of the journal: an instance's key and its row.
    struct JournalEntry: Codable {
        var instance: String
        var row: DivideAndConquerRow

        init(instance: String, row: DivideAndConquerRow) {
            self.instance = instance
            self.row = row
        }

        init(json text: String, source: String) throws(InputError) {
            self = try decodeJSON(JournalEntry.self, from: Data(text.utf8), source: source)
        }

        func line() throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        }
    }

    /// The rows of every journal in `folder` by instance key; where two journals hold an
    /// instance, the first in name order wins, as in a batch (``BatchMerge``).
    static func journalRows(in folder: URL) throws(InputError) -> [String: DivideAndConquerRow] {
        var rows: [String: DivideAndConquerRow] = [:]
        for url in Journal.journals(in: folder) {
            for entry in try Journal.entries(at: url, reading: "a divide-and-conquer row", JournalEntry.init(json:source:))
            where rows[entry.instance] == nil {
                rows[entry.instance] = entry.row
            }
        }
        return rows
    }
}
