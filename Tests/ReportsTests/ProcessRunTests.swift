import Foundation
import Reports
import Testing

@Suite struct ProcessRunTests {
    static let shell = URL(fileURLWithPath: "/bin/sh")

    /// The defect `ProcessRun` mends: `wait4`'s `ru_maxrss` gave a child spawned from this process
    /// at least what this process held, because the child starts in this address space.
    @Test func whatTheParentHoldsIsNotCountedInTheChildsPeak() throws {
        let held = UnsafeMutableRawBufferPointer.allocate(byteCount: 300 << 20, alignment: 4096)
        defer { held.deallocate() }
        held.initializeMemory(as: UInt8.self, repeating: 1)
        let run = try withExtendedLifetime(held) {
            try ProcessRun(executable: URL(fileURLWithPath: "/bin/sleep"), arguments: ["0.5"])
        }
        #expect(run.exitCode == 0)
        #expect(run.peakBytes > 0 && run.peakBytes < 64 << 20, "peak \(run.peakBytes >> 20) MiB")
    }

    /// A shell two levels below the one started holds 100 MB for a second; the two above it hold
    /// almost nothing, so only a peak that reaches the grandchild sees the 100 MB.
    @Test func theLargestPeakOfADescendantCounts() throws {
        let hold = "x=$(head -c 100000000 /dev/zero | tr '\\0' a); sleep 1"
        let run = try ProcessRun(executable: Self.shell, arguments: ["-c", "sh -c \"$0\" \"$1\"; true", "sh -c \"$0\"; true", hold])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.peakBytes >= 100_000_000, "peak \(run.peakBytes >> 20) MiB")
    }

    @Test func givesTheExitCodeAndTheOutputWithStandardInputEmpty() throws {
        let run = try ProcessRun(executable: Self.shell, arguments: ["-c", "cat; echo out; echo err >&2; exit 3"])
        #expect(run.exitCode == 3 && !run.killed)
        #expect(run.stdout == "out\n" && run.stderr == "err\n")
    }

    @Test func killsAfterItsTimeAndReportsTheSignal() throws {
        let run = try ProcessRun(executable: URL(fileURLWithPath: "/bin/sleep"), arguments: ["30"], killAfter: 0.2)
        #expect(run.killed && run.exitCode == 128 + 9)
        #expect(run.seconds >= 0.2 && run.seconds < 30)
    }
}
