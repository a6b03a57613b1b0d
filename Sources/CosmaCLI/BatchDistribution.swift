import ArgumentParser
import Cosma
import DNNGraph
import Scratchpad
import Heuristics
import MILP
import CosmaILP
import Foundation
import Reports

/// Where a batch runs: whole here, one shard here (`--shard`), or as a Slurm job array
/// (`--slurm`); and the two steps that follow shards: `--merge` and `--resubmit`.
struct BatchDistribution: ParsableArguments {
    @Option(name: .long, help: "Run only shard I of N (written I/N) into its own journal in --out; merge the shards with --merge.")
    var shard: String?

    @Option(name: .long, help: "Merge the shard journals of this batch folder and write its report; names the shards still incomplete.")
    var merge: String?

    @Flag(name: .long, help: "Submit the batch to Slurm as a job array, one task per shard, and a merge job after it.")
    var slurm = false

    @Option(name: .long, help: "Slurm: array tasks (shards).")
    var tasks: Int = 4

    @Option(name: .long, help: "Slurm: the partition to submit to (default: the cluster's default).")
    var partition: String?

    @Option(name: .long, help: "Slurm: wall time of each task (minutes, HH:MM:SS or D-HH; default: a shard's instances times the kill time, over --jobs, plus 5 minutes).")
    var timePerTask: String?

    @Flag(name: .long, help: "Slurm: print the scripts and the sbatch commands instead of submitting.")
    var dryRun = false

    @Option(name: .long, help: "Slurm: submit again only the shards of this batch folder that are incomplete, and a merge after them.")
    var resubmit: String?

    func validate(graphs: [String], out: String?) throws {
        let modes = [merge != nil, resubmit != nil, slurm, shard != nil].filter { $0 }.count
        guard modes <= 1 else { throw ValidationError("--merge, --resubmit, --slurm and --shard exclude each other; give one") }
        if merge != nil || resubmit != nil {
            guard graphs.isEmpty, out == nil else { throw ValidationError("--merge and --resubmit take the batch folder alone; leave out --graphs and --out") }
            return
        }
        guard !graphs.isEmpty else { throw ValidationError("missing --graphs: give graph files or glob patterns") }
        guard out != nil else { throw ValidationError("missing --out: give the batch's folder, for example results/mine") }
        guard tasks >= 1 else { throw ValidationError("--tasks must be at least 1, got \(tasks)") }
        if !slurm, partition != nil || timePerTask != nil || dryRun {
            throw ValidationError("--partition, --time-per-task and --dry-run go with --slurm")
        }
    }
}

extension Batch {
    func reportHeader(folder: URL, command: String, solver: SolverBackend, jobs: Int, killAfter: Double) -> ReportHeader {
        ReportHeader(name: folder.lastPathComponent, command: command, date: MachineInfo.timestamp(), machine: MachineInfo.description(),
                     toolchain: MachineInfo.toolchainVersion(), build: MachineInfo.buildConfiguration,
                     solver: "\(solver.rawValue) \(solver.version)", jobs: jobs, killAfter: killAfter)
    }

    /// Records how the shard ran and says what comes next; a shard writes no report.
    func finishShard(_ shard: Shard, rows: [ResultRow], folder: URL, killAfter: Double) throws(InputError) {
        let info = ShardInfo(machine: MachineInfo.description(), jobs: jobs, killAfter: killAfter, build: MachineInfo.buildConfiguration)
        try writeAtomically(info.json, to: folder.appendingPathComponent(shard.infoName))
        let withoutPlan = rows.filter { !$0.status.hasPlan }.count
        print("shard \(shard): \(rows.count) rows (\(withoutPlan) without a plan) in \(shard.journalName); when every shard is done, `cosma batch --merge \(shellQuoted(out ?? ""))` writes the report")
    }

    /// `--merge`: the report of a sharded batch, or the list of shards that still owe rows.
    func mergeShards(_ folder: URL) throws {
        let merged = try BatchMerge(folder: folder)
        guard !merged.shards.isEmpty, let (shardJobs, killAfter) = merged.jobsAndKillAfter else {
            throw InputError(source: folder.path, message: "this folder holds no shard journals (journal-I-of-N.jsonl with shard-I-of-N.json); run its shards with --shard I/N first, or rerun a whole batch's command to write its report")
        }
        guard merged.missing.isEmpty else {
            let shards = merged.incompleteShards
            printError("\(merged.missing.count) of \(merged.matrix.instances.count) instances have no row yet; incomplete shards: \(shards.map(\.description).joined(separator: ", ")). Run them again (the batch command with --shard I/N, or `cosma batch --resubmit \(shellQuoted(folder.path))` on Slurm), then merge again; nothing was written")
            throw ExitCode(1)
        }
        let command = "batch --merge \(shellQuoted(folder.lastPathComponent)) (\(merged.shards.count) shard journals)"
        let header = reportHeader(folder: folder, command: command, solver: merged.matrix.method.solver, jobs: shardJobs, killAfter: killAfter)
        let written = try BatchOutputs.write(rows: merged.rows, matrix: merged.matrix, header: header, folder: folder,
                                             plans: folder.appendingPathComponent("plans"))
        let withoutPlan = merged.rows.filter { !$0.status.hasPlan }.count
        print("merged \(merged.shards.count) shard journals: \(merged.rows.count) rows (\(withoutPlan) without a plan); wrote \(written.count) files to \(folder.path)")
    }

