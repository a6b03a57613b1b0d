import Cosma
import DNNGraph
import Scratchpad
import Foundation
import Reports
import Testing

@Suite struct SweepBudgetTests {
    @Test func labelsRoundTripAndSortInSweepOrder() throws {
        let points = try SweepBudget.points(from: .budget(.mR), to: .budget(.mP), count: 12)
        #expect(points.first?.description == "M_R..M_P@01of12")
        #expect(points.last?.description == "M_R..M_P@12of12")
        #expect(points.map(\.description) == points.map(\.description).sorted())
        for p in points { #expect(SweepBudget(label: p.description) == p) }
        let sized = SweepBudget(from: .bytes(2_097_152), to: .budget(.mP), index: 2, count: 3)
        #expect(SweepBudget(label: sized.description) == sized)
        #expect(!sized.description.contains("/") && !sized.description.contains(" "))
        for word in ["M_R", "2MiB", "M_R..M_P", "M_R..M_P@0of4", "M_R..M_P@5of4", "M_R..lots@1of4"] {
            #expect(SweepBudget(label: word) == nil, "\(word)")
        }
    }

    @Test func sweepNInABudgetListExpandsToItsPoints() throws {
        let matrix = try InstanceMatrix(files: ["g.json"], settings: [.activations], budgets: ["M_R,sweep:3"], methods: [.exact],
                                        method: MethodSettings())
        #expect(matrix.budgets == ["M_R", "M_R..M_P@1of3", "M_R..M_P@2of3", "M_R..M_P@3of3"])
        #expect(throws: InputError.self) { try InstanceMatrix(files: ["g.json"], settings: [.activations], budgets: ["sweep:1"],
                                                              methods: [.exact], method: MethodSettings()) }
        #expect(throws: InputError.self) { try InstanceMatrix(files: ["g.json"], settings: [.activations], budgets: ["sweep:many"],
                                                              methods: [.exact], method: MethodSettings()) }
        #expect(throws: InputError.self) { try SweepBudget.points(from: .bytes(4096), to: .bytes(4000), count: 4) }
    }

    @Test func pointsSpanTheGraphsOwnBudgetsEndsIncluded() throws {
        let graph = try Graph(document: SyntheticGraphs.residualNetwork(operators: 10, seed: 3))
        var budgets = Budgets(graph: graph, setting: .activations, alignment: 1)
        budgets.mP = budgets.mR + 1000
        let capacities = try SweepBudget.points(from: .budget(.mR), to: .budget(.mP), count: 4).map { try $0.capacity(in: budgets) }
        #expect(capacities == [budgets.mR, budgets.mR + 333, budgets.mR + 666, budgets.mR + 1000])
        // Below M_R a point resolves like any other: the worker tiles the graph for it.
        let below = SweepBudget(from: .bytes(budgets.mR - 1), to: .budget(.mP), index: 1, count: 2)
        #expect(try below.capacity(in: budgets) == budgets.mR - 1)
        budgets.mP = nil
        #expect(throws: InputError.self) { try SweepBudget(from: .budget(.mR), to: .budget(.mP), index: 1, count: 2).capacity(in: budgets) }
    }
}

@Suite struct SweepCurveTests {
    static func row(_ label: String, capacity: Int, method: String, status: RowStatus, traffic: Int?, bound: Int?) -> ResultRow {
        ResultRow(graph: "g", file: "g.json", setting: .activations, budget: label, capacity: capacity, method: method, status: status,
                  nonCompulsory: traffic, bound: bound, wallSeconds: 0)
    }

    /// Six points; traffic falls from 900 to 0; points 2 and 4 are unproven.
    static let curve: SweepCurve = {
        let labels = (1...6).map { SweepBudget(from: .budget(.mR), to: .budget(.mP), index: $0, count: 6).description }
        let data: [(Int, RowStatus, Int?, Int?)] = [
            (900, .optimal, 900, 900), (700, .timeLimit, 700, 500), (500, .optimal, 500, 500),
            (300, .feasible, 300, 250), (100, .optimal, 100, 100), (0, .optimal, 0, 0),
        ]
        var rows: [ResultRow] = []
        for (i, (traffic, status, plan, bound)) in data.enumerated() {
            rows.append(row(labels[i], capacity: 1000 + 100 * i, method: "exact", status: status, traffic: plan, bound: bound))
            // A heuristic that does worse everywhere but at point 2, where it is cheapest but proves nothing.
            let heuristic = i == 1 ? 600 : traffic + 50
            rows.append(row(labels[i], capacity: 1000 + 100 * i, method: "h", status: .heuristic, traffic: heuristic, bound: nil))
        }
        let matrix = try! InstanceMatrix(files: ["g.json"], settings: [.activations], budgets: labels,
                                         methods: BatchMethod.parseList(["exact"]), method: MethodSettings())
        return SweepCurve.curves(rows: rows, matrix: matrix)[0]
    }()

