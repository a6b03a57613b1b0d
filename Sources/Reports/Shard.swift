import Cosma
package import DNNGraph
import Scratchpad
internal import Heuristics
import MILP
import CosmaILP
internal import Foundation

/// One of `count` disjoint parts of a batch's instance matrix, so that several machines (or the
/// tasks of a Slurm job array) can share one batch without talking to each other.
///
/// Instances are dealt round-robin in matrix order (see ``owner(of:count:)``), so that each shard
/// gets its share of every graph, budget and method and expensive graphs do not all land in one
/// shard. Every shard keeps its own journal (`journal-I-of-N.jsonl`) and its own work
/// folder (`.work-I-of-N`) in the shared output folder; nothing is locked across machines because
/// no file is written by two shards (`batch.json` is written whole, with the same text, by each).
package struct Shard: Hashable, Sendable, CustomStringConvertible {
    /// 1-based.
    package var index: Int
    package var count: Int

    package init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Reads `I/N` with `1 <= I <= N`.
    package init(parsing text: String) throws(InputError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(i) else {
            throw InputError(source: "--shard", message: "'\(text)' is not a shard; write I/N with 1 <= I <= N, for example 2/4")
        }
        self.init(index: i, count: n)
    }

    package var description: String { "\(index)/\(count)" }

    /// The shard's instances, in matrix order.
    package func instances(of matrix: InstanceMatrix) -> [InstanceKey] {
        matrix.instances.enumerated().filter { Self.owner(of: $0.offset, count: count) == index }.map(\.element)
    }

    /// The shard (1-based) of instance `k`: dealt round-robin, each round of `count` instances
    /// starting one shard further, so that a matrix whose innermost loop has `count` or a divisor
    /// of it entries (methods) does not give every shard the same method.
    static func owner(of k: Int, count: Int) -> Int {
        (k + k / count) % count + 1
    }

    /// `journal-I-of-N.jsonl`.
    package var journalName: String { "journal-\(index)-of-\(count).jsonl" }
    /// `.work-I-of-N`: the shard's workers' output, never shared with another run.
    package var workName: String { ".work-\(index)-of-\(count)" }
    /// `shard-I-of-N.json`: how the shard was run (machine, workers, kill time), for the merged report.
    package var infoName: String { "shard-\(index)-of-\(count).json" }

    /// Reads a shard from a journal's file name; nil for other names.
    package init?(journalName name: String) {
        guard name.hasPrefix("journal-"), name.hasSuffix(".jsonl") else { return nil }
        let middle = name.dropFirst("journal-".count).dropLast(".jsonl".count)
        let parts = middle.components(separatedBy: "-of-")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(i) else { return nil }
        self.init(index: i, count: n)
    }
}

/// How one shard ran, kept beside its journal so that a merged report can say it.
package struct ShardInfo: Codable, Hashable, Sendable {
    package var machine: String
    package var jobs: Int
    package var killAfter: Double
    package var build: String

    package init(machine: String, jobs: Int, killAfter: Double, build: String) {
        self.machine = machine
        self.jobs = jobs
        self.killAfter = killAfter
        self.build = build
    }

    package var json: String {
        JSONValue.object([
            ("machine", .string(machine)), ("jobs", .int(jobs)), ("killAfter", .double(killAfter)), ("build", .string(build)),
        ]).formatted(expandDepth: 1)
    }
}
