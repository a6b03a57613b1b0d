import Testing

@testable import MILP

/// Every backend must give the same answers; each test runs once per backend.
@Suite("Conformance")
struct ConformanceTests {
    @Test("A known MILP optimum", arguments: SolverBackend.allCases)
    func knownOptimum(backend: SolverBackend) throws {
        let (model, items, extra) = Fixtures.knapsack()
        let result = try backend.solve(model)
        #expect(result.status == .optimal)
        let solution = try #require(result.solution)
        #expect(abs(solution.objective - 24) < 1e-6)
        #expect(items.map(solution.isSet) == [true, true, false, false])
        #expect(solution.integerValue(of: extra) == 0)
        #expect(solution.value(of: extra) == 0, "integer values are snapped")
        #expect(abs((result.bestBound ?? .nan) - 24) < 1e-6)
        #expect(result.gap == 0)
    }

    @Test("An infeasible MILP", arguments: SolverBackend.allCases)
    func infeasible(backend: SolverBackend) throws {
        var model = Model()
        let x = model.addVariable(.binary)
        let y = model.addVariable(.binary)
        let z = model.addVariable(.integer, lower: 0, upper: 10)
        model.addConstraint([(x, 1), (y, 1)], .greaterOrEqual, 1.5)
        model.addConstraint([(x, 1), (y, 1), (z, 2)], .equal, 2)
        model.addConstraint([(z, 1)], .greaterOrEqual, 1)
        model.setObjective([(x, 1), (z, 1)], sense: .minimize)
        let result = try backend.solve(model)
        #expect(result.status == .infeasible)
        #expect(result.solution == nil)
    }

    @Test("An unbounded MILP", arguments: SolverBackend.allCases)
    func unbounded(backend: SolverBackend) throws {
        var model = Model()
        let x = model.addVariable(.integer, objective: 1)
        let y = model.addVariable(.continuous, objective: 1)
        model.addConstraint([(x, 1), (y, -1)], .lessOrEqual, 1)
        model.sense = .maximize
        let result = try backend.solve(model)
        #expect(result.status == .unbounded)
    }

    @Test("An unbounded LP", arguments: SolverBackend.allCases)
    func unboundedLP(backend: SolverBackend) throws {
        var model = Model()
        let x = model.addVariable(lower: -.infinity, objective: 1)
        let y = model.addVariable(objective: 0)
        model.addConstraint([(x, 1), (y, 1)], .lessOrEqual, 3)
        let result = try backend.solve(model)
        #expect(result.status == .unbounded)
    }

    @Test("An infeasible LP", arguments: SolverBackend.allCases)
    func infeasibleLP(backend: SolverBackend) throws {
        var model = Model()
        let x = model.addVariable(objective: 1)
        let y = model.addVariable(objective: 1)
        model.addConstraint([(x, 1), (y, 1)], .lessOrEqual, 1)
        model.addConstraint([(x, 1), (y, 2)], .greaterOrEqual, 3)
        let result = try backend.solve(model)
        #expect(result.status == .infeasible)
        #expect(result.solution == nil)
    }

    @Test("A pure LP", arguments: SolverBackend.allCases)
    func pureLP(backend: SolverBackend) throws {
        var model = Model()
        let x = model.addVariable(objective: 3, name: "x")
        let y = model.addVariable(objective: 2, name: "y")
        model.addConstraint([(x, 1), (y, 1)], .lessOrEqual, 4)
        model.addConstraint([(x, 1), (y, 3)], .lessOrEqual, 6)
        model.addConstraint([(x, 1)], .lessOrEqual, 3)
        model.sense = .maximize
        let result = try backend.solve(model)
        #expect(result.status == .optimal)
        let solution = try #require(result.solution)
        #expect(abs(solution.objective - 11) < 1e-7)
        #expect(abs(solution[x] - 3) < 1e-7 && abs(solution[y] - 1) < 1e-7)
        #expect(result.nodes == 0)
    }

    @Test("An empty model", arguments: SolverBackend.allCases)
    func emptyModel(backend: SolverBackend) throws {
        var model = Model()
        model.objectiveOffset = 5
        let result = try backend.solve(model)
        #expect(result.status == .optimal)
        #expect(result.objective == 5)
        #expect(result.solution?.values.isEmpty == true)

        model.addConstraint(LinearExpression(constant: 2), .lessOrEqual, 1)
        #expect(try backend.solve(model).status == .infeasible)
    }

