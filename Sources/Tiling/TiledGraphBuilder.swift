internal import DNNGraph

/// The pieces a tensor of the original graph becomes: itself, or slices along one axis.
struct Pieces {
    /// The axis of the slices; `nil` when the tensor stays whole.
    var axis: Int?
    /// Row ranges of the slices in order (one range covering the axis when whole).
    var ranges: [Range<Int>]
    /// Names of the pieces in the tiled graph, one per range.
    var names: [String]

    /// The pieces a band of `need` touches: those overlapping its rows when the tensor is cut along
    /// the same axis, otherwise all of them.
    func touched(by need: Need) -> [String] {
        guard case .range(let a, let rows) = need, a == axis else { return names }
        return zip(ranges, names).filter { $0.0.overlaps(rows) }.map(\.1)
    }
}

/// Writes the tiled graph for chosen operator tilings (see ``Tiler``).
struct TiledGraphBuilder {
    let original: Graph
    let tilings: [OperatorID: OperatorTiling]

    /// The axis and cut points of every tensor: its producer's tile boundaries, then the band ends
    /// of the tiled readers that read it along the same axis.
    func cuts() -> (axis: [Int?], cuts: [Set<Int>]) {
        var axis = [Int?](repeating: nil, count: original.tensors.count)
        var cuts = [Set<Int>](repeating: [], count: original.tensors.count)
        for (op, tiling) in tilings.sorted(by: { $0.key < $1.key }) {
            let out = original.operators[op].outputs[0]
            axis[out] = tiling.axis
            cuts[out].formUnion(tiling.bounds)
        }
        for (op, tiling) in tilings.sorted(by: { $0.key < $1.key }) {
            let o = original.operators[op]
            for range in tiling.ranges {
                let needs = ReceptiveField.needs(of: o, in: original, axis: tiling.axis, range: range) ?? []
                for (t, need) in zip(o.inputs, needs) {
                    guard case .range(let a, let rows) = need, original.tensors[t].isSliceable else { continue }
                    if axis[t] == nil { axis[t] = a }
                    if axis[t] == a { cuts[t].formUnion([rows.lowerBound, rows.upperBound]) }
                }
            }
        }
        return (axis, cuts)
    }

    func pieces() -> (pieces: [Pieces], tensors: [Tensor]) {
        let (axes, cuts) = cuts()
        var all: [Pieces] = []
        var tensors: [Tensor] = []
        for (t, tensor) in original.tensors.enumerated() {
            guard let axis = axes[t], let shape = tensor.shape else {
                all.append(Pieces(axis: nil, ranges: [0..<1], names: [tensor.name]))
                tensors.append(tensor)
                continue
            }
            let points = ([0, shape[axis]] + cuts[t].filter { $0 > 0 && $0 < shape[axis] }).sorted()
            let unique = points.enumerated().filter { $0.offset == 0 || points[$0.offset - 1] != $0.element }.map(\.element)
            let ranges = zip(unique, unique.dropFirst()).map { $0..<$1 }
            if ranges.count == 1 {
                all.append(Pieces(axis: nil, ranges: ranges, names: [tensor.name]))
                tensors.append(tensor)
                continue
            }
            var names: [String] = []
            for range in ranges {
                var slice = tensor
                slice.name = "\(tensor.name)@\(axis)[\(range.lowerBound):\(range.upperBound)]"
                slice.bytes = tensor.bytes(rows: range, axis: axis)
                slice.shape![axis] = range.count
                slice.sliceOf = SliceOrigin(tensor: tensor.name, axis: axis, start: range.lowerBound, end: range.upperBound)
                names.append(slice.name)
                tensors.append(slice)
            }
            all.append(Pieces(axis: axis, ranges: ranges, names: names))
        }
        return (all, tensors)
    }

    func build() -> Graph {
        let (pieces, tensors) = pieces()
        var entries: [GraphDocument.OperatorEntry] = []
        for (op, o) in original.operators.enumerated() {
            guard let tiling = tilings[op] else {
                var entry = GraphDocument.OperatorEntry(
                    name: o.name, type: o.type, inputs: o.inputs.flatMap { pieces[$0].names },
                    outputs: o.outputs.flatMap { pieces[$0].names })
                entry.attributes = o.attributes.isEmpty ? nil : o.attributes
                entry.tileOf = o.tileOf
                entries.append(entry)
                continue
            }
            let out = pieces[o.outputs[0]]
            for range in tiling.ranges {
                let needs = ReceptiveField.needs(of: o, in: original, axis: tiling.axis, range: range) ?? []
                var entry = GraphDocument.OperatorEntry(
                    name: "\(o.name)@\(tiling.axis)[\(range.lowerBound):\(range.upperBound)]", type: o.type,
                    inputs: zip(o.inputs, needs).flatMap { pieces[$0.0].touched(by: $0.1) },
                    outputs: zip(out.ranges, out.names).filter { range.contains($0.0.lowerBound) }.map(\.1))
                entry.attributes = o.attributes.isEmpty ? nil : o.attributes
                entry.tileOf = TileOrigin(operator: o.name, axis: tiling.axis, start: range.lowerBound, end: range.upperBound)
                entries.append(entry)
            }
        }
        let document = GraphDocument(name: original.name, tensors: tensors, operators: entries,
                                     outputs: original.outputs.flatMap { pieces[$0].names })
        do {
            return try Graph(document: document)
        } catch {
            preconditionFailure("the tiling transform built an invalid graph: \(error)")
        }
    }
}