    @Test func eachPointTakesTheCheapestPlanAndTheBestBound() {
        let c = Self.curve
        #expect(c.points.map(\.capacity) == [1000, 1100, 1200, 1300, 1400, 1500])
        #expect(c.points.map(\.traffic) == [900, 600, 500, 300, 100, 0])
        #expect(c.points[1].method == "h" && c.points[1].bound == 500 && !c.points[1].proven)
        #expect(c.points.map(\.proven) == [true, false, true, false, true, true])
        #expect(SweepCurve.csv([c]).contains("g,g.json,activations,M_R..M_P@2of6,1100,600,500,no,h"))
    }

    @Test func aFixedScheduleBoundProvesNothingAboutTheCapacity() throws {
        // The fixed-schedule program meets its own bound (optimal for the MPMF order), yet a plan in
        // another order may be cheaper: the point is not proven, and the exact method's bound stands.
        let label = SweepBudget(from: .budget(.mR), to: .budget(.mP), index: 1, count: 2).description
        let rows = [Self.row(label, capacity: 1000, method: "fixed-schedule", status: .optimal, traffic: 400, bound: 400),
                    Self.row(label, capacity: 1000, method: "exact", status: .timeLimit, traffic: 450, bound: 300)]
        let matrix = try InstanceMatrix(files: ["g.json"], settings: [.activations], budgets: [label],
                                        methods: BatchMethod.parseList(["exact,fixed-schedule"]), method: MethodSettings())
        let point = try #require(SweepCurve.curves(rows: rows, matrix: matrix).first?.points.first)
        #expect(point.traffic == 400 && point.method == "fixed-schedule")
        #expect(point.bound == 300 && !point.proven)
        let alone = try #require(SweepCurve.curves(rows: [rows[0]], matrix: matrix).first?.points.first)
        #expect(alone.bound == nil && !alone.proven)
    }

    @Test func aTiledPointIsNeverProvenAndCarriesNoBound() throws {
        // Below M_R the exact method's bound holds for the one tiling planned; another tiling of the
        // model may spill less, so the point proves nothing about the capacity.
        let labels = (1...2).map { SweepBudget(from: .bytes(500), to: .budget(.mP), index: $0, count: 2).description }
        var tiled = Self.row(labels[0], capacity: 500, method: "exact", status: .optimal, traffic: 700, bound: 700)
        tiled.tiles = 12
        let rows = [tiled, Self.row(labels[1], capacity: 1500, method: "exact", status: .optimal, traffic: 0, bound: 0)]
        let matrix = try InstanceMatrix(files: ["g.json"], settings: [.activations], budgets: labels,
                                        methods: BatchMethod.parseList(["exact"]), method: MethodSettings())
        let curve = try #require(SweepCurve.curves(rows: rows, matrix: matrix).first)
        #expect(curve.points[0].tiles == 12 && curve.points[0].bound == nil && !curve.points[0].proven)
        #expect(curve.points[1].tiles == nil && curve.points[1].proven)
        #expect(SweepCurve.csv([curve]).contains(",500,700,,no,exact,12\n"), "\(SweepCurve.csv([curve]))")
        #expect(curve.smallestCapacity(trafficAtMost: 800).provenCapacity == 1500)
        let svg = SweepReport(curves: [curve]).chart(file: "g.json").svg()
        #expect(svg.contains("tiled into 12 tiles (below M_R)") && svg.contains("◇ below M_R"))
        #expect(svg.components(separatedBy: "<circle").count - 1 == 1, "the tiled point is a diamond, not a dot")
    }

