import ArgumentParser
import Cosma
import DNNGraph
import Scratchpad
import Heuristics
import MILP
import CosmaILP
import Foundation
import Reports

struct BenchAllocation: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allocation",
        abstract: "The exact allocator on MiniMalloc's benchmark (beside MiniMalloc's measured results) and on every graph's lifetimes.",
        discussion: """
            MiniMalloc's instances are packed at the capacity in their file names with --time-limit each, then \
            minimised with --minimize-time-limit. MiniMalloc's own results come from DIR/measured.csv \
            (tools/measure_minimalloc.sh). Each graph's tensor lifetimes, in the default and the minimum-peak \
            orders and both tensor settings, are minimised with --minimize-time-limit.
            """)

    @Option(name: .long, help: "MiniMalloc's benchmark folder (tools/fetch_minimalloc_benchmarks.sh).")
    var minimalloc = "benchmarks/minimalloc"

    @Option(name: .long, parsing: .upToNextOption, help: "Graph files or glob patterns (quote them).")
    var graphs: [String] = []

    @Option(name: .long, help: "Seconds per attempt at MiniMalloc's capacity.")
    var timeLimit: Double = 60

    @Option(name: .long, help: "Seconds per minimisation.")
    var minimizeTimeLimit: Double = 10

    @Option(name: .long, help: "Where to write the Markdown report.")
    var out = "results/allocation.md"

    func validate() throws {
        try validateTimeLimit(timeLimit)
        try validateTimeLimit(minimizeTimeLimit, option: "--minimize-time-limit")
    }

    func run() throws {
        try reportingErrors { () throws in
            let instances = try Self.instances(in: minimalloc)
            let measured = try Self.measured(in: minimalloc)
            let text = BenchTables.allocation(instances, measured: measured, graphs: try loadGraphs(graphs), timeLimit: timeLimit,
                                              minimizeTimeLimit: minimizeTimeLimit, command: commandLine())
            try writeReport(text, to: out)
        }
    }
}


extension BenchAllocation {
    /// Every CSV under `dir`/challenging and `dir`/examples; the capacity is the number that
    /// ends its name (`A.1048576.csv`).
    static func instances(in dir: String) throws(InputError) -> [AllocationInstance] {
        var result: [AllocationInstance] = []
        for sub in ["challenging", "examples"] {
            for path in expandGlob("\(dir)/\(sub)/*.csv") {
                let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
                guard let dot = stem.lastIndex(of: "."), let capacity = Int(stem[stem.index(after: dot)...]) else {
                    throw InputError(source: path, message: "the file name must end in .CAPACITY.csv, as MiniMalloc's do")
                }
                result.append(AllocationInstance(name: String(stem[..<dot]), capacity: capacity, table: try Pack.load(path)))
            }
        }
        guard !result.isEmpty else {
            throw InputError(source: dir, message: "no instances here; run tools/fetch_minimalloc_benchmarks.sh")
        }
        return result
    }

    /// `dir`/measured.csv: its comment lines (what was measured, when, where) and one result
    /// per instance.
    static func measured(in dir: String) throws(InputError) -> (notes: [String], results: [String: MeasuredAllocation]) {
        let path = "\(dir)/measured.csv"
        guard let data = FileManager.default.contents(atPath: path) else { return ([], [:]) }
        var notes: [String] = []
        var results: [String: MeasuredAllocation] = [:]
        for (n, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            if line.hasPrefix("#") {
                notes.append(String(line.dropFirst()).trimmingCharacters(in: .whitespaces))
                continue
            }
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if f.first == "instance" { continue }
            guard f.count == 6 else {
                throw InputError(source: "\(path):\(n + 1)", message: "expected instance,capacity,time_limit_s,status,height,seconds")
            }
            results[f[0]] = MeasuredAllocation(status: f[3], height: Int(f[4]), seconds: Double(f[5]))
        }
        return (notes, results)
    }
}
