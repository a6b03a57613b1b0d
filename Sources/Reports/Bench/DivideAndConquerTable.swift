internal import DNNGraph
internal import Foundation
import MILP

extension BenchTables {
    /// What the summary lines of the divide-and-conquer table average.
    struct DivideAndConquerSummary {
        var gaps: [Double] = []
        var spillingGaps: [Double] = []
        var reductions: [Double] = []
        var paperReductions: [Double] = []
        var shares: [Double] = []
        var paperFailures = 0
        var worseThanHeuristic = 0
        var excesses: [Double] = []
        var walls: [Double] = []
        var agreed = 0
        var compared = 0
        var missing = 0
    }

    static func percent(_ value: Double) -> String { String(format: "%.0f%%", 100 * value) }

    /// The row of one instance, and what it adds to the summary.
    static func divideAndConquerLine(_ instance: DivideAndConquerInstance, _ row: DivideAndConquerRow?, other: DivideAndConquerRow?,
                                     settings: DivideAndConquerSettings, summary s: inout DivideAndConquerSummary) -> String {
        let head = "| \(instance.graph.name) | \(instance.setting.rawValue) | \(instance.label) | \(instance.capacity.map(String.init) ?? "-") |"
        let extra = (settings.compareExact ? 1 : 0) + (settings.agreeWith == nil ? 0 : 1)
        guard instance.capacity != nil else { return head + " unavailable (M_P not proven) |" + String(repeating: " |", count: 10 + extra) }
        guard let row else {
            s.missing += 1
            return head + " not run |" + String(repeating: " |", count: 10 + extra)
        }
        let gap = row.traffic == 0 ? 0 : Double(row.traffic - row.bound) / Double(row.traffic)
        s.gaps.append(gap)
        if row.traffic > 0 || (row.bestHeuristic ?? 0) > 0 { s.spillingGaps.append(gap) }
        s.walls.append(row.wall)
        func reduction(_ baseline: Int?, into list: inout [Double]) -> String {
            guard let b = baseline else { return "all fail" }
            guard b > 0 else { return "-" }
            let r = 1 - Double(row.traffic) / Double(b)
            list.append(r)
            return percent(r)
        }
        let paper = reduction(row.bestPaper, into: &s.paperReductions)
        let heuristic = reduction(row.bestHeuristic, into: &s.reductions)
        if row.bestPaper == nil { s.paperFailures += 1 }
        if let h = row.bestHeuristic, row.traffic > h { s.worseThanHeuristic += 1 }
        var share = "-"
        if let b = row.bestPaper ?? row.bestHeuristic, b > row.bound {
            let value = Double(b - row.traffic) / Double(b - row.bound)
            s.shares.append(value)
            share = percent(value)
        }
        let work = row.work.map { String(format: "%.1f", $0) } ?? "-"
        var line = head + " \(row.status) | \(row.traffic) | \(row.bound) | \(percent(gap)) | \(row.bestPaper.map(String.init) ?? "all fail") | \(paper) | \(row.bestHeuristic.map(String.init) ?? "all fail") | \(heuristic) | \(share) | \(String(format: "%.1f", row.wall)) | \(work) |"
        if settings.compareExact { line += " \(row.exact ?? "-") |" }
        if let e = row.exactExcess { s.excesses.append(e) }
        if settings.agreeWith != nil {
            if let other {
                s.compared += 1
                if other.planDigest == row.planDigest { s.agreed += 1 }
                line += other.planDigest == row.planDigest ? " same |" : " differs |"
            } else {
                line += " not run |"
            }
        }
        return line
    }

    static func divideAndConquerTable(_ instances: [DivideAndConquerInstance], rows: [String: DivideAndConquerRow],
                                      others: [String: DivideAndConquerRow], settings: DivideAndConquerSettings,
                                      command: String) -> String {
        var summary = DivideAndConquerSummary()
        let lines = instances.map { divideAndConquerLine($0, rows[$0.key], other: others[$0.key], settings: settings, summary: &summary) }
        return (divideAndConquerHeader(summary, settings: settings, command: command) + lines).joined(separator: "\n") + "\n"
    }

