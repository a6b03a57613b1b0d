import ArgumentParser
import Dispatch
import Foundation
import Synchronization

/// SIGINT and SIGTERM during `cosma solve`: the best plan so far is written whole, or nothing is,
/// and the exit code says which.
///
/// The planner runs in a task. The first signal cancels it: every solver call (in process or in
/// its `cosma-solver` child) stops with its best solution, and every stage's time budget counts as
/// spent (``TimeBudget/remaining``), so the planner returns its best plan, simulated like any
/// other. That plan is written as usual (atomically) and the exit code is
/// ``planWrittenCode``. If no plan exists yet, nothing is written and the code is 128 plus the
/// signal's number (130, 143), as for a process the signal ended. A second signal ends the
/// process at once with that code: an output file being written is then left as it was (the
/// write renames a finished temporary file into place, so it is never half-written).
enum Interruption {
    /// Interrupted, and the best plan found so far was written whole (and summarised).
    static let planWrittenCode: Int32 = 3

    /// Runs `body` in a task that the first SIGINT or SIGTERM cancels; returns its outcome and
    /// the signal, if one came.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) -> (Result<T, any Error>, Int32?) {
        let received = Atomic<Int32>(0)
        let task = Mutex<Task<Void, Never>?>(nil)
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let queue = DispatchQueue(label: "cosma.signals")
        let sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler {
                guard received.compareExchange(expected: 0, desired: signalNumber, ordering: .relaxed).exchanged else {
                    _exit(128 + signalNumber)
                }
                printError("cosma: \(name(signalNumber)) received: stopping with the best plan so far (again to quit at once, writing nothing)")
                task.withLock { $0?.cancel() }
            }
            source.resume()
            return source
        }
        let planning = Task.detached {
            let result = Result { try body() }
            outcome.withLock { $0 = result }
            done.signal()
        }
        task.withLock { $0 = planning }
        if received.load(ordering: .relaxed) != 0 { planning.cancel() }
        done.wait()
        for source in sources { source.cancel() }
        let signalNumber = received.load(ordering: .relaxed)
        return (outcome.withLock { $0! }, signalNumber == 0 ? nil : signalNumber)
    }

    static func name(_ signalNumber: Int32) -> String { signalNumber == SIGINT ? "SIGINT" : "SIGTERM" }

    /// The exit after a plan was written following `signalNumber`.
    static func planWritten(_ signalNumber: Int32, to path: String?) -> ExitCode {
        printError("cosma: interrupted by \(name(signalNumber)): the best plan found so far was simulated and "
                   + (path.map { "written whole to \($0)" } ?? "summarised") + "; exit code \(planWrittenCode)")
        return ExitCode(planWrittenCode)
    }

    /// The exit after `signalNumber` came before any plan was made.
    static func nothingWritten(_ signalNumber: Int32?) -> ExitCode {
        let code = 128 + (signalNumber ?? SIGINT)
        printError("cosma: interrupted by \(name(signalNumber ?? SIGINT)) before any plan was made: nothing was written; exit code \(code)")
        return ExitCode(code)
    }
}

extension Result {
    /// The value; after a signal, `nil` instead of the error the interruption caused.
    func get(signal: Int32?) throws -> Success? {
        switch self {
        case let .success(value): return value
        case let .failure(error):
            if signal != nil { return nil }
            throw error
        }
    }
}
