import Cosma
import CosmaILP
import DivideAndConquer
import DNNGraph
import Scratchpad
import Dispatch
import Foundation
import Synchronization

/// `cosma_plan_with_progress`: a plan that reports the solver's progress and stops when the
/// caller raises a flag.
///
/// The plan is made in a Swift task while the calling thread watches the flag; raising it
/// cancels the task, which every solver call of Cosma checks between branch-and-bound nodes
/// (`SolveOptions.isCancelled`). The planner then returns the best plan it has, simulated like
/// any other, and the answer says `"cancelled": true`. The task runs on a thread of its own
/// (``OwnThreadExecutor``), never on Swift's shared pool: a caller blocked in this function may
/// itself be a pool thread, and the pool has one thread per core.
enum Cancellable {
    /// How often the calling thread looks at the flag.
    static let pollInterval = DispatchTimeInterval.milliseconds(20)

    static func plan(graph: String, options: String?, progress: CosmaProgress?, context: UnsafeMutableRawPointer?,
                     cancel: UnsafePointer<Int32>?) -> Answer
    {
        nonisolated(unsafe) let context = context
        let report: (@Sendable (SolveProgress) -> Void)? = progress.map { callback in
            { @Sendable (p: SolveProgress) -> Void in jsonValue(of: p).compact.withCString { callback($0, context) } }
        }
        let answer = Mutex<Answer?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = Task.detached(executorPreference: OwnThreadExecutor()) {
            let made = Calls.plan(graph: graph, options: options, progress: report)
            answer.withLock { $0 = made }
            done.signal()
        }
        var cancelled = false
        while done.wait(timeout: .now() + pollInterval) == .timedOut {
            if !cancelled, let cancel, cancel.pointee != 0 {
                cancelled = true
                task.cancel()
            }
        }
        var made = answer.withLock { $0 }!
        if cancelled, case .object(var fields) = made.json, made.code == 0 {
            fields.append(("cancelled", true))
            made.json = .object(fields)
        }
        return made
    }

    /// One progress report (``DocumentFormat/progress``).
    static func jsonValue(of p: SolveProgress) -> JSONValue {
        .object([
            DocumentFormat.progress.field, ("elapsedSeconds", .double(p.elapsedSeconds)),
            ("incumbent", p.incumbent.map(JSONValue.double) ?? .null), ("bound", p.bestBound.map(JSONValue.double) ?? .null),
            ("nodes", .int(p.nodes)),
        ])
    }
}

/// Runs every job of the tasks that prefer it on a new thread, so that a planning task never
/// waits for (or occupies) a thread of Swift's shared pool.
final class OwnThreadExecutor: TaskExecutor {
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        let thread = Thread { job.runSynchronously(on: executor) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
