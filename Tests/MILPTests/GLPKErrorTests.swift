import Testing

@testable import MILP

@Suite("GLPK errors")
struct GLPKErrorTests {
    /// GLPK answers an invalid argument with glp_error, which would abort the process
    /// without the shim's hook; here it must become a Swift error.
    @Test("An invalid argument becomes a thrown error and the process continues")
    func invalidArgument() throws {
        let (model, _, _) = Fixtures.knapsack()
        let lowered = model.lowered()
        let error = try #require(throws: SolverError.self) {
            try SolverBackend.glpk.solve(lowered, options: SolveOptions(), glpkTimeLimitMilliseconds: -5)
        }
        #expect(error.backend == .glpk)
        #expect(error.message.contains("tm_lim"), "GLPK's own message is kept: \(error.message)")

        for _ in 0..<3 {
            let result = try SolverBackend.glpk.solve(model)
            #expect(result.status == .optimal)
            #expect(abs((result.objective ?? .nan) - 24) < 1e-6)
        }
    }
}
