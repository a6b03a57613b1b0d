package import DNNGraph
package import Foundation

/// A validator for the subset of JSON Schema (draft 2020-12) that the schemas in `schemas/` use,
/// so that Swift tests can check Cosma's output against its schemas without other tools.
///
/// Supported keywords: `type` (one name or a list), `properties`, `required`,
/// `additionalProperties` (true, false or a schema), `items`, `enum`, `const`, `minimum`,
/// `exclusiveMinimum`, `exclusiveMaximum`, `minItems`, `minLength`, `oneOf` and `$ref` (to
/// `#/$defs/NAME`, to another schema file of the folder, or to `FILE#/$defs/NAME`), plus the
/// annotations `$schema`, `$id`, `$defs`, `title` and `description`. A schema that uses any other
/// keyword is itself reported, so that no rule is silently skipped.
package struct JSONSchemaValidator: Sendable {
    /// Every schema of the folder, by file name.
    package let schemas: [String: JSONValue]

    package init(folder: URL) throws {
        var schemas: [String: JSONValue] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".schema.json") {
            schemas[name] = try JSONValue(parsing: Data(contentsOf: folder.appendingPathComponent(name)))
        }
        self.schemas = schemas
    }

    package init(schemas: [String: JSONValue]) { self.schemas = schemas }

    /// The contract: every schema of the repository's `schemas/` folder, read once for all suites.
    package static let committed = try! JSONSchemaValidator(
        folder: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../schemas").standardized)

    /// Every way `value` breaks the schema of file `schema`, as `path: problem`; empty when it conforms.
    package func errors(in value: JSONValue, against schema: String) -> [String] {
        guard let root = schemas[schema] else { return ["no schema named \(schema)"] }
        var errors: [String] = []
        check(value, root, file: schema, path: "$", errors: &errors)
        return errors
    }

    /// Keywords this validator does not support, and references it cannot resolve, anywhere in
    /// the schemas: what would otherwise be skipped without a word.
    package func problemsInSchemas() -> [String] {
        var problems: [String] = []
        func walk(_ schema: JSONValue, file: String, path: String) {
            guard case .object(let rules) = schema else { return }
            for (keyword, rule) in rules {
                let here = "\(file)\(path)/\(keyword)"
                if !Self.annotations.contains(keyword) && !Self.keywords.contains(keyword) { problems.append("\(here): unsupported keyword") }
                switch (keyword, rule) {
                case ("properties", .object(let subs)), ("$defs", .object(let subs)):
                    for (name, sub) in subs { walk(sub, file: file, path: "\(path)/\(keyword)/\(name)") }
                case ("items", _), ("additionalProperties", .object):
                    walk(rule, file: file, path: "\(path)/\(keyword)")
                case ("oneOf", .array(let subs)):
                    for (i, sub) in subs.enumerated() { walk(sub, file: file, path: "\(path)/oneOf/\(i)") }
                case ("$ref", .string(let reference)):
                    if resolve(reference, from: file) == nil { problems.append("\(here): cannot resolve \(reference)") }
                default:
                    break
                }
            }
        }
        for (file, schema) in schemas { walk(schema, file: file, path: "#") }
        return problems.sorted()
    }

    private static let annotations: Set<String> = ["$schema", "$id", "$defs", "title", "description"]
    private static let keywords: Set<String> = [
        "type", "properties", "required", "additionalProperties", "items", "enum", "const", "minimum",
        "exclusiveMinimum", "exclusiveMaximum", "minItems", "minLength", "oneOf", "$ref",
    ]

    private func check(_ value: JSONValue, _ schema: JSONValue, file: String, path: String, errors: inout [String]) {
        guard case .object(let rules) = schema else {
            errors.append("\(path): the schema is not an object")
            return
        }
        for (keyword, rule) in rules {
            if Self.annotations.contains(keyword) { continue }
            guard Self.keywords.contains(keyword) else {
                errors.append("\(path): the schema uses '\(keyword)', which this validator does not support")
                continue
            }
            apply(keyword, rule, siblings: rules, to: value, file: file, path: path, errors: &errors)
        }
    }

    private func apply(_ keyword: String, _ rule: JSONValue, siblings: [(String, JSONValue)], to value: JSONValue,
                       file: String, path: String, errors: inout [String])
    {
        switch (keyword, rule) {
        case ("type", .string(let name)):
            if !Self.has(type: name, value) { errors.append("\(path): expected \(name), found \(Self.typeName(value))") }
        case ("type", .array(let names)):
            if !names.contains(where: { if case .string(let n) = $0 { Self.has(type: n, value) } else { false } }) {
                errors.append("\(path): expected one of \(names.map(\.compact).joined(separator: ", ")), found \(Self.typeName(value))")
            }
        case ("enum", .array(let allowed)):
            if !allowed.contains(value) { errors.append("\(path): \(value.compact) is not one of \(rule.compact)") }
        case ("const", _):
            if value != rule { errors.append("\(path): expected \(rule.compact), found \(value.compact)") }
        case ("minimum", _), ("exclusiveMinimum", _), ("exclusiveMaximum", _):
            checkBound(keyword, rule, value, path: path, errors: &errors)
        case ("minItems", .int(let n)):
            if case .array(let items) = value, items.count < n { errors.append("\(path): \(items.count) items, at least \(n) required") }
        case ("minLength", .int(let n)):
            if case .string(let s) = value, s.count < n { errors.append("\(path): string shorter than \(n)") }
        case ("required", .array(let names)):
            guard case .object(let fields) = value else { return }
            for case .string(let name) in names where !fields.contains(where: { $0.0 == name }) {
                errors.append("\(path): \"\(name)\" is required")
            }
        case ("properties", .object(let properties)):
            guard case .object(let fields) = value else { return }
            for (name, item) in fields {
                if let sub = properties.first(where: { $0.0 == name })?.1 { check(item, sub, file: file, path: "\(path).\(name)", errors: &errors) }
            }
        case ("additionalProperties", _):
            checkAdditional(rule, siblings: siblings, value, file: file, path: path, errors: &errors)
        case ("items", _):
            guard case .array(let items) = value else { return }
            for (i, item) in items.enumerated() { check(item, rule, file: file, path: "\(path)[\(i)]", errors: &errors) }
        case ("oneOf", .array(let choices)):
            let matching = choices.filter { choice in
                var sub: [String] = []
                check(value, choice, file: file, path: path, errors: &sub)
                return sub.isEmpty
            }
            if matching.count != 1 { errors.append("\(path): matches \(matching.count) of the oneOf schemas, exactly 1 required") }
        case ("$ref", .string(let reference)):
            guard let (target, targetFile) = resolve(reference, from: file) else {
                errors.append("\(path): cannot resolve $ref \(reference)")
                return
            }
            check(value, target, file: targetFile, path: path, errors: &errors)
        default:
            errors.append("\(path): the schema's '\(keyword)' has an unusable value \(rule.compact)")
        }
    }

    private func checkBound(_ keyword: String, _ rule: JSONValue, _ value: JSONValue, path: String, errors: inout [String]) {
        guard let limit = Self.number(rule) else {
            errors.append("\(path): the schema's '\(keyword)' is not a number")
            return
        }
        guard let x = Self.number(value) else { return }
        let holds = switch keyword {
        case "minimum": x >= limit
        case "exclusiveMinimum": x > limit
        default: x < limit
        }
        if !holds { errors.append("\(path): \(value.compact) breaks \(keyword) \(rule.compact)") }
    }

    private func checkAdditional(_ rule: JSONValue, siblings: [(String, JSONValue)], _ value: JSONValue, file: String, path: String,
                                 errors: inout [String])
    {
        guard case .object(let fields) = value else { return }
        var declared: Set<String> = []
        if case .object(let properties)? = siblings.first(where: { $0.0 == "properties" })?.1 { declared = Set(properties.map(\.0)) }
        for (name, item) in fields where !declared.contains(name) {
            switch rule {
            case .bool(true): continue
            case .bool(false): errors.append("\(path): \"\(name)\" is not allowed here")
            default: check(item, rule, file: file, path: "\(path).\(name)", errors: &errors)
            }
        }
    }

    /// The schema a `$ref` names, and the file it lives in.
    private func resolve(_ reference: String, from file: String) -> (JSONValue, String)? {
        let parts = reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let targetFile = parts[0].isEmpty ? file : parts[0]
        guard var node = schemas[targetFile] else { return nil }
        let pointer = parts.count > 1 ? parts[1] : ""
        for key in pointer.split(separator: "/") {
            guard case .object(let fields) = node, let next = fields.first(where: { $0.0 == key })?.1 else { return nil }
            node = next
        }
        return (node, targetFile)
    }

    private static func has(type: String, _ value: JSONValue) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): true
        case ("integer", .int): true
        case ("integer", .double(let d)): d == d.rounded()
        case ("number", .int), ("number", .double): true
        default: false
        }
    }

    private static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    private static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }
}

extension JSONValue {
    /// Parses JSON text into a value (object keys in no particular order).
    package init(parsing data: Data) throws {
        self = try JSONDecoder().decode(ParsedJSON.self, from: data).value
    }

    /// Parses JSON text into a value.
    package init(parsing text: String) throws {
        try self.init(parsing: Data(text.utf8))
    }
}

/// Decodes any JSON into a ``JSONValue``, telling booleans, integers and other numbers apart.
private struct ParsedJSON: Decodable {
    var value: JSONValue

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: Key.self) {
            value = .object(try object.allKeys.map { ($0.stringValue, try object.decode(ParsedJSON.self, forKey: $0).value) })
            return
        }
        if var array = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !array.isAtEnd { items.append(try array.decode(ParsedJSON.self).value) }
            value = .array(items)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            value = .null
        } else if let b = try? single.decode(Bool.self) {
            value = .bool(b)
        } else if let i = try? single.decode(Int.self) {
            value = .int(i)
        } else if let d = try? single.decode(Double.self) {
            value = .double(d)
        } else {
            value = .string(try single.decode(String.self))
        }
    }
}
