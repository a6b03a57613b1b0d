@testable import CosmaCLI
import Foundation
import Testing

/// `--in-place` through the command line: the heuristics write in place, the simulator replays the
/// plan in its own mode, the exact method plans in place, and `bench in-place` writes its table.
@Suite struct InPlaceCommandTests {
    @Test func heuristicPlansInPlaceAndSimulateReplaysIt() throws {
        let plan = FileManager.default.temporaryDirectory.appendingPathComponent("cosma-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: plan) }
        let info = try CLI.run(["info", "graphs/tiny.json", "--in-place", "on", "--json"])
        #expect(info.status == 0 && info.stdout.contains("\"inPlace\": \"on\""), "\(info.stderr)")
        let made = try CLI.run(["heuristic", "graphs/tiny.json", "--capacity", "M_P", "--in-place", "on", "--schedule", "mpmf", "-o", plan.path])
        #expect(made.status == 0, "\(made.stderr)")
        let text = try String(contentsOf: plan, encoding: .utf8)
        #expect(text.contains("\"inPlace\": \"on\"") && text.contains("\"inPlaceOf\""), "\(text)")
        #expect(try CLI.run(["simulate", "graphs/tiny.json", plan.path]).status == 0)
        // Replayed in the paper's model, the same plan breaks the in-place rule.
        let off = try CLI.run(["simulate", "graphs/tiny.json", plan.path, "--in-place", "off"])
        #expect(off.status == 1 && off.stdout.contains("inPlaceNotAllowed"), "\(off.stdout)")
    }

    /// At 3 KiB the paper's model cannot run `relu1` (its input and output need 4 KiB); in place
    /// the exact method proves a plan with no spill, which `simulate` replays in its own mode.
    @Test func exactMethodPlansInPlace() throws {
        let plan = FileManager.default.temporaryDirectory.appendingPathComponent("cosma-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: plan) }
        let off = try CLI.run(["solve", "graphs/tiny.json", "--capacity", "3KiB", "--in-place", "off"])
        #expect(off.status != 0, "\(off.stdout)")
        let solve = try CLI.run(["solve", "graphs/tiny.json", "--capacity", "3KiB", "--in-place", "on", "--method", "exact", "-o", plan.path])
        #expect(solve.status == 0 && solve.stdout.contains("optimal (proven)"), "\(solve.stderr)")
        let text = try String(contentsOf: plan, encoding: .utf8)
        #expect(text.contains("\"inPlaceOf\": \"a1\""), "\(text)")
        #expect(try CLI.run(["simulate", "graphs/tiny.json", plan.path]).status == 0)
    }

    @Test func benchWritesTheSideBySideTable() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("cosma-\(UUID().uuidString).md")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try CLI.run(["bench", "in-place", "--graphs", "graphs/tiny.json", "--time-limit", "0", "--exact-time-limit", "5",
                               "--out", out.path])
        #expect(run.status == 0, "\(run.stderr)")
        let text = try String(contentsOf: out, encoding: .utf8)
        #expect(text.contains("| tiny |") && text.contains("M_P on"), "\(text)")
        // The exact method proves tiny's optimum (no spill) in both modes at both capacities.
        #expect(text.contains("| tiny | 0 ✓ | 0 ✓ | 0 ✓ | 0 ✓ |"), "\(text)")
    }
}