    @Test("Variables but no rows", arguments: SolverBackend.allCases)
    func noRows(backend: SolverBackend) throws {
        var model = Model()
        let x = model.addVariable(.integer, lower: -3.5, upper: 7.2, objective: 2)
        let y = model.addVariable(.continuous, lower: 1, upper: 2, objective: -1)
        let result = try backend.solve(model)
        #expect(result.status == .optimal)
        let solution = try #require(result.solution)
        #expect(solution.integerValue(of: x) == -3)
        #expect(solution[y] == 2)
        #expect(abs(solution.objective - -8) < 1e-9)
    }

    @Test("Equality, ranged and free rows", arguments: SolverBackend.allCases, ObjectiveSense.allCases)
    func rowKinds(backend: SolverBackend, sense: ObjectiveSense) throws {
        var model = Model()
        let x = model.addVariable(.integer, lower: 0, upper: 10)
        let y = model.addVariable(.integer, lower: 0, upper: 10)
        let z = model.addVariable(.continuous, lower: -.infinity, upper: .infinity)
        model.addConstraint([(x, 1), (y, -1)], .equal, 1, name: "difference")
        model.addConstraint([(x, 1), (y, 1)], lower: 2, upper: 5, name: "ranged")
        model.addConstraint([(x, 1000), (z, 1)], name: "free")
        model.addConstraint([(z, 1), (x, -1)], .equal, 0.5)
        model.setObjective([(x, 1), (y, 1), (z, 0)], sense: sense)
        let result = try backend.solve(model)
        #expect(result.status == .optimal)
        let solution = try #require(result.solution)
        // x − y = 1 with x + y in 2...5 leaves (2, 1) and (3, 2).
        let expected: (Int, Int) = sense == .minimize ? (2, 1) : (3, 2)
        #expect(solution.integerValue(of: x) == expected.0)
        #expect(solution.integerValue(of: y) == expected.1)
        #expect(abs(solution[z] - Double(expected.0) - 0.5) < 1e-7)
        #expect(model.maximumViolation(at: solution.values) < 1e-7)
    }

    @Test("Repeated variables in a row are summed", arguments: SolverBackend.allCases)
    func duplicatesSummed(backend: SolverBackend) throws {
        var model = Model()
        let x = model.addVariable(.integer, lower: 0, upper: 10, objective: 1)
        let y = model.addVariable(.integer, lower: 0, upper: 10, objective: 1)
        model.addConstraint([(x, 1), (y, 1), (x, 2), (y, -1)], .lessOrEqual, 7)
        model.sense = .maximize
        let result = try backend.solve(model)
        #expect(result.status == .optimal)
        // 3x <= 7, y unconstrained by the row (its terms cancel).
        #expect(result.solution?.integerValue(of: x) == 2)
        #expect(result.solution?.integerValue(of: y) == 10)
    }

    @Test("A time limit with an incumbent", arguments: SolverBackend.allCases)
    func timeLimitWithIncumbent(backend: SolverBackend) throws {
        let (model, _, _) = Fixtures.marketSplit(seed: 11, rows: 5, slack: true)
        var options = SolveOptions()
        options.timeLimit = 0.5
        let result = try backend.solve(model, options: options)
        #expect(result.status == .timeLimit)
        let solution = try #require(result.solution)
        #expect(model.maximumViolation(at: solution.values) < 1e-6)
        if let bound = result.bestBound {
            #expect(bound <= solution.objective + 1e-6)
        }
    }

    @Test("A time limit without an incumbent", arguments: SolverBackend.allCases)
    func timeLimitWithoutIncumbent(backend: SolverBackend) throws {
        let (model, _, _) = Fixtures.marketSplit(seed: 7, rows: 5, slack: false)
        var options = SolveOptions()
        options.timeLimit = 0.5
        let result = try backend.solve(model, options: options)
        #expect(result.status == .timeLimit)
        #expect(result.solution == nil)
    }

    @Test("A MIP start is used", arguments: SolverBackend.allCases)
    func mipStart(backend: SolverBackend) throws {
        let (model, _, known) = Fixtures.marketSplit(seed: 3, rows: 5, slack: false, planted: true)
        var options = SolveOptions()
        options.timeLimit = 0.5
        options.mipStart = known
        let result = try backend.solve(model, options: options)
        let solution = try #require(result.solution, "status \(result.status)")
        #expect(model.maximumViolation(at: solution.values) < 1e-6)
        #expect(result.status == .optimal, "a feasibility problem is solved once a point is known")
    }

