internal import Foundation

/// Two busy loops, one per core of the test machine, stopped by their process ids: what a
/// deterministic mode must not notice.
package final class BusyLoad {
    let processes: [Process]

    package init() throws {
        processes = try (0..<2).map { _ in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "while :; do :; done"]
            try p.run()
            return p
        }
    }

    package func stop() {
        for p in processes where p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
    }
}
