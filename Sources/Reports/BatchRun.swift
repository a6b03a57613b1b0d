import Cosma
package import DNNGraph
import Scratchpad
internal import Heuristics
import MILP
import CosmaILP
package import Foundation

/// Runs an ``InstanceMatrix`` in worker processes, journaling each row as it finishes.
///
/// Each instance runs in its own `cosma batch-worker` process (see ``WorkerRequest``), at most
/// ``jobs`` at a time. A worker still running ``killAfter`` seconds after it started is killed
/// and its instance recorded as ``RowStatus/timeout``; a worker that dies without answering is
/// recorded as ``RowStatus/crashed`` with the end of its error output. Either way the batch goes
/// on: a row is a result, not an error.
///
/// The folder holds `batch.json` (the matrix), `journal.jsonl` (finished rows, see ``Journal``),
/// `plans/` (certified plans of Cosma's methods and the paper's baselines, which memory maps are
/// drawn from) and, while running, `.work/` (the workers' output) and `.lock` (see ``FolderLock``;
/// a shard has its own).
///
/// A row of a worker that crashed is run once more when the batch is resumed: a crash may come
/// from outside (the kernel's out-of-memory killer, a `kill -9`, a node going down), so a second
/// attempt is fair; a second crash stays recorded and is not tried again.
package struct BatchRun {
    package var matrix: InstanceMatrix
    package var folder: URL
    /// The `cosma` executable and the arguments that make it a worker.
    package var workerCommand: (executable: URL, arguments: [String])
    /// Worker processes at a time.
    package var jobs: Int
    /// Seconds after which a worker is killed.
    package var killAfter: Double
    /// Graph name per file, for rows of workers that never answered.
    package var graphNames: [String: String]
    /// The part of the matrix this run owns, with its own journal and work folder (``Shard``);
    /// nil runs the whole matrix into `journal.jsonl`.
    package var shard: Shard?

    package init(matrix: InstanceMatrix, folder: URL, workerCommand: (executable: URL, arguments: [String]), jobs: Int,
                killAfter: Double, graphNames: [String: String])
    {
        self.matrix = matrix
        self.folder = folder
        self.workerCommand = workerCommand
        self.jobs = jobs
        self.killAfter = killAfter
        self.graphNames = graphNames
    }

    /// The batch's journal (see ``Journal``).
    package var journalURL: URL { Journal.url(in: folder, shard: shard) }
    /// Where workers keep plans (see ``planURL(for:)``).
    package var plansFolder: URL { folder.appendingPathComponent("plans") }

    /// Where the plan of an instance is kept, if its method keeps plans.
    package func planURL(for key: InstanceKey) -> URL? {
        guard let method = matrix.methods.first(where: { $0.description == key.method }),
              method.isCosma || method.isPaperBaseline else { return nil }
        return plansFolder.appendingPathComponent(Self.planFileName(for: key))
    }

    /// Where a worker keeps the tiled graph a plan below `M_R` refers to: beside the plan,
    /// `<plan stem>.tiled-graph.json`.
    package static func tiledGraphPath(ofPlan planPath: String) -> String {
        URL(fileURLWithPath: planPath).deletingPathExtension().path + ".tiled-graph.json"
    }

    /// `<file stem>-<setting>-<budget>-<method>.json`.
    package static func planFileName(for key: InstanceKey) -> String {
        let stem = URL(fileURLWithPath: key.file).deletingPathExtension().lastPathComponent
        return "\(stem)-\(key.setting.rawValue)-\(key.budget)-\(key.method).json"
    }

    /// Runs every instance the journal does not hold yet and returns all rows in matrix order.
    ///
    /// `progress` is called often (about every 50 ms) from the calling thread.
    package func run(progress: (BatchProgress) -> Void) throws(InputError) -> [ResultRow] {
        try prepareFolder()
        let work = folder.appendingPathComponent(shard?.workName ?? ".work")
        let lock = try FolderLock(folder.appendingPathComponent(work.lastPathComponent.replacingOccurrences(of: ".work", with: ".lock")))
        defer { withExtendedLifetime(lock) {} }
        let instances = shard?.instances(of: matrix) ?? matrix.instances
        let (journalRows, crashes) = try Journal.read(at: journalURL)
        var finished = journalRows
        let journal = try Journal(appendingTo: journalURL)
        var pending = instances.filter { finished[$0] == nil || (finished[$0]?.status == .crashed && crashes[$0, default: 0] < 2) }
        pending.reverse()
        do {
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: plansFolder, withIntermediateDirectories: true)
        } catch {
            throw InputError(source: folder.path, message: "cannot create \(work.path) or \(plansFolder.path) (\(error.localizedDescription)); check that the folder is writable")
        }
        var state = BatchProgress(total: instances.count, resumed: instances.count - pending.count)
        var running: [Worker] = []
        var durations: [Double] = []
        var sequence = 0
        while !pending.isEmpty || !running.isEmpty {
            while running.count < jobs, let key = pending.popLast() {
                sequence += 1
                running.append(try launch(key, number: sequence, in: work))
            }
            var stillRunning: [Worker] = []
            for worker in running {
                let elapsed = worker.elapsed
                if worker.process.isRunning && elapsed > killAfter {
                    kill(worker.process.processIdentifier, SIGKILL)
                    worker.process.waitUntilExit()
                    worker.removeFiles()
                    let row = failureRow(worker.key, status: .timeout, wall: elapsed,
                                         reason: "killed after \(String(format: "%.0f", elapsed)) s (the batch kills workers after \(String(format: "%g", killAfter)) s; the solver's time limit is \(String(format: "%g", matrix.method.timeLimit)) s)")
                    try record(row, journal: journal, into: &finished, state: &state)
                    durations.append(elapsed)
                } else if worker.process.isRunning {
                    stillRunning.append(worker)
                } else {
                    try record(collect(worker), journal: journal, into: &finished, state: &state)
                    durations.append(elapsed)
                }
            }
            running = stillRunning
            state.running = running.map { ($0.key, $0.elapsed) }
            state.estimatedSecondsLeft = durations.isEmpty ? nil : Self.estimate(
                meanSeconds: durations.reduce(0, +) / Double(durations.count), queued: pending.count,
                runningElapsed: running.map(\.elapsed), jobs: jobs)
            progress(state)
            state.justFinished = []
            if !running.isEmpty { usleep(50_000) }
        }
        try? FileManager.default.removeItem(at: work)
        return instances.compactMap { finished[$0] }
    }

    /// Time left if every instance takes the mean so far: the queue shared by `jobs` workers,
    /// plus what the running instances still need.
    static func estimate(meanSeconds: Double, queued: Int, runningElapsed: [Double], jobs: Int) -> Double {
        let runningLeft = runningElapsed.reduce(0) { $0 + max(0, meanSeconds - $1) }
        return (Double(queued) * meanSeconds + runningLeft) / Double(max(1, jobs))
    }

    /// Creates the folder and its `batch.json`, or checks that an existing one describes this batch.
    package func prepareFolder() throws(InputError) {
        let spec = folder.appendingPathComponent("batch.json")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw InputError(source: folder.path, message: "cannot create the output folder (\(error.localizedDescription)); check the path")
        }
        let text = matrix.jsonValue.formatted(expandDepth: 1)
        if let existing = try? Data(contentsOf: spec) {
            // Compared as matrices, not as text, so that a folder written before `batch.json` named
            // its format resumes; a file of an unknown format is refused by the reader.
            guard try InstanceMatrix(json: existing, source: spec.path).jsonValue.formatted(expandDepth: 1) == text else {
                throw InputError(source: spec.path, message: "this folder holds a different batch (other graphs, budgets, settings, methods, solver or time limit); give another --out, or delete the folder to start again")
            }
            return
        }
        try writeAtomically(text, to: spec)
    }

    private func record(_ row: ResultRow, journal: Journal, into finished: inout [InstanceKey: ResultRow],
                        state: inout BatchProgress) throws(InputError)
    {
        try journal.append(row)
        finished[row.key] = row
        state.done += 1
        if !row.status.hasPlan { state.withoutPlan += 1 }
        state.justFinished.append(row)
    }

    private final class Worker {
        let key: InstanceKey
        let process: Process
        let stdout: URL
        let stderr: URL
        let started = ContinuousClock.now

        init(key: InstanceKey, process: Process, stdout: URL, stderr: URL) {
            self.key = key
            self.process = process
            self.stdout = stdout
            self.stderr = stderr
        }

        var elapsed: Double { (ContinuousClock.now - started).inSeconds }

        func removeFiles() {
            try? FileManager.default.removeItem(at: stdout)
            try? FileManager.default.removeItem(at: stderr)
        }
    }

    private func launch(_ key: InstanceKey, number: Int, in work: URL) throws(InputError) -> Worker {
        let request = WorkerRequest(instance: key, settings: matrix.method, planPath: planURL(for: key)?.path)
        let out = work.appendingPathComponent("\(number).out")
        let err = work.appendingPathComponent("\(number).err")
        let process = Process()
        process.executableURL = workerCommand.executable
        process.arguments = workerCommand.arguments + [request.argument]
        do {
            guard FileManager.default.createFile(atPath: out.path, contents: nil),
                  FileManager.default.createFile(atPath: err.path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown)
            }
            let outHandle = try FileHandle(forWritingTo: out)
            let errHandle = try FileHandle(forWritingTo: err)
            process.standardOutput = outHandle
            process.standardError = errHandle
            process.standardInput = FileHandle.nullDevice
            try process.run()
            // The worker has its own copies; without closing ours a long batch runs out of descriptors.
            try outHandle.close()
            try errHandle.close()
        } catch {
            throw InputError(source: workerCommand.executable.path, message: "cannot start a worker (\(error.localizedDescription)); check that the cosma executable is still there")
        }
        return Worker(key: key, process: process, stdout: out, stderr: err)
    }

    /// The row a finished worker printed, or a crash row saying why there is none.
    private func collect(_ worker: Worker) -> ResultRow {
        defer { worker.removeFiles() }
        let output = (try? String(contentsOf: worker.stdout, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOf: worker.stderr, encoding: .utf8)) ?? ""
        let tail = errors.split(separator: "\n").suffix(3).joined(separator: " / ")
        let process = worker.process
        if process.terminationReason == .exit, process.terminationStatus == 0,
           let line = output.split(separator: "\n").last, let row = try? ResultRow(json: String(line), source: "worker"),
           row.key == worker.key
        {
            return row
        }
        let how = process.terminationReason == .uncaughtSignal
            ? "was killed by signal \(process.terminationStatus)" : "exited with status \(process.terminationStatus) without a result"
        return failureRow(worker.key, status: .crashed, wall: worker.elapsed, reason: "the worker \(how)" + (tail.isEmpty ? "" : ": \(tail)"))
    }

    private func failureRow(_ key: InstanceKey, status: RowStatus, wall: Double, reason: String) -> ResultRow {
        ResultRow(graph: graphNames[key.file] ?? key.file, file: key.file, setting: key.setting, budget: key.budget, capacity: nil,
                  method: key.method, status: status, wallSeconds: roundedSeconds(wall), reason: reason)
    }
}

