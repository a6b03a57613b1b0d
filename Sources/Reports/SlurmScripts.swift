internal import Foundation

/// The two `sbatch` scripts that run a batch on a Slurm cluster: a job array with one task per
/// ``Shard`` (task `I` runs `cosma batch ... --shard I/N`), and a merge job that runs after the
/// array (`--dependency=afterany`) and writes the report with `cosma batch --merge`.
///
/// Slurm only schedules; the batch's own files carry the state. Each task appends to its shard's
/// journal, so a task that fails or is cancelled (`scancel JOB_I`) is simply submitted again
/// (`sbatch --array=I`), continues where its journal stopped, and the merge names the shards
/// still incomplete. The array is numbered from 1 so that a task's id is its shard's index.
package struct SlurmScripts: Sendable {
    /// The `cosma` executable, by absolute path (the nodes must see the same file system).
    package var executable: String
    /// The `batch` arguments of every task, without `--shard` and `--jobs`.
    package var batchArguments: [String]
    /// The batch's folder, absolute.
    package var folder: String
    /// The folder the tasks start in (graph paths are relative to it).
    package var workingDirectory: String
    package var tasks: Int
    /// Worker processes per task (also the task's CPUs).
    package var cpusPerTask: Int
    package var partition: String?
    /// Wall-time limit of each task, as Slurm writes it (minutes, `HH:MM:SS`, `D-HH`).
    package var timePerTask: String
    package var name: String

    package init(executable: String, batchArguments: [String], folder: String, workingDirectory: String, tasks: Int,
                cpusPerTask: Int, partition: String?, timePerTask: String, name: String)
    {
        self.executable = executable
        self.batchArguments = batchArguments
        self.folder = folder
        self.workingDirectory = workingDirectory
        self.tasks = tasks
        self.cpusPerTask = cpusPerTask
        self.partition = partition
        self.timePerTask = timePerTask
        self.name = name
    }

    /// Where the scripts and the tasks' output go: `FOLDER/slurm/`.
    package var scriptFolder: String { folder + "/slurm" }
    package var arrayScriptPath: String { scriptFolder + "/shards.sbatch" }
    package var mergeScriptPath: String { scriptFolder + "/merge.sbatch" }

    /// The job array: one task per shard.
    package var arrayScript: String {
        let command = ([executable, "batch"] + batchArguments).map(Self.quoted).joined(separator: " ")
        return (header(job: name, output: "\(scriptFolder)/shard-%a-of-\(tasks)-%A.out") + [
            "#SBATCH --array=1-\(tasks)",
            "#SBATCH --cpus-per-task=\(cpusPerTask)",
            "#SBATCH --time=\(Self.quoted(timePerTask))",
            "",
            "# Task I runs shard I of \(tasks) into its own journal; rerun a task alone with",
            "#   sbatch --array=I \(Self.quoted(arrayScriptPath))",
            "exec \(command) --shard \"${SLURM_ARRAY_TASK_ID}/\(tasks)\" --jobs \(cpusPerTask)",
        ]).joined(separator: "\n") + "\n"
    }

    /// The merge job: writes the report, or names the incomplete shards and fails.
    package var mergeScript: String {
        (header(job: name + "-merge", output: "\(scriptFolder)/merge-%j.out") + [
            "#SBATCH --cpus-per-task=1",
            "",
            "exec \(Self.quoted(executable)) batch --merge \(Self.quoted(folder))",
        ]).joined(separator: "\n") + "\n"
    }

    func header(job: String, output: String) -> [String] {
        ["#!/bin/sh", "#SBATCH --job-name=\(Self.quoted(job))", "#SBATCH --chdir=\(Self.quoted(workingDirectory))",
         "#SBATCH --output=\(Self.quoted(output))"] + (partition.map { ["#SBATCH --partition=\(Self.quoted($0))"] } ?? [])
    }

    /// The `sbatch` arguments that submit the array (all tasks, or only `shards`).
    package func arraySubmission(shards: [Int]? = nil) -> [String] {
        ["--parsable"] + (shards.map { ["--array=" + $0.map(String.init).joined(separator: ",")] } ?? []) + [arrayScriptPath]
    }

    /// The `sbatch` arguments that submit the merge after job `arrayJob` ends, however it ends.
    package func mergeSubmission(after arrayJob: String) -> [String] {
        ["--parsable", "--dependency=afterany:\(arrayJob)", mergeScriptPath]
    }

    /// A word quoted for `sh` when it needs it.
    package static func quoted(_ word: String) -> String {
        let safe = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=,+:@%".contains($0) }
        return safe && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
