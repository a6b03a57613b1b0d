import Foundation
import Testing

/// Runs the built `cosma` executable, as a user would.
struct CLI {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

    static var executable: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("cosma")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return root.appendingPathComponent(".build/debug/cosma")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `cosma` with `arguments`, with `environment` added to this process's environment.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        process.currentDirectoryURL = root
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    static func temporaryFile(_ name: String, contents: String? = nil) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cosma-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        if let contents { try contents.write(to: url, atomically: true, encoding: .utf8) }
        return url
    }
}

/// The example plan of docs/formats.md, verbatim.
let examplePlan = try! String(contentsOf: CLI.root.appendingPathComponent("Tests/Fixtures/plans/contract-example.json"), encoding: .utf8)

@Suite struct SimulateCommandTests {
    @Test func acceptsTheContractExample() throws {
        let plan = try CLI.temporaryFile("plan.json", contents: examplePlan)
        let r = try CLI.run(["simulate", "graphs/tiny.json", plan.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("non-compulsory 0"))
        let json = try CLI.run(["simulate", "graphs/tiny.json", plan.path, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["valid"] as? Bool == true)
        let traffic = try #require(object["traffic"] as? [String: Int])
        #expect(traffic == ["total": 3072, "compulsory": 3072, "nonCompulsory": 0])
    }

    @Test func rejectsItAtCapacity3000() throws {
        let plan = try CLI.temporaryFile("plan.json", contents: examplePlan)
        let r = try CLI.run(["simulate", "graphs/tiny.json", plan.path, "--capacity", "3000", "--json"])
        #expect(r.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["valid"] as? Bool == false)
        let violations = try #require(object["violations"] as? [[String: Any]])
        #expect(violations.first?["step"] as? Int == 1)
        #expect(violations.first?["tensors"] as? [String] == ["a1"])
        #expect(violations.first?["rule"] as? String == "outOfBounds")
    }

    @Test func unusableInputExitsWithTwo() throws {
        let bad = try CLI.temporaryFile("bad.json", contents: "{\"graph\": \"tiny\",\n \"capacity\": }")
        let r = try CLI.run(["simulate", "graphs/tiny.json", bad.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains(bad.path) && r.stderr.contains("line 2, column 14"), "\(r.stderr)")
        let missing = try CLI.run(["simulate", "graphs/none.json", bad.path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("graphs/none.json: the file does not exist"))
    }
}

@Suite struct PlanningCommandTests {
    @Test func heuristicWritesAPlanThatSimulates() throws {
        let out = try CLI.temporaryFile("p.json")
        let r = try CLI.run(["heuristic", "graphs/tiny.json", "--capacity", "5KiB", "-o", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("passed the simulator"))
        let check = try CLI.run(["simulate", "graphs/tiny.json", out.path])
        #expect(check.status == 0, "\(check.stdout)")
    }

    @Test func capacityBelowMRIsRejectedWithoutWritingAFile() throws {
        let out = try CLI.temporaryFile("p.json")
        let r = try CLI.run(["heuristic", "graphs/tiny.json", "--capacity", "3000", "-o", out.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("operator 'relu1' needs 4096 bytes"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func infoAndValidate() throws {
        let info = try CLI.run(["info", "graphs/tiny.json", "--json"])
        #expect(info.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any])
        #expect((object["budgets"] as? [String: Any])?["M_R"] as? Int == 4096)
        let all = try CLI.run(["info", "graphs/tiny.json", "--tensors", "all"])
        #expect(all.stdout.contains("compulsory  3360 bytes"))
        #expect(try CLI.run(["validate", "graphs/tiny.json"]).status == 0)
        let bad = try CLI.run(["info", "graphs/tiny.json", "--tensors", "some"])
        #expect(bad.status != 0)
    }

    /// `M_P` comes with how it was proven; where the searches are cut off and the program is
    /// skipped, it is reported as unproven with its bracket, and `M_H` is withheld. The graph is
    /// the small-regime RandWire-ER, whose minimum peak only the exhaustive search proves, in
    /// under a second even in a debug build.
    @Test func infoSaysHowTheMinimumPeakIsProven() throws {
        let graph = try CLI.temporaryFile("randwire_er_small.json")
        let generated = try CLI.run(["generate", "randwire", "--model", "er", "--regime", "small", "--seed", "1", "-o", graph.path])
        #expect(generated.status == 0, "\(generated.stderr)")
        let proven = try CLI.run(["info", graph.path])
        #expect(proven.status == 0, "\(proven.stderr)")
        #expect(proven.stdout.contains("M_P         978432 bytes"))
        #expect(proven.stdout.contains("proven minimal: exhaustive down-set search"))
        #expect(proven.stdout.contains("M_H         978432 bytes"))
        let open = try CLI.run(["info", graph.path, "--search-states", "0", "--time-limit", "0", "--json"])
        #expect(open.status == 0, "\(open.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(open.stdout.utf8)) as? [String: Any])
        let budgets = try #require(object["budgets"] as? [String: Any])
        let minimumPeak = try #require(budgets["minimumPeak"] as? [String: Any])
        #expect(minimumPeak["bestPeak"] as? Int ?? 0 >= 978432)
        if minimumPeak["proven"] as? Bool == false {
            #expect(budgets["M_P"] is NSNull)
            #expect(budgets["M_H"] is NSNull)
            #expect(minimumPeak["lowerBound"] as? Int ?? Int.max <= 978432)
        }
    }
}

@Suite struct SolveCommandTests {
    @Test(arguments: ["cbc", "glpk"])
    func solveWritesAProvenPlanThatSimulates(solver: String) throws {
        let out = try CLI.temporaryFile("p.json")
        let lp = try CLI.temporaryFile("m.lp")
        let r = try CLI.run(["solve", "graphs/tiny.json", "--capacity", "M_R", "--solver", solver, "-o", out.path,
                             "--write-lp", lp.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((object["solver"] as? [String: Any])?["status"] as? String == "optimal")
        #expect(try CLI.run(["simulate", "graphs/tiny.json", out.path]).status == 0)
        #expect(FileManager.default.fileExists(atPath: lp.path))
    }

    @Test func divideAndConquerAndAutoWriteSimulatedPlans() throws {
        for method in ["divide-and-conquer", "auto"] {
            let out = try CLI.temporaryFile("p.json")
            let r = try CLI.run(["solve", "graphs/tiny.json", "--capacity", "M_R", "--method", method, "--segment-ops", "2",
                                 "--time-limit", "10", "-o", out.path])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("status"), "\(r.stdout)")
            if method == "auto" { #expect(r.stdout.contains("auto chose exact"), "\(r.stdout)") }
            #expect(try CLI.run(["simulate", "graphs/tiny.json", out.path]).status == 0)
        }
        let conflict = try CLI.run(["solve", "graphs/tiny.json", "--capacity", "M_R", "--method", "divide-and-conquer",
                                    "--fixed-schedule", "default"])
        #expect(conflict.status != 0 && conflict.stderr.contains("--method exact"), "\(conflict.stderr)")
    }

    @Test func badFixedScheduleFileIsNamed() throws {
        let order = try CLI.temporaryFile("order.txt", contents: "relu1\nconv1\n")
        let r = try CLI.run(["solve", "graphs/tiny.json", "--capacity", "M_R", "--fixed-schedule", order.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains(order.path) && r.stderr.contains("'relu1' is scheduled before 'conv1'"), "\(r.stderr)")
    }
}

@Suite struct BenchExactCommandTests {
    @Test func writesOneRowPerSettingAndBudget() throws {
        let out = try CLI.temporaryFile("exact.md")
        let r = try CLI.run(["bench", "exact", "--graphs", "graphs/tiny.json", "--time-limit", "10", "--out", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOf: out, encoding: .utf8)
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("| tiny |") }
        #expect(rows.count == 6)
        #expect(rows.allSatisfy { $0.contains("| optimal |") }, "\(rows)")
        #expect(text.contains("- machine: "))
    }
}
