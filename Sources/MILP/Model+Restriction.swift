/// A model with its fixed variables substituted away, and the way back to the original's columns.
///
/// Programs that re-plan a small part of a large solution fix most variables. CBC's preprocessing
/// removes fixed columns too, but only after loading and scanning the whole model on every solve,
/// and it ignores the time limit while it does; substituting them first makes the solver see
/// only the part that is free.
package struct RestrictedModel: Sendable {
    /// The model over the free variables; its objective offset includes the fixed ones.
    package let model: Model
    /// The original variable behind each column of ``model``.
    package let original: [Variable]
    /// The value of every original variable that was fixed (`nil` for free ones).
    let fixedValues: [Double?]

    /// The restricted column of an original variable, if it stayed free.
    package func restricted(_ variable: Variable) -> Variable? {
        guard fixedValues[variable.index] == nil else { return nil }
        return columnOf[variable.index].map(Variable.init(index:))
    }
    let columnOf: [Int?]

    /// A solution of ``model`` as values of every original variable.
    package func expand(_ solution: Solution) -> Solution {
        var values = fixedValues.map { $0 ?? 0 }
        for (column, variable) in original.enumerated() { values[variable.index] = solution.values[column] }
        return Solution(values: values, objective: solution.objective)
    }

    /// A start given on original variables, on the restricted columns.
    package func restrict(_ start: [Variable: Double]) -> [Variable: Double] {
        var result: [Variable: Double] = [:]
        for (variable, value) in start {
            if let column = restricted(variable) { result[column] = value }
        }
        return result
    }
}

extension Model {
    /// Substitutes every variable whose lower and upper bounds are equal, moving its terms into
    /// the rows' bounds and the objective offset, and drops rows left without free variables.
    ///
    /// - Returns: `nil` when a dropped row is violated by the fixed values (the restriction is
    ///   infeasible), otherwise the restricted model.
    package func fixingBoundedVariables(tolerance: Double = 1e-9) -> RestrictedModel? {
        var restricted = Model(name: name)
        restricted.sense = sense
        var fixed = [Double?](repeating: nil, count: variableCount)
        var columnOf = [Int?](repeating: nil, count: variableCount)
        var original: [Variable] = []
        var offset = objectiveOffset
        for index in 0..<variableCount {
            if lowerBounds[index] == upperBounds[index] {
                fixed[index] = lowerBounds[index]
                offset += objectiveCoefficients[index] * lowerBounds[index]
            } else {
                columnOf[index] = original.count
                original.append(Variable(index: index))
                restricted.kinds.append(kinds[index])
                restricted.lowerBounds.append(lowerBounds[index])
                restricted.upperBounds.append(upperBounds[index])
                restricted.objectiveCoefficients.append(objectiveCoefficients[index])
                restricted.variableNames.append(variableNames[index])
            }
        }
        restricted.objectiveOffset = offset
        for row in 0..<constraintCount {
            var constant = 0.0
            var hasFree = false
            for entry in rowStarts[row]..<rowStarts[row + 1] {
                let column = Int(entryColumns[entry])
                if let value = fixed[column] {
                    constant += entryValues[entry] * value
                } else {
                    hasFree = true
                }
            }
            if !hasFree {
                if constant < rowLowers[row] - tolerance || constant > rowUppers[row] + tolerance { return nil }
                continue
            }
            for entry in rowStarts[row]..<rowStarts[row + 1] {
                if let column = columnOf[Int(entryColumns[entry])] {
                    restricted.entryColumns.append(Int32(column))
                    restricted.entryValues.append(entryValues[entry])
                }
            }
            restricted.rowStarts.append(restricted.entryColumns.count)
            restricted.rowLowers.append(rowLowers[row] - constant)
            restricted.rowUppers.append(rowUppers[row] - constant)
            restricted.rowNames.append(rowNames[row])
        }
        return RestrictedModel(model: restricted, original: original, fixedValues: fixed, columnOf: columnOf)
    }
}
