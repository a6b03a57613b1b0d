import Foundation
import Testing
import FuzzTargets

/// The committed fuzz corpus (`fuzz/corpus/<target>/`, seeded from `graphs/`, the ONNX fixtures
/// and handmade files, grown and minimised by `make fuzz`) replayed through the fuzzers' own
/// entry points: every input is accepted or refused with a message, none traps. A crash the
/// fuzzer finds is fixed and its input kept here (`fuzz/corpus/<target>/crash-*`).
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../fuzz/corpus").standardized

    static func inputs(of target: FuzzTarget) -> [URL] {
        let folder = corpus.appendingPathComponent(target.rawValue)
        return FuzzTarget.inputNames(inFolder: folder.path).map { folder.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzTarget.allCases)
    func corpusReplaysWithoutACrash(_ target: FuzzTarget) throws {
        let files = Self.inputs(of: target)
        #expect(files.count >= 5, "the \(target.rawValue) corpus is missing or nearly empty")
        var accepted = 0
        for file in files {
            if target.run(try Data(contentsOf: file)) { accepted += 1 }
        }
        // Both outcomes must be represented, or the corpus no longer exercises the checks.
        #expect(accepted > 0)
        #expect(accepted < files.count)
    }
}
