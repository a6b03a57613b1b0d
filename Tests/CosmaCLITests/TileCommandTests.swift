import Foundation
import Testing

/// Below M_R the command line tiles: `cosma tile`, `validate --original`, a planning command that
/// writes the tiled graph, and the simulator replaying its plan against that graph.
@Suite struct TileCommandTests {
    @Test func tilesPlansAndReplaysResNetBelowMR() throws {
        let tiled = try CLI.temporaryFile("resnet50-256k.json")
        let r = try CLI.run(["tile", "graphs/resnet50.json", "--capacity", "256KiB", "-o", tiled.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("split into") && r.stdout.contains("checked against the original"))
        let check = try CLI.run(["validate", tiled.path, "--original", "graphs/resnet50.json"])
        #expect(check.status == 0 && check.stdout.contains("a faithful tiling of graphs/resnet50.json"), "\(check.stderr)")
        // Against another graph the check fails and says why.
        let wrong = try CLI.run(["validate", tiled.path, "--original", "graphs/resnext50_32x4d.json"])
        #expect(wrong.status == 2 && wrong.stderr.contains("not a faithful tiling"))

        let written = tiled.deletingLastPathComponent().appendingPathComponent("written.json")
        let plan = tiled.deletingLastPathComponent().appendingPathComponent("plan.json")
        let h = try CLI.run(["heuristic", "graphs/resnet50.json", "--capacity", "256KiB", "--tiled-graph", written.path, "-o", plan.path])
        #expect(h.status == 0, "\(h.stderr)")
        #expect(h.stderr.contains("below M_R; tiled:"))
        let replay = try CLI.run(["simulate", written.path, plan.path])
        #expect(replay.status == 0 && replay.stdout.contains("valid plan"), "\(replay.stdout)\(replay.stderr)")
    }

    @Test func belowTheSmallestTiledCapacityTheErrorNamesTheOperator() throws {
        let info = try CLI.run(["info", "graphs/resnet50.json", "--time-limit", "0"])
        let line = try #require(info.stdout.split(separator: "\n").first { $0.hasPrefix("tiled") })
        #expect(line.contains("runnable from"))
        let r = try CLI.run(["heuristic", "graphs/resnet50.json", "--capacity", "20KiB"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("too small even with tiling: operator '") && r.stderr.contains("use a capacity of at least"))
    }
}
