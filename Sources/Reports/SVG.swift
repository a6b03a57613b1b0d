internal import Foundation

/// The few SVG pieces the charts and memory maps share.
enum SVG {
    /// Escapes text for SVG content and attributes.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// A number for a coordinate: two decimals at most, so files stay small and identical across runs.
    static func n(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.2f", rounded)
    }

    static func document(width: Double, height: Double, body: [String]) -> String {
        ([
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
        ] + body + ["</svg>"]).joined(separator: "\n") + "\n"
    }

    static func text(_ x: Double, _ y: Double, _ content: String, size: Double = 12, anchor: String = "start",
                     weight: String? = nil, fill: String = "#222", rotate: Double? = nil) -> String
    {
        let transform = rotate.map { " transform=\"rotate(\(n($0)) \(n(x)) \(n(y)))\"" } ?? ""
        let bold = weight.map { " font-weight=\"\($0)\"" } ?? ""
        return "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\"\(bold)\(transform)>\(escape(content))</text>"
    }

    static func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String? = nil,
                     strokeWidth: Double = 1, title: String? = nil) -> String
    {
        let s = stroke.map { " stroke=\"\($0)\" stroke-width=\"\(n(strokeWidth))\"" } ?? ""
        let head = "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(max(0, w)))\" height=\"\(n(max(0, h)))\" fill=\"\(fill)\"\(s)"
        guard let title else { return head + "/>" }
        return head + "><title>\(escape(title))</title></rect>"
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1,
                     dash: String? = nil) -> String
    {
        let d = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        return "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\"\(d)/>"
    }

    static func polygon(_ points: [(Double, Double)], fill: String, title: String? = nil) -> String {
        let p = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        guard let title else { return "<polygon points=\"\(p)\" fill=\"\(fill)\"/>" }
        return "<polygon points=\"\(p)\" fill=\"\(fill)\"><title>\(escape(title))</title></polygon>"
    }

    /// Colour-blind-safe categorical colours (Okabe and Ito), for series.
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999", "#000000"]
}
