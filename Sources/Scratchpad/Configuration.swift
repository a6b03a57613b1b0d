package import DNNGraph

/// Which tensors compete for scratchpad space (the two settings of the COSMA paper).
public enum TensorSetting: String, Codable, Sendable, CaseIterable {
    /// Read by name; an unknown name is refused with the valid ones listed.
    public init(from decoder: any Decoder) throws { self = try Self.decodingCase(from: decoder) }

    /// Only inputs and activations live in the scratchpad; weights stream from DRAM straight into
    /// the compute units and are ignored by plans.
    case activations
    /// Weights are tensors like the others and must be resident while their operator runs.
    case all
}

/// Whether an operator's output may take the bytes of an input that dies there (docs/in-place.md).
///
/// `off` is the model of the COSMA paper (Li, Gupta and Malik, 2023): every output is new bytes
/// beside the operator's inputs. `on` is what compilers do: an operator of ``InPlaceTable`` (or one
/// the graph marks `"inPlace": true`) may write its output over an input whose last reader it is,
/// and a plan marks such an output `"inPlaceOf"`.
public enum InPlaceMode: String, Codable, Sendable, CaseIterable {
    case off
    case on

    /// Read by name; an unknown name is refused with the valid ones listed.
    public init(from decoder: any Decoder) throws { self = try Self.decodingCase(from: decoder) }
}

/// The accelerator a plan is made for: scratchpad capacity, alignment, and tensor setting.
public struct Configuration: Hashable, Sendable {
    /// Scratchpad size in bytes; addresses are `0 ..< capacity`.
    public var capacity: Int
    /// Every offset is a multiple of it and every tensor occupies its size rounded up to it.
    public var alignment: Int
    public var tensors: TensorSetting
    /// Whether outputs may work in place of dying inputs.
    public var inPlace: InPlaceMode

    public init(capacity: Int, alignment: Int = 1, tensors: TensorSetting = .activations, inPlace: InPlaceMode = .off) {
        self.capacity = capacity
        self.alignment = alignment
        self.tensors = tensors
        self.inPlace = inPlace
    }

    /// The bytes a tensor of `bytes` occupies in the scratchpad.
    public func occupied(_ bytes: Int) -> Int { roundUp(bytes, to: alignment) }
}

extension Configuration {
    /// Why a capacity or an alignment is unusable (zero, negative or absurdly large, see
    /// ``Graph/maximumBytes``), or nil: the one check every way in (files, options, the C library)
    /// makes before any arithmetic on addresses.
    public static func problem(capacity: Int? = nil, alignment: Int? = nil) -> String? {
        if let alignment, !(1...Graph.maximumAlignment).contains(alignment) {
            return "alignment must be from 1 to \(Graph.maximumAlignment) bytes, got \(alignment)"
        }
        if let capacity, !(1...Graph.maximumBytes).contains(capacity) {
            return "capacity must be from 1 to \(Graph.maximumBytes) bytes (1 PiB), got \(capacity)"
        }
        return nil
    }
}

/// Rounds `value` up to a multiple of `alignment`.
package func roundUp(_ value: Int, to alignment: Int) -> Int {
    (value + alignment - 1) / alignment * alignment
}

extension Graph {
    /// Whether a tensor takes part in plans under a setting: weights only in ``TensorSetting/all``.
    package func isTracked(_ t: TensorID, in setting: TensorSetting) -> Bool {
        setting == .all || tensors[t].kind != .weight
    }

    /// The distinct operands of an operator that must be resident while it runs.
    package func residentOperands(of op: OperatorID, in setting: TensorSetting) -> [TensorID] {
        operands(of: op).filter { isTracked($0, in: setting) }
    }

    /// The distinct inputs of an operator that must be resident while it runs.
    package func residentInputs(of op: OperatorID, in setting: TensorSetting) -> [TensorID] {
        distinctInputs(of: op).filter { isTracked($0, in: setting) }
    }

    /// Traffic every plan pays: the first load of each tracked input or weight that some operator
    /// reads, and one store of each graph output.
    package func compulsoryTraffic(in setting: TensorSetting) -> Int {
        var total = outputs.reduce(0) { $0 + tensors[$1].bytes }
        for t in tensors.indices where tensors[t].kind != .activation && isTracked(t, in: setting) && !consumers[t].isEmpty {
            total += tensors[t].bytes
        }
        return total
    }
}

extension TensorSetting: JSONEnumeration {}
extension InPlaceMode: JSONEnumeration {}
