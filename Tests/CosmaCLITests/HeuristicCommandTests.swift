import ArgumentParser
@testable import CosmaCLI
import Foundation
import Testing

@Suite struct HeuristicCommandTests {
    static let tiny = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("graphs/tiny.json").path

    @Test func parsesTheBaselineFlags() throws {
        let command = try Heuristic.parse(["g.json", "--capacity", "M_R", "--schedule", "mpmf", "--replace", "greedy",
                                           "--alloc", "first-fit"])
        #expect(command.schedule == .mpmf)
        #expect(command.replace == .greedy)
        #expect(command.alloc == .firstFit)
        #expect(command.baseline == nil)
    }

    @Test func helpListsEveryChoice() {
        let help = Heuristic.helpMessage()
        for choice in ["default", "mpmf", "greedy", "belady", "lru", "size-belady", "best-fit", "first-fit", "paper"] {
            #expect(help.contains(choice), "\(choice)")
        }
    }

    @Test func baselineTablesWriteNoPlan() {
        #expect(throws: (any Error).self) { try Heuristic.parse(["g.json", "--capacity", "4096", "--baseline", "paper", "-o", "p.json"]) }
    }

    @Test func writesACertifiedPlan() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("cosma-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: out) }
        let command = try Heuristic.parse([Self.tiny, "--capacity", "M_H", "--schedule", "mpmf", "-o", out.path])
        try command.run()
        let text = try String(contentsOf: out, encoding: .utf8)
        #expect(text.contains("\"method\": \"heuristic:mpmf+tflite-arena\""))
    }

    /// ViT-B/16 with weights at M_R: TensorFlow Lite's best fit scatters the MLP's operands, so the
    /// paper's strict baseline fails, while the default one compacts them and says how often.
    @Test func strictFailsWhereTheFallbackCompacts() throws {
        let args = ["heuristic", "graphs/vit_b_16.json", "--capacity", "M_R", "--tensors", "all", "--replace", "greedy"]
        let defragmented = try CLI.run(args)
        #expect(defragmented.status == 0, "\(defragmented.stderr)")
        let fallbacks = try #require(defragmented.stdout.split(separator: "\n").first { $0.hasPrefix("fallbacks") })
        #expect(fallbacks.contains("further eviction(s)") && !fallbacks.contains(" 0 compaction(s)"), "\(fallbacks)")
        let strict = try CLI.run(args + ["--strict"])
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("fragmentation"), "\(strict.stderr)")
        let parsed = try Heuristic.parse(["g.json", "--capacity", "M_R", "--arena", "hill-climb", "--strict"])
        #expect(parsed.arena == .hillClimb && parsed.strict)
    }

    @Test func benchmarkNeedsSomethingToMeasure() {
        #expect(throws: (any Error).self) { try BenchHeuristics.parse([]) }
        #expect(throws: (any Error).self) { try BenchHeuristics.parse(["--synthetic", "0"]) }
    }

    @Test func benchmarkWritesAReport() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("cosma-\(UUID().uuidString).md")
        defer { try? FileManager.default.removeItem(at: out) }
        let command = try BenchHeuristics.parse(["--graphs", Self.tiny, "--synthetic", "20", "--repeats", "1", "--out", out.path])
        try command.run()
        let text = try String(contentsOf: out, encoding: .utf8)
        #expect(text.contains("| tiny | 2 | activations | mpmf |"))
        #expect(text.contains("synthetic-20-1"))
    }
}
