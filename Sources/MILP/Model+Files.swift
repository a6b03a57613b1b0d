import FoundationEssentials

extension Model {
    /// The model in CPLEX LP format, readable by CBC, GLPK, HiGHS, CPLEX and Gurobi.
    ///
    /// Names are sanitised (see ``writeLP(to:)``). A ranged row `l <= a·x <= u` is
    /// written as two rows, `name: a·x <= u` and `name_low: a·x >= l`, the convention
    /// of COIN-OR's reader; a free row as `a·x >= -1e+30`.
    package func lpString() -> String {
        lowered().lpString()
    }

    /// The model in free MPS format.
    ///
    /// Integer variables are enclosed in `MARKER` lines and always get explicit
    /// bounds, since some readers default an unbounded integer to binary. The
    /// objective offset is written as the negated right-hand side of the objective
    /// row, the usual MPS convention. MPS has no portable way to say "maximise":
    /// CBC's reader ignores an `OBJSENSE` section and GLPK's rejects it. A
    /// maximisation is therefore written as the minimisation of the negated
    /// objective (and offset), which has the same optimal points, and a comment line
    /// says so.
    package func mpsString() -> String {
        lowered().mpsString()
    }

    /// Writes ``lpString()`` to `url`.
    ///
    /// Variable and constraint names are made safe for the LP and MPS grammars:
    /// characters other than letters, digits, `_` and `.` become `_`, names that
    /// could read as numbers or keywords get a leading `_`, long names are
    /// shortened, and clashes get a numeric suffix. Unnamed variables are `x<index>`
    /// and unnamed constraints `c<index>`.
    package func writeLP(to url: URL) throws {
        try Data(lpString().utf8).write(to: url)
    }

    /// Writes ``mpsString()`` to `url`; names are sanitised as for ``writeLP(to:)``.
    package func writeMPS(to url: URL) throws {
        try Data(mpsString().utf8).write(to: url)
    }
}

/// Unique names that both file grammars accept.
struct NameTable {
    var columns: [String] = []
    var rows: [String] = []
    /// The second name of each ranged row in LP files, which split it in two.
    var rowLowerHalves: [String?] = []
    /// The column that carries the objective's constant in LP files (see `lpString`).
    var objectiveConstant = ""

    static let objectiveName = "obj"
    private static let maximumLength = 200
    private static let keywords: Set<String> = [
        "min", "max", "minimize", "maximize", "minimise", "maximise", "minimum", "maximum",
        "st", "s.t.", "st.", "subject", "to", "such", "that", "bound", "bounds",
        "int", "integer", "integers", "general", "generals", "gen", "bin", "binary", "binaries",
        "semi", "semis", "semi-continuous", "sos", "end", "free", "inf", "infinity", "obj",
    ]

    init(_ model: LoweredModel) {
        var used: Set<String> = [Self.objectiveName]
        func claim(_ wanted: String?, fallback: String) -> String {
            var name = Self.sanitize(wanted) ?? fallback
            if used.contains(name) {
                var suffix = 1
                while used.contains("\(name)_\(suffix)") { suffix += 1 }
                name = "\(name)_\(suffix)"
            }
            used.insert(name)
            return name
        }
        columns.reserveCapacity(model.columnCount)
        for column in 0..<model.columnCount {
            columns.append(claim(model.variableNames[column], fallback: "x\(column)"))
        }
        rows.reserveCapacity(model.rowCount)
        for row in 0..<model.rowCount {
            let name = claim(model.rowNames[row], fallback: "c\(row)")
            rows.append(name)
            let lower = model.rowLower[row]
            let upper = model.rowUpper[row]
            if lower.isFinite && upper.isFinite && lower != upper {
                rowLowerHalves.append(claim("\(name)_low", fallback: "\(name)_low"))
            } else {
                rowLowerHalves.append(nil)
            }
        }
        objectiveConstant = claim("objective_constant", fallback: "objective_constant")
    }

