internal import DNNGraph
internal import ONNXProto

/// The element types Cosma can size, with the names graphs record in `dtype`.
struct ElementType {
    var name: String
    var bytes: Int
    var isFloatingPoint: Bool

    init?(onnx code: Int32) {
        switch Onnx_TensorProto.DataType(rawValue: Int(code)) {
        case .float: self.init("float32", 4, float: true)
        case .double: self.init("float64", 8, float: true)
        case .float16: self.init("float16", 2, float: true)
        case .bfloat16: self.init("bfloat16", 2, float: true)
        case .int8: self.init("int8", 1)
        case .uint8: self.init("uint8", 1)
        case .int16: self.init("int16", 2)
        case .uint16: self.init("uint16", 2)
        case .int32: self.init("int32", 4)
        case .uint32: self.init("uint32", 4)
        case .int64: self.init("int64", 8)
        case .uint64: self.init("uint64", 8)
        case .bool: self.init("bool", 1)
        default: return nil
        }
    }

    private init(_ name: String, _ bytes: Int, float: Bool = false) {
        self.name = name
        self.bytes = bytes
        self.isFloatingPoint = float
    }

    /// The type a floating-point tensor is stored as at `bytes` per element (the paper's 1 byte
    /// is int8 quantisation).
    static func storageName(bytes: Int) -> String? {
        [1: "int8", 2: "float16", 4: "float32", 8: "float64"][bytes]
    }

    /// How an unsupported ONNX element type is named in messages.
    static func onnxName(_ code: Int32) -> String {
        Onnx_TensorProto.DataType(rawValue: Int(code)).map { "\($0)".uppercased() } ?? "#\(code)"
    }
}

/// One axis of a declared shape.
enum Extent {
    case fixed(Int64)
    case symbolic(String)
    case unknown

    var text: String {
        switch self {
        case .fixed(let n): "\(n)"
        case .symbolic(let name): name
        case .unknown: "?"
        }
    }
}

/// What the model declares about one value: element type and, when known, shape.
struct ValueType {
    var element: Int32
    var shape: [Extent]?

    init(element: Int32, dims: [Int64]) {
        self.element = element
        self.shape = dims.map { .fixed($0) }
    }

    /// `nil` for a value that is not a tensor or has no type.
    init?(_ info: Onnx_ValueInfoProto) {
        guard case .tensorType(let tensor)? = info.type.value else { return nil }
        element = tensor.elemType
        shape = tensor.hasShape ? tensor.shape.dim.map { dimension in
            switch dimension.value {
            case .dimValue(let n)?: .fixed(n)
            case .dimParam(let name)? where !name.isEmpty: .symbolic(name)
            default: .unknown
            }
        } : nil
    }

    /// The type of a `Constant` node's output, from whichever value attribute it carries.
    init?(constant node: Onnx_NodeProto) {
        for attribute in node.attribute {
            switch attribute.name {
            case "value": self.init(element: attribute.t.dataType, dims: attribute.t.dims)
            case "value_float": self.init(element: Int32(Onnx_TensorProto.DataType.float.rawValue), dims: [])
            case "value_floats": self.init(element: Int32(Onnx_TensorProto.DataType.float.rawValue), dims: [Int64(attribute.floats.count)])
            case "value_int": self.init(element: Int32(Onnx_TensorProto.DataType.int64.rawValue), dims: [])
            case "value_ints": self.init(element: Int32(Onnx_TensorProto.DataType.int64.rawValue), dims: [Int64(attribute.ints.count)])
            case "value_string": self.init(element: Int32(Onnx_TensorProto.DataType.string.rawValue), dims: [])
            case "value_strings": self.init(element: Int32(Onnx_TensorProto.DataType.string.rawValue), dims: [Int64(attribute.strings.count)])
            default: continue
            }
            return
        }
        return nil
    }
}

/// A value's size and the facts a graph records about it.
struct SizedValue {
    var elements: Int
    var bytes: Int
    var shape: [Int]
    var dtype: String
}

extension ValueType {
    /// Resolves the shape and sizes the value.
    /// - Parameters:
    ///   - elementBytes: the storage size of floating-point elements, if overridden.
    ///   - fail: builds the error for a message about this value.
    func sized(dimensions: [String: Int], elementBytes: Int?,
               fail: (String) -> InputError) throws(InputError) -> SizedValue
    {
        guard let shape else {
            throw fail("has no shape; run ONNX shape inference first (onnx.shape_inference.infer_shapes(model, strict_mode=True, data_prop=True)) and import the inferred model")
        }
        let written = "[\(shape.map(\.text).joined(separator: ", "))]"
        var dims: [Int] = []
        for extent in shape {
            switch extent {
            case .fixed(let n) where n >= 0:
                dims.append(Int(n))
            case .fixed:
                throw fail("has a negative dimension in shape \(written); the model is malformed, so export it again")
            case .symbolic(let name):
                guard let value = dimensions[name] else {
                    throw fail("has the symbolic dimension '\(name)' in shape \(written); give it a value with --dim \(name)=<value> (for example --dim \(name)=1)")
                }
                dims.append(value)
            case .unknown:
                throw fail("has a dimension of unknown size in shape \(written); run ONNX shape inference first (onnx.shape_inference.infer_shapes(model, strict_mode=True, data_prop=True)) or fix it when exporting")
            }
        }
        guard let type = ElementType(onnx: element) else {
            throw fail("has element type \(ElementType.onnxName(element)), which Cosma cannot size; supported are floating-point, integer and boolean tensors")
        }
        var elements = 1
        for d in dims {
            let (product, overflow) = elements.multipliedReportingOverflow(by: d)
            guard !overflow else { throw fail("has shape \(written), too large to size in bytes") }
            elements = product
        }
        if type.isFloatingPoint, let elementBytes, let storage = ElementType.storageName(bytes: elementBytes) {
            return SizedValue(elements: elements, bytes: elements * elementBytes, shape: dims, dtype: storage)
        }
        return SizedValue(elements: elements, bytes: elements * type.bytes, shape: dims, dtype: type.name)
    }
}
