import Foundation

/// Reads a whole input file, turning I/O failures into messages that name the file.
package func readInput(_ url: URL) throws(InputError) -> Data {
    do {
        return try Data(contentsOf: url)
    } catch {
        let reason = FileManager.default.fileExists(atPath: url.path) ? "cannot be read" : "does not exist"
        throw InputError(source: url.path, message: "the file \(reason); check the path")
    }
}

/// Decodes JSON, reporting syntax errors with line and column and schema errors with the path of
/// the offending item (`tensors[3].bytes`).
///
/// Foundation's decoder on Linux says only that the data "was not valid JSON", so syntax errors
/// are located by a small scanner of our own.
package func decodeJSON<T: Decodable>(_ type: T.Type, from data: Data, source: String) throws(InputError) -> T {
    try checkJSONNesting(data, source: source)
    do {
        return try JSONDecoder().decode(type, from: data)
    } catch let error as DecodingError {
        throw InputError(source: source, message: describe(error, data: data))
    } catch {
        throw InputError(source: source, message: "\(error)")
    }
}

private func describe(_ error: DecodingError, data: Data) -> String {
    func path(_ keys: [any CodingKey]) -> String {
        var out = ""
        for key in keys {
            if let i = key.intValue { out += "[\(i)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
        }
        return out.isEmpty ? "the top level" : out
    }
    switch error {
    case .dataCorrupted(let context) where context.codingPath.isEmpty:
        if let syntax = JSONSyntax.firstError(in: data) {
            return "malformed JSON at line \(syntax.line), column \(syntax.column): \(syntax.message)"
        }
        return "malformed JSON: \(context.debugDescription)"
    case .dataCorrupted(let context):
        return "\(path(context.codingPath)): \(context.debugDescription)"
    case .keyNotFound(let key, let context):
        return "\(path(context.codingPath + [key])) is missing; add the key \"\(key.stringValue)\""
    case .typeMismatch(let type, let context):
        return "\(path(context.codingPath)) has the wrong type; expected \(jsonTypeName(type))"
    case .valueNotFound(let type, let context):
        return "\(path(context.codingPath)) is null; expected \(jsonTypeName(type))"
    @unknown default:
        return "\(error)"
    }
}

private func jsonTypeName(_ type: Any.Type) -> String {
    switch type {
    case is Int.Type, is Int64.Type: "an integer"
    case is Double.Type: "a number"
    case is String.Type: "a string"
    case is Bool.Type: "true or false"
    default: String(describing: type).hasPrefix("Array") ? "an array" : "an object"
    }
}

/// A strict RFC 8259 scanner that finds the first syntax error and where it is.
enum JSONSyntax {
    struct Failure: Error {
        var line: Int
        var column: Int
        var message: String
    }

    static func firstError(in data: Data) -> Failure? {
        var scanner = Scanner(bytes: Array(data))
        do throws(Failure) {
            scanner.skipSpace()
            try scanner.value(depth: 0)
            scanner.skipSpace()
            if scanner.index < scanner.bytes.count { throw scanner.fail("unexpected text after the end of the document") }
            return nil
        } catch {
            return error
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        func fail(_ message: String) -> Failure {
            var line = 1
            var column = 1
            for b in bytes[..<min(index, bytes.count)] {
                if b == UInt8(ascii: "\n") {
                    line += 1
                    column = 1
                } else if b & 0xC0 != 0x80 {
                    column += 1
                }
            }
            return Failure(line: line, column: column, message: message)
        }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let c = current, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { index += 1 }
        }

        func describeCurrent() -> String {
            guard let c = current else { return "the file ends too early" }
            if c == 0x0A || c == 0x0D { return "unexpected end of line" }
            return "unexpected character '\(String(decoding: [c], as: UTF8.self))'"
        }

        mutating func expect(_ c: Character, _ what: String) throws(Failure) {
            guard current == c.asciiValue else { throw fail("\(describeCurrent()); expected \(what)") }
            index += 1
        }

        mutating func value(depth: Int) throws(Failure) {
            guard depth < 512 else { throw fail("nesting is too deep") }
            switch current {
            case UInt8(ascii: "{"):
                index += 1
                skipSpace()
                if current == UInt8(ascii: "}") {
                    index += 1
                    return
                }
                while true {
                    skipSpace()
                    guard current == UInt8(ascii: "\"") else { throw fail("\(describeCurrent()); expected a key in double quotes") }
                    try string()
                    skipSpace()
                    try expect(":", "':' after the key")
                    skipSpace()
                    try value(depth: depth + 1)
                    skipSpace()
                    if current == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    try expect("}", "',' or '}'")
                    return
                }
            case UInt8(ascii: "["):
                index += 1
                skipSpace()
                if current == UInt8(ascii: "]") {
                    index += 1
                    return
                }
                while true {
                    skipSpace()
                    try value(depth: depth + 1)
                    skipSpace()
                    if current == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    try expect("]", "',' or ']'")
                    return
                }
            case UInt8(ascii: "\""):
                try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case let c? where c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39):
                try number()
            default:
                throw fail("\(describeCurrent()); expected a value")
            }
        }

        mutating func literal(_ word: String) throws(Failure) {
            for c in word.utf8 {
                guard current == c else { throw fail("\(describeCurrent()); expected '\(word)'") }
                index += 1
            }
        }

        mutating func string() throws(Failure) {
            index += 1
            while let c = current {
                switch c {
                case UInt8(ascii: "\""):
                    index += 1
                    return
                case UInt8(ascii: "\\"):
                    index += 1
                    guard let e = current, "\"\\/bfnrtu".utf8.contains(e) else { throw fail("invalid escape in a string") }
                    index += 1
                case 0..<0x20:
                    throw fail("control character inside a string; escape it")
                default:
                    index += 1
                }
            }
            throw fail("the file ends inside a string; close it with '\"'")
        }

        mutating func number() throws(Failure) {
            if current == UInt8(ascii: "-") { index += 1 }
            var digits = 0
            func isDigit(_ c: UInt8?) -> Bool { c.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
            while isDigit(current) {
                index += 1
                digits += 1
            }
            guard digits > 0 else { throw fail("\(describeCurrent()); expected a digit") }
            if current == UInt8(ascii: ".") {
                index += 1
                guard isDigit(current) else { throw fail("\(describeCurrent()); expected a digit after '.'") }
                while isDigit(current) { index += 1 }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard isDigit(current) else { throw fail("\(describeCurrent()); expected an exponent") }
                while isDigit(current) { index += 1 }
            }
        }
    }
}

/// An enumeration read from JSON by its raw value. A value that names no case is refused with the
/// list of valid ones ("'buffer' is not one of "input", "weight", "activation""), which
/// ``decodeJSON(_:from:source:)`` places at its item, instead of Swift's internal description.
///
/// A public enumeration declares its own one-line `public init(from:)` that calls
/// ``decodingCase(from:)``: Swift's access rules leave no way to share that line without making
/// this protocol public API. A public type's witness of the public `Decodable` requirement must
/// be public; this package protocol's default is `package` ("must be declared public because it
/// matches a requirement in public protocol 'Decodable'"); a public default in
/// `extension Decodable where Self: JSONEnumeration` is refused ("cannot declare a public
/// initializer in an extension with package requirements"); and an `@_spi` protocol cannot be
/// used in a public conformance. Package enumerations (`RowStatus` in Reports) take the default.
package protocol JSONEnumeration: Decodable, CaseIterable, RawRepresentable where RawValue == String {}

extension JSONEnumeration {
    package init(from decoder: any Decoder) throws {
        self = try Self.decodingCase(from: decoder)
    }

    /// The case `decoder`'s string names, or an error that lists the valid ones.
    package static func decodingCase(from decoder: any Decoder) throws -> Self {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Self(rawValue: text) else {
            let valid = Self.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not one of \(valid)")
        }
        return value
    }
}

/// A key of a JSON object, or an index of an array, named at run time: for keys that depend on a
/// type parameter, objects that refuse unknown keys, and coding paths of errors found after
/// decoding.
package struct JSONKey: CodingKey, Sendable {
    package var stringValue: String
    package var intValue: Int?

    package init(_ key: String) {
        stringValue = key
        intValue = nil
    }

    package init(_ index: Int) {
        stringValue = "\(index)"
        intValue = index
    }

    package init(stringValue: String) { self.init(stringValue) }
    package init(intValue: Int) { self.init(intValue) }
}

/// How deep Cosma's JSON documents may nest. Its formats need a handful of levels; Foundation's
/// parser traps (rather than throwing) on some inputs nested about 512 deep, a crash `make fuzz`
/// found (`fuzz/corpus/plan/crash-nesting`), so deeper input is refused before Foundation sees it.
package let maximumJSONNesting = 100

/// Refuses JSON nested deeper than ``maximumJSONNesting``, naming the line; a linear scan that
/// skips strings and leaves every other error to the decoder.
package func checkJSONNesting(_ data: Data, source: String) throws(InputError) {
    var depth = 0
    var line = 1
    var inString = false
    var escaped = false
    for byte in data {
        if inString {
            if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            continue
        }
        switch byte {
        case UInt8(ascii: "\""): inString = true
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            depth += 1
            if depth > maximumJSONNesting {
                throw InputError(source: source, message: "malformed JSON at line \(line): nested more than \(maximumJSONNesting) levels deep; Cosma's documents nest a few levels, so check the file")
            }
        case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
        case UInt8(ascii: "\n"): line += 1
        default: break
        }
    }
}
