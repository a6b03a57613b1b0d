/// A linear expression `Σ coefficient·variable + constant`.
///
/// Terms are kept in insertion order in two parallel arrays; a variable may appear
/// more than once and its coefficients are summed when the model is lowered. Build
/// long expressions with ``add(_:_:)`` in a loop, or write short ones as literals:
///
/// ```swift
/// model.addConstraint([(x, 1), (y, -2)], .greaterOrEqual, 0)
/// ```
package struct LinearExpression: Sendable, ExpressibleByArrayLiteral {
    /// The variables of the terms, parallel to ``coefficients``.
    package private(set) var variables: [Variable] = []
    /// The coefficients of the terms, parallel to ``variables``.
    package private(set) var coefficients: [Double] = []
    /// The constant term.
    package var constant: Double

    /// Creates the expression `constant`.
    package init(constant: Double = 0) {
        self.constant = constant
    }

    /// Creates the expression `Σ coefficient·variable + constant` from pairs.
    package init(_ terms: some Sequence<(Variable, Double)>, constant: Double = 0) {
        self.constant = constant
        for (variable, coefficient) in terms {
            add(coefficient, variable)
        }
    }

    /// Creates the expression from `(variable, coefficient)` pairs.
    package init(arrayLiteral elements: (Variable, Double)...) {
        self.init(elements)
    }

    /// The number of terms, counting repeated variables separately.
    package var termCount: Int { variables.count }

    /// Appends the term `coefficient·variable`.
    package mutating func add(_ coefficient: Double, _ variable: Variable) {
        variables.append(variable)
        coefficients.append(coefficient)
    }

    /// Appends every term of `other` scaled by `factor`, and its scaled constant.
    package mutating func add(_ other: LinearExpression, times factor: Double = 1) {
        variables.append(contentsOf: other.variables)
        coefficients.append(contentsOf: other.coefficients.lazy.map { $0 * factor })
        constant += other.constant * factor
    }

    /// Reserves room for `count` terms, to avoid regrowing while building.
    package mutating func reserveCapacity(_ count: Int) {
        variables.reserveCapacity(count)
        coefficients.reserveCapacity(count)
    }

    /// The sum of `variables`, each with coefficient 1.
    package static func sum(_ variables: some Sequence<Variable>) -> LinearExpression {
        LinearExpression(variables.lazy.map { ($0, 1.0) })
    }
}
