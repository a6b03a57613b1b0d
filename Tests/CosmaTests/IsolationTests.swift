import Cosma
import Foundation
import Testing

/// The facade's choice of where solvers run (``SolverIsolation``): child processes plan exactly as
/// the calling process does, only contained.
@Suite struct IsolationTests {
    @Test("Solving in child processes gives the in-process plan", arguments: SolverBackend.allCases)
    func childProcessesPlanTheSame(solver: SolverBackend) throws {
        let graph = try Cosma.loadGraph(at: FacadeTests.root.appendingPathComponent("graphs/resnet50.json"))
        let config = try Cosma.configuration(for: graph, capacity: .budget(.mR), tensors: .all)
        var options = ExactOptions(solver: solver, timeLimit: 60)
        let inProcess = try Cosma.solve(graph, configuration: config, method: .exact, options: options)
        options.solverIsolation = .childProcess
        let contained = try Cosma.solve(graph, configuration: config, method: .exact, options: options)
        #expect(contained.status == inProcess.status)
        #expect(contained.nonCompulsory == inProcess.nonCompulsory)
        #expect(contained.bound == inProcess.bound)
        #expect(!contained.trace.events.contains { if case .solverContained = $0 { true } else { false } })
    }
}
