import DNNGraph
import Foundation
import Testing

@Suite struct WriteAtomicallyTests {
    @Test func rewritingAFileReplacesItAndLeavesNoTemporaryFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cosma-write-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("graph.json")
        for round in 1...3 {
            try writeAtomically("round \(round)\n", to: file)
            #expect(try String(contentsOf: file, encoding: .utf8) == "round \(round)\n")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["graph.json"])
    }
}
