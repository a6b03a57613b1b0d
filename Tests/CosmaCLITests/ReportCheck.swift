import Foundation
import Reports
import Testing

/// Recomputes every number of a batch's `report.md` from its `results.csv`, with code of its own
/// (not the report's), and checks that the report's links lead to files that exist.
struct ReportCheck {
    let folder: URL
    let rows: [[String: String]]
    let report: String

    /// The method names come from where the batch methods are defined, so that a new method
    /// (divide and conquer, say) is never mistaken for a baseline.
    static let paperBaselines = BatchMethod.paperBaselines.map(\.description)
    static let cosmaMethods = Set(BatchMethod.cosmaMethods.map(\.description))
    static let humanDesigned = BatchReport.humanDesigned
    static let nas = BatchReport.nas
    static let headline = "Headline: Cosma against the COSMA paper's baselines"
    static let planned: Set<String> = ["optimal", "feasible", "timeLimit", "heuristic"]

    init(folder: URL) throws {
        self.folder = folder
        rows = parseCSV(try String(contentsOf: folder.appendingPathComponent("results.csv"), encoding: .utf8))
        report = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
    }

    func row(_ g: String, _ s: String, _ b: String, _ m: String) -> [String: String]? {
        rows.first { $0["graph"] == g && $0["setting"] == s && $0["budget"] == b && $0["method"] == m }
    }

    func traffic(_ g: String, _ s: String, _ b: String, _ m: String) -> Int? {
        guard let r = row(g, s, b, m), Self.planned.contains(r["status"] ?? "") else { return nil }
        return Int(r["nonCompulsory"] ?? "")
    }

    /// Methods of the batch in CSV order.
    var methods: [String] {
        var seen: [String] = []
        for r in rows where !seen.contains(r["method"]!) { seen.append(r["method"]!) }
        return seen
    }

    var baselineMethods: [String] { methods.filter { !Self.cosmaMethods.contains($0) } }

    func bestOf(_ ms: [String], _ g: String, _ s: String, _ b: String) -> Int? {
        ms.compactMap { traffic(g, s, b, $0) }.min()
    }

    /// A "best of" cell without a number: `n/a` when every such row is unavailable.
    func noBest(_ ms: [String], _ g: String, _ s: String, _ b: String) -> String {
        ms.allSatisfy { row(g, s, b, $0)?["status"] == "unavailable" } ? "n/a" : "all fail"
    }

    static func word(_ status: String?) -> String {
        ["failed": "fails", "unavailable": "n/a", "timeout": "timeout", "crashed": "crashed"][status ?? ""] ?? "-"
    }

