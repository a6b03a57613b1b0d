import Dispatch
import Synchronization
import Testing

@testable import MILP

@Suite("Progress and cancellation")
struct ProgressTests {
    @Test("Progress is reported during branch and bound", arguments: SolverBackend.allCases)
    func progressReported(backend: SolverBackend) throws {
        let (model, _, _) = Fixtures.marketSplit(seed: 11, rows: 5, slack: true)
        let reports = Mutex<[SolveProgress]>([])
        var options = SolveOptions()
        options.timeLimit = 0.6
        options.progress = { progress in reports.withLock { $0.append(progress) } }
        let result = try backend.solve(model, options: options)
        #expect(result.status == .timeLimit)
        let seen = reports.withLock { $0 }
        #expect(!seen.isEmpty)
        for report in seen {
            #expect(report.elapsedSeconds >= 0)
            #expect(report.nodes >= 0)
            if let incumbent = report.incumbent, let bound = report.bestBound {
                #expect(bound <= incumbent + 1e-6, "a minimisation's bound stays below its incumbent")
                #expect(report.gap != nil)
            }
        }
        #expect(seen.contains { $0.incumbent != nil })
    }

    @Test("Cancelling a flag stops the search", arguments: SolverBackend.allCases)
    func cancelFromProgress(backend: SolverBackend) throws {
        let (model, _, _) = Fixtures.marketSplit(seed: 11, rows: 5, slack: true)
        let flag = CancellationFlag()
        var options = SolveOptions()
        options.timeLimit = 30
        options.cancellation = flag
        options.progress = { _ in flag.cancel() }
        let result = try backend.solve(model, options: options)
        #expect(result.status == .interrupted)
        #expect(flag.isCancelled)
    }

    /// CBC's root (its cut rounds and heuristics) ignores a stop at the events it reports, so a
    /// stop asked for at the root's first incumbent used to wait for the cut rounds left: about
    /// 900 iterations of a root of 4,000 to 6,500 on four of these eight, against about 40 now.
    /// The shim ends the root the way CBC's own time limit does, and the stop keeps the incumbent.
    @Test("A stop asked for in CBC's root ends the root at once, with the incumbent")
    func stopInRoot() throws {
        for seed in UInt64(1)...8 {
            let (model, _, _) = Fixtures.marketSplit(seed: seed, rows: 5, slack: true)
            var rootOnly = SolveOptions()
            rootOnly.nodeLimit = 1
            let root = try SolverBackend.cbc.solve(model, options: rootOnly)
            let flag = CancellationFlag()
            var options = SolveOptions()
            options.cancellation = flag
            options.progress = { progress in
                if progress.incumbent != nil { flag.cancel() }
            }
            let stopped = try SolverBackend.cbc.solve(model, options: options)
            #expect(stopped.status == .interrupted)
            #expect(stopped.solution != nil, "seed \(seed)")
            #expect(stopped.iterations * 20 < root.iterations, "seed \(seed): \(stopped.iterations) iterations in all, the root alone \(root.iterations)")
        }
    }

    /// The cancel comes from a Dispatch thread of its own, woken by the solve's first report. A
    /// task polling for that report needs a free thread of Swift's pool, which the suite's long
    /// synchronous solves (real models) may hold for minutes: on CI, past a 300 s time limit, so
    /// the solve ended on its limit before the cancel was sent.
    @Test("Cancelling the task stops the search", arguments: SolverBackend.allCases)
    func cancelTask(backend: SolverBackend) async throws {
        let (model, _, _) = Fixtures.marketSplit(seed: 11, rows: 5, slack: true)
        let reported = DispatchSemaphore(value: 0)
        var options = SolveOptions()
        // Only a guard against a hang: the cancel no longer waits for the pool.
        options.timeLimit = 300
        // Every report signals; the first wakes the canceller, and the others are never waited for.
        options.progress = { _ in reported.signal() }
        let task = Task { try await backend.solve(model, options: options) }
        DispatchQueue(label: "ProgressTests.cancel").async {
            reported.wait()
            task.cancel()
        }
        let result = try await task.value
        #expect(result.status == .interrupted)
    }

    /// Market split with slacks is hard to prove optimal but has an incumbent at once (the
    /// start): a bound known from elsewhere that the start meets ends the search, optimal.
    @Test("A known bound ends the search once an incumbent meets it", arguments: SolverBackend.allCases)
    func knownBoundStops(backend: SolverBackend) throws {
        let (model, x, _) = Fixtures.marketSplit(seed: 11, rows: 5, slack: true)
        var start: [Variable: Double] = [:]
        for variable in x { start[variable] = 0 }
        var options = SolveOptions()
        options.timeLimit = 30
        options.mipStart = start
        var probe = options
        probe.timeLimit = 0.5
        let startObjective = try #require(try backend.solve(model, options: probe).objective)
        options.knownBound = startObjective
        let result = try backend.solve(model, options: options)
        #expect(result.status == .optimal)
        let objective = try #require(result.objective)
        #expect(objective <= startObjective + 1e-6)
        #expect(result.bestBound == objective)
    }

    /// A bound that no incumbent meets changes nothing; in a maximisation it is an upper bound.
    @Test("A loose known bound leaves the optimum alone", arguments: SolverBackend.allCases)
    func knownBoundLoose(backend: SolverBackend) throws {
        let (model, _, _) = Fixtures.knapsack()
        for known in [24.0, 30] {
            var options = SolveOptions()
            options.knownBound = known
            let result = try backend.solve(model, options: options)
            #expect(result.status == .optimal)
            #expect(abs((result.objective ?? .nan) - 24) < 1e-6, "known bound \(known)")
        }
    }
}
