import Foundation

/// A JSON value that keeps object keys in the order they were given.
///
/// Cosma writes its files by hand through this type rather than `JSONEncoder` so that keys appear in
/// the documented order and long arrays (plan steps, tensors) can be written one item per line.
package indirect enum JSONValue: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral
{
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    package init(stringLiteral value: String) { self = .string(value) }
    package init(integerLiteral value: Int) { self = .int(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    package init(arrayLiteral elements: JSONValue...) { self = .array(elements) }

    package static func == (a: JSONValue, b: JSONValue) -> Bool { a.compact == b.compact }

    /// The value on one line.
    package var compact: String {
        var out = ""
        write(into: &out, indent: nil, depth: 0)
        return out
    }

    /// The value with nested containers broken over lines down to `expandDepth` levels; deeper
    /// containers stay on one line, which keeps one plan step or one table row per line.
    package func formatted(expandDepth: Int = 2) -> String {
        var out = ""
        write(into: &out, indent: expandDepth, depth: 0)
        return out + "\n"
    }

    private func write(into out: inout String, indent: Int?, depth: Int) {
        let expand = indent.map { depth < $0 } ?? false
        let pad = String(repeating: "  ", count: depth + 1)
        let closePad = String(repeating: "  ", count: depth)
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            if d.isFinite {
                out += d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
            } else {
                out += "null"
            }
        case .string(let s): out += jsonString(s)
        case .array(let items):
            if items.isEmpty {
                out += "[]"
                return
            }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += expand ? "," : ", " }
                if expand { out += "\n" + pad }
                item.write(into: &out, indent: indent, depth: depth + 1)
            }
            out += expand ? "\n" + closePad + "]" : "]"
        case .object(let fields):
            if fields.isEmpty {
                out += "{}"
                return
            }
            out += "{"
            for (i, (key, value)) in fields.enumerated() {
                if i > 0 { out += expand ? "," : ", " }
                if expand { out += "\n" + pad }
                out += jsonString(key) + ": "
                value.write(into: &out, indent: indent, depth: depth + 1)
            }
            out += expand ? "\n" + closePad + "}" : "}"
        }
    }
}

/// Writes a file completely or not at all: the bytes go to a temporary file beside the target,
/// which is then renamed over it, so that a failure never leaves a half-written output.
///
/// Only regular files are replaced that way. A symbolic link is written through: the file it
/// points to is replaced and the link stays. Anything else (a FIFO, a terminal, `/dev/stdout`,
/// `/dev/null`, any path under `/dev` or `/proc`) is opened and written in place, since renaming a
/// file over it would destroy it rather than write to it; such a write is not atomic.
package func writeAtomically(_ text: String, to url: URL) throws(InputError) {
    var info = stat()
    let exists = stat(url.path, &info) == 0
    if url.path.hasPrefix("/dev/") || url.path.hasPrefix("/proc/") || (exists && info.st_mode & S_IFMT != S_IFREG) {
        return try writeInPlace(text, to: url)
    }
    // realpath(3) resolves every link of the chain; the link itself is left alone.
    let target = exists ? realpath(url.path, nil).map { resolved in
        defer { free(resolved) }
        return URL(fileURLWithPath: String(cString: resolved))
    } ?? url : url
    try replaceAtomically(text, target: target, named: url)
}

/// Writes into an existing non-regular file (FIFO, device) through an ordinary descriptor.
private func writeInPlace(_ text: String, to url: URL) throws(InputError) {
    let descriptor = open(url.path, O_WRONLY | O_TRUNC | O_CLOEXEC)
    guard descriptor >= 0 else {
        throw InputError(source: url.path, message: "cannot open it for writing (\(String(cString: strerror(errno)))); check the path")
    }
    defer { close(descriptor) }
    let bytes = Array(text.utf8)
    var written = 0
    while written < bytes.count {
        let n = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else {
            throw InputError(source: url.path, message: "cannot write to it (\(String(cString: strerror(errno)))); check the path")
        }
        written += n
    }
}

/// The temporary file and rename of ``writeAtomically(_:to:)``; `name` is the path as given.
private func replaceAtomically(_ text: String, target url: URL, named name: URL) throws(InputError) {
    let directory = url.deletingLastPathComponent()
    let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
    do {
        try Data(text.utf8).write(to: temporary)
        // rename(2) replaces an existing target atomically; Foundation's replaceItemAt on Linux
        // fails on every second write to the same path, after deleting the old file.
        guard rename(temporary.path, url.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
        }
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        throw InputError(source: name.path, message: "cannot write the file (\(error.localizedDescription)); check that the folder exists and is writable")
    }
}
