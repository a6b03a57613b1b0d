import DNNGraph
import Testing

@testable import MILP

/// Substituting fixed variables must not change what the model allows or what it costs.
@Suite("Fixed-variable restriction")
struct RestrictionTests {
    @Test("The restricted model has the optimum of the model with the same variables fixed")
    func sameOptimumAsFixingBounds() throws {
        var generator = SplitMix64(seed: 9)
        for seed in UInt64(1)...60 {
            var model = Fixtures.randomSmall(seed: seed)
            // Fix a random half of the variables at a value inside their bounds.
            for variable in model.variables where Bool.random(using: &generator) {
                var (lower, upper) = model.bounds(of: variable)
                if model.kind(of: variable) == .binary { (lower, upper) = (max(lower, 0), min(upper, 1)) }
                let value = Double(Int.random(in: Int(lower)...Int(upper), using: &generator))
                model.setBounds(of: variable, lower: value, upper: value)
            }
            let expected = Fixtures.bruteForce(model)
            guard let restricted = model.fixingBoundedVariables() else {
                #expect(expected == nil, "seed \(seed): a restriction declared infeasible has a solution")
                continue
            }
            let expanded = Fixtures.bruteForce(restricted.model)
            #expect(expanded.map { $0.rounded() } == expected.map { $0.rounded() }, "seed \(seed)")
            if restricted.model.variableCount > 0, let result = try SolverBackend.cbc.solve(restricted.model).solution {
                let full = restricted.expand(result)
                #expect(model.maximumViolation(at: full.values) < 1e-6, "seed \(seed)")
                #expect(abs(model.objectiveValue(at: full.values) - result.objective) < 1e-6, "seed \(seed)")
            }
        }
    }
}
