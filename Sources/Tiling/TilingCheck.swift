package import DNNGraph

/// Checks a tiled graph against the graph it was tiled from, independently of how the tiling was
/// chosen: every tensor of the original is in the tiled graph whole or as slices that partition it
/// (so no byte is counted twice or lost), the tiles of every operator partition its output, and
/// every operator reads exactly the pieces of its inputs that its receptive field touches and
/// writes exactly the pieces of its output range. Tiles of operator types without a receptive-field
/// rule are refused.
package enum TilingCheck {
    /// Every problem found, each a sentence naming the tensor or operator; empty when the tiled
    /// graph is a faithful tiling of `original`.
    package static func problems(tiled: Graph, original: Graph) -> [String] {
        var problems: [String] = []
        let pieces = tensorPieces(tiled: tiled, original: original, problems: &problems)
        var tilesOf = [[OperatorID]](repeating: [], count: original.operators.count)
        for (i, o) in tiled.operators.enumerated() {
            let name = o.tileOf?.operator ?? o.name
            guard let op = original.operatorID(named: name) else {
                problems.append("operator '\(o.name)' is not in the original graph and is not a tile of one of its operators")
                continue
            }
            tilesOf[op].append(i)
            checkOperands(tiled: tiled, i, original: original, op, pieces: pieces, problems: &problems)
        }
        for (op, tiles) in tilesOf.enumerated() {
            checkCover(tiled: tiled, tiles, original: original, op, problems: &problems)
        }
        let outputs = Set(original.outputs.flatMap { pieces[$0].names })
        if Set(tiled.outputs.map { tiled.tensors[$0].name }) != outputs {
            problems.append("the graph outputs are not exactly the pieces of the original's outputs")
        }
        return problems
    }

    /// Groups the tiled graph's tensors by the original tensor they come from and checks that each
    /// group is the whole tensor or slices that partition one axis with exact bytes.
    static func tensorPieces(tiled: Graph, original: Graph, problems: inout [String]) -> [Pieces] {
        var found = [[(range: Range<Int>, axis: Int?, tensor: Tensor)]](repeating: [], count: original.tensors.count)
        for t in tiled.tensors {
            let name = t.sliceOf?.tensor ?? t.name
            guard let o = original.tensorID(named: name) else {
                problems.append("tensor '\(t.name)' is not in the original graph and is not a slice of one of its tensors")
                continue
            }
            let source = original.tensors[o]
            if t.kind != source.kind { problems.append("tensor '\(t.name)' is a \(t.kind.rawValue) but '\(name)' is a \(source.kind.rawValue)") }
            guard let slice = t.sliceOf else {
                if t.bytes != source.bytes { problems.append("tensor '\(t.name)' has \(t.bytes) bytes, the original \(source.bytes)") }
                found[o].append((0..<1, nil, t))
                continue
            }
            guard let shape = source.shape, source.isSliceable, slice.axis < shape.count, slice.start >= 0,
                  slice.start < slice.end, slice.end <= shape[slice.axis]
            else {
                problems.append("slice '\(t.name)' names rows \(slice.start)..<\(slice.end) of axis \(slice.axis), which '\(name)' does not have")
                continue
            }
            let range = slice.start..<slice.end
            if t.bytes != source.bytes(rows: range, axis: slice.axis) {
                problems.append("slice '\(t.name)' has \(t.bytes) bytes; rows \(slice.start)..<\(slice.end) of '\(name)' hold \(source.bytes(rows: range, axis: slice.axis))")
            }
            found[o].append((range, slice.axis, t))
        }
        return found.enumerated().map { o, group in
            let name = original.tensors[o].name
            let sorted = group.sorted { $0.range.lowerBound < $1.range.lowerBound }
            let axes = Set(sorted.map(\.axis))
            if sorted.isEmpty {
                problems.append("tensor '\(name)' of the original graph is missing")
            } else if axes.count != 1 || (axes.first! == nil && sorted.count != 1) {
                problems.append("tensor '\(name)' appears both whole and sliced, or sliced along two axes")
            } else if let axis = axes.first!, let extent = original.tensors[o].shape?[axis] {
                let ends = sorted.map(\.range)
                let contiguous = zip(ends, ends.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }
                if ends.first?.lowerBound != 0 || ends.last?.upperBound != extent || !contiguous {
                    problems.append("the slices of tensor '\(name)' do not partition rows 0..<\(extent) of axis \(axis)")
                }
                let total = sorted.reduce(0) { $0 + $1.tensor.bytes }
                if total != original.tensors[o].bytes {
                    problems.append("the slices of tensor '\(name)' hold \(total) bytes, the tensor \(original.tensors[o].bytes)")
                }
            }
            return Pieces(axis: axes.count == 1 ? axes.first! : nil, ranges: sorted.map(\.range), names: sorted.map(\.tensor.name))
        }
    }

    /// An operator (whole or one tile) reads exactly the pieces its receptive field touches and
    /// writes exactly the pieces of its range of the output.
    static func checkOperands(tiled: Graph, _ i: OperatorID, original: Graph, _ op: OperatorID, pieces: [Pieces],
                              problems: inout [String])
    {
        let o = tiled.operators[i]
        let source = original.operators[op]
        let label = "operator '\(o.name)'"
        var needs = [Need](repeating: .whole, count: source.inputs.count)
        var written = Set(source.outputs.flatMap { pieces[$0].names })
        if let tile = o.tileOf {
            guard let computed = ReceptiveField.needs(of: source, in: original, axis: tile.axis, range: tile.start..<tile.end) else {
                problems.append("\(label) is a tile of '\(source.name)' (\(source.type)) along axis \(tile.axis), along which that operator cannot be tiled")
                return
            }
            needs = computed
            let out = pieces[source.outputs[0]]
            written = Set(zip(out.ranges, out.names).filter { (tile.start..<tile.end).contains($0.0.lowerBound) }.map(\.1))
            let covered = zip(out.ranges, out.names).filter { written.contains($0.1) }.map(\.0)
            if covered.first?.lowerBound != tile.start || covered.last?.upperBound != tile.end || covered.contains(where: { $0.upperBound > tile.end }) {
                problems.append("\(label) produces rows \(tile.start)..<\(tile.end), which the slices of '\(original.tensors[source.outputs[0]].name)' do not match")
            }
        }
        let read = Set(zip(source.inputs, needs).flatMap { pieces[$0.0].touched(by: $0.1) })
        let actual = Set(o.inputs.map { tiled.tensors[$0].name })
        for name in read.subtracting(actual).sorted() { problems.append("\(label) does not read '\(name)', which its receptive field touches") }
        for name in actual.subtracting(read).sorted() { problems.append("\(label) reads '\(name)', which its receptive field does not touch") }
        if Set(o.outputs.map { tiled.tensors[$0].name }) != written {
            problems.append("\(label) does not write exactly the pieces of its output range")
        }
    }

    /// The tiles of an operator partition its output; an operator not tiled appears once.
    static func checkCover(tiled: Graph, _ tiles: [OperatorID], original: Graph, _ op: OperatorID, problems: inout [String]) {
        let name = original.operators[op].name
        let origins = tiles.compactMap { tiled.operators[$0].tileOf }
        if tiles.isEmpty {
            problems.append("operator '\(name)' of the original graph is missing")
        } else if origins.isEmpty {
            if tiles.count > 1 { problems.append("operator '\(name)' appears \(tiles.count) times") }
        } else if origins.count != tiles.count || Set(origins.map(\.axis)).count != 1 {
            problems.append("operator '\(name)' appears both whole and tiled, or tiled along two axes")
        } else if let shape = original.tensors[original.operators[op].outputs[0]].shape, origins[0].axis < shape.count {
            let ranges = origins.map { $0.start..<$0.end }.sorted { $0.lowerBound < $1.lowerBound }
            let contiguous = zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }
            if ranges.first?.lowerBound != 0 || ranges.last?.upperBound != shape[origins[0].axis] || !contiguous {
                problems.append("the tiles of operator '\(name)' do not partition rows 0..<\(shape[origins[0].axis]) of its output")
            }
        }
    }
}
