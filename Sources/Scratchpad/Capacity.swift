public import DNNGraph
import Foundation

/// The named scratchpad budgets of the COSMA evaluation.
public enum BudgetName: String, Sendable, CaseIterable {
    /// The largest working set of one operator; below it no plan exists.
    case mR = "M_R"
    /// Halfway between ``mR`` and ``mP``, rounded down to the alignment.
    case mH = "M_H"
    /// The minimum over all schedules of the peak live bytes when nothing is spilled.
    case mP = "M_P"
}

/// A capacity as a user writes it: bytes with an optional unit, or a budget name.
///
/// Accepted forms: `2408448`, `512KiB`, `2MiB`, `1.5MB`, `64kB`, `M_R`, `m_h`, `M_P`.
/// Decimal units (`kB`, `MB`, `GB`) are powers of 1000, binary ones (`KiB`, `MiB`, `GiB`) of 1024.
public enum CapacitySpec: Hashable, Sendable, CustomStringConvertible {
    case bytes(Int)
    case budget(BudgetName)

    public init(parsing text: String) throws(InputError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let name = BudgetName.allCases.first(where: { $0.rawValue.caseInsensitiveCompare(trimmed) == .orderedSame }) {
            self = .budget(name)
            return
        }
        self = .bytes(try parseByteCount(trimmed, what: "capacity"))
    }

    public var description: String {
        switch self {
        case .bytes(let b): "\(b)"
        case .budget(let name): name.rawValue
        }
    }
}

/// Parses a byte count with an optional unit (`512KiB`, `1.5MB`, `4096`).
package func parseByteCount(_ text: String, what: String) throws(InputError) -> Int {
    let units: [(String, Double)] = [
        ("kib", 1024), ("mib", 1_048_576), ("gib", 1_073_741_824),
        ("kb", 1000), ("mb", 1_000_000), ("gb", 1_000_000_000), ("k", 1024), ("m", 1_048_576), ("b", 1),
    ]
    let lower = text.lowercased()
    var number = lower
    var scale = 1.0
    for (suffix, factor) in units where lower.hasSuffix(suffix) {
        number = String(lower.dropLast(suffix.count)).trimmingCharacters(in: .whitespaces)
        scale = factor
        break
    }
    let bad = InputError(source: what, message: "'\(text)' is not a size; write bytes (4096), a size with a unit (512KiB, 2MiB, 1.5MB) or a budget name (M_R, M_H, M_P)")
    guard let value = Double(number), value.isFinite, value > 0 else { throw bad }
    let bytes = value * scale
    guard bytes <= Double(Graph.maximumBytes) else {
        throw InputError(source: what, message: "'\(text)' is more than the \(Graph.maximumBytes) bytes (1 PiB) Cosma accepts; check the size and its unit")
    }
    guard bytes == bytes.rounded() else {
        throw InputError(source: what, message: "'\(text)' is not a whole number of bytes; use a whole number or a binary unit")
    }
    return Int(bytes)
}

/// Formats a byte count for people: `1.5 MiB`, `300 KiB`, `812 B`.
package func formatBytes(_ bytes: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB"]
    var value = Double(bytes)
    var unit = 0
    while abs(value) >= 1024 && unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    if unit == 0 { return "\(bytes) B" }
    let text = value >= 100 ? String(format: "%.0f", value) : value >= 10 ? String(format: "%.1f", value) : String(format: "%.2f", value)
    return "\(text) \(units[unit])"
}
