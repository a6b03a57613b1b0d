import FoundationEssentials
import Testing

@testable import MILP

/// Written files must mean the same model to CBC's own LP and MPS readers.
@Suite("LP and MPS files")
struct FileFormatTests {
    static func rowKinds() -> Model {
        var model = Model(name: "row kinds")
        let x = model.addVariable(.integer, lower: -.infinity, upper: 10, name: "e1")
        let y = model.addVariable(.integer, lower: 0, upper: 10, name: "bounds")
        let z = model.addVariable(.continuous, lower: -.infinity, upper: .infinity, name: "z z")
        let w = model.addVariable(.continuous, lower: -4, upper: -1, objective: 0.25, name: "w[3,4]")
        let unused = model.addVariable(.binary, name: "unused")
        model.addConstraint([(x, 1), (y, -1)], .equal, 1, name: "difference")
        model.addConstraint([(x, 1), (y, 1)], lower: 2, upper: 5, name: "ranged")
        model.addConstraint([(x, 1000), (z, 1)], name: "free")
        model.addConstraint([(z, 1), (x, -1)], .equal, 0.5)
        model.addConstraint([(w, 1), (unused, 0)], .lessOrEqual, -1.5, name: "ranged_low")
        model.setObjective(LinearExpression([(x, 1), (y, 1), (w, 0.25)], constant: 3), sense: .maximize)
        return model
    }

    static var models: [Model] {
        [Fixtures.knapsack().model, rowKinds()] + (1...12).map { Fixtures.randomSmall(seed: $0) }
    }

    @Test("CBC reads written files back to the same optimum", arguments: [CBCBackend.FileFormat.lp, .mps])
    func roundTrip(format: CBCBackend.FileFormat) throws {
        let directory = URL(filePath: "/tmp").appending(path: "milp-files-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (index, model) in Self.models.enumerated() {
            let url = directory.appending(path: "model\(index).\(format == .lp ? "lp" : "mps")")
            if format == .lp { try model.writeLP(to: url) } else { try model.writeMPS(to: url) }
            let direct = try SolverBackend.cbc.solve(model)
            let read = try CBCBackend.solveFile(at: url.path, format: format)
            #expect(read.status == direct.status, "\(model.name)")
            guard let optimum = direct.objective else { continue }
            let names = NameTable(model.lowered()).columns
            let values = try names.map { name in try #require(read.values[name], "\(model.name): \(name) missing") }
            #expect(abs(model.objectiveValue(at: values) - optimum) < 1e-6, "\(model.name)")
            #expect(model.maximumViolation(at: values) < 1e-6, "\(model.name)")
        }
    }

    @Test("Names are sanitised and unique")
    func names() {
        var model = Model()
        for name in [
            "a b", "a_b", "1st", "e5", "E", "x0", nil, "subject", "Bounds", "é", String(repeating: "n", count: 300),
        ] {
            model.addVariable(name: name)
        }
        model.addConstraint([], name: "obj")
        let table = NameTable(model.lowered())
        #expect(table.columns[0] == "a_b")
        #expect(table.columns[1] == "a_b_1")
        #expect(table.columns[2] == "_1st")
        #expect(table.columns[3] == "_e5")
        #expect(table.columns[4] == "_E")
        #expect(table.columns[6] == "x6")
        #expect(table.columns[7] == "_subject")
        #expect(table.columns[8] == "_Bounds")
        #expect(table.columns[9] == "_")
        #expect(table.columns[10].count == 200)
        #expect(table.rows == ["_obj"])
        #expect(Set(table.columns).count == table.columns.count)
    }

    @Test("The LP text of a small model")
    func lpText() {
        var model = Model(name: "tiny")
        let x = model.addVariable(.binary, objective: 2, name: "x")
        let y = model.addVariable(.integer, lower: -1, upper: 4, objective: -1.5, name: "y")
        model.addConstraint([(x, 1), (y, 1)], lower: 1, upper: 3, name: "both")
        model.objectiveOffset = -2
        #expect(
            model.lpString() == """
                \\ tiny
                Minimize
                 obj: + 2 x - 1.5 y - 2 objective_constant
                Subject To
                 both: + 1 x + 1 y <= 3
                 both_low: + 1 x + 1 y >= 1
                Bounds
                 0 <= x <= 1
                 -1 <= y <= 4
                 objective_constant = 1
                Generals
                 y
                Binaries
                 x
                End

                """)
    }
}
