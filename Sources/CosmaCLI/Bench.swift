import ArgumentParser
import Cosma
import DNNGraph
import Scratchpad
import Heuristics
import MILP
import CosmaILP
import DivideAndConquer
import ONNXImport
import Foundation
import Reports

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure run times and write a report to results/.", subcommands: [BenchHeuristics.self, BenchExact.self, BenchExactIdeas.self, BenchDivideAndConquer.self,
                     // Address allocation (issue 23).
                     BenchAllocation.self,
                     // In-place operators and views (issue 22).
                     BenchInPlace.self,
                     // Operator tiling below M_R (issue 16).
                     BenchTiling.self,
                     // Time limits as wall-clock promises (issue 21).
                     BenchLimits.self])
}

struct BenchHeuristics: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heuristics",
        abstract: "Time every schedule and every heuristic combination on a set of graphs, in both tensor settings.",
        discussion: "Plans are made at M_R, M_H, M_P and halfway from M_P to the default order's peak (when M_P is proven), and at the default order's peak. Times are medians; build with -c release for meaningful numbers.")

    @Option(name: .long, parsing: .upToNextOption, help: "Graph files or glob patterns (quote them), for example 'graphs/*.json'.")
    var graphs: [String] = []

    @Option(name: .long, parsing: .upToNextOption, help: "Also measure seeded synthetic residual networks with these operator counts.")
    var synthetic: [Int] = []

    @Option(name: .long, help: "Runs per measurement; the report gives the median.")
    var repeats = 5

    @Option(name: .long, help: "Where to write the Markdown report.")
    var out = "results/heuristics.md"

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
        guard !graphs.isEmpty || !synthetic.isEmpty else { throw ValidationError("give --graphs, --synthetic or both") }
        if let bad = synthetic.first(where: { $0 < 1 }) { throw ValidationError("--synthetic sizes must be positive, got \(bad)") }
    }

    func run() throws {
        try reportingErrors {
            var loaded = try loadGraphs(graphs)
            loaded += try synthetic.map { try Graph(document: SyntheticGraphs.residualNetwork(operators: $0, seed: 1)) }
            let table = try BenchTables.heuristics(loaded, repeats: repeats, command: commandLine(),
                                                   log: logProgress)
            try writeReport(table, to: out)
        }
    }
}

/// Writes a bench's Markdown report whole (``writeAtomically(_:to:)``) and says where.
func writeReport(_ text: String, to out: String) throws(InputError) {
    try writeAtomically(text, to: URL(fileURLWithPath: out))
    print("wrote \(out)")
}

/// One progress line of a bench, on standard error.
func logProgress(_ line: String) { FileHandle.standardError.write(Data("\(line)\n".utf8)) }

/// The command as typed, for the tables' provenance line.
func commandLine() -> String { "cosma \(CommandLine.arguments.dropFirst().joined(separator: " "))" }

/// This executable, for the benches that time whole `cosma solve` processes of it.
func cosmaExecutable() -> URL { URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath() }

/// Each file the patterns match with its graph, loaded; for the benches whose `cosma solve`
/// processes read the files again.
func loadGraphFiles(_ patterns: [String]) throws(InputError) -> [(path: String, graph: Graph)] {
    try expandGraphPatterns(patterns).map { path throws(InputError) in (path: path, graph: try loadGraph(path)) }
}

/// The files every pattern matches, in order; a pattern that matches nothing is unusable input.
func expandGraphPatterns(_ patterns: [String]) throws(InputError) -> [String] {
    var files: [String] = []
    for pattern in patterns {
        let paths = expandGlob(pattern)
        guard !paths.isEmpty else {
            throw InputError(source: pattern, message: "no file matches this pattern; check the path or quote the glob")
        }
        files += paths
    }
    return files
}

/// Paths matching a shell glob, sorted; a plain path matches itself if it exists.
func expandGlob(_ pattern: String) -> [String] {
    var matches = glob_t()
    defer { globfree(&matches) }
    guard glob(pattern, 0, nil, &matches) == 0 else { return [] }
    return (0..<Int(matches.gl_pathc)).compactMap { matches.gl_pathv[$0].map { String(cString: $0) } }.sorted()
}
