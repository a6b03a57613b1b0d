import Foundation

/// Paths of the ONNX fixtures, the exported models and the committed graphs.
enum Paths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
    static func fixture(_ name: String) -> URL { root.appendingPathComponent("Tests/Fixtures/onnx/\(name)") }
    static let models = root.appendingPathComponent("models/onnx")
    static let graphs = root.appendingPathComponent("graphs")
}