    static func percent(_ f: Double) -> String { String(format: "%.1f%%", f * 100) }
    static func seconds(_ text: String?) -> String { text.flatMap(Double.init).map { String(format: "%.3f", $0) } ?? "-" }
    static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }

    /// `1 - c / b`, or the report's word for why it is undefined.
    static func reduction(_ c: Int?, _ b: Int?) -> (text: String, value: Double?) {
        guard let c else { return ("no plan", nil) }
        guard let b else { return ("baseline fails", nil) }
        guard b > 0 else { return (c == 0 ? "both 0" : "baseline 0", nil) }
        let v = 1 - Double(c) / Double(b)
        return (percent(v), v)
    }

    static func meanText(_ values: [Double]) -> String {
        values.isEmpty ? "- (n=0)" : "\(percent(values.reduce(0, +) / Double(values.count))) (n=\(values.count))"
    }

    struct Table {
        var section: String
        var heading: String
        var header: [String]
        var lines: [[String]]
    }

    /// Every Markdown table of the report with the headings above it.
    var tables: [Table] {
        var result: [Table] = []
        var section = ""
        var heading = ""
        var current: Table?
        for line in report.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") { section = String(line.dropFirst(3)) }
            if line.hasPrefix("### ") { heading = String(line.dropFirst(4)) }
            if line.hasPrefix("|") {
                let cells = line.dropFirst(2).dropLast(2).components(separatedBy: " | ")
                if current == nil {
                    current = Table(section: section, heading: heading, header: cells, lines: [])
                } else if !line.hasPrefix("|---") {
                    current!.lines.append(cells)
                }
            } else if let table = current {
                result.append(table)
                current = nil
            }
        }
        return result
    }

    func verify() throws {
        let tables = self.tables
        #expect(!tables.isEmpty)
        let counts = ["optimal", "feasible", "timeLimit", "heuristic", "failed", "unavailable", "timeout", "crashed"].compactMap { s in
            let n = rows.filter { $0["status"] == s }.count
            return n == 0 ? nil : "\(s) \(n)"
        }
        #expect(report.contains("- rows: \(rows.count); " + counts.joined(separator: ", ")))
        let pairs = Set(rows.map { "\($0["graph"]!)|\($0["setting"]!)" })
        for table in tables {
            if table.heading.hasPrefix("Non-compulsory traffic at "), table.section.hasPrefix("Budget ") {
                try checkTraffic(table, budget: String(table.section.dropFirst(7)))
                #expect(table.lines.count == pairs.count)
            } else if table.heading.hasPrefix("Reduction of "), table.section.hasPrefix("Budget ") {
                try checkReduction(table, budget: String(table.section.dropFirst(7)))
            } else if table.section == "Solve times", table.header.first == "graph" {
                checkSolveTimes(table)
            } else if table.section == "Solve times" {
                checkSolveSummary(table)
            } else if table.section == "Against the paper" {
                checkPaper(table)
            } else if table.section == Self.headline, table.header.first == "model" {
                try checkHeadline(table)
            } else if table.section == Self.headline {
                checkHeadlineAverages(table)
            } else {
                Issue.record("a table the check does not know: \(table.section) / \(table.heading)")
            }
        }
        try checkLinks()
    }

    func checkTraffic(_ table: Table, budget: String) throws {
        for cells in table.lines {
            let (g, s) = (cells[0], cells[1])
            let capacity = rows.first { $0["graph"] == g && $0["setting"] == s && $0["budget"] == budget && !($0["capacity"] ?? "").isEmpty }?["capacity"]
            #expect(cells[2] == capacity ?? "n/a", "capacity of \(g) \(s) \(budget)")
            for (column, cell) in zip(table.header, cells).dropFirst(3) {
                switch column {
                case "best paper baseline":
                    #expect(cell == bestOf(Self.paperBaselines, g, s, budget).map(String.init) ?? noBest(Self.paperBaselines, g, s, budget))
                case "best heuristic":
                    let best = bestOf(baselineMethods, g, s, budget)
                    let number = cell.split(separator: " ").first.map(String.init)
                    let none = noBest(baselineMethods, g, s, budget)
                    #expect(best == nil ? cell == none : number == best.map(String.init), "best heuristic of \(g) \(s) \(budget)")
                    if best != nil, let open = cell.firstIndex(of: "("), let close = cell.lastIndex(of: ")") {
                        #expect(traffic(g, s, budget, String(cell[cell.index(after: open)..<close])) == best)
                    }
                default:
                    let r = try #require(row(g, s, budget, column), "no CSV row for \(g) \(s) \(budget) \(column)")
                    let expected = traffic(g, s, budget, column).map(String.init) ?? Self.word(r["status"])
                    #expect(cell == expected, "\(g) \(s) \(budget) \(column)")
                }
            }
        }
    }

    func checkReduction(_ table: Table, budget: String) throws {
        let method = try #require(table.heading.dropFirst("Reduction of ".count).split(separator: " ").first.map(String.init))
        var values = [[Double]](repeating: [], count: table.header.count - 2)
        for cells in table.lines {
            if cells[0] == "arithmetic mean" {
                for (i, cell) in cells.dropFirst(2).enumerated() { #expect(cell == Self.meanText(values[i]), "mean \(table.header[i + 2])") }
                continue
            }
            let (g, s) = (cells[0], cells[1])
            if row(g, s, budget, method)?["status"] == "unavailable" {
                #expect(cells.dropFirst(2).allSatisfy { $0 == "n/a" }, "\(method) \(g) \(s) \(budget) is unavailable")
                continue
            }
            for (i, column) in table.header.dropFirst(2).enumerated() {
                let target = String(column.dropFirst(3))
                let baseline = switch target {
                case "best paper baseline": bestOf(Self.paperBaselines, g, s, budget)
                case "best heuristic": bestOf(baselineMethods, g, s, budget)
                default: traffic(g, s, budget, target)
                }
                let r = Self.reduction(traffic(g, s, budget, method), baseline)
                #expect(cells[i + 2] == r.text, "\(method) \(column) \(g) \(s) \(budget)")
                if let v = r.value { values[i].append(v) }
            }
        }
        #expect(table.lines.last?.first == "arithmetic mean")
    }

    func checkSolveTimes(_ table: Table) {
        let cosmaRows = rows.filter { Self.cosmaMethods.contains($0["method"]!) }
        #expect(table.lines.count == cosmaRows.count)
        for cells in table.lines {
            guard let r = row(cells[0], cells[1], cells[2], cells[3]) else {
                Issue.record("no CSV row for \(cells)")
                continue
            }
            let hasPlan = Self.planned.contains(r["status"]!)
            let gap = r["gap"].flatMap(Double.init).map(Self.percent) ?? "-"
            let expected = [
                cells[0], cells[1], cells[2], cells[3], r["status"]!, hasPlan ? r["nonCompulsory"]! : Self.word(r["status"]),
                r["bound"]!.isEmpty ? "-" : r["bound"]!, gap, Self.seconds(r["buildSeconds"]), Self.seconds(r["solveSeconds"]),
                Self.seconds(r["methodSeconds"]), Self.seconds(r["wallSeconds"]),
            ]
            #expect(cells == expected)
        }
    }

    func checkSolveSummary(_ table: Table) {
        for cells in table.lines {
            let planned = rows.filter { $0["method"] == cells[0] && $0["budget"] == cells[1] && Self.planned.contains($0["status"]!) }
            #expect(cells[2] == "\(planned.count)")
            #expect(cells[3] == "\(planned.filter { $0["status"] == "optimal" }.count)")
            guard !planned.isEmpty else {
                #expect(cells.dropFirst(4).allSatisfy { $0 == "-" })
                continue
            }
            func values(_ key: String) -> [Double] { planned.map { Double($0[key] ?? "") ?? 0 } }
            func mean(_ v: [Double]) -> String { Self.seconds(v.reduce(0, +) / Double(v.count)) }
            let solve = values("solveSeconds").sorted()
            let median = solve.count % 2 == 1 ? solve[solve.count / 2] : (solve[solve.count / 2 - 1] + solve[solve.count / 2]) / 2
            #expect(Array(cells.dropFirst(4)) == [
                mean(values("buildSeconds")), mean(solve), Self.seconds(median), Self.seconds(solve.max()!),
                mean(values("methodSeconds")), Self.seconds(values("methodSeconds").max()!),
            ], "\(cells[0]) \(cells[1])")
        }
    }

    func checkPaper(_ table: Table) {
        let graphs = Set(rows.map { $0["graph"]! })
        let settings = Set(rows.map { $0["setting"]! })
        let budgets = Set(rows.map { $0["budget"]! })
        for cells in table.lines {
            let ours = cells[2]
            switch cells[0] {
            case "average reduction at M_R, ten human-designed models",
                 "average reduction at M_R, ten human-designed models, against every heuristic":
                let everyHeuristic = cells[0].hasSuffix("every heuristic")
                let against = everyHeuristic ? baselineMethods : Self.paperBaselines
                var v: [Double] = []
                var fail = 0
                for g in graphs.intersection(Self.humanDesigned) {
                    for s in settings {
                        let c = traffic(g, s, "M_R", "exact")
                        let b = bestOf(against, g, s, "M_R")
                        if let x = Self.reduction(c, b).value { v.append(x) }
                        if c != nil && b == nil { fail += 1 }
                    }
                }
                let what = everyHeuristic ? "heuristic" : "paper baseline"
                #expect(ours == Self.meanText(v) + "; every \(what) fails where Cosma plans: \(fail)")
            case "non-compulsory traffic at M_P":
                let atP = rows.filter { $0["method"] == "exact" && $0["budget"] == "M_P" }
                let planned = atP.filter { Self.planned.contains($0["status"]!) }
                let zero = planned.filter { $0["nonCompulsory"] == "0" }.count
                #expect(ours.hasPrefix("0 on \(zero) of \(planned.count) planned instances"))
                #expect(ours.hasSuffix("; \(atP.count - planned.count) without a plan"))
                if let worst = planned.map({ Int($0["nonCompulsory"]!)! }).max(), worst > 0 {
                    #expect(ours.contains("largest \(worst) bytes"))
                }
            case "average solve time, ten human-designed models":
                let exact = rows.filter { Self.humanDesigned.contains($0["graph"]!) && $0["method"] == "exact" && Self.planned.contains($0["status"]!) }
                let solve = exact.map { Double($0["solveSeconds"]!) ?? 0 }
                let whole = exact.map { Double($0["methodSeconds"]!) ?? 0 }
                #expect(ours == "\(Self.seconds(solve.reduce(0, +) / Double(solve.count))) s in the solver, \(Self.seconds(whole.reduce(0, +) / Double(whole.count))) s for the whole method (slowest \(Self.seconds(whole.max()!)) s; n=\(exact.count))")
            case "average reduction on the NAS models":
                var v: [Double] = []
                var fail = 0
                for g in graphs.intersection(Self.nas) {
                    for s in settings {
                        for b in budgets {
                            let cosma = methods.filter(Self.cosmaMethods.contains).compactMap { traffic(g, s, b, $0) }.min()
                            let base = bestOf(Self.paperBaselines, g, s, b)
                            if let x = Self.reduction(cosma, base).value { v.append(x) }
                            if cosma != nil && base == nil { fail += 1 }
                        }
                    }
                }
                #expect(ours == Self.meanText(v) + "; every paper baseline fails where Cosma plans: \(fail)")
            default:
                Issue.record("a paper figure the check does not know: \(cells[0])")
            }
        }
    }

    /// Images and memory-map links point at files of the batch, and each map's traffic is its row's.
    func checkLinks() throws {
        for line in report.split(separator: "\n") {
            if line.hasPrefix("!["), let open = line.lastIndex(of: "("), line.hasSuffix(")") {
                let file = String(line[line.index(after: open)..<line.index(before: line.endIndex)])
                #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), "\(file)")
            }
            if line.hasPrefix("- ["), let close = line.firstIndex(of: "]") {
                let parts = line[line.index(line.startIndex, offsetBy: 3)..<close].components(separatedBy: ", ")
                let file = line[line.index(close, offsetBy: 2)...].prefix { $0 != ")" }
                #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(String(file)).path), "\(file)")
                let bytes = line.split(separator: ": ", maxSplits: 1).last?.split(separator: " ").first.map(String.init)
                #expect(bytes == traffic(parts[0], parts[1], parts[2], parts[3]).map(String.init), "\(line)")
            }
        }
    }
}
