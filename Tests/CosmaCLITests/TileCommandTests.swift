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

        // The memory map reads against the original model: slices carry their original tensor and
        // rows, and a band groups each original operator's tiles.
        let svg = tiled.deletingLastPathComponent().appendingPathComponent("map.svg")
        let plot = try CLI.run(["plot", plan.path, "--graph", written.path, "-o", svg.path])
        #expect(plot.status == 0, "\(plot.stderr)")
        let map = try String(contentsOf: svg, encoding: .utf8)
        #expect(map.contains("tiled graph: 224 tile steps of 64 split operators"), "\(map.prefix(2000))")
        #expect(map.contains("title>steps 1-4: 4 tile(s) of /conv1/Conv<"), "the stem convolution's four tiles are one block")
        #expect(map.contains(", rows 0..&lt;") && map.contains(" of axis 2 of /relu/Relu_output_0"), "a slice's hover names its tensor")
        let labels = map.components(separatedBy: "]</text>").count - 1
        #expect(labels >= 50, "slices labelled with their rows: \(labels)")
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
