internal import Foundation

/// A grouped bar chart in SVG, in the manner of the COSMA paper's figures: one group per model,
/// one bar per method, optionally on a logarithmic axis.
///
/// Values a log axis cannot show are drawn as labelled marks at the bottom of their slot: `0`
/// for zero and a short word (`fails`, `n/a`) for a missing value, so that no result silently
/// disappears from the picture.
package struct GroupedBarChart: Sendable {
    /// One bar: a value, or the word drawn where a value is missing.
    package enum Value: Hashable, Sendable {
        case value(Double)
        /// A missing value, with the word drawn in its place.
        case missing(String)
    }

    package var title: String
    package var yLabel: String
    /// Group labels along the x axis (one per model).
    package var groups: [String]
    /// Bar names, in legend order (one per method).
    package var series: [String]
    /// `values[group][series]`.
    package var values: [[Value]]
    package var logarithmic: Bool
    /// Formats an axis tick.
    package var tickLabel: @Sendable (Double) -> String

    package init(title: String, yLabel: String, groups: [String], series: [String], values: [[Value]], logarithmic: Bool,
                tickLabel: @escaping @Sendable (Double) -> String)
    {
        self.title = title
        self.yLabel = yLabel
        self.groups = groups
        self.series = series
        self.values = values
        self.logarithmic = logarithmic
        self.tickLabel = tickLabel
    }

    /// The chart as a standalone SVG document.
    package func svg() -> String {
        let bar = 14.0
        let groupGap = 18.0
        let left = 78.0
        let plotHeight = 300.0
        let labelRoom = 12 + 6.2 * Double(groups.map(\.count).max() ?? 0) * 0.71
        let groupWidth = Double(series.count) * bar + groupGap
        let width = max(560, left + Double(groups.count) * groupWidth + 30)
        let legendColumn = 34 + 6.6 * Double(series.map(\.count).max() ?? 0)
        let perRow = max(1, Int((width - left - 20) / legendColumn))
        let top = 58.0 + 16 * Double((series.count + perRow - 1) / perRow)
        let height = top + plotHeight + labelRoom + 20
        let positive = values.flatMap { $0 }.compactMap { v -> Double? in
            if case .value(let x) = v, x > 0 { return x }
            return nil
        }
        let (low, high, ticks) = Self.axis(positive, logarithmic: logarithmic)
        func y(_ v: Double) -> Double {
            let f = logarithmic ? (log10(v) - log10(low)) / (log10(high) - log10(low)) : (v - low) / (high - low)
            return top + plotHeight * (1 - min(1, max(0, f)))
        }
        var body: [String] = [SVG.text(left, 22, title, size: 15, weight: "bold")]
        for (i, name) in series.enumerated() {
            let x = left + Double(i % perRow) * legendColumn
            let yy = 40 + 16 * Double(i / perRow)
            body.append(SVG.rect(x, yy - 10, 11, 11, fill: SVG.palette[i % SVG.palette.count]))
            body.append(SVG.text(x + 16, yy, name, size: 11))
        }
        for tick in ticks {
            body.append(SVG.line(left, y(tick), width - 20, y(tick), stroke: "#ddd"))
            body.append(SVG.text(left - 6, y(tick) + 4, tickLabel(tick), size: 10, anchor: "end"))
        }
        body.append(SVG.line(left, top + plotHeight, width - 20, top + plotHeight, stroke: "#444"))
        body.append(SVG.line(left, top, left, top + plotHeight, stroke: "#444"))
        body.append(SVG.text(16, top + plotHeight / 2, yLabel + (logarithmic ? " (log scale)" : ""), size: 11, anchor: "middle",
                             rotate: -90))
        for (g, group) in groups.enumerated() {
            let x0 = left + groupGap / 2 + Double(g) * groupWidth
            for (s, value) in values[g].enumerated() {
                let x = x0 + Double(s) * bar
                let colour = SVG.palette[s % SVG.palette.count]
                switch value {
                case .value(let v) where v > 0:
                    body.append(SVG.rect(x, y(v), bar - 2, top + plotHeight - y(v), fill: colour,
                                         title: "\(group), \(series[s]): \(tickLabel(v))"))
                case .value:
                    body.append(SVG.text(x + bar / 2 - 1, top + plotHeight - 4, "0", size: 10, anchor: "middle", weight: "bold", fill: colour))
                case .missing(let word):
                    body.append(SVG.text(x + bar / 2 + 2, top + plotHeight - 4, word, size: 9, anchor: "start", fill: colour,
                                         rotate: -90))
                }
            }
            let cx = x0 + Double(series.count) * bar / 2
            body.append(SVG.text(cx, top + plotHeight + 14, group, size: 11, anchor: "end", rotate: -45))
        }
        return SVG.document(width: width, height: height, body: body)
    }

    /// Axis range and ticks: whole decades on a log axis, about five round steps on a linear one.
    static func axis(_ positive: [Double], logarithmic: Bool) -> (Double, Double, [Double]) {
        guard let lo = positive.min(), let hi = positive.max() else { return (1, 10, [1, 10]) }
        if logarithmic {
            // Strictly below the smallest value, so that its bar has a height.
            let a = floor(log10(lo) - 1e-9)
            let b = max(a + 1, ceil(log10(hi)))
            return (pow(10, a), pow(10, b), stride(from: a, through: b, by: 1).map { pow(10, $0) })
        }
        let raw = hi / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        let top = ceil(hi / step) * step
        return (0, top, stride(from: 0, through: top, by: step).map { $0 })
    }
}

/// A byte count on a decade tick: `1 kB`, `100 MB` (decimal units, as decades are powers of ten).
package func decimalBytes(_ bytes: Double) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"]
    var value = bytes
    var unit = 0
    while value >= 1000 && unit < units.count - 1 {
        value /= 1000
        unit += 1
    }
    return String(format: "%g %@", value, units[unit])
}