    static func divideAndConquerHeader(_ s: DivideAndConquerSummary, settings: DivideAndConquerSettings, command: String) -> [String] {
        func mean(_ v: [Double]) -> String { v.isEmpty ? "-" : String(format: "%.1f%%", 100 * v.reduce(0, +) / Double(v.count)) }
        func distribution(_ v: [Double]) -> String {
            "mean \(mean(v)), median \(String(format: "%.1f%%", 100 * median(v))), max \(String(format: "%.1f%%", 100 * (v.max() ?? 0))), \(v.filter { $0 > 0.25 }.count) above 25%"
        }
        let mode = limitMode(settings.timeLimit, deterministic: settings.deterministic, per: "instance")
        var header = preamble("Divide and conquer: traffic, bound and time", command: command) + [
            "- solver: \(settings.solver.rawValue) \(settings.solver.version), segments of \(settings.segmentOperators) operators in the first pass, one run each",
            "- mode: \(mode)",
            "- instances: \(s.gaps.count) run\(s.missing > 0 ? ", \(s.missing) not run (time ran out; see the rows marked `not run`)" : "")",
            "- gap to the bound over every instance run: \(distribution(s.gaps)); over the \(s.spillingGaps.count) where a heuristic or the plan spills: \(distribution(s.spillingGaps))",
            "- wall time per instance: median \(String(format: "%.1f", median(s.walls))) s, slowest \(String(format: "%.1f", s.walls.max() ?? 0)) s (including the baselines, run once more for the table)",
            "- plans worse than the best heuristic: \(s.worseThanHeuristic)",
            "- average share of the achievable reduction, `(baseline - plan) / (baseline - bound)` with the best paper baseline (the best heuristic where every paper baseline fails), over the \(s.shares.count) instances where the baseline is above the bound: \(mean(s.shares))",
            "- average reduction against the best of the paper's four baselines (default or minimum-peak order, Belady or greedy replacement, TensorFlow Lite allocation), over the \(s.paperReductions.count) instances where that baseline spills: \(mean(s.paperReductions)); on \(s.paperFailures) instances every one of them fails (fragmentation), and those are not in the average",
            "- average reduction against the best heuristic (the paper's baselines and Cosma's own), over the \(s.reductions.count) instances where it spills: \(mean(s.reductions)) (arithmetic means of `1 - cosma / baseline`)",
        ]
        if settings.agreeWith != nil {
            header.append("- a second run (journal `\(settings.agreeWith!.relativePath)`) wrote byte-identical plans on \(s.agreed) of the \(s.compared) instances both ran")
        }
        if settings.compareExact {
            header.append("- average excess over the exact optimum, over the \(s.excesses.count) instances the exact method proves: \(mean(s.excesses)) (arithmetic mean of `cosma / optimum - 1`; +100% where the optimum is 0 and divide and conquer is not)")
        }
        return header + [
            "",
            "Traffic, bound and baselines are non-compulsory bytes. The bound is valid for every schedule: the larger of",
            "the crossing bound (the largest of the minimum cuts, the covering program over tensors that cross an operator",
            "in every schedule, the step every schedule crowds (`M_P`) and each separated segment's own peak, and the",
            "reload intervals along a chain of operators) and the sum of the own least traffic of the separated segments,",
            "consecutive ones joined into blocks of up to 64 operators (`SegmentTrafficSearch`, where a block's tensors",
            "from earlier blocks come in resident and each load of them counts, and each tensor's store counts in the",
            "last block that reads it), a segment too large for the search (a",
            "NAS network's, which has no separator, is the whole graph) counting its largest window's own least traffic",
            "(up to 128 consecutive operators of the minimum-peak order, where what is made outside comes in as an input",
            "and what is read outside dies at its last reader inside); `optimal` means the plan meets it.",
            "Divide and conquer starts from the best",
            "heuristic (and a spill-aware order search, and the segments' cheapest orders), so it is never worse; like",
            "`cosma solve` at a named budget, it is handed the minimum-peak schedule that resolved the budgets.",
            "Share: of the reduction from the baseline down to the bound, how much the plan achieves.",
            "Wall time includes the baselines it starts from and the bound, not the minimum-peak schedule.", "",
            "| graph | setting | budget | capacity | status | traffic | bound | gap | best paper baseline | reduction | best heuristic | reduction | share | wall s | work |"
                + (settings.compareExact ? " exact |" : "") + (settings.agreeWith == nil ? "" : " second run |"),
            "|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + (settings.compareExact ? "---:|" : "")
                + (settings.agreeWith == nil ? "" : "---|"),
        ]
    }
}
