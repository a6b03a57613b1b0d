import CosmaTestSupport
import DNNGraph
import Foundation
import Testing

/// The validator of the schemas' JSON Schema subset, judged on documents that must fail, and the
/// committed graphs judged by it.
@Suite struct SchemaTests {
    static let schema: JSONValue = try! JSONValue(parsing: #"""
        {
          "type": "object",
          "required": ["n", "kind"],
          "additionalProperties": false,
          "properties": {
            "n": {"type": "integer", "minimum": 1},
            "x": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
            "kind": {"enum": ["a", "b"]},
            "fixed": {"const": true},
            "name": {"type": ["string", "null"], "minLength": 2},
            "list": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/item"}},
            "other": {"$ref": "other.schema.json#/$defs/thing"},
            "map": {"type": "object", "additionalProperties": {"type": "boolean"}},
            "choice": {"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 10}]}
          },
          "$defs": {"item": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}}
        }
        """#)
    static let other: JSONValue = try! JSONValue(parsing: #"{"$defs": {"thing": {"type": "string"}}}"#)
    static let validator = JSONSchemaValidator(schemas: ["test.schema.json": schema, "other.schema.json": other])

    func errors(_ text: String) throws -> [String] {
        Self.validator.errors(in: try JSONValue(parsing: text), against: "test.schema.json")
    }

    @Test func aConformingDocumentHasNoErrors() throws {
        let ok = #"{"n": 3, "x": 0.5, "kind": "a", "fixed": true, "name": null, "list": [{"id": "q"}], "other": "s", "map": {"k": false}, "choice": 12.5}"#
        #expect(try errors(ok) == [])
        #expect(try errors(#"{"n": 2.0, "kind": "b", "name": "ab"}"#) == [])
    }

    @Test(arguments: [
        (#"[1]"#, "$: expected object, found array"),
        (#"{"kind": "a"}"#, #"$: "n" is required"#),
        (#"{"n": 1.5, "kind": "a"}"#, "$.n: expected integer, found number"),
        (#"{"n": 0, "kind": "a"}"#, "$.n: 0 breaks minimum 1"),
        (#"{"n": 1, "kind": "a", "x": 0}"#, "$.x: 0 breaks exclusiveMinimum 0"),
        (#"{"n": 1, "kind": "a", "x": 1}"#, "$.x: 1 breaks exclusiveMaximum 1"),
        (#"{"n": 1, "kind": "c"}"#, #"$.kind: "c" is not one of ["a", "b"]"#),
        (#"{"n": 1, "kind": "a", "fixed": false}"#, "$.fixed: expected true, found false"),
        (#"{"n": 1, "kind": "a", "name": 3}"#, #"$.name: expected one of "string", "null", found integer"#),
        (#"{"n": 1, "kind": "a", "name": "x"}"#, "$.name: string shorter than 2"),
        (#"{"n": 1, "kind": "a", "list": []}"#, "$.list: 0 items, at least 1 required"),
        (#"{"n": 1, "kind": "a", "list": [{"id": 4}]}"#, "$.list[0].id: expected string, found integer"),
        (#"{"n": 1, "kind": "a", "other": 4}"#, "$.other: expected string, found integer"),
        (#"{"n": 1, "kind": "a", "map": {"k": 1}}"#, "$.map.k: expected boolean, found integer"),
        (#"{"n": 1, "kind": "a", "extra": 1}"#, #"$: "extra" is not allowed here"#),
        (#"{"n": 1, "kind": "a", "choice": 12}"#, "$.choice: matches 2 of the oneOf schemas, exactly 1 required"),
        (#"{"n": 1, "kind": "a", "choice": "s"}"#, "$.choice: matches 0 of the oneOf schemas, exactly 1 required"),
        (#"{"n": true, "kind": "a"}"#, "$.n: expected integer, found boolean"),
    ])
    func aBrokenDocumentIsReported(document: String, error: String) throws {
        #expect(try errors(document) == [error])
    }

    @Test func unsupportedKeywordsAndBadReferencesAreReported() throws {
        let schemas: [String: JSONValue] = [
            "s.schema.json": try JSONValue(parsing: ##"{"properties": {"a": {"pattern": "x"}, "b": {"$ref": "#/$defs/none"}}}"##),
        ]
        let found = JSONSchemaValidator(schemas: schemas).errors(in: try JSONValue(parsing: #"{"a": "y", "b": 1}"#), against: "s.schema.json")
        #expect(found.sorted() == ["$.a: the schema uses 'pattern', which this validator does not support", "$.b: cannot resolve $ref #/$defs/none"])
    }

    @Test func everySchemaUsesOnlyWhatTheValidatorChecks() throws {
        #expect(CLibrary.schemas.schemas.count == 12)  // one per format in DocumentFormat, and sweep.csv's rows
        #expect(CLibrary.schemas.problemsInSchemas() == [])
        let broken = JSONSchemaValidator(schemas: [
            "s.schema.json": try JSONValue(parsing: #"{"$defs": {"d": {"items": {"format": "uri"}}}, "oneOf": [{"$ref": "t.schema.json"}]}"#),
        ])
        #expect(broken.problemsInSchemas() == [
            "s.schema.json#/$defs/d/items/format: unsupported keyword", "s.schema.json#/oneOf/0/$ref: cannot resolve t.schema.json",
        ])
    }

    @Test func everyCommittedGraphConforms() throws {
        let folder = CLibrary.root.appendingPathComponent("graphs")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        #expect(names.count > 10)
        for name in names {
            let graph = try JSONValue(parsing: Data(contentsOf: folder.appendingPathComponent(name)))
            #expect(CLibrary.schemas.errors(in: graph, against: "graph.schema.json") == [], "\(name)")
        }
    }
}
