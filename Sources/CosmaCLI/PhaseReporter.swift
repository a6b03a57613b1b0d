import Foundation
import MILP

/// `--progress` of `cosma solve` (issue 21): the solver reports incumbent and bound, but the
/// phases before it (reading the graph, the minimum-peak search behind `M_P` and `M_H`, the
/// planner's baselines, order search and program build) and between its reports would be silent.
/// So each phase is announced when it starts, and a heartbeat names the current phase and the time
/// so far whenever nothing was printed for `interval`: `--progress` is never quiet for long.
final class PhaseReporter: @unchecked Sendable {
    private let lock = NSLock()
    private let start = ContinuousClock.now
    private let interval: Duration
    private var phase = "starting"
    private var lastLine = ContinuousClock.now
    private var stopped = false

    init(interval: Duration = .seconds(2)) {
        self.interval = interval
        Thread.detachNewThread { [self] in
            while true {
                usleep(200_000)
                let quiet: String? = lock.withLock {
                    guard !stopped else { return nil }
                    guard ContinuousClock.now - lastLine >= interval else { return "" }
                    return phase
                }
                guard let quiet else { return }
                if !quiet.isEmpty { say("\(quiet) (still running)") }
            }
        }
    }

    /// Announces a phase; the heartbeat names it until the next one.
    func enter(_ phase: String) {
        lock.withLock { self.phase = phase }
        say(phase)
    }

    /// One line of the solver's progress.
    func solver(_ p: SolveProgress) {
        let incumbent = p.incumbent.map { String(format: "%.0f", $0) } ?? "-"
        let bound = p.bestBound.map { String(format: "%.0f", $0) } ?? "-"
        lock.withLock { phase = "solving" }
        say(String(format: "solver %.1fs: incumbent %@  bound %@  nodes %d", p.elapsedSeconds, incumbent, bound, p.nodes))
    }

    func stop() {
        lock.withLock { stopped = true }
    }

    private func say(_ text: String) {
        let seconds = (ContinuousClock.now - start).inSeconds
        lock.withLock { lastLine = .now }
        FileHandle.standardError.write(Data(String(format: "cosma: %7.1fs  %@\n", seconds, text).utf8))
    }
}
