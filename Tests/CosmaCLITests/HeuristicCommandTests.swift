@testable import CosmaCLI
import Testing

@Suite struct HeuristicCommandTests {
    @Test func parsesTheBaselineFlags() throws {
        let command = try Heuristic.parse(["g.json", "--capacity", "M_R", "--replace", "lru", "--alloc", "first-fit"])
        #expect(command.replace == .lru)
        #expect(command.alloc == .firstFit)
    }
}
