import Testing

@testable import MILP

/// Seeded random MILPs: both backends must agree with exhaustive enumeration.
@Suite("Random models")
struct RandomModelTests {
    static let seeds: [UInt64] = Array(1...60)

    @Test("CBC, GLPK and enumeration agree", arguments: SolverBackend.allCases)
    func agreeWithEnumeration(backend: SolverBackend) throws {
        for seed in Self.seeds {
            let model = Fixtures.randomSmall(seed: seed)
            let expected = Fixtures.bruteForce(model)
            let result = try backend.solve(model)
            if let expected {
                #expect(result.status == .optimal, "seed \(seed)")
                let solution = try #require(result.solution, "seed \(seed)")
                #expect(abs(solution.objective - expected) < 1e-6, "seed \(seed): \(solution.objective) != \(expected)")
                #expect(model.maximumViolation(at: solution.values) < 1e-6, "seed \(seed)")
            } else {
                #expect(result.status == .infeasible, "seed \(seed)")
                #expect(result.solution == nil, "seed \(seed)")
            }
        }
    }

    @Test("Many concurrent solves return correct results", arguments: SolverBackend.allCases)
    func concurrentSolves(backend: SolverBackend) async throws {
        let seeds = Array(Self.seeds.prefix(16))
        let objectives = try await withThrowingTaskGroup(of: (UInt64, Double?).self) { group in
            for seed in seeds {
                group.addTask { (seed, try await backend.solve(Fixtures.randomSmall(seed: seed)).objective) }
            }
            return try await group.reduce(into: [UInt64: Double?]()) { $0[$1.0] = $1.1 }
        }
        #expect(objectives.count == seeds.count)
        for seed in seeds {
            let expected = Fixtures.bruteForce(Fixtures.randomSmall(seed: seed))
            let objective = objectives[seed] ?? nil
            #expect((objective == nil) == (expected == nil), "seed \(seed)")
            if let objective, let expected {
                #expect(abs(objective - expected) < 1e-6, "seed \(seed)")
            }
        }
    }

    @Test("Mixed backends solve concurrently")
    func concurrentMixed() async throws {
        let (model, _, _) = Fixtures.knapsack()
        let objectives = try await withThrowingTaskGroup(of: Double?.self) { group in
            for index in 0..<16 {
                group.addTask {
                    try await SolverBackend.allCases[index % 2].solve(model).objective
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(objectives.allSatisfy { $0.map { abs($0 - 24) < 1e-6 } ?? false })
    }
}