/// Where a batch stands, for its progress display.
package struct BatchProgress: Sendable {
    /// Instances in the batch.
    package var total: Int
    /// Rows found in the journal when the batch started.
    package var resumed: Int
    /// Rows finished by this run.
    package var done = 0
    /// Rows of this run without a plan (failed, unavailable, timeout, crashed).
    package var withoutPlan = 0
    /// Running instances and their seconds so far.
    package var running: [(key: InstanceKey, seconds: Double)] = []
    /// Seconds left if the remaining instances take as long as the finished ones did on average.
    package var estimatedSecondsLeft: Double?
    /// Rows finished since the previous call of the progress handler.
    package var justFinished: [ResultRow] = []

    package init(total: Int, resumed: Int) {
        self.total = total
        self.resumed = resumed
    }

    /// One line: a bar, counts, the running instances and the time left, cut to `width` columns.
    package func line(width: Int) -> String {
        let complete = resumed + done
        let barWidth = 20
        let filled = total == 0 ? barWidth : complete * barWidth / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled)
        var text = "[\(bar)] \(complete)/\(total)"
        if resumed > 0 { text += " (\(resumed) resumed)" }
        if withoutPlan > 0 { text += ", \(withoutPlan) without plan" }
        if let left = estimatedSecondsLeft { text += ", ~\(Self.duration(left)) left" }
        if !running.isEmpty {
            text += " | " + running.map { "\(URL(fileURLWithPath: $0.key.file).deletingPathExtension().lastPathComponent) \($0.key.setting.rawValue) \($0.key.budget) \($0.key.method) \(Self.duration($0.seconds))" }
                .joined(separator: "; ")
        }
        return text.count > width ? String(text.prefix(max(0, width - 1))) + "…" : text
    }

    /// `42s`, `3m05s`, `2h10m`.
    package static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }
}
