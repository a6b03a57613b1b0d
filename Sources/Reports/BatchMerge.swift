import Cosma
package import DNNGraph
import Scratchpad
internal import Heuristics
import MILP
import CosmaILP
package import Foundation

/// The rows of a batch folder gathered from every journal in it: the whole batch's
/// `journal.jsonl` and each shard's `journal-I-of-N.jsonl` (see ``Shard``).
///
/// An instance found in several journals (a shard run twice under different splits, or a whole
/// run beside shards) appears once, from the first journal in name order, so merged files never
/// hold a row twice. Instances found in no journal are ``missing``, and ``incompleteShards``
/// names the shards that owe them, so that exactly those can be run (or resubmitted) again.
package struct BatchMerge {
    package var folder: URL
    /// The matrix read from `batch.json`.
    package var matrix: InstanceMatrix
    /// Rows found, in matrix order.
    package var rows: [ResultRow]
    /// Instances no journal holds, in matrix order.
    package var missing: [InstanceKey]
    /// The shard journals found, by shard.
    package var shards: [Shard]
    /// How the shards ran (from their `shard-I-of-N.json`), where recorded.
    package var infos: [Shard: ShardInfo]

    /// Reads `batch.json` and every journal of `folder`.
    package init(folder: URL) throws(InputError) {
        self.folder = folder
        let spec = folder.appendingPathComponent("batch.json")
        matrix = try InstanceMatrix(json: readInput(spec), source: spec.path)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        shards = names.compactMap { Shard(journalName: $0) }
        var found: [InstanceKey: ResultRow] = [:]
        for journal in Journal.journals(in: folder) {
            for (key, row) in try Journal.rows(at: journal) where found[key] == nil {
                found[key] = row
            }
        }
        var infos: [Shard: ShardInfo] = [:]
        for shard in shards {
            let url = folder.appendingPathComponent(shard.infoName)
            if let data = try? Data(contentsOf: url) { infos[shard] = try decodeJSON(ShardInfo.self, from: data, source: url.path) }
        }
        self.infos = infos
        let instances = matrix.instances
        rows = instances.compactMap { found[$0] }
        missing = instances.filter { found[$0] == nil }
    }

    /// The shards, in every split found (`N` of `journal-I-of-N`), that still owe instances,
    /// including those whose journal was never created (a task cancelled before it started).
    package var incompleteShards: [Shard] {
        Set(shards.map(\.count)).sorted().flatMap(incompleteShards(of:))
    }

    /// The shards of a split into `count` that still owe instances.
    package func incompleteShards(of count: Int) -> [Shard] {
        let missingSet = Set(missing)
        return (1...count).map { Shard(index: $0, count: count) }.filter { shard in
            shard.instances(of: matrix).contains { missingSet.contains($0) }
        }
    }

    /// Workers per shard and kill time, the largest any shard recorded, for the report's header.
    package var jobsAndKillAfter: (jobs: Int, killAfter: Double)? {
        guard let jobs = infos.values.map(\.jobs).max(), let kill = infos.values.map(\.killAfter).max() else { return nil }
        return (jobs, kill)
    }
}

extension InstanceMatrix {
    /// Reads the matrix a batch wrote to `batch.json` (see ``jsonValue``); a file without
    /// `"format"` (written before batch folders named theirs) reads as ``DocumentFormat/batch``.
    package init(json data: Data, source: String) throws(InputError) {
        try DocumentFormat.batch.check(data, source: source)
        struct Spec: Decodable {
            var files: [String]
            var settings: [String]
            var budgets: [String]
            var methods: [String]
            var solver: String
            var timeLimit: Double
            var deterministic: Bool?
        }
        let spec = try decodeJSON(Spec.self, from: data, source: source)
        var settings: [TensorSetting] = []
        for word in spec.settings {
            guard let setting = TensorSetting(rawValue: word) else {
                throw InputError(source: source, message: "'\(word)' is not a tensor setting; the file was edited or written by another version")
            }
            settings.append(setting)
        }
        guard let solver = SolverBackend(rawValue: spec.solver) else {
            throw InputError(source: source, message: "'\(spec.solver)' is not a solver; the file was edited or written by another version")
        }
        try self.init(files: spec.files, settings: settings, budgets: spec.budgets, methods: BatchMethod.parseList(spec.methods),
                      method: MethodSettings(solver: solver, timeLimit: spec.timeLimit, deterministic: spec.deterministic ?? false))
    }
}