    @Test func theThresholdQueryBisectsProvenPointsAndBracketsTheAnswer() {
        let c = Self.curve
        // 400: proven at 1400 (100), a plan at 1300 (300), and 1200 is proven at 500 > 400.
        let a = c.smallestCapacity(trafficAtMost: 400)
        #expect(a.provenCapacity == 1400 && a.plannedCapacity == 1300 && a.above == 1200)
        // 550: 1200 proven at 500; the heuristic's 600 at 1100 does not reach it, and 1100's bound 500 does not exclude it.
        let b = c.smallestCapacity(trafficAtMost: 550)
        #expect(b.provenCapacity == 1200 && b.plannedCapacity == 1200 && b.above == 1000)
        #expect(c.smallestCapacity(trafficAtMost: 0).provenCapacity == 1500)
        #expect(c.smallestCapacity(trafficAtMost: 5000).provenCapacity == 1000)
        #expect(c.smallestCapacity(trafficAtMost: 5000).above == nil)
    }

    @Test func chartsDrawEveryPointWithItsProof() {
        let svg = SweepReport(curves: [Self.curve]).chart(file: "g.json").svg()
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<circle").count - 1 == 6)
        #expect(svg.components(separatedBy: "(proven)").count - 1 == 4)
        #expect(svg.contains("bound 500 B"))
        let zoo = SweepReport(curves: [Self.curve]).zoo(setting: .activations).svg()
        #expect(zoo.contains("100%") && zoo.contains("log scale"))
    }
}

@Suite struct ShardTests {
    @Test func shardsAreDisjointCoverTheMatrixAndMixMethods() throws {
        let matrix = try InstanceMatrix(files: ["a.json", "b.json", "c.json", "d.json"], settings: [.activations],
                                        budgets: ["M_R,M_H,M_P"], methods: BatchMethod.parseList(["exact,mpmf+belady+best-fit"]),
                                        method: MethodSettings())
        for n in 1...7 {
            let parts = (1...n).map { Shard(index: $0, count: n).instances(of: matrix) }
            #expect(parts.flatMap { $0 }.sorted() == matrix.instances.sorted())
            #expect(Set(parts.flatMap { $0 }).count == matrix.instances.count)
            #expect(parts.allSatisfy { abs($0.count - matrix.instances.count / n) <= 1 })
        }
        for shard in (1...4).map({ Shard(index: $0, count: 4) }) {
            #expect(Set(shard.instances(of: matrix).map(\.method)).count == 2, "shard \(shard) runs one method only")
        }
    }

    @Test func namesAndParsing() throws {
        let s = try Shard(parsing: "2/5")
        #expect(s.journalName == "journal-2-of-5.jsonl" && s.workName == ".work-2-of-5")
        #expect(Shard(journalName: s.journalName) == s)
        #expect(Shard(journalName: "journal.jsonl") == nil && Shard(journalName: "journal-6-of-5.jsonl") == nil)
        for bad in ["0/3", "4/3", "3", "a/b", "1/0"] { #expect(throws: InputError.self) { try Shard(parsing: bad) } }
    }

    @Test func slurmScriptsRunOneShardPerTaskAndMergeAfter() {
        let scripts = SlurmScripts(executable: "/opt/cosma/bin/cosma", batchArguments: ["--graphs", "my graphs/a.json", "--out", "/data/run"],
                                   folder: "/data/run", workingDirectory: "/home/me", tasks: 4, cpusPerTask: 2, partition: "short",
                                   timePerTask: "30", name: "cosma-run")
        let array = scripts.arrayScript
        #expect(array.hasPrefix("#!/bin/sh\n"))
        for line in ["#SBATCH --array=1-4", "#SBATCH --cpus-per-task=2", "#SBATCH --time=30", "#SBATCH --partition=short",
                     "#SBATCH --chdir=/home/me", "#SBATCH --output=/data/run/slurm/shard-%a-of-4-%A.out",
                     "exec /opt/cosma/bin/cosma batch --graphs 'my graphs/a.json' --out /data/run --shard \"${SLURM_ARRAY_TASK_ID}/4\" --jobs 2"]
        {
            #expect(array.contains(line + "\n"), "\(line)")
        }
        #expect(scripts.mergeScript.contains("exec /opt/cosma/bin/cosma batch --merge /data/run\n"))
        #expect(scripts.arraySubmission() == ["--parsable", "/data/run/slurm/shards.sbatch"])
        #expect(scripts.arraySubmission(shards: [2, 4]) == ["--parsable", "--array=2,4", "/data/run/slurm/shards.sbatch"])
        #expect(scripts.mergeSubmission(after: "17") == ["--parsable", "--dependency=afterany:17", "/data/run/slurm/merge.sbatch"])
    }
}
