import CosmaC
import CosmaTestSupport
import DNNGraph
import Foundation

/// Calls libcosma's exports as a C program would and reads their answers.
enum CLibrary {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
    static let schemas = JSONSchemaValidator.committed

    struct Answer {
        var code: Int32
        var text: String
        var json: JSONValue

        /// A member of the answer's object, or of one of its nested objects (`plan.traffic.total`).
        subscript(_ path: String) -> JSONValue? {
            var node: JSONValue? = json
            for key in path.split(separator: ".") {
                guard case .object(let fields)? = node else { return nil }
                node = fields.first(where: { $0.0 == key })?.1
            }
            return node
        }

        /// The error's message, or "" when the answer is not an error.
        var message: String { if case .string(let s)? = self["error.message"] { s } else { "" } }
    }

    /// Runs one call with C strings for its arguments; frees the answer with `cosma_free`.
    static func call(_ arguments: [String?], _ body: ([UnsafePointer<CChar>?], UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32) throws -> Answer {
        let copies = arguments.map { $0.map { UnsafePointer(strdup($0)!) } }
        defer { for copy in copies { free(UnsafeMutablePointer(mutating: copy)) } }
        var out: UnsafeMutablePointer<CChar>? = nil
        let code = body(copies, &out)
        defer { cosma_free(out) }
        let text = out.map { String(cString: $0) } ?? ""
        return Answer(code: code, text: text, json: try JSONValue(parsing: text))
    }

    static func plan(_ graph: String?, _ options: String?) throws -> Answer {
        try call([graph, options]) { a, out in cosma_plan(a[0], a[1], out) }
    }

    static func simulate(_ graph: String?, _ plan: String?, _ options: String? = nil) throws -> Answer {
        try call([graph, plan, options]) { a, out in cosma_simulate(a[0], a[1], a[2], out) }
    }

    static func importONNX(_ path: String?, _ options: String? = nil) throws -> Answer {
        try call([path, options]) { a, out in cosma_import_onnx(a[0], a[1], out) }
    }

    static func graph(_ name: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent("graphs/\(name).json"), encoding: .utf8)
    }
}
