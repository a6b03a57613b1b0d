package import DNNGraph
package import Scratchpad

/// How one operator is split: tile `i` produces rows `bounds[i] ..< bounds[i + 1]` of `axis` of
/// its output.
package struct OperatorTiling: Hashable, Sendable {
    package var axis: Int
    package var bounds: [Int]

    /// `count` tiles of as equal a size as integers allow.
    package init(axis: Int, extent: Int, count: Int) {
        self.axis = axis
        self.bounds = (0...count).map { $0 * extent / count }
    }

    package var ranges: [Range<Int>] { zip(bounds, bounds.dropFirst()).map { $0..<$1 } }
}

/// No tiling brings an operator's working set down to the capacity.
package struct TilingFailure: Error, Sendable, Equatable {
    /// The operator that cannot be tiled small enough.
    package var operatorName: String
    package var capacity: Int
    /// The smallest working set any tiling of that operator reaches.
    package var operatorMinimum: Int
    /// The smallest capacity at which tiling makes the whole graph runnable.
    package var graphMinimum: Int

    package var message: String {
        "capacity \(capacity) bytes is too small even with tiling: operator '\(operatorName)' needs \(operatorMinimum) bytes in its smallest tile (it cannot be tiled smaller, or not along the axis its inputs are cut along); use a capacity of at least \(graphMinimum) bytes"
    }
}

/// A graph after the tiling transform, with the choices that made it.
package struct TiledGraph: Sendable {
    package var graph: Graph
    /// The split of each tiled operator of the original graph.
    package var tilings: [OperatorID: OperatorTiling]

    /// Operators of the original graph that were split.
    package var tiledOperators: Int { tilings.count }
    /// Tile operators in the tiled graph.
    package var tiles: Int { tilings.values.reduce(0) { $0 + $1.bounds.count - 1 } }
}

