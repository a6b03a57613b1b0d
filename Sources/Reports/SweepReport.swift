import Cosma
package import DNNGraph
import Scratchpad
internal import Heuristics
import MILP
import CosmaILP
package import Foundation

/// The files of a sweep, beside a batch's report: `sweep.csv` (every curve's points),
/// `sweep.md` (a table per setting), `curves/<graph>.svg` (a model's step curves, one per
/// setting) and `curves/zoo-<setting>.svg` (every model on one chart).
package struct SweepReport {
    package var curves: [SweepCurve]

    package init(curves: [SweepCurve]) {
        self.curves = curves
    }

    /// A model's chart: traffic in bytes against capacity in bytes, one series per setting.
    package func chart(file: String) -> StepChart {
        let mine = curves.filter { $0.file == file }
        let series = mine.map { curve in
            StepChart.Series(name: curve.setting.rawValue, points: curve.points.compactMap { p in
                p.capacity.map { StepChart.Point(x: Double($0), y: p.traffic.map(Double.init), bound: p.bound.map(Double.init), proven: p.proven,
                                                 tiles: p.tiles) }
            })
        }
        return StepChart(title: "\(mine.first?.graph ?? file): non-compulsory traffic against capacity", xLabel: "scratchpad capacity",
                         yLabel: "non-compulsory traffic", series: series, logarithmicX: false,
                         xTick: { formatBytes(Int($0)) }, yTick: { decimalBytes($0) })
    }

    /// Every model of one setting: capacity on a log axis, traffic as a percentage of the model's
    /// traffic at its smallest capacity (so models of every size share the chart).
    package func zoo(setting: TensorSetting) -> StepChart {
        let series = curves.filter { $0.setting == setting }.map { curve in
            let scale = curve.points.first { $0.capacity != nil && $0.traffic != nil }?.traffic ?? 0
            return StepChart.Series(name: curve.graph, points: curve.points.compactMap { p in
                guard let c = p.capacity else { return nil }
                func percent(_ v: Int?) -> Double? { v.map { scale > 0 ? 100 * Double($0) / Double(scale) : 0 } }
                return StepChart.Point(x: Double(c), y: percent(p.traffic), bound: percent(p.bound), proven: p.proven, tiles: p.tiles)
            })
        }
        return StepChart(title: "Model zoo (\(setting.rawValue)): traffic against capacity", xLabel: "scratchpad capacity",
                         yLabel: "% of the traffic at the smallest capacity", series: series, logarithmicX: true,
                         xTick: { decimalBytes($0) }, yTick: { String(format: "%g%%", $0) })
    }

    /// `sweep.md`: per setting, each model's range, how many points are proven, and the smallest
    /// capacity of the sweep proven to halve the traffic at the first point (``SweepCurve/smallestCapacity(trafficAtMost:)``).
    package var markdown: String {
        var out = ["# Sweep: non-compulsory traffic against capacity", "",
                   "Each curve takes, at each capacity, the cheapest simulated plan of any method and the largest proven bound; a point is proven when they meet (or its traffic is zero). `sweep.csv` has every point; `curves/` has a step chart per model and the zoo overlays.", ""]
        for setting in TensorSetting.allCases where curves.contains(where: { $0.setting == setting }) {
            out += ["## Setting: \(setting.rawValue)", "",
                    "| model | from | to | points proven | traffic at the first point | smallest proven capacity with at most half of it |",
                    "|---|---:|---:|---:|---:|---:|"]
            for curve in curves where curve.setting == setting {
                let resolved = curve.points.filter { $0.capacity != nil }
                let first = resolved.first
                let last = resolved.last
                let half = first?.traffic.flatMap { curve.smallestCapacity(trafficAtMost: $0 / 2).provenCapacity }
                out.append("| \(curve.graph) | \(first?.capacity.map(String.init) ?? "n/a") | \(last?.capacity.map(String.init) ?? "n/a") | \(curve.points.filter(\.proven).count)/\(curve.points.count) | \(first?.traffic.map(String.init) ?? "no plan") | \(half.map(String.init) ?? "none proven") |")
            }
            out.append("")
        }
        return out.joined(separator: "\n")
    }

    /// Writes every sweep file into `folder` and returns their names (relative to it).
    package func write(to folder: URL) throws(InputError) -> [String] {
        var written: [String] = []
        func put(_ text: String, _ name: String) throws(InputError) {
            try writeAtomically(text, to: folder.appendingPathComponent(name))
            written.append(name)
        }
        do {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("curves"), withIntermediateDirectories: true)
        } catch {
            throw InputError(source: folder.path, message: "cannot create the curves folder (\(error.localizedDescription))")
        }
        try put(SweepCurve.csv(curves), "sweep.csv")
        var files: [String] = []
        for curve in curves where !files.contains(curve.file) { files.append(curve.file) }
        for file in files {
            let stem = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
            try put(chart(file: file).svg(), "curves/\(stem).svg")
        }
        for setting in TensorSetting.allCases where curves.contains(where: { $0.setting == setting }) {
            try put(zoo(setting: setting).svg(), "curves/zoo-\(setting.rawValue).svg")
        }
        try put(markdown, "sweep.md")
        return written
    }
}

/// Everything a finished batch writes: the report, result files, charts and maps
/// (``BatchReport``), and the sweep's files when its budgets include sweep points.
package enum BatchOutputs {
    package static func write(rows: [ResultRow], matrix: InstanceMatrix, header: ReportHeader, folder: URL,
                             plans: URL) throws(InputError) -> [String]
    {
        var written = try BatchReport(rows: rows, matrix: matrix, header: header).write(to: folder, plans: plans)
        let curves = SweepCurve.curves(rows: rows, matrix: matrix)
        if !curves.isEmpty { written += try SweepReport(curves: curves).write(to: folder) }
        return written
    }
}