    private static func sanitize(_ name: String?) -> String? {
        guard let name, !name.isEmpty else { return nil }
        var scalars = String.UnicodeScalarView()
        for scalar in name.unicodeScalars.prefix(maximumLength) {
            let allowed =
                scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == ".")
            scalars.append(allowed ? scalar : "_")
        }
        var result = String(scalars)
        let first = result.unicodeScalars.first!
        let second = result.unicodeScalars.dropFirst().first
        let looksNumeric = ("0"..."9").contains(first) || first == "."
        let looksExponent =
            (first == "e" || first == "E")
            && (second == nil || ("0"..."9").contains(second!) || second == "e" || second == "E")
        if looksNumeric || looksExponent || keywords.contains(result.lowercased()) {
            result = "_" + result
        }
        return result
    }
}

/// Shortest text that reads back as the same Double; integral values without ".0".
func formatNumber(_ value: Double) -> String {
    if value == value.rounded() && abs(value) < 1e15 {
        return String(Int64(value))
    }
    return "\(value)"
}

extension LoweredModel {
    func lpString() -> String {
        let names = NameTable(self)
        var text = ""
        text.reserveCapacity(32 * (nonzeroCount + columnCount + rowCount) + 256)
        text += "\\ \(name)\n"
        text += maximize ? "Maximize\n" : "Minimize\n"
        text += " \(NameTable.objectiveName):"
        var terms = 0
        for column in 0..<columnCount where objective[column] != 0 {
            appendTerm(objective[column], names.columns[column], to: &text, count: &terms)
        }
        if terms == 0, columnCount > 0 {
            appendTerm(0, names.columns[0], to: &text, count: &terms)
        }
        // CBC's command-line reader drops a constant in the objective and GLPK's rejects it, so
        // the offset rides on a column fixed at 1.
        let constantName = names.objectiveConstant
        if objectiveOffset != 0 {
            appendTerm(objectiveOffset, constantName, to: &text, count: &terms)
        }
        text += "\nSubject To\n"
        for row in 0..<rowCount {
            let lower = rowLower[row]
            let upper = rowUpper[row]
            if lower == upper {
                appendRow(row, name: names.rows[row], relation: "=", rhs: lower, names: names, to: &text)
            } else if let lowerHalf = names.rowLowerHalves[row] {
                appendRow(row, name: names.rows[row], relation: "<=", rhs: upper, names: names, to: &text)
                appendRow(row, name: lowerHalf, relation: ">=", rhs: lower, names: names, to: &text)
            } else if upper.isFinite {
                appendRow(row, name: names.rows[row], relation: "<=", rhs: upper, names: names, to: &text)
            } else {
                appendRow(
                    row, name: names.rows[row], relation: ">=", rhs: lower.isFinite ? lower : -1e30, names: names,
                    to: &text)
            }
        }
        text += "Bounds\n"
        for column in 0..<columnCount {
            let name = names.columns[column]
            let lower = columnLower[column]
            let upper = columnUpper[column]
            switch (lower.isFinite, upper.isFinite) {
            case (false, false): text += " \(name) free\n"
            case (true, false): text += " \(name) >= \(formatNumber(lower))\n"
            case (false, true): text += " -inf <= \(name) <= \(formatNumber(upper))\n"
            case (true, true) where lower == upper: text += " \(name) = \(formatNumber(lower))\n"
            case (true, true): text += " \(formatNumber(lower)) <= \(name) <= \(formatNumber(upper))\n"
            }
        }
        if objectiveOffset != 0 { text += " \(constantName) = 1\n" }
        appendSection("Generals", kind: .integer, names: names, to: &text)
        appendSection("Binaries", kind: .binary, names: names, to: &text)
        text += "End\n"
        return text
    }

    private func appendTerm(_ coefficient: Double, _ name: String, to text: inout String, count: inout Int) {
        // Long lines are legal but some readers cap them (CPLEX at 560 characters).
        if count > 0 && count % 8 == 0 {
            text += "\n  "
        }
        text += coefficient < 0 ? " - " : " + "
        text += formatNumber(abs(coefficient))
        text += " "
        text += name
        count += 1
    }

    private func appendRow(
        _ row: Int, name: String, relation: String, rhs: Double, names: NameTable, to text: inout String
    ) {
        text += " \(name):"
        var terms = 0
        for entry in Int(rowStarts[row])..<Int(rowStarts[row + 1]) {
            appendTerm(rowValues[entry], names.columns[Int(rowColumns[entry])], to: &text, count: &terms)
        }
        if terms == 0 {
            appendTerm(0, columnCount > 0 ? names.columns[0] : "x0", to: &text, count: &terms)
        }
        text += " \(relation) \(formatNumber(rhs))\n"
    }