/// The tiling transform: splits operators whose working set exceeds the scratchpad into tiles
/// along one axis of their output, and tensors into disjoint slices, so that each tile reads the
/// slices its receptive field touches (see ``ReceptiveField``) and no byte is counted twice.
///
/// Choice: an operator that fits whole stays whole (its name unchanged). One that does not is cut
/// into equal tiles along its preferred axis (the axis its first input's producer was tiled along,
/// else rows, then output channels or columns): the fewest above the last count a galloping search
/// (2, 3, 4, 6, 9, ...) found too large, so nearly always the fewest that fit, times `refinement` (finer tiles give a planner more freedom to
/// interleave the tiles of consecutive layers, a cascade, at the price of a larger graph). A tensor
/// is cut where its producer's tiles end and where each tiled reader's band starts and ends, so
/// bands read exactly their rows and halos become slices of their own.
package struct Tiler: Sendable {
    package var setting: TensorSetting
    package var alignment: Int
    package var refinement: Int

    package init(setting: TensorSetting, alignment: Int = 1, refinement: Int = 1) {
        self.setting = setting
        self.alignment = alignment
        self.refinement = max(1, refinement)
    }

    /// Tiles `graph` for a scratchpad of `capacity` bytes.
    package func tile(_ graph: Graph, capacity: Int) throws(TilingFailure) -> TiledGraph {
        let whole = graph.workingSets(setting: setting, alignment: alignment)
        var tilings: [OperatorID: OperatorTiling] = [:]
        var cut: [TensorID: Int] = [:]
        for op in graph.operators.indices where whole[op] > capacity {
            // Following the producer's axis keeps the band it wrote readable slice by slice.
            let preferred = graph.operators[op].inputs.first.flatMap { graph.producer[$0] }.flatMap { tilings[$0]?.axis }
            guard var tiling = coarsest(op, in: graph, capacity: capacity, preferring: preferred, cut: cut) else {
                // Name the operator that binds the whole graph when one does; otherwise this one,
                // which cannot be cut small enough along the axis its inputs are cut along.
                let (minimum, binding) = smallestCapacity(of: graph)
                let own = smallestWorkingSet(op, in: graph, cut: cut)
                let (name, needs) = minimum > capacity ? (graph.operators[binding].name, minimum) : (graph.operators[op].name, own)
                throw TilingFailure(operatorName: name, capacity: capacity, operatorMinimum: needs, graphMinimum: max(minimum, own))
            }
            let count = tiling.bounds.count - 1
            let extent = tiling.bounds.last!
            if refinement > 1 { tiling = OperatorTiling(axis: tiling.axis, extent: extent, count: min(extent, count * refinement)) }
            tilings[op] = tiling
            cut[graph.operators[op].outputs[0]] = tiling.axis
        }
        return TiledGraph(graph: TiledGraphBuilder(original: graph, tilings: tilings).build(), tilings: tilings)
    }

    /// The smallest capacity at which tiling makes `graph` runnable, and the operator that sets it.
    package func smallestCapacity(of graph: Graph) -> (capacity: Int, operator: OperatorID) {
        smallestCapacity(of: graph, deadline: nil)!
    }

    /// ``smallestCapacity(of:)``, or `nil` once `deadline` passes (or the task is cancelled): it
    /// costs a tiling of every operator into one-row tiles, seconds on 20,000 operators.
    func smallestCapacity(of graph: Graph, deadline: ContinuousClock.Instant?) -> (capacity: Int, operator: OperatorID)? {
        var best = (capacity: 0, operator: 0)
        for op in graph.operators.indices {
            if deadline != nil, op % 64 == 0, Task.isCancelled || ContinuousClock.now >= deadline! { return nil }
            let m = smallestWorkingSet(op, in: graph)
            if m > best.capacity { best = (m, op) }
        }
        return best
    }

    /// The smallest working set of any tile of `op`: tiles one row wide, on the best axis.
    /// `cut` gives the axis of inputs that tiled producers already cut (see ``workingSet``).
    package func smallestWorkingSet(_ op: OperatorID, in graph: Graph, cut: [TensorID: Int] = [:]) -> Int {
        let whole = graph.residentOperands(of: op, in: setting).reduce(0) { $0 + occupied(graph.tensors[$1].bytes) }
        return ReceptiveField.axes(of: graph.operators[op], in: graph).reduce(whole) { best, axis in
            let extent = graph.tensors[graph.operators[op].outputs[0]].shape![axis]
            return min(best, workingSet(op, in: graph, tiling: OperatorTiling(axis: axis, extent: extent, count: extent), cut: cut))
        }
    }

    /// The fewest equal tiles whose largest working set fits, along the first axis where some
    /// number of tiles does (`preferred` first when the operator can be tiled along it).
    /// `cut` gives the axis of tensors that tiled producers already cut.
    func coarsest(_ op: OperatorID, in graph: Graph, capacity: Int, preferring preferred: Int?, cut: [TensorID: Int]) -> OperatorTiling? {
        guard let output = graph.tensors[graph.operators[op].outputs[0]].shape else { return nil }
        var axes = ReceptiveField.axes(of: graph.operators[op], in: graph)
        if let preferred, let i = axes.firstIndex(of: preferred) { axes.insert(axes.remove(at: i), at: 0) }
        for axis in axes {
            // Gallop (2, 3, 4, 6, 9, ...) to a count that fits, then take the fewest above the last
            // that did not: O(extent · log extent) tiles examined instead of O(extent²).
            var failed = 1
            var count = 2
            while count <= output[axis] {
                if fits(op, in: graph, axis: axis, extent: output[axis], count: count, capacity: capacity, cut: cut) { break }
                failed = count
                count = count == output[axis] ? count + 1 : min(output[axis], count + max(1, count / 2))
            }
            guard count <= output[axis] else { continue }
            let fewest = (failed + 1...count).first {
                fits(op, in: graph, axis: axis, extent: output[axis], count: $0, capacity: capacity, cut: cut)
            }!
            return OperatorTiling(axis: axis, extent: output[axis], count: fewest)
        }
        return nil
    }

    func fits(_ op: OperatorID, in graph: Graph, axis: Int, extent: Int, count: Int, capacity: Int, cut: [TensorID: Int]) -> Bool {
        workingSet(op, in: graph, tiling: OperatorTiling(axis: axis, extent: extent, count: count), cut: cut) <= capacity
    }

    /// The largest working set of one tile: the bytes of the input rows it reads and of its band of
    /// the output (weights only in the `all` setting). A band of a tensor already cut along another
    /// axis (`cut`) costs the whole tensor, since every slice holds some of its rows.
    func workingSet(_ op: OperatorID, in graph: Graph, tiling: OperatorTiling, cut: [TensorID: Int] = [:]) -> Int {
        let o = graph.operators[op]
        var worst = 0
        for range in tiling.ranges {
            guard let needs = ReceptiveField.needs(of: o, in: graph, axis: tiling.axis, range: range) else { return .max }
            var merged: [TensorID: Need] = [:]
            for (t, need) in zip(o.inputs, needs) where graph.isTracked(t, in: setting) {
                merged[t] = merged[t].map { Self.union($0, need) } ?? need
            }
            var bytes = occupied(graph.tensors[o.outputs[0]].bytes(rows: range, axis: tiling.axis))
            for (t, need) in merged {
                switch need {
                case .whole: bytes += occupied(graph.tensors[t].bytes)
                case .range(let axis, _) where cut[t].map({ $0 != axis }) ?? false: bytes += occupied(graph.tensors[t].bytes)
                case .range(let axis, let rows): bytes += occupied(graph.tensors[t].bytes(rows: rows, axis: axis))
                }
            }
            worst = max(worst, bytes)
        }
        return worst
    }

    static func union(_ a: Need, _ b: Need) -> Need {
        guard case .range(let x, let r) = a, case .range(let y, let s) = b, x == y else { return .whole }
        return .range(axis: x, min(r.lowerBound, s.lowerBound)..<max(r.upperBound, s.upperBound))
    }

    func occupied(_ bytes: Int) -> Int { roundUp(bytes, to: alignment) }
}

