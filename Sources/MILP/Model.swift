/// A handle to one variable (column) of a ``Model``.
///
/// Handles are plain indices in order of creation, so they are cheap to store in
/// arrays and dictionaries. A handle is only meaningful for the model that made it.
package struct Variable: Hashable, Comparable, Sendable {
    /// The position of the variable in its model, starting at 0.
    package let index: Int

    /// Creates a handle for the variable at `index`.
    package init(index: Int) {
        self.index = index
    }

    package static func < (lhs: Variable, rhs: Variable) -> Bool {
        lhs.index < rhs.index
    }
}

/// A handle to one constraint (row) of a ``Model``, in order of creation.
package struct Constraint: Hashable, Comparable, Sendable {
    /// The position of the constraint in its model, starting at 0.
    package let index: Int

    /// Creates a handle for the constraint at `index`.
    package init(index: Int) {
        self.index = index
    }

    package static func < (lhs: Constraint, rhs: Constraint) -> Bool {
        lhs.index < rhs.index
    }
}

/// The domain of a variable, on top of its bounds.
package enum VariableKind: Sendable, Hashable, CaseIterable {
    /// Any real value between the bounds.
    case continuous
    /// Any integer between the bounds.
    case integer
    /// 0 or 1; the bounds are intersected with `0...1`.
    case binary

    var isIntegral: Bool { self != .continuous }
}

/// Whether the objective is to be made as small or as large as possible.
package enum ObjectiveSense: Sendable, Hashable, CaseIterable {
    case minimize
    case maximize
}

/// The relation of a one-sided constraint `expression ⋈ rhs`.
package enum Relation: Sendable, Hashable, CaseIterable {
    /// `expression <= rhs`
    case lessOrEqual
    /// `expression >= rhs`
    case greaterOrEqual
    /// `expression == rhs`
    case equal
}

