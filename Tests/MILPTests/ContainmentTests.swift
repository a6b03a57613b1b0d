import Synchronization
import Testing

@testable import MILP

/// Solves in `cosma-solver` children (``SolverContainment``): the same answers as in process,
/// and a crash, a hang or memory exhaustion of the child becomes a result with a note, within the
/// solve's deadline plus a second, while this process (the host) lives on.
@Suite("Solver containment")
struct ContainmentTests {
    private func contained(_ containment: SolverContainment, _ backend: SolverBackend, _ model: Model,
                           _ options: SolveOptions = SolveOptions()) throws -> (result: SolveResult, seconds: Double)
    {
        let started = ContinuousClock.now
        let result = try SolverContainment.$current.withValue(containment) { try backend.solve(model, options: options) }
        return (result, (ContinuousClock.now - started).inSeconds)
    }

    @Test("A contained solve answers as an in-process one", arguments: SolverBackend.allCases)
    func sameAnswer(backend: SolverBackend) throws {
        for seed in UInt64(1)...4 {
            let model = Fixtures.randomSmall(seed: seed)
            let inProcess = try backend.solve(model)
            let (child, _) = try contained(SolverContainment(), backend, model)
            #expect(child.status == inProcess.status)
            #expect(child.objective == inProcess.objective)
            #expect(child.solution?.values == inProcess.solution?.values)
            #expect(child.note == nil)
        }
        let (knapsack, _, _) = Fixtures.knapsack()
        var options = SolveOptions()
        options.cutoff = 30
        #expect(try contained(SolverContainment(), backend, knapsack, options).result.status == .infeasible)
    }

    @Test("Progress comes back from the child, and cancelling stops it", arguments: SolverBackend.allCases)
    func progressAndCancel(backend: SolverBackend) throws {
        let (model, _, _) = Fixtures.marketSplit(seed: 11, rows: 5, slack: true)
        let flag = CancellationFlag()
        let reports = Mutex(0)
        var options = SolveOptions()
        options.timeLimit = 30
        options.cancellation = flag
        options.progress = { progress in
            reports.withLock { $0 += 1 }
            if progress.incumbent != nil { flag.cancel() }
        }
        let (result, seconds) = try contained(SolverContainment(), backend, model, options)
        #expect(result.status == .interrupted)
        #expect(result.solution != nil, "the child stops with its incumbent")
        #expect(reports.withLock { $0 } >= 1)
        #expect(seconds < 5)
    }

    @Test("An injected crash is a failed solve with a note", arguments: SolverBackend.allCases)
    func crash(backend: SolverBackend) throws {
        let containment = SolverContainment(injectedFault: .crash)
        var options = SolveOptions()
        options.timeLimit = 2
        let (result, seconds) = try contained(containment, backend, Fixtures.randomSmall(seed: 1), options)
        #expect(result.status == .error)
        #expect(result.solution == nil)
        #expect(result.note?.contains("signal 11") == true)
        #expect(containment.incidents == [result.note])
        #expect(seconds < 2 + 1)
    }

    @Test("An injected hang is killed within the deadline plus a second", arguments: SolverBackend.allCases)
    func hang(backend: SolverBackend) throws {
        let containment = SolverContainment(injectedFault: .hang)
        var options = SolveOptions()
        options.timeLimit = 0.5
        let (result, seconds) = try contained(containment, backend, Fixtures.randomSmall(seed: 2), options)
        #expect(result.status == .timeLimit)
        #expect(result.note?.contains("killed") == true)
        #expect(seconds >= 0.5 && seconds < 0.5 + 1)
    }

    @Test("A hang is killed at the containment's deadline even without a time limit of its own")
    func hangPastDeadline() throws {
        let containment = SolverContainment(timeLimit: 0.5, injectedFault: .hang)
        let (result, seconds) = try contained(containment, .cbc, Fixtures.randomSmall(seed: 3))
        #expect(result.status == .timeLimit)
        #expect(seconds < 0.5 + 1)
        // Past the deadline no child is started at all.
        let (late, lateSeconds) = try contained(containment, .glpk, Fixtures.randomSmall(seed: 3))
        #expect(late.status == .timeLimit && late.note == nil && lateSeconds < 0.1)
    }

    @Test("Memory exhaustion in the child is a failed solve with a note")
    func memory() throws {
        let containment = SolverContainment(injectedFault: .memory)
        var options = SolveOptions()
        options.timeLimit = 5
        let (result, _) = try contained(containment, .cbc, Fixtures.randomSmall(seed: 4), options)
        #expect(result.status == .error || result.status == .timeLimit)
        #expect(result.solution == nil)
        #expect(result.note != nil)
    }

    @Test("The wire carries a request and an answer unchanged")
    func wire() throws {
        let (model, items, extra) = Fixtures.knapsack()
        var options = SolveOptions()
        options.timeLimit = 3
        options.cutoff = 12
        options.knownBound = 24
        options.mipStart = [items[0]: 1, extra: 0]
        let request = SolveRequest(backend: .glpk, model: model.lowered(), options: options, fault: .hang, memoryLimitBytes: 1 << 30)
        let (decoded, wantsProgress) = try SolveRequest.decode(request.encoded())
        #expect(!wantsProgress)
        #expect(decoded.backend == .glpk && decoded.fault == .hang && decoded.memoryLimitBytes == 1 << 30)
        #expect(decoded.options.timeLimit == 3 && decoded.options.cutoff == 12 && decoded.options.knownBound == 24)
        #expect(decoded.options.mipStart == options.mipStart)
        #expect(decoded.model.columnValues == request.model.columnValues)
        #expect(decoded.model.rowStarts == request.model.rowStarts)
        #expect(try backendSolve(decoded).objective == (try SolverBackend.glpk.solve(model, options: options)).objective)
        // A cut-short file is an error, never a crash.
        #expect(throws: SolverError.self) { try SolveRequest.decode(Array(request.encoded().dropLast(9))) }
    }

    private func backendSolve(_ request: SolveRequest) throws -> SolveResult {
        try request.backend.solve(request.model, options: request.options)
    }
}
