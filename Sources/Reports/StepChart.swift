internal import Foundation

/// A step chart in SVG: one line per series that holds each value until the next point, as a
/// traffic-against-capacity curve does (the traffic of a capacity is achievable at every larger
/// one).
///
/// Proven points are filled dots; an unproven point is a hollow dot with a dashed whisker down to
/// its lower bound, so that the uncertainty is visible where it is; a point without a plan is a
/// cross on the x axis. A point below `M_R`, a plan of the graph tiled for its capacity, is a
/// hollow diamond, and a note under the legend says so. Nothing is smoothed or interpolated.
package struct StepChart: Sendable {
    package struct Point: Hashable, Sendable {
        package var x: Double
        /// The value, when there is one.
        package var y: Double?
        /// A proven lower bound, drawn for unproven points.
        package var bound: Double?
        package var proven: Bool
        /// Tile operators when the point plans a tiled graph (a capacity below `M_R`).
        package var tiles: Int?

        package init(x: Double, y: Double?, bound: Double?, proven: Bool, tiles: Int? = nil) {
            self.x = x
            self.y = y
            self.bound = bound
            self.proven = proven
            self.tiles = tiles
        }
    }

    package struct Series: Hashable, Sendable {
        package var name: String
        /// In growing x.
        package var points: [Point]

        package init(name: String, points: [Point]) {
            self.name = name
            self.points = points
        }
    }

    package var title: String
    package var xLabel: String
    package var yLabel: String
    package var series: [Series]
    /// A logarithmic x axis (whole decades), for series whose x spans orders of magnitude.
    package var logarithmicX: Bool
    package var xTick: @Sendable (Double) -> String
    package var yTick: @Sendable (Double) -> String

    package init(title: String, xLabel: String, yLabel: String, series: [Series], logarithmicX: Bool,
                xTick: @escaping @Sendable (Double) -> String, yTick: @escaping @Sendable (Double) -> String)
    {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logarithmicX = logarithmicX
        self.xTick = xTick
        self.yTick = yTick
    }

    struct Frame {
        var left = 86.0, top: Double, width = 640.0, height = 300.0
        var xRange: (Double, Double), yTop: Double, logarithmicX: Bool

        func x(_ v: Double) -> Double {
            let (a, b) = logarithmicX ? (log10(xRange.0), log10(xRange.1)) : xRange
            let f = ((logarithmicX ? log10(max(v, 1e-9)) : v) - a) / max(b - a, 1e-12)
            return left + width * min(1, max(0, f))
        }

        func y(_ v: Double) -> Double { top + height * (1 - min(1, max(0, v / yTop))) }
    }

    /// The chart as a standalone SVG document.
    package func svg() -> String {
        let legendRows = Double((series.count + 3) / 4)
        let xs = series.flatMap { $0.points.map(\.x) }.filter { !logarithmicX || $0 > 0 }
        let ys = series.flatMap { $0.points.compactMap(\.y) }.filter { $0 > 0 }
        let (_, yTop, yTicks) = ys.isEmpty ? (0, 1, [0, 1]) : GroupedBarChart.axis(ys, logarithmic: false)
        let xRange = xAxis(xs)
        let frame = Frame(top: 58 + 16 * legendRows, xRange: (xRange.low, xRange.high), yTop: yTop, logarithmicX: logarithmicX)
        var body: [String] = [SVG.text(frame.left, 22, title, size: 15, weight: "bold")]
        for (i, s) in series.enumerated() {
            let lx = frame.left + Double(i % 4) * 165
            let ly = 40 + 16 * Double(i / 4)
            body.append(SVG.rect(lx, ly - 10, 11, 11, fill: SVG.palette[i % SVG.palette.count]))
            body.append(SVG.text(lx + 16, ly, s.name, size: 11))
        }
        if series.contains(where: { $0.points.contains { $0.tiles != nil } }) {
            body.append(SVG.text(frame.left + frame.width, 22, "◇ below M_R: a plan of the graph tiled for that capacity (not proven optimal for the model)",
                                 size: 10, anchor: "end"))
        }
        body += axes(frame, xTicks: xRange.ticks, yTicks: yTicks)
        for (i, s) in series.enumerated() { body += draw(s, colour: SVG.palette[i % SVG.palette.count], frame) }
        return SVG.document(width: frame.left + frame.width + 30, height: frame.top + frame.height + 52, body: body)
    }

    func xAxis(_ xs: [Double]) -> (low: Double, high: Double, ticks: [Double]) {
        guard let lo = xs.min(), let hi = xs.max(), hi > lo else {
            let v = xs.first ?? 1
            return (v * 0.9, v * 1.1 + 1, [v])
        }
        if logarithmicX {
            let a = floor(log10(lo))
            let b = ceil(log10(hi))
            return (pow(10, a), pow(10, max(b, a + 1)), stride(from: a, through: max(b, a + 1), by: 1).map { pow(10, $0) })
        }
        return (lo, hi, (0...4).map { lo + (hi - lo) * Double($0) / 4 })
    }

    func axes(_ f: Frame, xTicks: [Double], yTicks: [Double]) -> [String] {
        var body: [String] = []
        for tick in yTicks {
            body.append(SVG.line(f.left, f.y(tick), f.left + f.width, f.y(tick), stroke: "#ddd"))
            body.append(SVG.text(f.left - 6, f.y(tick) + 4, yTick(tick), size: 10, anchor: "end"))
        }
        for tick in xTicks {
            body.append(SVG.line(f.x(tick), f.top, f.x(tick), f.top + f.height, stroke: "#eee"))
            body.append(SVG.text(f.x(tick), f.top + f.height + 16, xTick(tick), size: 10, anchor: "middle"))
        }
        body.append(SVG.line(f.left, f.top + f.height, f.left + f.width, f.top + f.height, stroke: "#444"))
        body.append(SVG.line(f.left, f.top, f.left, f.top + f.height, stroke: "#444"))
        body.append(SVG.text(f.left + f.width / 2, f.top + f.height + 38, xLabel + (logarithmicX ? " (log scale)" : ""), size: 11, anchor: "middle"))
        body.append(SVG.text(16, f.top + f.height / 2, yLabel, size: 11, anchor: "middle", rotate: -90))
        return body
    }

    func draw(_ s: Series, colour: String, _ f: Frame) -> [String] {
        var body: [String] = []
        let valued = s.points.filter { $0.y != nil }
        for (a, b) in zip(valued, valued.dropFirst()) {
            body.append(SVG.line(f.x(a.x), f.y(a.y!), f.x(b.x), f.y(a.y!), stroke: colour, width: 2))
            body.append(SVG.line(f.x(b.x), f.y(a.y!), f.x(b.x), f.y(b.y!), stroke: colour, width: 2))
        }
        for p in s.points {
            let cx = f.x(p.x)
            guard let y = p.y else {
                body.append("<path d=\"M\(SVG.n(cx - 4)) \(SVG.n(f.top + f.height - 4)) l8 8 m0 -8 l-8 8\" stroke=\"\(colour)\" stroke-width=\"1.5\"><title>\(SVG.escape("\(s.name) at \(xTick(p.x)): no plan"))</title></path>")
                continue
            }
            if !p.proven, let bound = p.bound {
                body.append(SVG.line(cx, f.y(y), cx, f.y(bound), stroke: colour, width: 1.2, dash: "3,2"))
                body.append(SVG.line(cx - 4, f.y(bound), cx + 4, f.y(bound), stroke: colour, width: 1.2))
            }
            if let tiles = p.tiles {
                let title = "\(s.name) at \(xTick(p.x)): \(yTick(y)), tiled into \(tiles) tiles (below M_R)"
                body.append("<path d=\"M\(SVG.n(cx)) \(SVG.n(f.y(y) - 5)) l5 5 l-5 5 l-5 -5 z\" fill=\"white\" stroke=\"\(colour)\" stroke-width=\"1.5\"><title>\(SVG.escape(title))</title></path>")
                continue
            }
            let title = "\(s.name) at \(xTick(p.x)): \(yTick(y))" + (p.proven ? " (proven)" : ", bound \(p.bound.map(yTick) ?? "none")")
            body.append("<circle cx=\"\(SVG.n(cx))\" cy=\"\(SVG.n(f.y(y)))\" r=\"3.5\" fill=\"\(p.proven ? colour : "white")\" stroke=\"\(colour)\" stroke-width=\"1.5\"><title>\(SVG.escape(title))</title></circle>")
        }
        return body
    }
}
