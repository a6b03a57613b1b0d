import Foundation
import Testing

/// The README's Swift example is ReadmeExample.swift: it compiles in the target that sees only
/// `import Cosma` (the facade), runs here, and the README shows it line for line.
@Suite struct ReadmeTests {
    @Test func theReadmeShowsTheExampleThatCompiles() throws {
        let readme = try String(contentsOf: FacadeTests.root.appendingPathComponent("README.md"), encoding: .utf8)
        let library = try #require(readme.range(of: "\n## Library\n"))
        let open = try #require(readme.range(of: "```swift\n", range: library.upperBound..<readme.endIndex))
        let close = try #require(readme.range(of: "```\n", range: open.upperBound..<readme.endIndex))
        let shown = String(readme[open.upperBound..<close.lowerBound])

        let source = try String(contentsOf: FacadeTests.root.appendingPathComponent("Tests/CosmaTests/ReadmeExample.swift"), encoding: .utf8)
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        let imports = lines.filter { $0.hasPrefix("import ") }
        let begin = try #require(lines.firstIndex { $0.hasSuffix("// README example begins") })
        let end = try #require(lines.firstIndex { $0.hasSuffix("// README example ends") })
        let body = lines[(begin + 1)..<end].map { $0.dropFirst(4) }
        let expected = (imports + [""] + body).joined(separator: "\n") + "\n"
        #expect(shown == expected)
    }

    @Test func theExampleRuns() throws {
        // Its paths are relative, as in the README: `swift test` runs from the repository's root.
        try readmeExample()
    }
}
