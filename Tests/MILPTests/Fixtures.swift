import CosmaTestSupport
import DNNGraph
@testable import MILP

enum Fixtures {
    /// max 10a + 13b + 7c + 8d + 2n + 1 subject to 3a + 4b + 2c + 3d + n <= 7;
    /// a..d binary, n integer in 0...3. The optimum 24 takes a and b only.
    static func knapsack() -> (model: Model, items: [Variable], extra: Variable) {
        var model = Model(name: "knapsack")
        let values = [10.0, 13, 7, 8]
        let items = values.enumerated().map { index, value in
            model.addVariable(.binary, objective: value, name: "item \(index)")
        }
        let extra = model.addVariable(.integer, lower: 0, upper: 3, objective: 2, name: "n")
        var weight = LinearExpression(zip(items, [3.0, 4, 2, 3]))
        weight.add(1, extra)
        model.addConstraint(weight, .lessOrEqual, 7, name: "capacity")
        model.sense = .maximize
        model.objectiveOffset = 1
        return (model, items, extra)
    }

    /// A market-split instance (Cornuéjols and Dawande): binary x with A·x = d for
    /// `rows` random rows of coefficients in 0..<100. Branch and bound needs far more
    /// than a second on these, and heuristics rarely find a feasible point.
    ///
    /// - Parameters:
    ///   - slack: add penalised slacks so that every point is feasible (an incumbent
    ///     exists at once and the optimum is hard to prove).
    ///   - planted: choose d = A·x* for a random x*, returned as a known solution.
    static func marketSplit(
        seed: UInt64, rows: Int = 4, slack: Bool, planted: Bool = false
    ) -> (model: Model, x: [Variable], known: [Variable: Double]) {
        var generator = SplitMix64(seed: seed)
        let columns = 10 * (rows - 1)
        var model = Model(name: "market-split-\(seed)")
        let x = (0..<columns).map { model.addVariable(.binary, name: "x\($0)") }
        let plantedValues = (0..<columns).map { _ in Double(Int.random(in: 0...1, using: &generator)) }
        var known: [Variable: Double] = [:]
        if planted {
            for (variable, value) in zip(x, plantedValues) { known[variable] = value }
        }
        for row in 0..<rows {
            let coefficients = (0..<columns).map { _ in Double(Int.random(in: 0..<100, using: &generator)) }
            let rhs =
                planted
                ? zip(coefficients, plantedValues).reduce(0) { $0 + $1.0 * $1.1 }
                : (coefficients.reduce(0, +) / 2).rounded(.down)
            var expression = LinearExpression(zip(x, coefficients))
            if slack {
                let over = model.addVariable(.continuous, objective: 1, name: "over\(row)")
                let under = model.addVariable(.continuous, objective: 1, name: "under\(row)")
                expression.add(1, over)
                expression.add(-1, under)
            }
            model.addConstraint(expression, .equal, rhs, name: "split\(row)")
        }
        return (model, x, known)
    }

    /// A random linear program without integers, `size` variables and `size` dense rows
    /// (`min c·x`, `A·x ≥ b`, `0 ≤ x ≤ 10`, positive data, a diet problem): the all-zero start
    /// is infeasible, so both solvers need dozens of simplex iterations. With `integers`, the same
    /// program over integers: its root relaxation takes those iterations.
    static func denseLinear(seed: UInt64, size: Int, integers: Bool = false) -> Model {
        var generator = SplitMix64(seed: seed)
        var model = Model(name: "dense-linear-\(seed)")
        let x = (0..<size).map { _ in model.addVariable(integers ? .integer : .continuous, lower: 0, upper: 10) }
        model.setObjective(LinearExpression(x.map { ($0, Double(Int.random(in: 1...50, using: &generator))) }), sense: .minimize)
        for row in 0..<size {
            let coefficients = x.map { ($0, Double(Int.random(in: 1...30, using: &generator))) }
            model.addConstraint(LinearExpression(coefficients), .greaterOrEqual, Double(Int.random(in: 100...400, using: &generator)),
                                name: "r\(row)")
        }
        return model
    }

    /// A random bounded MILP with 5–8 small-domain integer or binary variables and
    /// 1–4 rows (some ranged, some equalities), small enough to enumerate.
    static func randomSmall(seed: UInt64) -> Model {
        var generator = SplitMix64(seed: seed)
        var model = Model(name: "random-\(seed)")
        let count = Int.random(in: 5...8, using: &generator)
        for index in 0..<count {
            let objective = Double(Int.random(in: -9...9, using: &generator))
            if Bool.random(using: &generator) {
                model.addVariable(.binary, objective: objective, name: "b\(index)")
            } else {
                let lower = Double(Int.random(in: -2...0, using: &generator))
                let upper = lower + Double(Int.random(in: 1...2, using: &generator))
                model.addVariable(.integer, lower: lower, upper: upper, objective: objective, name: "n\(index)")
            }
        }
        let rows = Int.random(in: 1...4, using: &generator)
        for row in 0..<rows {
            var expression = LinearExpression()
            for variable in model.variables where Int.random(in: 0..<3, using: &generator) > 0 {
                expression.add(Double(Int.random(in: -6...6, using: &generator)), variable)
            }
            if let first = expression.variables.first, Bool.random(using: &generator) {
                expression.add(1, first)
            }
            let center = Double(Int.random(in: -4...6, using: &generator))
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: model.addConstraint(expression, .lessOrEqual, center, name: "r\(row)")
            case 1: model.addConstraint(expression, .greaterOrEqual, center, name: "r\(row)")
            case 2: model.addConstraint(expression, .equal, center, name: "r\(row)")
            default: model.addConstraint(expression, lower: center - 3, upper: center + 2, name: "r\(row)")
            }
        }
        model.sense = Bool.random(using: &generator) ? .minimize : .maximize
        model.objectiveOffset = Double(Int.random(in: -3...3, using: &generator))
        return model
    }

    /// The optimum by enumerating every integer point, or nil when none is feasible.
    static func bruteForce(_ model: Model) -> Double? {
        let ranges = model.variables.map { variable -> [Double] in
            var (lower, upper) = model.bounds(of: variable)
            if model.kind(of: variable) == .binary {
                lower = max(lower, 0)
                upper = min(upper, 1)
            }
            return Array(stride(from: lower, through: upper, by: 1))
        }
        var best: Double?
        forEachChoice(ranges) { point in
            guard model.maximumViolation(at: point) <= 1e-9 else { return }
            let value = model.objectiveValue(at: point)
            if let current = best {
                best = model.sense == .maximize ? max(current, value) : min(current, value)
            } else {
                best = value
            }
        }
        return best
    }
}