    /// `--slurm`: writes the job array and merge scripts into OUT/slurm and submits them.
    func submit(_ matrix: InstanceMatrix) throws {
        let folder = URL(fileURLWithPath: out ?? "").standardizedFileURL
        let limit = workerKillAfter
        let tasks = distribution.tasks
        let perShard = (matrix.instances.count + tasks - 1) / tasks
        let minutes = Int((Double(perShard) * limit / Double(jobs) / 60).rounded(.up)) + 5
        let arguments = ["--graphs"] + matrix.files + [
            "--budgets", matrix.budgets.joined(separator: ","), "--tensors", matrix.settings.map(\.rawValue).joined(separator: ","),
            "--methods", matrix.methods.map(\.description).joined(separator: ","),
        ] + exact.arguments + ["--kill-after", "\(limit)", "--out", folder.path]
        let scripts = SlurmScripts(executable: try executableURL().path, batchArguments: arguments, folder: folder.path,
                                   workingDirectory: FileManager.default.currentDirectoryPath, tasks: tasks, cpusPerTask: jobs,
                                   partition: distribution.partition, timePerTask: distribution.timePerTask ?? "\(minutes)",
                                   name: "cosma-" + folder.lastPathComponent)
        if distribution.dryRun {
            print("# \(scripts.arrayScriptPath)\n\(scripts.arrayScript)\n# \(scripts.mergeScriptPath)\n\(scripts.mergeScript)")
            print("# submitted with:\nsbatch \(scripts.arraySubmission().joined(separator: " "))\nsbatch \(scripts.mergeSubmission(after: "ARRAY_JOB").joined(separator: " "))")
            return
        }
        try BatchRun(matrix: matrix, folder: folder, workerCommand: (try executableURL(), []), jobs: jobs, killAfter: limit, graphNames: [:])
            .prepareFolder()
        do {
            try FileManager.default.createDirectory(atPath: scripts.scriptFolder, withIntermediateDirectories: true)
        } catch {
            throw InputError(source: scripts.scriptFolder, message: "cannot create the folder (\(error.localizedDescription))")
        }
        try writeAtomically(scripts.arrayScript, to: URL(fileURLWithPath: scripts.arrayScriptPath))
        try writeAtomically(scripts.mergeScript, to: URL(fileURLWithPath: scripts.mergeScriptPath))
        try submitJobs(scripts, shards: nil)
    }

    /// `--resubmit`: the incomplete shards of a Slurm batch, as a smaller array, and a merge after them.
    func resubmit(_ folder: URL) throws {
        let folder = folder.standardizedFileURL
        let script = folder.appendingPathComponent("slurm/shards.sbatch")
        let text = try String(decoding: readInput(script), as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("#SBATCH --array=1-") }),
              let tasks = Int(line.dropFirst("#SBATCH --array=1-".count)), tasks >= 1 else {
            throw InputError(source: script.path, message: "no '#SBATCH --array=1-N' line; the script was edited: submit the batch again with --slurm")
        }
        let shards = try BatchMerge(folder: folder).incompleteShards(of: tasks).map(\.index)
        guard !shards.isEmpty else {
            print("every shard of \(folder.path) is complete; `cosma batch --merge \(shellQuoted(folder.path))` writes the report")
            return
        }
        let scripts = SlurmScripts(executable: "", batchArguments: [], folder: folder.path, workingDirectory: "", tasks: tasks,
                                   cpusPerTask: 1, partition: nil, timePerTask: "", name: "")
        try submitJobs(scripts, shards: shards)
    }

    func submitJobs(_ scripts: SlurmScripts, shards: [Int]?) throws(InputError) {
        let array = try sbatch(scripts.arraySubmission(shards: shards))
        let merge = try sbatch(scripts.mergeSubmission(after: array))
        let which = shards.map { "shards \($0.map { "\($0)/\(scripts.tasks)" }.joined(separator: ", "))" } ?? "\(scripts.tasks) shards"
        print("submitted job array \(array) (\(which)) and merge job \(merge) after it; task output and the merge's report in \(scripts.scriptFolder)")
    }

    /// Runs `sbatch --parsable ...` and returns the job id it prints.
    func sbatch(_ arguments: [String]) throws(InputError) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sbatch"] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw InputError(source: "sbatch", message: "cannot run sbatch (\(error.localizedDescription)); run on a machine with Slurm's client (Debian: slurm-client)")
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let id = text.split(separator: "\n").last.map { String($0.split(separator: ";")[0]) } ?? ""
        guard process.terminationStatus == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw InputError(source: "sbatch", message: "sbatch \(arguments.joined(separator: " ")) failed (status \(process.terminationStatus)): \(problem.trimmingCharacters(in: .whitespacesAndNewlines)); check that Slurm runs (sinfo) and SLURM_CONF names its configuration")
        }
        return id
    }
}
