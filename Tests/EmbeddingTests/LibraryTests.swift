import CosmaC
import CosmaTestSupport
import DNNGraph
import Dispatch
import Foundation
import Synchronization
import Testing

/// The C library through its exports: plans, replays, imports, and every kind of bad input.
/// Every answer is checked against `schemas/result.schema.json` (or the graph schema for imports).
@Suite struct LibraryTests {
    func expectConforms(_ answer: CLibrary.Answer, to schema: String = "result.schema.json") {
        #expect(CLibrary.schemas.errors(in: answer.json, against: schema) == [], "\(answer.text)")
    }

    @Test func plansTinyAndTheAnswerReplays() throws {
        let graph = try CLibrary.graph("tiny")
        let answer = try CLibrary.plan(graph, #"{"capacity": "5KiB"}"#)
        #expect(answer.code == 0)
        expectConforms(answer)
        #expect(answer["plan.traffic.total"] == 3072)
        #expect(answer["summary.solver.status"] == "optimal")
        guard let plan = answer["plan"] else {
            Issue.record("no plan in \(answer.text)")
            return
        }
        let replay = try CLibrary.simulate(graph, plan.compact)
        #expect(replay.code == 0)
        expectConforms(replay)
        #expect(replay["simulation.valid"] == true)
    }

    /// With no time limit the exact method (which `auto` picks here) runs every stage to
    /// completion, so that what is asserted does not depend on the machine's speed. Divide and
    /// conquer has no unlimited mode and keeps its 60 s; it reaches the bound in about 6 s.
    @Test(arguments: ["exact", "divide-and-conquer", "auto"])
    func everySolvingMethodPlansResNet50WithWeightsAtMR(method: String) throws {
        let answer = try CLibrary.plan(try CLibrary.graph("resnet50"),
                                       #"{"capacity": "M_R", "tensors": "all", "method": "\#(method)", "timeLimit": null}"#)
        #expect(answer.code == 0, "\(answer.message)")
        expectConforms(answer)
        #expect(answer["summary.traffic.nonCompulsory"] == 602112)
    }

    @Test func aNullTimeLimitIsNoLimitAndAbsentIsSixtySeconds() throws {
        func firstNote(_ options: String) throws -> JSONValue? {
            let answer = try CLibrary.plan(try CLibrary.graph("tiny"), options)
            #expect(answer.code == 0, "\(answer.message)")
            guard case .array(let notes)? = answer["summary.notes"] else { return nil }
            return notes.first
        }
        #expect(try firstNote(#"{"capacity": "5KiB", "timeLimit": null}"#) == "warm starts (no time limit)")
        #expect(try firstNote(#"{"capacity": "5KiB"}"#) == "warm starts (share 60.0 s)")
    }

    @Test func aHeuristicThatFragmentsCompactsAndSaysSo() throws {
        // At M_R the operands of the largest operator fill the scratchpad exactly: the default
        // order's on-line allocation cannot place them where they lie, so it compacts them, as a
        // runtime would, and the summary counts what fired instead of the call failing.
        let answer = try CLibrary.plan(try CLibrary.graph("resnet50"), #"{"capacity": "M_R", "tensors": "all", "method": "heuristic"}"#)
        #expect(answer.code == 0, "\(answer.message)")
        expectConforms(answer)
        guard case .int(let compactions)? = answer["summary.fallbacks.compactions"] else {
            Issue.record("the summary has no fallback counts")
            return
        }
        #expect(compactions > 0)
    }

    @Test func aBrokenPlanIsCodeOneWithEveryViolation() throws {
        let graph = try CLibrary.graph("tiny")
        let plan = #"{"capacity": 4096, "steps": [{"op": "relu1", "outputs": [{"tensor": "y", "offset": 9000}]}]}"#
        let replay = try CLibrary.simulate(graph, plan)
        #expect(replay.code == 1)
        expectConforms(replay)
        #expect(replay["simulation.valid"] == false)
        guard case .array(let violations)? = replay["simulation.violations"] else {
            Issue.record("no violations")
            return
        }
        #expect(violations.count >= 2)
    }

    @Test(arguments: [
        (nil, #"{"capacity": 4096}"#, "graph_json is NULL"),
        ("{\"name\": \"x\", \"tensors\": [", #"{"capacity": 4096}"#, "malformed JSON at line 1"),
        ("[1, 2]", #"{"capacity": 4096}"#, "wrong type"),
        (#"{"name": "x", "tensors": 5, "operators": [], "outputs": []}"#, #"{"capacity": 4096}"#, "tensors has the wrong type"),
        ("TINY", nil, "planning needs a capacity"),
        ("TINY", #"{"capacity": true}"#, "capacity"),
        ("TINY", #"{"capacity": "5 parsecs"}"#, "5 parsecs"),
        ("TINY", #"{"capacity": 100}"#, "100"),
        ("TINY", #"{"capacity": 4096, "timelimit": 5}"#, "timelimit"),
        ("TINY", #"{"capacity": 4096, "solver": "gurobi"}"#, "gurobi"),
        ("TINY", #"{"capacity": 4096, "alignment": 0}"#, "alignment"),
        ("TINY", #"{"capacity": 4096, "timeLimit": -1}"#, "timeLimit"),
        ("TINY", #"{"capacity": 4096, "format": "cosma-options/7"}"#, "cosma-options/7"),
        ("TINY", "not json", "malformed JSON"),
    ] as [(String?, String?, String)])
    func unusableInputIsCodeTwoWithAMessage(graph: String?, options: String?, words: String) throws {
        let text = try graph == "TINY" ? CLibrary.graph("tiny") : graph
        let answer = try CLibrary.plan(text, options)
        #expect(answer.code == 2)
        expectConforms(answer)
        #expect(answer.message.contains(words), "\(answer.message)")
    }

    @Test func invalidUTF8IsCodeTwo() throws {
        let bytes: [CChar] = [CChar(bitPattern: 0xFF), CChar(bitPattern: 0xFE), 0]
        var out: UnsafeMutablePointer<CChar>? = nil
        let code = bytes.withUnsafeBufferPointer { cosma_plan($0.baseAddress, nil, &out) }
        defer { cosma_free(out) }
        #expect(code == 2)
        #expect(String(cString: try #require(out)).contains("graph_json is not valid UTF-8"))
    }

    @Test func noPlaceForTheAnswerIsCodeTwo() throws {
        #expect(cosma_plan(nil, nil, nil) == 2)
        #expect(cosma_simulate(nil, nil, nil, nil) == 2)
        #expect(cosma_import_onnx(nil, nil, nil) == 2)
        cosma_free(nil)
    }

    @Test func formatsAreCheckedAndOlderFilesRead() throws {
        let graph = try CLibrary.graph("tiny")
        let unversioned = graph.replacingOccurrences(of: #"  "format": "cosma-graph/1","#, with: "")
        #expect(unversioned != graph)
        #expect(try CLibrary.plan(unversioned, #"{"capacity": 4096}"#).code == 0)
        let future = try CLibrary.plan(graph.replacingOccurrences(of: "cosma-graph/1", with: "cosma-graph/2"), #"{"capacity": 4096}"#)
        #expect(future.code == 2)
        #expect(future.message.contains(#"format "cosma-graph/2" is not one this Cosma reads"#))
        let swapped = try CLibrary.simulate(graph, graph)
        #expect(swapped.code == 2)
        #expect(swapped.message.contains("this is a graph"))
    }

    @Test func importsResNet50AsTheCommittedGraph() throws {
        let answer = try CLibrary.importONNX(CLibrary.root.appendingPathComponent("models/onnx/resnet50.onnx").path, #"{"elementBytes": 1}"#)
        #expect(answer.code == 0)
        expectConforms(answer, to: "graph.schema.json")
        #expect(answer.text == (try CLibrary.graph("resnet50")))
        let missing = try CLibrary.importONNX("no/such/model.onnx")
        #expect(missing.code == 2)
        expectConforms(missing)
        #expect(missing.message.contains("no/such/model.onnx"))
        let badOption = try CLibrary.importONNX("no/such/model.onnx", #"{"elementBytes": 0}"#)
        #expect(badOption.message.contains("elementBytes"))
    }

    @Test func twoThreadsPlanDifferentGraphsAtOnce() throws {
        let jobs = [("tiny", #"{"capacity": "5KiB"}"#), ("resnet50", #"{"capacity": "M_R", "tensors": "all"}"#)]
        let graphs = try jobs.map { try CLibrary.graph($0.0) }
        let answers = Mutex<[Int: CLibrary.Answer]>([:])
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let answer = try? CLibrary.plan(graphs[i], jobs[i].1)
            answers.withLock { $0[i] = answer }
        }
        for i in 0..<2 {
            let answer = try #require(answers.withLock { $0[i] })
            #expect(answer.code == 0, "\(jobs[i].0): \(answer.message)")
            guard let plan = answer["plan"] else { continue }
            #expect(try CLibrary.simulate(graphs[i], plan.compact).code == 0)
        }
    }
}

/// `cosma_plan_with_progress`: reports in their format, and a flag that stops the planner.
@Suite struct LibraryProgressTests {
    /// Collects the reports the C callback receives.
    final class Reports: @unchecked Sendable {
        let texts = Mutex<[String]>([])
    }

    func plan(_ graph: String, _ options: String, cancel: Int32) throws -> (CLibrary.Answer, [String]) {
        let reports = Reports()
        let context = Unmanaged.passUnretained(reports).toOpaque()
        var flag = cancel
        let answer = try CLibrary.call([graph, options]) { a, out in
            cosma_plan_with_progress(a[0], a[1], { text, context in
                guard let text, let context else { return }
                let reports = Unmanaged<Reports>.fromOpaque(context).takeUnretainedValue()
                reports.texts.withLock { $0.append(String(cString: text)) }
            }, context, &flag, out)
        }
        return (answer, reports.texts.withLock { $0 })
    }

    @Test func reportsConformWhileTheSolverRuns() throws {
        let (answer, reports) = try plan(try CLibrary.graph("resnet50"), #"{"capacity": "M_R", "tensors": "all", "timeLimit": null}"#,
                                         cancel: 0)
        #expect(answer.code == 0)
        #expect(answer["cancelled"] == nil)
        #expect(answer["summary.traffic.nonCompulsory"] == 602112)
        // CBC reports every new incumbent, and the capacity program finds one.
        #expect(!reports.isEmpty)
        for report in reports {
            #expect(CLibrary.schemas.errors(in: try JSONValue(parsing: report), against: "progress.schema.json") == [], "\(report)")
        }
    }

    @Test func aRaisedFlagStopsTheSolverAndTheBestPlanComesBack() throws {
        // Raised before the call, so that the outcome does not depend on the machine's speed:
        // every solver call stops at its first check, and the best heuristic plan is returned.
        let graph = try CLibrary.graph("resnet50")
        let (answer, _) = try plan(graph, #"{"capacity": "M_R", "tensors": "all"}"#, cancel: 1)
        #expect(answer.code == 0)
        #expect(answer["cancelled"] == true)
        #expect(CLibrary.schemas.errors(in: answer.json, against: "result.schema.json") == [])
        guard let plan = answer["plan"] else { return }
        #expect(try CLibrary.simulate(graph, plan.compact).code == 0)
    }

    @Test func badInputThroughTheProgressCallIsCodeTwo() throws {
        let (answer, reports) = try plan("{", #"{"capacity": 1}"#, cancel: 0)
        #expect(answer.code == 2)
        #expect(answer.message.contains("malformed JSON"))
        #expect(reports.isEmpty)
    }
}
