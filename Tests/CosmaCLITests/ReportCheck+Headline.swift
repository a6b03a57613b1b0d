import Foundation
import Testing

/// The headline of a batch report, recomputed from `results.csv` with the checker's own code.
extension ReportCheck {
    struct Instance: Equatable {
        var graph: String
        var setting: String
        var budget: String
    }

    /// Values of `key` in CSV order, each once.
    func ordered(_ key: String) -> [String] {
        var seen: [String] = []
        for r in rows where !seen.contains(r[key]!) { seen.append(r[key]!) }
        return seen
    }

    /// The paper's models of the batch, human-designed first, at `budgets`, in the report's order.
    func instances(_ models: Set<String>, budgets: [String]? = nil) -> [Instance] {
        let graphs = ordered("graph").filter { models.contains($0) }
        let wanted = ordered("budget").filter { budgets?.contains($0) ?? true }
        return graphs.flatMap { g in ordered("setting").flatMap { s in wanted.map { Instance(graph: g, setting: s, budget: $0) } } }
    }

    var paperModels: [Instance] { instances(Self.humanDesigned) + instances(Self.nas) }

    /// Cosma's least traffic among its methods and the first method (CSV order) that reaches it.
    func cosma(_ i: Instance) -> (traffic: Int, method: String)? {
        var best: (Int, String)?
        for m in methods where Self.cosmaMethods.contains(m) {
            if let t = traffic(i.graph, i.setting, i.budget, m), t < best?.0 ?? Int.max { best = (t, m) }
        }
        return best
    }

    func baselineTraffic(_ i: Instance) -> [Int?] { Self.paperBaselines.map { traffic(i.graph, i.setting, i.budget, $0) } }

    func allZero(_ i: Instance) -> Bool { cosma(i)?.traffic == 0 && baselineTraffic(i).allSatisfy { $0 == 0 } }

    /// Defined reductions of Cosma against the best paper baseline (`column` 0) or one of them.
    func reductions(_ list: [Instance], column: Int) -> [Double] {
        list.compactMap { i in
            let b = baselineTraffic(i)
            return Self.reduction(cosma(i)?.traffic, column == 0 ? b.compactMap { $0 }.min() : b[column - 1]).value
        }
    }

    func checkHeadline(_ table: Table) throws {
        let expected = paperModels.filter { !allZero($0) }
        #expect(table.lines.count == expected.count, "headline lines")
        let cosmaInBatch = methods.filter(Self.cosmaMethods.contains)
        for (cells, i) in zip(table.lines, expected) {
            #expect(Array(cells.prefix(3)) == [i.graph, i.setting, i.budget])
            let capacity = rows.first { $0["graph"] == i.graph && $0["setting"] == i.setting && $0["budget"] == i.budget && !($0["capacity"] ?? "").isEmpty }?["capacity"]
            #expect(cells[3] == capacity ?? "n/a")
            let c = cosma(i)
            #expect(cells[4] == (c.map { "\($0.traffic)" } ?? noBest(cosmaInBatch, i.graph, i.setting, i.budget)), "Cosma of \(i)")
            #expect(cells[5] == c?.method ?? "-")
            let b = baselineTraffic(i)
            let best = b.compactMap { $0 }.min()
            #expect(cells[6] == (best.map(String.init) ?? noBest(Self.paperBaselines, i.graph, i.setting, i.budget)))
            let texts = ([best] + b).map { Self.reduction(c?.traffic, $0).text }
            #expect(Array(cells.dropFirst(7)) == texts, "reductions of \(i)")
        }
        let zero = paperModels.filter(allZero).map { "\($0.graph) \($0.setting) \($0.budget)" }
        let line = "Every method at zero (Cosma and all four paper baselines have no non-compulsory traffic; \(zero.count) instances): "
            + (zero.isEmpty ? "none." : zero.joined(separator: "; ") + ".")
        #expect(report.contains(line), "the all-zero list")
        #expect(report.hasPrefix("# Batch report: \(folder.lastPathComponent)\n\n## \(Self.headline)\n"), "the report opens with the headline")
    }

    func checkHeadlineAverages(_ table: Table) {
        for cells in table.lines {
            switch cells[0] {
            case "average reduction at M_R, ten human-designed DNNs":
                #expect(cells[2] == Self.meanText(reductions(instances(Self.humanDesigned, budgets: ["M_R"]), column: 0)))
            case "average reduction at M_R, ten human-designed DNNs, against each paper baseline":
                let list = instances(Self.humanDesigned, budgets: ["M_R"])
                #expect(cells[2] == Self.paperBaselines.indices.map { Self.meanText(reductions(list, column: $0 + 1)) }.joined(separator: " / "))
            case "non-compulsory traffic at M_P":
                let atP = paperModels.filter { $0.budget == "M_P" }
                let planned = atP.filter { cosma($0) != nil }
                let zero = planned.filter { cosma($0)?.traffic == 0 }.count
                let spilling = atP.filter { baselineTraffic($0).allSatisfy { ($0 ?? 1) > 0 } }
                var models: [String] = []
                for i in spilling where !models.contains(i.graph) { models.append(i.graph) }
                #expect(cells[2] == "Cosma 0 on \(zero) of \(planned.count) planned instances; every paper baseline spills on \(spilling.count) of \(atP.count)"
                    + (models.isEmpty ? "" : " (\(models.joined(separator: ", ")))"))
            case "average reduction on the NAS models":
                #expect(cells[2] == Self.meanText(reductions(instances(Self.nas), column: 0)))
            default:
                checkPaper(Table(section: table.section, heading: table.heading, header: table.header, lines: [cells]))
            }
        }
    }
}
