/// One attribute of an operator, as ONNX gives it: an integer, a float, a string, or a list of
/// one of those. Graph files hold them as plain JSON values (`"strides": [2, 2]`).
///
/// Planners ignore attributes; the tiling transform reads them to compute receptive fields
/// (`kernel_shape`, `strides`, `pads`, `dilations`, `group`, `axis`, ...).
package enum AttributeValue: Hashable, Sendable, Codable {
    case int(Int)
    case float(Double)
    case string(String)
    case ints([Int])
    case floats([Double])
    case strings([String])

    package init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Int.self) {
            self = .int(v)
        } else if let v = try? c.decode(Double.self) {
            self = .float(v)
        } else if let v = try? c.decode(String.self) {
            self = .string(v)
        } else if let v = try? c.decode([Int].self) {
            self = .ints(v)
        } else if let v = try? c.decode([Double].self) {
            self = .floats(v)
        } else {
            self = .strings(try c.decode([String].self))
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let v): try c.encode(v)
        case .float(let v): try c.encode(v)
        case .string(let v): try c.encode(v)
        case .ints(let v): try c.encode(v)
        case .floats(let v): try c.encode(v)
        case .strings(let v): try c.encode(v)
        }
    }

    /// The value as an integer, when it is one.
    package var int: Int? {
        if case .int(let v) = self { return v }
        return nil
    }

    /// The value as a list of integers (a single integer is a list of one).
    package var ints: [Int]? {
        switch self {
        case .ints(let v): v
        case .int(let v): [v]
        default: nil
        }
    }

    /// The value as a string, when it is one.
    package var string: String? {
        if case .string(let v) = self { return v }
        return nil
    }

    /// The value on one line of canonical JSON.
    package var json: String {
        func number(_ d: Double) -> String { d.isFinite ? String(d) : "null" }
        switch self {
        case .int(let v): return String(v)
        case .float(let v): return number(v)
        case .string(let v): return jsonString(v)
        case .ints(let v): return "[" + v.map(String.init).joined(separator: ", ") + "]"
        case .floats(let v): return "[" + v.map(number).joined(separator: ", ") + "]"
        case .strings(let v): return "[" + v.map(jsonString).joined(separator: ", ") + "]"
        }
    }
}

/// Where a tile operator or a slice tensor comes from: the range `start ..< end` of axis `axis` of
/// the original named `name` (file keys `tileOf`, whose name key is `"operator"`, and `sliceOf`,
/// whose name key is `"tensor"`). One type for both, so that the tiling check reads both alike.
package struct RangeOrigin<Source: RangeOriginSource>: Hashable, Sendable, Codable {
    /// The original operator (of a tile) or tensor (of a slice).
    package var name: String
    package var axis: Int
    package var start: Int
    package var end: Int

    package init(name: String, axis: Int, start: Int, end: Int) {
        self.name = name
        self.axis = axis
        self.start = start
        self.end = end
    }

    package var range: Range<Int> { start..<end }

    // The file names the original under the source's key ("operator" or "tensor"), not "name".
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        func number(_ key: String) throws -> Int { try c.decode(Int.self, forKey: JSONKey(key)) }
        self.init(name: try c.decode(String.self, forKey: JSONKey(Source.nameKey)), axis: try number("axis"),
                  start: try number("start"), end: try number("end"))
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(name, forKey: JSONKey(Source.nameKey))
        for (key, value) in [("axis", axis), ("start", start), ("end", end)] { try c.encode(value, forKey: JSONKey(key)) }
    }

    var json: String {
        "{\(jsonString(Source.nameKey)): \(jsonString(name)), \"axis\": \(axis), \"start\": \(start), \"end\": \(end)}"
    }
}

/// What a ``RangeOrigin`` names: an operator or a tensor, with its file key.
package protocol RangeOriginSource: Sendable {
    static var nameKey: String { get }
}

/// A tile's origin names an operator.
package enum TiledOperator: RangeOriginSource {
    package static let nameKey = "operator"
}

/// A slice's origin names a tensor.
package enum SlicedTensor: RangeOriginSource {
    package static let nameKey = "tensor"
}

/// Where a tile operator comes from: a range of the original operator's output.
package typealias TileOrigin = RangeOrigin<TiledOperator>

/// Where a slice tensor comes from: a range of the original tensor.
package typealias SliceOrigin = RangeOrigin<SlicedTensor>

extension RangeOrigin where Source == TiledOperator {
    package init(operator: String, axis: Int, start: Int, end: Int) { self.init(name: `operator`, axis: axis, start: start, end: end) }
    package var `operator`: String { name }
}

extension RangeOrigin where Source == SlicedTensor {
    package init(tensor: String, axis: Int, start: Int, end: Int) { self.init(name: tensor, axis: axis, start: start, end: end) }
    package var tensor: String { name }
}

extension [String: AttributeValue] {
    /// The attributes as one JSON object, keys sorted so that files are deterministic.
    var json: String {
        "{" + keys.sorted().map { "\(jsonString($0)): \(self[$0]!.json)" }.joined(separator: ", ") + "}"
    }
}
