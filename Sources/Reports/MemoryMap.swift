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
            stays.append(Stay(tensor: tensor, offset: stay.offset, size: size(tensor), start: stay.start, end: step,
                                         reload: stay.reload))
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
    }

    /// The map as SVG. Boxes get their tensor's name when the name fits inside.
    package func svg(title: String? = nil) -> String {
        let left = 86.0
        let top = 64.0
        let plotHeight = 520.0
        let stepWidth = max(1.2, 1100 / Double(max(1, steps)))
        let plotWidth = stepWidth * Double(max(1, steps))
        let width = max(760, left + plotWidth + 40)
        let height = top + plotHeight + 58
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
        body.append(SVG.text(left + plotWidth / 2, top + plotHeight + 36, "step (operator in execution order)", size: 11,
                             anchor: "middle"))
        body.append(SVG.rect(left, top, plotWidth, plotHeight, fill: "#f7f7f7", stroke: "#444"))
        for r in stays {
            let x0 = x(r.start)
            let x1 = x(r.end)
            let y0 = y(r.offset + r.size)
            let y1 = y(r.offset)
            let boxWidth = max(x1 - x0, 0.8)
            body.append(SVG.rect(x0, y0, boxWidth, y1 - y0, fill: Self.colour(r.tensor), stroke: "#333", strokeWidth: 0.4,
                                 title: "\(r.tensor): \(r.size) bytes at \(r.offset), steps \(r.start + 1)-\(r.end)\(r.reload ? ", reloaded" : "")"))
            let fontSize = min(11, (y1 - y0) * 0.8)
            if fontSize >= 7, Double(r.tensor.count) * fontSize * 0.6 + 4 <= boxWidth {
                body.append(SVG.text(x0 + 2, (y0 + y1) / 2 + fontSize * 0.35, r.tensor, size: fontSize))
            }
            if r.reload {
                body.append(SVG.polygon([(x0, y1), (x0 + 7, y1), (x0 + 3.5, y1 - 7)], fill: "#0050C0"))
            }
        }
        for s in stores {
            let sx = x(s.step)
            let sy = y(s.offset + s.size)
            body.append(SVG.polygon([(sx - 4, sy), (sx + 4, sy), (sx, sy + 7)], fill: "#C00000",
                                    title: "store \(s.tensor) before step \(s.step + 1)"))
        }
        body.append(SVG.line(left, y(capacity), left + plotWidth, y(capacity), stroke: "#C00000", width: 1.5, dash: "6 3"))
        return SVG.document(width: width, height: height, body: body)
    }

    /// A round tick spacing giving at most about 20 ticks.
    static func tickStep(_ steps: Int) -> Int {
        for candidate in [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] where steps / candidate <= 20 { return candidate }
        return 10000
    }

    /// A light colour per tensor name, stable across runs, so neighbouring boxes differ.
    static func colour(_ name: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let hue = Int(hash % 360)
        return "hsl(\(hue), 55%, 78%)"
    }
}