    private func appendSection(_ title: String, kind: VariableKind, names: NameTable, to text: inout String) {
        let members = (0..<columnCount).filter { kinds[$0] == kind }
        guard !members.isEmpty else { return }
        text += "\(title)\n"
        for start in stride(from: 0, to: members.count, by: 8) {
            text +=
                " " + members[start..<min(start + 8, members.count)].map { names.columns[$0] }.joined(separator: " ")
                + "\n"
        }
    }

    func mpsString() -> String {
        let names = NameTable(self)
        var text = ""
        text.reserveCapacity(40 * (nonzeroCount + columnCount + rowCount) + 256)
        text += "NAME \(name.isEmpty ? "model" : name.replacing(" ", with: "_"))\n"
        let direction = maximize ? -1.0 : 1.0
        if maximize {
            text += "* maximise: the objective below is negated\n"
        }
        text += "ROWS\n N  \(NameTable.objectiveName)\n"
        for row in 0..<rowCount {
            text += " \(rowType(row))  \(names.rows[row])\n"
        }
        text += "COLUMNS\n"
        var inIntegers = false
        for column in 0..<columnCount {
            let integral = isInteger[column] != 0
            if integral != inIntegers {
                text += integral ? "    MARKER  'MARKER'  'INTORG'\n" : "    MARKER  'MARKER'  'INTEND'\n"
                inIntegers = integral
            }
            let name = names.columns[column]
            // A column must appear even when it has no entries, or readers drop it.
            let range = Int(columnStarts[column])..<Int(columnStarts[column + 1])
            if objective[column] != 0 || range.isEmpty {
                text += "    \(name)  \(NameTable.objectiveName)  \(formatNumber(direction * objective[column]))\n"
            }
            for entry in range {
                text += "    \(name)  \(names.rows[Int(columnRows[entry])])  \(formatNumber(columnValues[entry]))\n"
            }
        }
        if inIntegers {
            text += "    MARKER  'MARKER'  'INTEND'\n"
        }
        text += "RHS\n"
        if objectiveOffset != 0 {
            text += "    RHS  \(NameTable.objectiveName)  \(formatNumber(-direction * objectiveOffset))\n"
        }
        for row in 0..<rowCount {
            let rhs = rowLower[row].isFinite ? rowLower[row] : rowUpper[row]
            if rhs.isFinite && rhs != 0 {
                text += "    RHS  \(names.rows[row])  \(formatNumber(rhs))\n"
            }
        }
        let ranged = (0..<rowCount).filter { names.rowLowerHalves[$0] != nil }
        if !ranged.isEmpty {
            text += "RANGES\n"
            for row in ranged {
                text += "    RNG  \(names.rows[row])  \(formatNumber(rowUpper[row] - rowLower[row]))\n"
            }
        }
        text += "BOUNDS\n"
        for column in 0..<columnCount {
            appendBounds(column, name: names.columns[column], to: &text)
        }
        text += "ENDATA\n"
        return text
    }

    /// Ranged rows are `G` rows whose range reaches up to the upper bound.
    private func rowType(_ row: Int) -> String {
        let lower = rowLower[row]
        let upper = rowUpper[row]
        if lower == upper { return "E" }
        if lower.isFinite { return "G" }
        if upper.isFinite { return "L" }
        return "N"
    }

    private func appendBounds(_ column: Int, name: String, to text: inout String) {
        let lower = columnLower[column]
        let upper = columnUpper[column]
        let integral = isInteger[column] != 0
        if lower.isFinite && lower == upper {
            text += " FX BND  \(name)  \(formatNumber(lower))\n"
            return
        }
        if !lower.isFinite && !upper.isFinite {
            text += " FR BND  \(name)\n"
            return
        }
        if !lower.isFinite {
            text += " MI BND  \(name)\n"
        } else if lower != 0 || integral {
            text += " LO BND  \(name)  \(formatNumber(lower))\n"
        }
        if upper.isFinite {
            text += " UP BND  \(name)  \(formatNumber(upper))\n"
        } else if integral {
            text += " PL BND  \(name)\n"
        }
    }
}
