import Cosma
internal import DNNGraph
import Scratchpad
internal import Heuristics
import MILP
import CosmaILP
internal import Foundation

/// Facts about the run that the report states before any number.
package struct ReportHeader: Sendable {
    /// The batch's name (its folder's name).
    package var name: String
    /// The command as typed (without the executable's path).
    package var command: String
    package var date: String
    package var machine: String
    package var toolchain: String
    package var build: String
    /// Solver name and library version.
    package var solver: String
    /// Worker processes at a time.
    package var jobs: Int
    /// Seconds after which a worker was killed.
    package var killAfter: Double

    package init(name: String, command: String, date: String, machine: String, toolchain: String, build: String, solver: String, jobs: Int,
                killAfter: Double)
    {
        self.name = name
        self.command = command
        self.date = date
        self.machine = machine
        self.toolchain = toolchain
        self.build = build
        self.solver = solver
        self.jobs = jobs
        self.killAfter = killAfter
    }
}

/// `report.md` and its SVG charts, computed from the rows of one batch and nothing else: every
/// number in the report is a cell of `results.csv` or is derived from such cells by a rule the
/// report states next to it.
package struct BatchReport {
    /// The batch's rows, in matrix order (what `results.csv` holds).
    package var rows: [ResultRow]
    /// What was run: the report's tables follow its order of graphs, settings, budgets and methods.
    package var matrix: InstanceMatrix
    package var header: ReportHeader
    let index: [InstanceKey: ResultRow]

    package init(rows: [ResultRow], matrix: InstanceMatrix, header: ReportHeader) {
        self.rows = rows
        self.matrix = matrix
        self.header = header
        index = Dictionary(rows.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// The ten human-designed models of the COSMA paper's evaluation, by graph name.
    package static let humanDesigned: Set<String> = [
        "resnet50", "densenet121", "resnext50_32x4d", "r2plus1d_18", "s3d", "fcn_resnet50", "lraspp_mobilenet_v3_large",
        "deeplabv3_resnet50", "transformer", "vit_b_16",
    ]
    /// The paper's four Neural-Architecture-Search networks, by graph name.
    package static let nas: Set<String> = ["nasnet_a_mobile", "amoebanet", "pnasnet5_large", "darts_v2"]

    var cosmaMethods: [BatchMethod] { matrix.methods.filter(\.isCosma) }
    var paperBaselines: [BatchMethod] { matrix.methods.filter(\.isPaperBaseline) }
    var baselines: [BatchMethod] { matrix.methods.filter { !$0.isCosma } }
    /// Whether heuristics beyond the paper's four ran (then a "best heuristic" column appears).
    var hasExtraHeuristics: Bool { baselines.count > paperBaselines.count }

    /// One (graph file, setting) line of a per-budget table.
    struct Line {
        var file: String
        var setting: TensorSetting
    }

    var lines: [Line] { matrix.files.flatMap { f in matrix.settings.map { Line(file: f, setting: $0) } } }

    func row(_ line: Line, _ budget: String, _ method: BatchMethod) -> ResultRow? {
        index[InstanceKey(file: line.file, setting: line.setting, budget: budget, method: method.description)]
    }

    func graphName(_ file: String) -> String {
        rows.first { $0.file == file }?.graph ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
    }

    /// The smallest non-compulsory traffic among `methods` that produced a plan.
    func best(_ line: Line, _ budget: String, among methods: [BatchMethod]) -> (traffic: Int, method: String)? {
        methods.compactMap { m -> (Int, String)? in
            guard let r = row(line, budget, m), r.status.hasPlan, let t = r.nonCompulsory else { return nil }
            return (t, m.description)
        }.min { $0.0 < $1.0 }
    }

    /// The word a table shows for a row without a plan.
    static func missingWord(_ status: RowStatus?) -> String {
        switch status {
        case .failed: "fails"
        case .unavailable: "n/a"
        case .timeout: "timeout"
        case .crashed: "crashed"
        default: "-"
        }
    }

    /// What a "best of" cell says when no method has a plan: `n/a` when the budget is unavailable
    /// for all of them, `all fail` otherwise.
    func noBest(_ line: Line, _ budget: String, _ methods: [BatchMethod]) -> String {
        methods.allSatisfy { row(line, budget, $0)?.status == .unavailable } ? "n/a" : "all fail"
    }

    func trafficCell(_ r: ResultRow?) -> String {
        guard let r, r.status.hasPlan, let t = r.nonCompulsory else { return Self.missingWord(r?.status) }
        return "\(t)"
    }

    /// `1 - cosma / baseline`, or why it is undefined.
    enum Reduction {
        case value(Double)
        case undefined(String)
    }

    static func reduction(cosma: Int?, baseline: Int?) -> Reduction {
        guard let cosma else { return .undefined("no plan") }
        guard let baseline else { return .undefined("baseline fails") }
        guard baseline > 0 else { return .undefined(cosma == 0 ? "both 0" : "baseline 0") }
        return .value(1 - Double(cosma) / Double(baseline))
    }

    static func percent(_ fraction: Double) -> String { String(format: "%.1f%%", fraction * 100) }

    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func secondsText(_ s: Double) -> String { String(format: "%.3f", s) }

    /// The columns a reduction table compares a Cosma method against.
    var reductionTargets: [(title: String, traffic: (Line, String) -> Int?)] {
        var targets: [(String, (Line, String) -> Int?)] = paperBaselines.map { m in
            ("vs \(m.description)", { line, budget in
                guard let r = self.row(line, budget, m), r.status.hasPlan else { return nil }
                return r.nonCompulsory
            })
        }
        if !paperBaselines.isEmpty {
            targets.append(("vs best paper baseline", { self.best($0, $1, among: self.paperBaselines)?.traffic }))
        }
        if hasExtraHeuristics {
            targets.append(("vs best heuristic", { self.best($0, $1, among: self.baselines)?.traffic }))
        }
        return targets
    }

    // MARK: - The report

    /// `report.md`. `maps` are the memory maps drawn for this report (see ``mapChoices()``).
    package func markdown(maps: [MapChoice]) -> String {
        var out: [String] = []
        out += ["# Batch report: \(header.name)", ""]
        if hasHeadline { out += headlineSection() + ["## The batch", ""] }
        out += [
            "Written by `cosma \(header.command)` on \(header.date).", "",
            "- machine: \(header.machine)",
            "- toolchain: \(header.toolchain); build: \(header.build)",
            "- solver: \(header.solver), \(matrix.method.deterministic ? "deterministic, a budget of" : "time limit") \(String(format: "%g", matrix.method.timeLimit)) \(matrix.method.deterministic ? "work units" : "s") per instance; \(header.jobs) worker process(es), a worker is killed after \(String(format: "%g", header.killAfter)) s",
            "- graphs: \(matrix.files.map { graphName($0) }.joined(separator: ", "))",
            "- settings: \(matrix.settings.map(\.rawValue).joined(separator: ", ")); budgets: \(matrix.budgets.joined(separator: ", "))",
            "- methods: \(matrix.methods.map(\.description).joined(separator: ", "))",
            "- rows: \(rows.count); " + RowStatus.allCases.compactMap { s in
                let n = rows.filter { $0.status == s }.count
                return n == 0 ? nil : "\(s.rawValue) \(n)"
            }.joined(separator: ", "),
            "",
            "Every number below is a cell of [results.csv](results.csv) (also [results.json](results.json)) or is computed from such cells by the rule stated beside it. Traffic is non-compulsory bytes: what a plan loads and stores beyond the first loads of inputs (and weights in the `all` setting) and one store of each graph output. Every plan was replayed by Cosma's simulator before it was counted. A cell without a number says why: `fails` (the method found no valid plan), `n/a` (the budget is unavailable for this graph), `timeout` (the worker was killed), `crashed`. A capacity marked *tiled* is below the graph's M_R: the graph was tiled for it (operators split into tiles, tensors into slices, as `cosma tile` does; the `tiles` column of results.csv) and the plan, kept in plans/ beside that tiled graph, refers to the tiles.",
            "",
        ]
        for budget in matrix.budgets { out += budgetSection(budget) }
        out += solveTimeSection()
        if !hasHeadline { out += paperSection() }
        out += mapSection(maps)
        return out.joined(separator: "\n") + "\n"
    }

    func budgetSection(_ budget: String) -> [String] {
        var out = ["## Budget \(budget)", "", "### Non-compulsory traffic at \(budget) (bytes)", ""]
        var columns = ["graph", "setting", "capacity"] + cosmaMethods.map(\.description) + paperBaselines.map(\.description)
        if !paperBaselines.isEmpty { columns.append("best paper baseline") }
        if hasExtraHeuristics { columns.append("best heuristic") }
        out.append("| " + columns.joined(separator: " | ") + " |")
        out.append("|" + columns.indices.map { $0 < 2 ? "---|" : "---:|" }.joined())
        for line in lines {
            let capacity = matrix.methods.lazy.compactMap { self.row(line, budget, $0)?.capacity }.first
            let tiles = matrix.methods.lazy.compactMap { self.row(line, budget, $0)?.tiles }.first
            var cells = [graphName(line.file), line.setting.rawValue, (capacity.map(String.init) ?? "n/a") + (tiles.map { " (tiled, \($0) tiles)" } ?? "")]
            cells += (cosmaMethods + paperBaselines).map { trafficCell(row(line, budget, $0)) }
            if !paperBaselines.isEmpty {
                cells.append(best(line, budget, among: paperBaselines).map { "\($0.traffic)" } ?? noBest(line, budget, paperBaselines))
            }
            if hasExtraHeuristics {
                cells.append(best(line, budget, among: baselines).map { "\($0.traffic) (\($0.method))" } ?? noBest(line, budget, baselines))
            }
            out.append("| " + cells.joined(separator: " | ") + " |")
        }
        out.append("")
        for setting in matrix.settings {
            out.append("![Non-compulsory traffic at \(budget), \(setting.rawValue)](\(Self.trafficChartName(budget, setting)))")
        }
        out.append("")
        let targets = reductionTargets
        guard !targets.isEmpty else { return out }
        for method in cosmaMethods {
            out += [
                "### Reduction of \(method.description) against the baselines at \(budget)", "",
                "Reduction = `1 - \(method.description) / baseline` of non-compulsory traffic. The last line is the arithmetic mean over the lines above where both have a plan and the baseline's traffic is above zero (n = how many).",
                "",
            ]
            let columns = ["graph", "setting"] + targets.map(\.title)
            out.append("| " + columns.joined(separator: " | ") + " |")
            out.append("|---|---|" + String(repeating: "---:|", count: targets.count))
            var sums = [[Double]](repeating: [], count: targets.count)
            for line in lines {
                let cosma = row(line, budget, method).flatMap { $0.status.hasPlan ? $0.nonCompulsory : nil }
                var cells = [graphName(line.file), line.setting.rawValue]
                if row(line, budget, method)?.status == .unavailable {
                    out.append("| " + (cells + targets.map { _ in "n/a" }).joined(separator: " | ") + " |")
                    continue
                }
                for (i, target) in targets.enumerated() {
                    switch Self.reduction(cosma: cosma, baseline: target.traffic(line, budget)) {
                    case .value(let v):
                        sums[i].append(v)
                        cells.append(Self.percent(v))
                    case .undefined(let why): cells.append(why)
                    }
                }
                out.append("| " + cells.joined(separator: " | ") + " |")
            }
            let means = sums.map { $0.isEmpty ? "- (n=0)" : "\(Self.percent(Self.mean($0))) (n=\($0.count))" }
            out.append("| " + (["arithmetic mean", ""] + means).joined(separator: " | ") + " |")
            out.append("")
        }
        return out
    }

    func solveTimeSection() -> [String] {
        guard !cosmaMethods.isEmpty else { return [] }
        var out = [
            "## Solve times", "",
            "Wall seconds of Cosma's methods: `build` is building programs and packing, `solve` is time inside the solver, `method` is everything the method did (its warm-start heuristics included), `wall` adds loading the graph and computing budgets in the worker. Status `optimal` means the plan meets a proven lower bound; `gap` is `(traffic - bound) / traffic`.",
            "",
            "| graph | setting | budget | method | status | non-compulsory | bound | gap | build s | solve s | method s | wall s |",
            "|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for line in lines {
            for budget in matrix.budgets {
                for method in cosmaMethods {
                    guard let r = row(line, budget, method) else { continue }
                    let cells = [
                        graphName(line.file), line.setting.rawValue, budget, method.description, r.status.rawValue,
                        r.status.hasPlan ? r.nonCompulsory.map(String.init) ?? "-" : Self.missingWord(r.status),
                        r.bound.map(String.init) ?? "-", r.gap.map(Self.percent) ?? "-",
                        r.buildSeconds.map(Self.secondsText) ?? "-", r.solveSeconds.map(Self.secondsText) ?? "-",
                        r.methodSeconds.map(Self.secondsText) ?? "-",
                        Self.secondsText(r.wallSeconds),
                    ]
                    out.append("| " + cells.joined(separator: " | ") + " |")
                }
            }
        }
        out += [
            "",
            "Summary over the rows above that have a plan, per method and budget (means are arithmetic):", "",
            "| method | budget | instances | optimal | mean build s | mean solve s | median solve s | max solve s | mean method s | max method s |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for method in cosmaMethods {
            for budget in matrix.budgets {
                let planned = lines.compactMap { row($0, budget, method) }.filter(\.status.hasPlan)
                let solve = planned.map { $0.solveSeconds ?? 0 }
                let build = planned.map { $0.buildSeconds ?? 0 }
                let whole = planned.map { $0.methodSeconds ?? 0 }
                guard !planned.isEmpty else {
                    out.append("| \(method.description) | \(budget) | 0 | 0 | - | - | - | - | - | - |")
                    continue
                }
                out.append("| \(method.description) | \(budget) | \(planned.count) | \(planned.filter { $0.status == .optimal }.count) | \(Self.secondsText(Self.mean(build))) | \(Self.secondsText(Self.mean(solve))) | \(Self.secondsText(Self.median(solve))) | \(Self.secondsText(solve.max() ?? 0)) | \(Self.secondsText(Self.mean(whole))) | \(Self.secondsText(whole.max() ?? 0)) |")
            }
        }
        out += ["", "![Solve times](\(Self.solveChartName))", ""]
        return out
    }

    func paperSection() -> [String] {
        let names = Set(matrix.files.map(graphName))
        let human = lines.filter { Self.humanDesigned.contains(graphName($0.file)) }
        let nasLines = lines.filter { Self.nas.contains(graphName($0.file)) }
        guard !names.isDisjoint(with: Self.humanDesigned.union(Self.nas)), matrix.methods.contains(.exact) else { return [] }
        var out = [
            "## Against the paper", "",
            "The COSMA paper (Li, Gupta and Malik, 2023) used a commercial solver on an Apple M1 Pro; Cosma uses \(header.solver) on the machine above. Each figure of ours is computed from the rows of this batch by the rule given beside it.",
            "",
            "| figure | paper | this batch | how ours is computed |",
            "|---|---|---|---|",
        ]
        // Lines where Cosma plans and every paper baseline fails have no reduction to average;
        // they are counted beside the mean instead, as the paper's figures do not say how it counted them.
        func reductions(_ lines: [Line], budgets: [String], cosma: (Line, String) -> Int?,
                        against: [BatchMethod]) -> (values: [Double], baselinesFail: Int) {
            var values: [Double] = []
            var fail = 0
            for line in lines {
                for budget in budgets {
                    let c = cosma(line, budget)
                    let b = best(line, budget, among: against)?.traffic
                    if case .value(let v) = Self.reduction(cosma: c, baseline: b) { values.append(v) }
                    if c != nil && b == nil { fail += 1 }
                }
            }
            return (values, fail)
        }
        func exactTraffic(_ line: Line, _ budget: String) -> Int? {
            row(line, budget, .exact).flatMap { $0.status.hasPlan ? $0.nonCompulsory : nil }
        }
        func summary(_ r: (values: [Double], baselinesFail: Int), _ what: String = "paper baseline") -> String {
            (r.values.isEmpty ? "- (n=0)" : "\(Self.percent(Self.mean(r.values))) (n=\(r.values.count))")
                + "; every \(what) fails where Cosma plans: \(r.baselinesFail)"
        }
        if matrix.budgets.contains("M_R"), !paperBaselines.isEmpty {
            out.append("| average reduction at M_R, ten human-designed models | 84% | \(summary(reductions(human, budgets: ["M_R"], cosma: exactTraffic, against: paperBaselines))) | exact against the best paper baseline, arithmetic mean over graph × setting lines where both have a plan and the baseline's traffic is above zero |")
            if hasExtraHeuristics {
                out.append("| average reduction at M_R, ten human-designed models, against every heuristic | 84% (against the paper's four) | \(summary(reductions(human, budgets: ["M_R"], cosma: exactTraffic, against: baselines), "heuristic")) | exact against the best of the \(baselines.count) heuristics of this batch, same rule |")
            }
        }
        if matrix.budgets.contains("M_P") {
            let atP = lines.compactMap { row($0, "M_P", .exact) }
            let planned = atP.filter(\.status.hasPlan)
            let zero = planned.filter { $0.nonCompulsory == 0 }.count
            let worst = planned.max { ($0.nonCompulsory ?? 0) < ($1.nonCompulsory ?? 0) }
            let worstText = worst.flatMap { w in (w.nonCompulsory ?? 0) > 0 ? "; largest \(w.nonCompulsory ?? 0) bytes (\(w.graph), \(w.setting.rawValue))" : nil } ?? ""
            out.append("| non-compulsory traffic at M_P | 0 on every model | 0 on \(zero) of \(planned.count) planned instances\(worstText); \(atP.count - planned.count) without a plan | exact rows at M_P, all graphs of the batch |")
        }
        let humanExact = human.flatMap { line in matrix.budgets.compactMap { row(line, $0, .exact) } }.filter(\.status.hasPlan)
        if !humanExact.isEmpty {
            let solve = humanExact.map { $0.solveSeconds ?? 0 }
            let whole = humanExact.map { $0.methodSeconds ?? 0 }
            out.append("| average solve time, ten human-designed models | 0.296 s (slowest 17.24 s) | \(Self.secondsText(Self.mean(solve))) s in the solver, \(Self.secondsText(Self.mean(whole))) s for the whole method (slowest \(Self.secondsText(whole.max() ?? 0)) s; n=\(humanExact.count)) | exact rows with a plan, every budget and setting: arithmetic means of `solveSeconds` and of `methodSeconds` (warm-start heuristics, building, solving), maximum of `methodSeconds` |")
        }
        if !nasLines.isEmpty, !paperBaselines.isEmpty {
            let bestCosma: (Line, String) -> Int? = { line, budget in self.best(line, budget, among: self.cosmaMethods)?.traffic }
            let used = cosmaMethods.map(\.description).joined(separator: ", ")
            out.append("| average reduction on the NAS models | 85% (divide-and-conquer) | \(summary(reductions(nasLines, budgets: matrix.budgets, cosma: bestCosma, against: paperBaselines))) | best of Cosma's methods in this batch (\(used)) against the best paper baseline, arithmetic mean over graph × setting × budget where both have a plan and the baseline's traffic is above zero |")
        }
        out.append("")
        return out
    }

    // MARK: - Charts

    static func trafficChartName(_ budget: String, _ setting: TensorSetting) -> String {
        "traffic-\(budget)-\(setting.rawValue).svg"
    }

    static let solveChartName = "solve-times.svg"

    /// The SVG charts the report links, by file name.
    package func charts() -> [(name: String, svg: String)] {
        var charts: [(String, String)] = []
        var series = cosmaMethods + paperBaselines
        if series.isEmpty { series = Array(baselines.prefix(8)) }
        for budget in matrix.budgets {
            for setting in matrix.settings {
                let chartLines = lines.filter { $0.setting == setting }
                let values: [[GroupedBarChart.Value]] = chartLines.map { line in
                    series.map { m in
                        guard let r = row(line, budget, m) else { return .missing("n/a") }
                        guard r.status.hasPlan, let t = r.nonCompulsory else { return .missing(Self.missingWord(r.status)) }
                        return .value(Double(t))
                    }
                }
                let chart = GroupedBarChart(
                    title: "Non-compulsory traffic at \(budget), tensors: \(setting.rawValue)", yLabel: "bytes",
                    groups: chartLines.map { graphName($0.file) }, series: series.map(\.description), values: values,
                    logarithmic: true, tickLabel: decimalBytes)
                charts.append((Self.trafficChartName(budget, setting), chart.svg()))
            }
        }
        if !cosmaMethods.isEmpty {
            let combos = cosmaMethods.flatMap { m in matrix.budgets.map { (m, $0) } }
            let values: [[GroupedBarChart.Value]] = lines.map { line in
                combos.map { m, budget in
                    guard let r = row(line, budget, m) else { return .missing("n/a") }
                    guard r.status.hasPlan else { return .missing(Self.missingWord(r.status)) }
                    return .value(r.methodSeconds ?? 0)
                }
            }
            let chart = GroupedBarChart(
                title: "Time of Cosma's methods (warm start, building, solving)", yLabel: "seconds",
                groups: lines.map { "\(graphName($0.file)) (\($0.setting.rawValue))" },
                series: combos.map { "\($0.0.description) \($0.1)" }, values: values, logarithmic: true,
                tickLabel: { String(format: "%g s", $0) })
            charts.append((Self.solveChartName, chart.svg()))
        }
        return charts
    }

    // MARK: - Memory maps

    /// A plan the report draws, with why it was chosen.
    package struct MapChoice: Sendable {
        package var key: InstanceKey
        package var graph: String
        /// One clause saying why this plan is worth a look.
        package var why: String
        /// Non-compulsory traffic of the plan, from its row.
        package var traffic: Int
        /// The map's file, relative to the report.
        package var file: String
    }

    /// A few instances worth seeing: the two with the largest savings of `exact` over the best
    /// paper baseline (on different graphs), each with that baseline's map beside it, and one
    /// with spills left if the batch has one.
    package func mapChoices() -> [MapChoice] {
        guard matrix.methods.contains(.exact) else { return [] }
        func choice(_ r: ResultRow, why: String) -> MapChoice {
            MapChoice(key: r.key, graph: r.graph, why: why, traffic: r.nonCompulsory ?? 0,
                      file: "maps/" + BatchRun.planFileName(for: r.key).replacingOccurrences(of: ".json", with: ".svg"))
        }
        var saving: [(saved: Int, exact: ResultRow, baseline: ResultRow)] = []
        for line in lines {
            for budget in matrix.budgets {
                guard let e = row(line, budget, .exact), e.status.hasPlan, let et = e.nonCompulsory,
                      let b = best(line, budget, among: paperBaselines),
                      let br = index[InstanceKey(file: line.file, setting: line.setting, budget: budget, method: b.method)],
                      b.traffic > et else { continue }
                saving.append((b.traffic - et, e, br))
            }
        }
        var chosen: [MapChoice] = []
        var graphs = Set<String>()
        for s in saving.sorted(by: { ($0.saved, $1.exact.key) > ($1.saved, $0.exact.key) }) where !graphs.contains(s.exact.file) {
            graphs.insert(s.exact.file)
            chosen.append(choice(s.exact, why: "exact saves \(s.saved) bytes against the best paper baseline"))
            chosen.append(choice(s.baseline, why: "the best paper baseline on the same instance"))
            if graphs.count == 2 { break }
        }
        // Where the paper's baselines break down (fragmentation) and the exact method still plans.
        let failing = lines.flatMap { line in matrix.budgets.map { (line, $0) } }.compactMap { line, budget -> (Int, ResultRow)? in
            guard let e = row(line, budget, .exact), e.status.hasPlan else { return nil }
            let fails = paperBaselines.filter { row(line, budget, $0)?.status == .failed }.count
            return fails > 0 ? (fails, e) : nil
        }
        if let most = failing.max(by: { $0.0 < $1.0 }), !chosen.contains(where: { $0.key == most.1.key }) {
            chosen.append(choice(most.1, why: "\(most.0) of the paper's baselines fail here (fragmentation) while the exact method plans"))
        }
        let spilling = rows.filter { $0.method == BatchMethod.exact.description && $0.status.hasPlan && ($0.nonCompulsory ?? 0) > 0 }
        if let worst = spilling.max(by: { ($0.nonCompulsory ?? 0, $1.key) < ($1.nonCompulsory ?? 0, $0.key) }),
           !chosen.contains(where: { $0.key == worst.key })
        {
            chosen.append(choice(worst, why: "the exact plan with the most non-compulsory traffic in this batch"))
        }
        if chosen.isEmpty, let any = rows.first(where: { $0.method == BatchMethod.exact.description && $0.status.hasPlan }) {
            chosen.append(choice(any, why: "the first exact plan of the batch"))
        }
        return chosen
    }

    func mapSection(_ maps: [MapChoice]) -> [String] {
        guard !maps.isEmpty else { return [] }
        var out = [
            "## Memory maps", "",
            "Address against step for a few plans (boxes are residencies; red marks are stores, blue ones reloads; the dashed line is the capacity).",
            "",
        ]
        for m in maps {
            out.append("- [\(m.graph), \(m.key.setting.rawValue), \(m.key.budget), \(m.key.method)](\(m.file)): \(m.traffic) bytes non-compulsory; \(m.why)")
        }
        out.append("")
        return out
    }
}
