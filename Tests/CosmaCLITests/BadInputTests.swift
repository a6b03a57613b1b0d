import Foundation
import Testing

/// Every class of bad input the reliability issue (21) lists gets a clear message naming the file
/// and the item, the documented exit code (2: unusable input), and no half-written output.
@Suite struct BadInputTests {
    static let tiny = try! String(contentsOf: CLI.root.appendingPathComponent("graphs/tiny.json"), encoding: .utf8)

    @Test func usageErrorsExitWithTwoAndThereIsAVersion() throws {
        let version = try CLI.run(["--version"])
        #expect(version.status == 0 && version.stdout.contains("0."), "\(version.stdout)\(version.stderr)")
        for arguments in [["solve"], ["info", "graphs/tiny.json", "--bogus"], ["info", "graphs/tiny.json", "--alignment", "0"],
                          ["heuristic", "graphs/tiny.json", "--capacity", "M_R", "--tensors", "some"]] {
            let r = try CLI.run(arguments)
            #expect(r.status == 2, "\(arguments): \(r.status) \(r.stderr)")
            #expect(!r.stderr.isEmpty)
        }
    }

    /// Sizes, offsets, capacities and alignments beyond 1 PiB (or 1 GiB of alignment, or zero)
    /// are refused where they are read, instead of trapping on overflow or division by zero.
    @Test func absurdNumbersAreRefusedNotTrapped() throws {
        let huge = Self.tiny.replacingOccurrences(of: "\"bytes\": 1024", with: "\"bytes\": 4611686018427387904")
            .replacingOccurrences(of: "\"bytes\": 288", with: "\"bytes\": 9223372036854775807")
        let graph = try CLI.temporaryFile("huge.json", contents: huge)
        let info = try CLI.run(["info", graph.path])
        #expect(info.status == 2 && info.stderr.contains("tensor 'x'") && info.stderr.contains("1 PiB"), "\(info.stderr)")
        let plan = try CLI.temporaryFile("plan.json", contents: examplePlan.replacingOccurrences(of: "\"alignment\": 1", with: "\"alignment\": 0"))
        let zero = try CLI.run(["simulate", "graphs/tiny.json", plan.path])
        #expect(zero.status == 2 && zero.stderr.contains(plan.path) && zero.stderr.contains("alignment"), "\(zero.stderr)")
        let offset = try CLI.temporaryFile("plan.json", contents: examplePlan.replacingOccurrences(of: "\"offset\": 2048", with: "\"offset\": 9223372036854775000"))
        let far = try CLI.run(["simulate", "graphs/tiny.json", offset.path])
        #expect(far.status == 2 && far.stderr.contains("steps[0].outputs[0].offset"), "\(far.stderr)")
        let capacity = try CLI.run(["heuristic", "graphs/tiny.json", "--capacity", "9000000GiB"])
        #expect(capacity.status == 2 && capacity.stderr.contains("1 PiB"), "\(capacity.stderr)")
        let buffers = try CLI.temporaryFile("buffers.csv", contents: "id,lower,upper,size\na,0,2,9223372036854775000\nb,1,3,8\n")
        let pack = try CLI.run(["pack", buffers.path, "--capacity", "100"])
        #expect(pack.status == 2 && pack.stderr.contains("\(buffers.path):2") && pack.stderr.contains("1 PiB"), "\(pack.stderr)")
    }

    @Test func typeErrorsAndUnknownValuesAreLocated() throws {
        let typed = try CLI.temporaryFile("g.json", contents: Self.tiny.replacingOccurrences(of: "\"bytes\": 288", with: "\"bytes\": \"288\""))
        let r = try CLI.run(["info", typed.path])
        #expect(r.status == 2 && r.stderr.contains("tensors[1].bytes") && r.stderr.contains("integer"), "\(r.stderr)")
        let kind = try CLI.temporaryFile("g.json", contents: Self.tiny.replacingOccurrences(of: "\"kind\": \"weight\"", with: "\"kind\": \"buffer\""))
        let k = try CLI.run(["info", kind.path])
        #expect(k.status == 2 && k.stderr.contains("tensors[1].kind") && k.stderr.contains("\"weight\""), "\(k.stderr)")
        let setting = try CLI.temporaryFile("plan.json", contents: examplePlan.replacingOccurrences(of: "\"activations\"", with: "\"everything\""))
        let s = try CLI.run(["simulate", "graphs/tiny.json", setting.path])
        #expect(s.status == 2 && s.stderr.contains("tensors") && s.stderr.contains("\"activations\", \"all\""), "\(s.stderr)")
    }