extension Tensor {
    /// Whether the tensor can be cut along an axis with exact byte counts: its shape is known and
    /// its bytes are a whole number per element.
    var isSliceable: Bool {
        guard let shape, !shape.isEmpty else { return false }
        let elements = shape.reduce(1, *)
        return elements > 0 && bytes % elements == 0
    }

    /// The bytes of `rows` of `axis` (the whole tensor when it cannot be cut).
    func bytes(rows: Range<Int>, axis: Int) -> Int {
        guard isSliceable, let shape, axis < shape.count else { return bytes }
        return bytes / shape[axis] * rows.count
    }
}

extension Tiler {
    /// Tiles `graph` for `capacity` and proves the result usable: the tiled graph passes
    /// ``TilingCheck`` against the original and every tile's working set fits. A failure names
    /// the smallest capacity at which this succeeds (``smallestRunnableCapacity(of:)``), not the
    /// estimate of one operator.
    package func checkedTile(_ graph: Graph, capacity: Int) throws(TilingFailure) -> TiledGraph {
        do {
            return try tileAndCheck(graph, capacity: capacity)
        } catch {
            var failure = error
            failure.graphMinimum = max(failure.graphMinimum, smallestRunnableCapacity(of: graph).capacity)
            throw failure
        }
    }

    /// The smallest capacity at which tiling makes `graph` runnable, confirmed by tiling at it, and
    /// the operator that sets it. Starts from ``smallestCapacity(of:)``, an estimate per operator:
    /// a reader of a tensor cut along another axis reads all of it, which only the tiled graph shows,
    /// so each failure raises the capacity to what the failing operator needs, until tiling succeeds.
    package func smallestRunnableCapacity(of graph: Graph) -> (capacity: Int, operator: String) {
        smallestRunnableCapacity(of: graph, deadline: nil)!
    }

    /// ``smallestRunnableCapacity(of:)``, or `nil` when it cannot end by `deadline`: the estimate
    /// stops at it, and a confirming tiling is not started unless what is left of the time is at
    /// least what the estimate took (a tiling and its check cost about as much, as one pass over
    /// the operators each).
    package func smallestRunnableCapacity(of graph: Graph, deadline: ContinuousClock.Instant?) -> (capacity: Int, operator: String)? {
        let start = ContinuousClock.now
        guard let (estimate, op) = smallestCapacity(of: graph, deadline: deadline) else { return nil }
        let perPass = ContinuousClock.now - start
        var result = (capacity: estimate, operator: graph.operators[op].name)
        while true {
            if let deadline, Task.isCancelled || ContinuousClock.now + perPass > deadline { return nil }
            do {
                _ = try tileAndCheck(graph, capacity: result.capacity)
                return result
            } catch {
                guard error.operatorMinimum > result.capacity else {
                    // No progress: the untiled graph, whose largest working set always fits, is the answer.
                    let whole = graph.workingSets(setting: setting, alignment: alignment)
                    let largest = whole.indices.max { whole[$0] < whole[$1] } ?? 0
                    return (whole.isEmpty ? 0 : whole[largest], whole.isEmpty ? "" : graph.operators[largest].name)
                }
                result = (error.operatorMinimum, error.operatorName)
            }
        }
    }

    private func tileAndCheck(_ graph: Graph, capacity: Int) throws(TilingFailure) -> TiledGraph {
        let tiled = try tile(graph, capacity: capacity)
        let problems = TilingCheck.problems(tiled: tiled.graph, original: graph)
        let sets = tiled.graph.workingSets(setting: setting, alignment: alignment)
        guard problems.isEmpty, let worst = sets.indices.max(by: { sets[$0] < sets[$1] }), sets[worst] > capacity else {
            if let first = problems.first { preconditionFailure("the tiling transform broke its own check: \(first)") }
            return tiled
        }
        // A reader that reads a tensor along another axis than the one it is cut along reads all
        // of it; the transform's estimate did not see that, the tiled graph's working sets do.
        let op = tiled.graph.operators[worst]
        throw TilingFailure(operatorName: op.tileOf?.operator ?? op.name, capacity: capacity, operatorMinimum: sets[worst],
                            graphMinimum: max(smallestCapacity(of: graph).capacity, sets[worst]))
    }
}
