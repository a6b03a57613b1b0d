import DNNGraph
import Testing

@testable import MILP

@Suite("Model building and lowering")
struct ModelTests {
    @Test("Lowering sums duplicates, drops zeros and builds matching rows and columns")
    func lowering() {
        var model = Model()
        let v = (0..<4).map { model.addVariable(.integer, lower: -1.5, upper: 2.7, name: "v\($0)") }
        model.addConstraint([(v[0], 1), (v[1], 2), (v[0], 3), (v[2], 0), (v[3], 1), (v[3], -1)], .lessOrEqual, 1)
        model.addConstraint([(v[3], 5), (v[1], 1)], .equal, 2)
        model.addConstraint([], lower: -1, upper: 1)
        let lowered = model.lowered()
        #expect(lowered.rowStarts == [0, 2, 4, 4])
        #expect(lowered.rowColumns == [0, 1, 3, 1])
        #expect(lowered.rowValues == [4, 2, 5, 1])
        #expect(lowered.columnStarts == [0, 1, 3, 3, 4])
        #expect(lowered.columnRows == [0, 0, 1, 1])
        #expect(lowered.columnValues == [4, 2, 1, 5])
        #expect(lowered.columnLower == [-1, -1, -1, -1], "integer bounds are rounded inwards")
        #expect(lowered.columnUpper == [2, 2, 2, 2])
        #expect(!lowered.isTriviallyInfeasible)
    }

    @Test("Lowering matches a dense reference on random rows", arguments: 1...20)
    func loweringRandom(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        var model = Model()
        let columns = Int.random(in: 1...12, using: &generator)
        let variables = (0..<columns).map { _ in model.addVariable() }
        var dense: [[Double]] = []
        for _ in 0..<Int.random(in: 1...15, using: &generator) {
            var row = [Double](repeating: 0, count: columns)
            var expression = LinearExpression()
            for _ in 0..<Int.random(in: 0...20, using: &generator) {
                let column = Int.random(in: 0..<columns, using: &generator)
                let value = Double(Int.random(in: -2...2, using: &generator))
                row[column] += value
                expression.add(value, variables[column])
            }
            dense.append(row)
            model.addConstraint(expression, .lessOrEqual, 0)
        }
        let lowered = model.lowered()
        var fromRows = [[Double]](repeating: [Double](repeating: 0, count: columns), count: dense.count)
        var fromColumns = fromRows
        for row in dense.indices {
            for entry in Int(lowered.rowStarts[row])..<Int(lowered.rowStarts[row + 1]) {
                #expect(lowered.rowValues[entry] != 0, "seed \(seed)")
                fromRows[row][Int(lowered.rowColumns[entry])] += lowered.rowValues[entry]
            }
        }
        for column in 0..<columns {
            for entry in Int(lowered.columnStarts[column])..<Int(lowered.columnStarts[column + 1]) {
                fromColumns[Int(lowered.columnRows[entry])][column] += lowered.columnValues[entry]
            }
        }
        #expect(fromRows == dense, "seed \(seed)")
        #expect(fromColumns == dense, "seed \(seed)")
    }

    @Test("Crossed bounds are infeasible without a solver")
    func crossedBounds() {
        var model = Model()
        model.addVariable(.integer, lower: 0.2, upper: 0.8)
        #expect(model.lowered().isTriviallyInfeasible)
    }

    @Test("A large model builds and lowers in linear time")
    func largeModel() {
        var model = Model()
        let variables = (0..<50_000).map { _ in model.addVariable(.binary) }
        for start in stride(from: 0, to: variables.count - 8, by: 1) {
            var row = LinearExpression()
            row.reserveCapacity(8)
            for offset in 0..<8 { row.add(Double(offset + 1), variables[start + offset]) }
            model.addConstraint(row, .lessOrEqual, 10)
        }
        let lowered = model.lowered()
        #expect(lowered.nonzeroCount == 8 * (variables.count - 8))
        #expect(lowered.columnStarts.last.map(Int.init) == lowered.nonzeroCount)
    }
}