    @Test func anONNXModelGivenAsAGraphGetsTheImportHint() throws {
        let r = try CLI.run(["info", "Tests/Fixtures/onnx/tiny_conv.onnx"])
        #expect(r.status == 2 && r.stderr.contains("cosma import"), "\(r.stderr)")
    }

    @Test func aPlanForAnotherGraphIsRefusedByName() throws {
        let other = try CLI.temporaryFile("other.json", contents: Self.tiny.replacingOccurrences(of: "\"name\": \"tiny\"", with: "\"name\": \"other\""))
        let plan = try CLI.temporaryFile("plan.json", contents: examplePlan)
        let r = try CLI.run(["simulate", other.path, plan.path])
        #expect(r.status == 2 && r.stderr.contains("made for graph 'tiny'") && r.stderr.contains(plan.path), "\(r.stderr)")
    }

    /// The output path is checked before the work, so that nothing is computed for a path that
    /// cannot take the result.
    @Test func anUnwritableOutputIsRefusedBeforeSolving() throws {
        let r = try CLI.run(["solve", "graphs/tiny.json", "--capacity", "M_R", "-o", "/nonexistent-cosma/plan.json"])
        #expect(r.status == 2 && r.stderr.contains("/nonexistent-cosma") && r.stdout.isEmpty, "\(r.stdout)\(r.stderr)")
        let folder = try CLI.temporaryFile("x").deletingLastPathComponent()
        let f = try CLI.run(["heuristic", "graphs/tiny.json", "--capacity", "M_R", "-o", folder.path])
        #expect(f.status == 2 && f.stderr.contains("is a folder"), "\(f.stderr)")
    }

    @Test func dashWritesThePlanAloneToStandardOutput() throws {
        let r = try CLI.run(["heuristic", "graphs/tiny.json", "--capacity", "M_R", "-o", "-"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(object?["format"] as? String == "cosma-plan/1")
        #expect(r.stderr.contains("non-compulsory traffic"))
        #expect(!FileManager.default.fileExists(atPath: CLI.root.appendingPathComponent("-").path))
    }

    /// Atomic replacement is for regular files; a symbolic link is written through (its target
    /// replaced, the link kept) and a FIFO is written into, not replaced.
    @Test func symlinksAndFIFOsAreWrittenThrough() throws {
        let real = try CLI.temporaryFile("real.json", contents: "old")
        let link = real.deletingLastPathComponent().appendingPathComponent("link.json")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: real)
        let r = try CLI.run(["heuristic", "graphs/tiny.json", "--capacity", "M_R", "-o", link.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == real.path)
        #expect(try String(contentsOf: real, encoding: .utf8).contains("cosma-plan/1"))

        let fifo = real.deletingLastPathComponent().appendingPathComponent("fifo")
        try #require(mkfifo(fifo.path, 0o644) == 0)
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/cat")
        reader.arguments = [fifo.path]
        let pipe = Pipe()
        reader.standardOutput = pipe
        try reader.run()
        let w = try CLI.run(["heuristic", "graphs/tiny.json", "--capacity", "M_R", "-o", fifo.path])
        let read = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        reader.waitUntilExit()
        #expect(w.status == 0, "\(w.stderr)")
        #expect(read.contains("cosma-plan/1"))
        var info = stat()
        #expect(lstat(fifo.path, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
    }
}

/// `cosma solve --progress` names every phase, not only the solver's (issue 21).
@Suite struct SolveProgressTests {
    @Test func progressNamesThePhasesBeforeAndAfterTheSolver() throws {
        let r = try CLI.run(["solve", "graphs/tiny.json", "--capacity", "M_P", "--progress", "--time-limit", "30"])
        #expect(r.status == 0, "\(r.stderr)")
        // The planner's own stages are named too, not only the broad phase.
        for phase in ["minimum-peak search", "planning: baselines, order search", "planning: warm starts", "simulating and writing"] {
            #expect(r.stderr.contains(phase), "\(r.stderr)")
        }
    }
}
