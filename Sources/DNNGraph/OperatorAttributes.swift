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

/// Where a tile operator comes from: the range `start ..< end` of axis `axis` of the output of the
/// original operator `operator` (file key `tileOf`).
package struct TileOrigin: Hashable, Sendable, Codable {
    package var `operator`: String
    package var axis: Int
    package var start: Int
    package var end: Int

    package init(operator: String, axis: Int, start: Int, end: Int) {
        self.operator = `operator`
        self.axis = axis
        self.start = start
        self.end = end
    }

    var json: String {
        "{\"operator\": \(jsonString(`operator`)), \"axis\": \(axis), \"start\": \(start), \"end\": \(end)}"
    }
}

/// Where a slice tensor comes from: the range `start ..< end` of axis `axis` of the original
/// tensor `tensor` (file key `sliceOf`).
package struct SliceOrigin: Hashable, Sendable, Codable {
    package var tensor: String
    package var axis: Int
    package var start: Int
    package var end: Int

    package init(tensor: String, axis: Int, start: Int, end: Int) {
        self.tensor = tensor
        self.axis = axis
        self.start = start
        self.end = end
    }

    var json: String {
        "{\"tensor\": \(jsonString(tensor)), \"axis\": \(axis), \"start\": \(start), \"end\": \(end)}"
    }
}

extension [String: AttributeValue] {
    /// The attributes as one JSON object, keys sorted so that files are deterministic.
    var json: String {
        "{" + keys.sorted().map { "\(jsonString($0)): \(self[$0]!.json)" }.joined(separator: ", ") + "}"
    }
}