/// A mixed-integer linear program, stored as plain data.
///
/// A model has variables (columns) with a ``VariableKind`` and bounds, constraints
/// (rows) of the form `lower <= a·x <= upper` where either side may be infinite,
/// and a linear objective `c·x + offset` to minimise or maximise:
///
/// ```swift
/// var model = Model(name: "knapsack")
/// let a = model.addVariable(.binary, objective: 5, name: "a")
/// let b = model.addVariable(.binary, objective: 4, name: "b")
/// model.addConstraint([(a, 3), (b, 2)], .lessOrEqual, 4, name: "capacity")
/// model.sense = .maximize
/// let result = try SolverBackend.cbc.solve(model)
/// ```
///
/// Building is append-only into flat arrays, so adding `n` variables and rows with
/// `z` nonzeros in total costs O(n + z). A row may mention a variable more than
/// once; the coefficients are summed when the model is lowered for a solver or
/// written to a file, which is O(rows + columns + z) and happens once per solve.
///
/// The model is a value: copying it is cheap until one copy is changed, and a copy
/// can be handed to solves running concurrently.
package struct Model: Sendable {
    /// A label used in written files.
    package var name: String

    /// Whether the objective is minimised or maximised.
    package var sense: ObjectiveSense = .minimize

    /// A constant added to the objective `c·x`.
    package var objectiveOffset: Double = 0

    var kinds: [VariableKind] = []
    var lowerBounds: [Double] = []
    var upperBounds: [Double] = []
    var objectiveCoefficients: [Double] = []
    var variableNames: [String?] = []

    var rowStarts: [Int] = [0]
    var entryColumns: [Int32] = []
    var entryValues: [Double] = []
    var rowLowers: [Double] = []
    var rowUppers: [Double] = []
    var rowNames: [String?] = []

    /// Creates an empty model.
    package init(name: String = "model") {
        self.name = name
    }

    /// The number of variables.
    package var variableCount: Int { kinds.count }

    /// The number of constraints.
    package var constraintCount: Int { rowLowers.count }

    /// The number of row entries added, counting repeated variables in a row separately.
    package var entryCount: Int { entryValues.count }

    /// Every variable, in order of creation.
    package var variables: [Variable] { (0..<variableCount).map(Variable.init(index:)) }

    /// Adds a variable and returns its handle.
    ///
    /// - Parameters:
    ///   - kind: Continuous, integer or binary.
    ///   - lower: The lower bound; `-.infinity` for none.
    ///   - upper: The upper bound; `.infinity` for none.
    ///   - objective: The variable's coefficient in the objective.
    ///   - name: A label for written files; sanitised and made unique on writing.
    @discardableResult
    package mutating func addVariable(
        _ kind: VariableKind = .continuous,
        lower: Double = 0,
        upper: Double = .infinity,
        objective: Double = 0,
        name: String? = nil
    ) -> Variable {
        precondition(!lower.isNaN && !upper.isNaN, "variable bounds must not be NaN")
        precondition(objective.isFinite, "objective coefficients must be finite")
        precondition(kinds.count < Int(Int32.max), "too many variables for the solvers")
        kinds.append(kind)
        lowerBounds.append(lower)
        upperBounds.append(upper)
        objectiveCoefficients.append(objective)
        variableNames.append(name)
        return Variable(index: kinds.count - 1)
    }

    /// Adds the constraint `lower <= expression <= upper` and returns its handle.
    ///
    /// The expression's constant is moved to the bounds. Use `-.infinity` or
    /// `.infinity` for a missing side; a row with neither side is a free row, which
    /// constrains nothing but is kept (and written to files).
    @discardableResult
    package mutating func addConstraint(
        _ expression: LinearExpression,
        lower: Double = -.infinity,
        upper: Double = .infinity,
        name: String? = nil
    ) -> Constraint {
        precondition(!lower.isNaN && !upper.isNaN, "constraint bounds must not be NaN")
        precondition(expression.constant.isFinite, "expression constants must be finite")
        let count = kinds.count
        for (variable, coefficient) in zip(expression.variables, expression.coefficients) {
            precondition(
                variable.index >= 0 && variable.index < count, "variable \(variable.index) is not in this model")
            precondition(coefficient.isFinite, "constraint coefficients must be finite")
            entryColumns.append(Int32(truncatingIfNeeded: variable.index))
            entryValues.append(coefficient)
        }
        rowStarts.append(entryValues.count)
        rowLowers.append(lower - expression.constant)
        rowUppers.append(upper - expression.constant)
        rowNames.append(name)
        return Constraint(index: rowLowers.count - 1)
    }

    /// Adds the one-sided constraint `expression ⋈ rhs` and returns its handle.
    @discardableResult
    package mutating func addConstraint(
        _ expression: LinearExpression,
        _ relation: Relation,
        _ rhs: Double,
        name: String? = nil
    ) -> Constraint {
        switch relation {
        case .lessOrEqual: addConstraint(expression, upper: rhs, name: name)
        case .greaterOrEqual: addConstraint(expression, lower: rhs, name: name)
        case .equal: addConstraint(expression, lower: rhs, upper: rhs, name: name)
        }
    }

    /// Replaces the objective with `expression` (its constant becomes the offset).
    package mutating func setObjective(_ expression: LinearExpression, sense: ObjectiveSense) {
        self.sense = sense
        for index in objectiveCoefficients.indices {
            objectiveCoefficients[index] = 0
        }
        for (variable, coefficient) in zip(expression.variables, expression.coefficients) {
            precondition(
                variable.index >= 0 && variable.index < kinds.count, "variable \(variable.index) is not in this model")
            objectiveCoefficients[variable.index] += coefficient
        }
        objectiveOffset = expression.constant
    }

    /// The coefficient of `variable` in the objective.
    package func objectiveCoefficient(of variable: Variable) -> Double {
        objectiveCoefficients[variable.index]
    }

    /// Sets the coefficient of `variable` in the objective.
    package mutating func setObjectiveCoefficient(_ coefficient: Double, of variable: Variable) {
        precondition(coefficient.isFinite, "objective coefficients must be finite")
        objectiveCoefficients[variable.index] = coefficient
    }

    /// The kind of `variable`.
    package func kind(of variable: Variable) -> VariableKind { kinds[variable.index] }

    /// The bounds of `variable` as given (binary variables are further limited to 0...1).
    package func bounds(of variable: Variable) -> (lower: Double, upper: Double) {
        (lowerBounds[variable.index], upperBounds[variable.index])
    }

    /// Changes the bounds of `variable`, for example to fix it.
    package mutating func setBounds(of variable: Variable, lower: Double, upper: Double) {
        precondition(!lower.isNaN && !upper.isNaN, "variable bounds must not be NaN")
        lowerBounds[variable.index] = lower
        upperBounds[variable.index] = upper
    }

    /// The name given to `variable`, if any.
    package func name(of variable: Variable) -> String? { variableNames[variable.index] }

    /// The name given to `constraint`, if any.
    package func name(of constraint: Constraint) -> String? { rowNames[constraint.index] }

    /// The bounds of `constraint`, with the expression's constant already moved over.
    package func bounds(of constraint: Constraint) -> (lower: Double, upper: Double) {
        (rowLowers[constraint.index], rowUppers[constraint.index])
    }

    /// The objective `c·x + offset` at `values` (one value per variable).
    package func objectiveValue(at values: [Double]) -> Double {
        precondition(values.count == variableCount, "one value per variable is needed")
        var total = objectiveOffset
        for index in values.indices {
            total += objectiveCoefficients[index] * values[index]
        }
        return total
    }

    /// The largest amount by which `values` violates a bound, a row or integrality.
    ///
    /// Solvers accept small violations (about 1e-6); a result that looks feasible
    /// can still overlap by that much, so decoders should check this number.
    package func maximumViolation(at values: [Double]) -> Double {
        precondition(values.count == variableCount, "one value per variable is needed")
        var worst = 0.0
        for index in values.indices {
            let value = values[index]
            var lower = lowerBounds[index]
            var upper = upperBounds[index]
            if kinds[index] == .binary {
                lower = max(lower, 0)
                upper = min(upper, 1)
            }
            worst = max(worst, lower - value, value - upper)
            if kinds[index].isIntegral {
                worst = max(worst, abs(value - value.rounded()))
            }
        }
        for row in 0..<constraintCount {
            var activity = 0.0
            for entry in rowStarts[row]..<rowStarts[row + 1] {
                activity += entryValues[entry] * values[Int(entryColumns[entry])]
            }
            worst = max(worst, rowLowers[row] - activity, activity - rowUppers[row])
        }
        return worst
    }

    /// The rows violated by more than `tolerance` at `values`, worst first, with the amount:
    /// what a caller reports when a start it believed feasible is not.
    package func violatedRows(at values: [Double], tolerance: Double = 1e-6) -> [(row: String, amount: Double)] {
        precondition(values.count == variableCount, "one value per variable is needed")
        var found: [(row: String, amount: Double)] = []
        for row in 0..<constraintCount {
            var activity = 0.0
            var terms: [String] = []
            for entry in rowStarts[row]..<rowStarts[row + 1] {
                let column = Int(entryColumns[entry])
                activity += entryValues[entry] * values[column]
                terms.append("\(entryValues[entry])*\(variableNames[column] ?? "x\(column)")=\(values[column])")
            }
            let amount = max(rowLowers[row] - activity, activity - rowUppers[row])
            if amount > tolerance {
                found.append(("\(rowNames[row] ?? "row \(row)"): \(rowLowers[row]) <= \(terms.joined(separator: " + ")) <= \(rowUppers[row])", amount))
            }
        }
        return found.sorted { $0.amount > $1.amount }
    }
}
