/// A model in the form solvers take: duplicates summed, zeros dropped, the matrix in
/// compressed sparse rows (for writers) and compressed sparse columns (for solvers),
/// and bounds tightened by the variable kinds.
struct LoweredModel: Sendable {
    let name: String
    let rowCount: Int
    let columnCount: Int

    var rowStarts: [Int32] = []
    var rowColumns: [Int32] = []
    var rowValues: [Double] = []

    var columnStarts: [Int32] = []
    var columnRows: [Int32] = []
    var columnValues: [Double] = []

    var columnLower: [Double]
    var columnUpper: [Double]
    var kinds: [VariableKind]
    var isInteger: [UInt8]
    var objective: [Double]
    var objectiveOffset: Double
    var maximize: Bool
    var rowLower: [Double]
    var rowUpper: [Double]

    var variableNames: [String?]
    var rowNames: [String?]

    var nonzeroCount: Int { rowValues.count }
    var integerCount: Int { isInteger.reduce(0) { $0 + Int($1) } }

    /// Bounds that cross or an empty row that excludes zero: no solver is needed to know.
    var isTriviallyInfeasible: Bool {
        for column in 0..<columnCount where !(columnLower[column] <= columnUpper[column]) || columnLower[column] == .infinity || columnUpper[column] == -.infinity {
            return true
        }
        for row in 0..<rowCount {
            let lower = rowLower[row]
            let upper = rowUpper[row]
            if lower > upper || lower == .infinity || upper == -.infinity {
                return true
            }
            if rowStarts[row] == rowStarts[row + 1] && (lower > Self.feasibilityTolerance || upper < -Self.feasibilityTolerance) {
                return true
            }
        }
        return false
    }

    static let feasibilityTolerance = 1e-9
}

extension Model {
    /// Lowers the model once for any backend or writer, in O(rows + columns + entries).
    func lowered() -> LoweredModel {
        precondition(entryValues.count < Int(Int32.max), "too many nonzeros for the solvers")
        let columnCount = variableCount
        var result = LoweredModel(
            name: name,
            rowCount: constraintCount,
            columnCount: columnCount,
            columnLower: lowerBounds,
            columnUpper: upperBounds,
            kinds: kinds,
            isInteger: kinds.map { $0.isIntegral ? 1 : 0 },
            objective: objectiveCoefficients,
            objectiveOffset: objectiveOffset,
            maximize: sense == .maximize,
            rowLower: rowLowers,
            rowUpper: rowUppers,
            variableNames: variableNames,
            rowNames: rowNames
        )
        for column in 0..<columnCount {
            tighten(&result.columnLower[column], &result.columnUpper[column], kind: kinds[column])
        }
        summingDuplicates(into: &result)
        transposing(&result)
        return result
    }

    private func tighten(_ lower: inout Double, _ upper: inout Double, kind: VariableKind) {
        if kind == .binary {
            lower = max(lower, 0)
            upper = min(upper, 1)
        }
        if kind.isIntegral {
            // A bound like 2.9999999 produced by arithmetic must not exclude 3.
            if lower.isFinite { lower = (lower - 1e-9).rounded(.up) }
            if upper.isFinite { upper = (upper + 1e-9).rounded(.down) }
        }
    }

    private func summingDuplicates(into result: inout LoweredModel) {
        // position[c] is where column c sits in the output; it belongs to the current
        // row only when it is at or after the row's start, so it never needs clearing.
        var position = [Int](repeating: -1, count: variableCount)
        var starts = [Int32]()
        var columns = [Int32]()
        var values = [Double]()
        starts.reserveCapacity(constraintCount + 1)
        columns.reserveCapacity(entryColumns.count)
        values.reserveCapacity(entryValues.count)
        starts.append(0)
        for row in 0..<constraintCount {
            let start = columns.count
            for entry in rowStarts[row]..<rowStarts[row + 1] {
                let column = Int(entryColumns[entry])
                if position[column] >= start {
                    values[position[column]] += entryValues[entry]
                } else {
                    position[column] = columns.count
                    columns.append(entryColumns[entry])
                    values.append(entryValues[entry])
                }
            }
            var kept = start
            for index in start..<columns.count where values[index] != 0 {
                columns[kept] = columns[index]
                values[kept] = values[index]
                kept += 1
            }
            columns.removeLast(columns.count - kept)
            values.removeLast(values.count - kept)
            starts.append(Int32(kept))
        }
        result.rowStarts = starts
        result.rowColumns = columns
        result.rowValues = values
    }

    private func transposing(_ result: inout LoweredModel) {
        let columnCount = result.columnCount
        var counts = [Int32](repeating: 0, count: columnCount + 1)
        for column in result.rowColumns {
            counts[Int(column) + 1] += 1
        }
        for column in 0..<columnCount {
            counts[column + 1] += counts[column]
        }
        var next = counts
        var rows = [Int32](repeating: 0, count: result.rowColumns.count)
        var values = [Double](repeating: 0, count: result.rowColumns.count)
        for row in 0..<result.rowCount {
            for entry in Int(result.rowStarts[row])..<Int(result.rowStarts[row + 1]) {
                let column = Int(result.rowColumns[entry])
                let slot = Int(next[column])
                rows[slot] = Int32(row)
                values[slot] = result.rowValues[entry]
                next[column] += 1
            }
        }
        result.columnStarts = counts
        result.columnRows = rows
        result.columnValues = values
    }
}