    @Test("A MIP start bounds the incumbent", arguments: SolverBackend.allCases)
    func mipStartIncumbent(backend: SolverBackend) throws {
        let (model, x, _) = Fixtures.marketSplit(seed: 5, rows: 5, slack: true)
        var start: [Variable: Double] = [:]
        for variable in model.variables { start[variable] = 0 }
        var values = [Double](repeating: 0, count: model.variableCount)
        // With x = 0 the slacks absorb each right-hand side.
        for constraint in (0..<model.constraintCount).map(Constraint.init(index:)) {
            let rhs = model.bounds(of: constraint).lower
            let over = Variable(index: x.count + 2 * constraint.index)
            start[over] = rhs
            values[over.index] = rhs
        }
        let startObjective = model.objectiveValue(at: values)
        var options = SolveOptions()
        options.timeLimit = 0.3
        options.mipStart = start
        let result = try backend.solve(model, options: options)
        let solution = try #require(result.solution)
        #expect(solution.objective <= startObjective + 1e-6)
    }

    @Test("An infeasible MIP start is ignored", arguments: SolverBackend.allCases)
    func infeasibleStart(backend: SolverBackend) throws {
        let (model, items, extra) = Fixtures.knapsack()
        var options = SolveOptions()
        options.mipStart = Dictionary(uniqueKeysWithValues: items.map { ($0, 1.0) })
        options.mipStart[extra] = 3
        let result = try backend.solve(model, options: options)
        #expect(result.status == .optimal)
        #expect(abs((result.objective ?? .nan) - 24) < 1e-6)
    }

    @Test("A cutoff", arguments: SolverBackend.allCases)
    func cutoff(backend: SolverBackend) throws {
        let (model, _, _) = Fixtures.knapsack()
        var options = SolveOptions()
        options.cutoff = 25
        let beyond = try backend.solve(model, options: options)
        #expect(beyond.status == .infeasible)
        #expect(beyond.solution == nil)

        options.cutoff = 20
        let within = try backend.solve(model, options: options)
        #expect(within.status == .optimal)
        #expect(abs((within.objective ?? .nan) - 24) < 1e-6)

        var minimizing = model
        minimizing.setObjective(
            LinearExpression(zip(model.variables, [-10.0, -13, -7, -8, -2]), constant: -1),
            sense: .minimize
        )
        options.cutoff = -25
        #expect(try backend.solve(minimizing, options: options).status == .infeasible)
        options.cutoff = -20
        #expect(abs((try backend.solve(minimizing, options: options).objective ?? .nan) - -24) < 1e-6)
    }

    @Test("A cutoff on a pure LP", arguments: SolverBackend.allCases)
    func cutoffLP(backend: SolverBackend) throws {
        var model = Model()
        let x = model.addVariable(upper: 2, objective: 1)
        model.sense = .maximize
        var options = SolveOptions()
        options.cutoff = 3
        #expect(try backend.solve(model, options: options).status == .infeasible)
        options.cutoff = 1
        #expect(try backend.solve(model, options: options).solution?[x] == 2)
    }

    @Test("A relative gap stops early or proves optimality", arguments: SolverBackend.allCases)
    func relativeGap(backend: SolverBackend) throws {
        let (model, _, _) = Fixtures.marketSplit(seed: 11, rows: 5, slack: true)
        var options = SolveOptions()
        options.relativeGap = 10
        options.timeLimit = 5
        let result = try backend.solve(model, options: options)
        #expect(result.status == .gapLimit || result.status == .optimal)
        #expect(result.solution != nil)
    }

    @Test("Cancellation before the solve", arguments: SolverBackend.allCases)
    func cancelledBefore(backend: SolverBackend) throws {
        let (model, _, _) = Fixtures.knapsack()
        var options = SolveOptions()
        let flag = CancellationFlag()
        flag.cancel()
        options.cancellation = flag
        #expect(try backend.solve(model, options: options).status == .interrupted)
    }

    @Test("Invalid options are rejected", arguments: SolverBackend.allCases)
    func invalidOptions(backend: SolverBackend) throws {
        let (model, _, _) = Fixtures.knapsack()
        var options = SolveOptions()
        options.timeLimit = -1
        #expect(throws: SolverError.self) { try backend.solve(model, options: options) }
        options = SolveOptions()
        options.mipStart = [Variable(index: 99): 1]
        #expect(throws: SolverError.self) { try backend.solve(model, options: options) }
    }
}
