import Cosma
package import DNNGraph
import Scratchpad
internal import Heuristics
import MILP
import CosmaILP
internal import Foundation

/// The picture of a plan: scratchpad addresses against steps, one box per stay.
///
/// A stay is one tensor at one offset, from the step that loads or produces it to
/// the step before which it is freed (or to the end). Stores are marked with a red triangle where
/// they happen (a spill, or the store of a graph output), loads of a tensor that was resident
/// before (reloads) with a blue triangle at the start of the box, and the capacity with a dashed
/// line. Hovering a box in a browser shows the tensor, its bytes, offset and steps.
///
/// A plan of a tiled graph (below `M_R`, where hundreds of tiles and slices replace a few dozen
/// operators and tensors) is drawn against the original model: a slice's box takes its original
/// tensor's hue (neighbouring slices alternate in lightness) and the label `tensor[start:end]`,
/// and a band under the steps groups consecutive tiles of one original operator, so that a run
/// of one layer's tiles reads as one block and a cascade as alternating blocks.
package struct MemoryMap: Sendable {
    /// One stay of a tensor in the scratchpad.
    package struct Stay: Hashable, Sendable {
        package var tensor: String
        package var offset: Int
        /// Occupied bytes (rounded up to the alignment).
        package var size: Int
        /// First step during which the tensor is resident (0-based).
        package var start: Int
        /// First step during which it no longer is (the number of steps if it stays to the end).
        package var end: Int
        /// Whether this stay began with a load of a tensor that had been resident before.
        package var reload: Bool
        /// The original tensor and rows when the tensor is a slice of a tiled graph.
        package var sliceOf: SliceOrigin? = nil
    }

    /// Consecutive steps that run one operator of the original model: its tiles, or the
    /// operator itself when it was not split.
    package struct OperatorRun: Hashable, Sendable {
        /// The original operator's name.
        package var name: String
        /// First step of the run (0-based) and the step after its last.
        package var start: Int
        package var end: Int
        /// Whether the steps are tiles.
        package var tiled: Bool
    }

    /// A store to DRAM before step `step` (or after the last step, for `final`).
    package struct Store: Hashable, Sendable {
        package var tensor: String
        package var step: Int
        package var offset: Int
        package var size: Int
    }

    package var graphName: String
    /// Scratchpad size in bytes: the dashed line.
    package var capacity: Int
    /// Number of steps (operators) of the plan.
    package var steps: Int
    package var stays: [Stay]
    package var stores: [Store]
    /// The traffic the replay measured.
    package var traffic: Traffic
    /// The method the plan records.
    package var method: String?
    /// The original operators of the steps, in runs; empty unless the graph is tiled.
    package var operatorRuns: [OperatorRun] = []

    /// Reads the stays of a plan after replaying it: a plan that breaks a rule throws
    /// `InvalidPlanError` with its violations instead of being drawn.
    package init(plan: Plan, graph: Graph) throws(InvalidPlanError) {
        let report = try Simulator(graph: graph).certify(plan).report
        let config = plan.configuration
        var open: [String: (offset: Int, start: Int, reload: Bool)] = [:]
        var everResident = Set<String>()
        var stays: [Stay] = []
        var stores: [Store] = []
        func size(_ tensor: String) -> Int { config.occupied(graph.tensorID(named: tensor).map { graph.tensors[$0].bytes } ?? 0) }
        func close(_ tensor: String, at step: Int) {
            guard let stay = open.removeValue(forKey: tensor) else { return }
            let origin = graph.tensorID(named: tensor).flatMap { graph.tensors[$0].sliceOf }
            stays.append(Stay(tensor: tensor, offset: stay.offset, size: size(tensor), start: stay.start, end: step,
                              reload: stay.reload, sliceOf: origin))
        }
        func begin(_ tensor: String, at offset: Int, step: Int) {
            open[tensor] = (offset, step, everResident.contains(tensor))
            everResident.insert(tensor)
        }
        for (k, step) in plan.steps.enumerated() {
            for t in step.store { stores.append(Store(tensor: t, step: k, offset: open[t]?.offset ?? 0, size: size(t))) }
            for t in step.free { close(t, at: k) }
            for p in step.load { begin(p.tensor, at: p.offset, step: k) }
            for p in step.outputs { begin(p.tensor, at: p.offset, step: k) }
        }
        let n = plan.steps.count
        for t in plan.final { stores.append(Store(tensor: t, step: n, offset: open[t]?.offset ?? 0, size: size(t))) }
        for t in open.keys.sorted() { close(t, at: n) }
        self.graphName = graph.name
        self.capacity = plan.capacity
        self.steps = n
        self.stays = stays.sorted { ($0.start, $0.offset) < ($1.start, $1.offset) }
        self.stores = stores
        self.traffic = report.traffic
        self.method = plan.method
        self.operatorRuns = Self.runs(of: plan, in: graph)
    }

    /// The steps grouped by original operator, when some step is a tile; empty otherwise.
    static func runs(of plan: Plan, in graph: Graph) -> [OperatorRun] {
        let origins = plan.steps.map { step in graph.operatorID(named: step.op).flatMap { graph.operators[$0].tileOf } }
        guard origins.contains(where: { $0 != nil }) else { return [] }
        var runs: [OperatorRun] = []
        for (k, step) in plan.steps.enumerated() {
            let name = origins[k]?.operator ?? step.op
            if let last = runs.last, last.name == name, last.end == k {
                runs[runs.count - 1].end = k + 1
            } else {
                runs.append(OperatorRun(name: name, start: k, end: k + 1, tiled: origins[k] != nil))
            }
        }
        return runs
    }

    /// The map as SVG. Boxes get their tensor's name when the name fits inside.
    package func svg(title: String? = nil) -> String {
        let left = 86.0
        let top = 64.0
        let plotHeight = 520.0
        // A tiled plan has hundreds of steps; wider steps keep its tiles' labels readable.
        let stepWidth = max(operatorRuns.isEmpty ? 1.2 : 7, 1100 / Double(max(1, steps)))
        let plotWidth = stepWidth * Double(max(1, steps))
        let width = max(760, left + plotWidth + 40)
        let band = operatorRuns.isEmpty ? 0.0 : 30.0
        let height = top + plotHeight + 58 + band
        // Headroom above the capacity keeps its line apart from the frame.
        let scale = plotHeight / (Double(max(1, capacity)) * 1.05)
        func x(_ step: Int) -> Double { left + Double(step) * stepWidth }
        func y(_ address: Int) -> Double { top + plotHeight - Double(address) * scale }
        let heading = title ?? "\(graphName): \(method ?? "plan") at \(capacity) bytes (\(formatBytes(capacity)))"
        var body = [
            SVG.text(left, 20, heading, size: 14, weight: "bold"),
            SVG.text(left, 38, "non-compulsory traffic \(traffic.nonCompulsory) bytes (\(formatBytes(traffic.nonCompulsory))); total \(traffic.total), compulsory \(traffic.compulsory); \(stays.count) residencies, \(stays.filter(\.reload).count) reloads, \(stores.count) stores",
                     size: 11),
        ]
        body.append(SVG.polygon([(left, 48), (left + 10, 48), (left + 5, 56)], fill: "#C00000"))
        body.append(SVG.text(left + 14, 56, "store (spill or output)", size: 10))
        body.append(SVG.polygon([(left + 150, 56), (left + 160, 56), (left + 155, 48)], fill: "#0050C0"))
        body.append(SVG.text(left + 164, 56, "reload", size: 10))
        body.append(SVG.line(left + 220, 52, left + 250, 52, stroke: "#C00000", width: 1.5, dash: "6 3"))
        body.append(SVG.text(left + 254, 56, "capacity", size: 10))
        for i in 0...4 {
            let address = capacity * i / 4
            body.append(SVG.line(left - 4, y(address), left, y(address), stroke: "#444"))
            body.append(SVG.text(left - 6, y(address) + 4, formatBytes(address), size: 10, anchor: "end"))
        }
        body.append(SVG.text(16, top + plotHeight / 2, "address", size: 11, anchor: "middle", rotate: -90))
        let tickEvery = Self.tickStep(steps)
        for s in stride(from: 0, through: steps, by: tickEvery) {
            body.append(SVG.line(x(s), top + plotHeight, x(s), top + plotHeight + 4, stroke: "#444"))
            body.append(SVG.text(x(s), top + plotHeight + 16, "\(s)", size: 10, anchor: "middle"))
        }
        body.append(SVG.text(left + plotWidth / 2, top + plotHeight + 36 + band, "step (operator in execution order)", size: 11,
                             anchor: "middle"))
        body += operatorBand(y: top + plotHeight + 22, x: x)
        body.append(SVG.rect(left, top, plotWidth, plotHeight, fill: "#f7f7f7", stroke: "#444"))
        body += boxes(x: x, y: y)
        for s in stores {
            let sx = x(s.step)
            let sy = y(s.offset + s.size)
            body.append(SVG.polygon([(sx - 4, sy), (sx + 4, sy), (sx, sy + 7)], fill: "#C00000",
                                    title: "store \(s.tensor) before step \(s.step + 1)"))
        }
        body.append(SVG.line(left, y(capacity), left + plotWidth, y(capacity), stroke: "#C00000", width: 1.5, dash: "6 3"))
        return SVG.document(width: width, height: height, body: body)
    }

    /// One box per stay, labelled where a label fits: across the box, or up it when the box is
    /// tall and narrow (a slice held for a step or two).
    func boxes(x: (Int) -> Double, y: (Int) -> Double) -> [String] {
        var body: [String] = []
        for r in stays {
            let x0 = x(r.start)
            let y0 = y(r.offset + r.size)
            let y1 = y(r.offset)
            let boxWidth = max(x(r.end) - x0, 0.8)
            body.append(SVG.rect(x0, y0, boxWidth, y1 - y0, fill: Self.colour(r), stroke: "#333", strokeWidth: 0.4,
                                 title: "\(Self.describe(r)): \(r.size) bytes at \(r.offset), steps \(r.start + 1)-\(r.end)\(r.reload ? ", reloaded" : "")"))
            let across = min(11, (y1 - y0) * 0.8)
            let up = min(11, boxWidth * 0.8)
            if across >= 7, let label = Self.fitting(Self.labels(r), width: boxWidth, size: across) {
                body.append(SVG.text(x0 + 2, (y0 + y1) / 2 + across * 0.35, label, size: across))
            } else if up >= 7, let label = Self.fitting(Self.labels(r), width: y1 - y0, size: up) {
                body.append(SVG.text(x0 + boxWidth / 2 + up * 0.35, y1 - 2, label, size: up, rotate: -90))
            }
            if r.reload {
                body.append(SVG.polygon([(x0, y1), (x0 + 7, y1), (x0 + 3.5, y1 - 7)], fill: "#0050C0"))
            }
        }
        return body
    }

    /// A round tick spacing giving at most about 20 ticks.
    static func tickStep(_ steps: Int) -> Int {
        for candidate in [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] where steps / candidate <= 20 { return candidate }
        return 10000
    }

    /// A light colour per tensor name, stable across runs, so neighbouring boxes differ.
    static func colour(_ name: String, lightness: Int = 78) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let hue = Int(hash % 360)
        return "hsl(\(hue), 55%, \(lightness)%)"
    }

    /// A stay's colour: its tensor's, or for a slice its original tensor's hue, every other slice
    /// (by its band) a little darker so that neighbouring slices stay apart.
    static func colour(_ stay: Stay) -> String {
        guard let origin = stay.sliceOf else { return colour(stay.tensor) }
        let band = origin.end - origin.start
        return colour(origin.tensor, lightness: band > 0 && (origin.start / band) % 2 == 1 ? 68 : 80)
    }

    /// A box's labels, longest first: the tensor's name, or for a slice the last parts of its
    /// original tensor's name with the rows it holds, then the rows alone.
    static func labels(_ stay: Stay) -> [String] {
        guard let origin = stay.sliceOf else { return [stay.tensor] }
        let rows = "[\(origin.start):\(origin.end)]"
        return shortNames(origin.tensor).map { $0 + rows } + [rows]
    }

    /// A name and its shorter forms (the last two, then the last, parts of an ONNX path).
    static func shortNames(_ name: String) -> [String] {
        let parts = name.split(separator: "/").map(String.init)
        return [name] + (parts.count > 2 ? [parts.suffix(2).joined(separator: "/")] : []) + (parts.count > 1 ? [parts.last!] : [])
    }

    /// The first label that fits `width` at font `size`, if any.
    static func fitting(_ labels: [String], width: Double, size: Double) -> String? {
        labels.first { Double($0.count) * size * 0.6 + 4 <= width }
    }

    /// A box's hover text: the tensor, and for a slice what it is a slice of.
    static func describe(_ stay: Stay) -> String {
        guard let origin = stay.sliceOf else { return stay.tensor }
        return "\(stay.tensor), rows \(origin.start)..<\(origin.end) of axis \(origin.axis) of \(origin.tensor)"
    }

    /// The band under the steps of a tiled plan: one block per run of an original operator's
    /// steps, tiles in their operator's colour, whole operators in grey, labelled where the name fits.
    func operatorBand(y: Double, x: (Int) -> Double) -> [String] {
        guard !operatorRuns.isEmpty else { return [] }
        let tiles = operatorRuns.filter(\.tiled).reduce(0) { $0 + $1.end - $1.start }
        let split = Set(operatorRuns.filter(\.tiled).map(\.name)).count
        var body = [SVG.text(x(0) - 6, y + 11, "operator", size: 10, anchor: "end"),
                    SVG.text(x(0) + 330, 56, "tiled graph: \(tiles) tile steps of \(split) split operators; band: original operator of each step",
                             size: 10)]
        for run in operatorRuns {
            let x0 = x(run.start)
            let width = max(x(run.end) - x0, 0.8)
            let what = run.tiled ? "\(run.end - run.start) tile(s) of \(run.name)" : run.name
            body.append(SVG.rect(x0, y, width, 14, fill: run.tiled ? Self.colour(run.name, lightness: 60) : "#d8d8d8", stroke: "#555",
                                 strokeWidth: 0.3, title: "steps \(run.start + 1)-\(run.end): \(what)"))
            if let label = Self.fitting(Self.shortNames(run.name), width: width, size: 9) {
                body.append(SVG.text(x0 + 2, y + 10.5, label, size: 9))
            }
        }
        return body
    }
}
