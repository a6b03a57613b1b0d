import Foundation
import Testing

@Suite struct PackCommandTests {
    /// Three buffers of 4 bytes over [0,2), [1,3), [2,4): 8 bytes suffice, 7 do not.
    static let chain = "id,lower,upper,size\na,0,2,4\nb,1,3,4\nc,2,4,4\n"

    /// Reads `id,offset` rows and checks them against the buffers with an independent check.
    static func offsets(_ csv: String) -> [String: Int] {
        var result: [String: Int] = [:]
        for line in csv.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",")
            result[String(f[0])] = Int(f[1])
        }
        return result
    }

    @Test func packsAndWritesOffsets() throws {
        let input = try CLI.temporaryFile("chain.csv", contents: Self.chain)
        let output = input.deletingLastPathComponent().appendingPathComponent("offsets.csv")
        let r = try CLI.run(["pack", input.path, "--capacity", "8", "-o", output.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("height 8"))
        let o = Self.offsets(try String(contentsOf: output, encoding: .utf8))
        #expect(o.count == 3)
        // b overlaps a and c in time; a and c may share.
        #expect(o["a"].map { a in o["b"].map { abs(a - $0) >= 4 } ?? false } == true)
        #expect(o["c"].map { c in o["b"].map { abs(c - $0) >= 4 } ?? false } == true)
    }

    @Test func provesInfeasibilityAndMinimizes() throws {
        let input = try CLI.temporaryFile("chain.csv", contents: Self.chain)
        let tight = try CLI.run(["pack", input.path, "--capacity", "7"])
        #expect(tight.status == 1)
        #expect(tight.stderr.contains("infeasible"))
        let minimum = try CLI.run(["pack", input.path, "--minimize", "--alignment", "2"])
        #expect(minimum.status == 0, "\(minimum.stderr)")
        #expect(minimum.stderr.contains("smallest capacity found: 8 bytes (proven minimal"))
        #expect(Self.offsets(minimum.stdout).values.allSatisfy { $0 % 2 == 0 })
    }

    /// At one node the search cannot settle a tight instance that the greedy stage misses: it
    /// says "unknown", not "infeasible".
    @Test func saysUnknownAtItsLimit() throws {
        let file = try String(contentsOf: CLI.root.appendingPathComponent("benchmarks/minimalloc/challenging/A.1048576.csv"), encoding: .utf8)
        let input = try CLI.temporaryFile("A.csv", contents: file)
        let r = try CLI.run(["pack", input.path, "--capacity", "1MiB", "--nodes", "1"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("unknown"))
    }

    @Test func namesTheFileAndLineOfBadInput() throws {
        let input = try CLI.temporaryFile("bad.csv", contents: "id,lower,upper,size\na,0,2,4\nb,3,1,4\n")
        let r = try CLI.run(["pack", input.path, "--capacity", "8"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("bad.csv:3"))
        #expect(r.stderr.contains("upper must exceed lower"))
        let missing = try CLI.run(["pack", "/nonexistent/buffers.csv", "--capacity", "8"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/buffers.csv"))
    }
}
