internal import DNNGraph
import Heuristics
internal import MILP
import Scratchpad

/// The exact method's time-indexed programs: capacity, repair and addresses.
extension ExactPlanner {
    /// The capacity program, warm-started with the incumbent; its optimum is a lower bound, and
    /// its stays are packed into the scratchpad (or, when they do not pack, the heuristics follow
    /// its order). Too large a program is not attempted: the crossing bound then stands alone.
    func capacityProgram(share: Double?, run: inout ExactRun) throws {
        let graph = problem.graph
        let clock = ContinuousClock()
        let buildStart = clock.now
        // Refused by its estimated size before it is built: building a program of millions of
        // rows (a fixed order of 20,000 operators) takes longer than most time limits.
        let estimate = problem.estimatedCapacityRows
        guard estimate <= Self.rowLimit else {
            run.trace.record(.skipped(.capacityProgram, .programTooLarge(rows: estimate, limit: Self.rowLimit)))
            if run.crossingBound == nil { try crossing(share: run.budget.share(for: .crossingBound), run: &run) }
            run.ended = true
            return
        }
        let program = JointProgram(problem: problem, reductions: options.reductions)
        let size = ProgramSize(program.model)
        run.capacityProgram = size
        if size.rows > Self.rowLimit {
            // CBC's and GLPK's root LP alone runs for minutes at this size and neither honours a
            // time limit inside it; such graphs are for divide and conquer. The crossing bound (with
            // its reload intervals) needs no time-indexed program and may prove the incumbent optimal.
            run.buildSeconds += (clock.now - buildStart).inSeconds
            run.trace.record(.skipped(.capacityProgram, .programTooLarge(rows: size.rows, limit: Self.rowLimit)))
            if run.crossingBound == nil { try crossing(share: run.budget.share(for: .crossingBound), run: &run) }
            run.ended = true
            return
        }
        var solveOptions = SolveOptions()
        solveOptions.relativeGap = options.relativeGap
        solveOptions.progress = options.progress
        if run.knownBound > 0 { solveOptions.knownBound = Double(run.knownBound) }
        if let incumbent = run.incumbent {
            solveOptions.mipStart = program.values(for: Residency.read(incumbent.plan, graph: graph).residency.trimmed(problem))
        }
        run.buildSeconds += (clock.now - buildStart).inSeconds
        guard let outcome = solveProgram(program.model, options: solveOptions, share: share, in: .capacityProgram, run: &run) else {
            // The solver could not run (GLPK's simplex has stopped on an internal assertion on
            // some of these programs): the incumbent and the bounds above still stand.
            run.ended = true
            return
        }
        let proven = outcome.status == .optimal
        run.programBound = roundedBound(proven ? (outcome.objective ?? 0) : (outcome.bestBound ?? 0))
        run.prove(run.programBound, by: .capacityProgram)
        if outcome.status == .timeLimit { run.unproven = .timeLimit }
        run.relaxation = .init(solved: outcome.solution != nil, proven: proven, options: solveOptions)
        guard let solution = outcome.solution else { return }
        let packStart = clock.now
        let residency = program.residency(from: solution).trimmed(problem)
        if let candidate = try realise(residency, until: run.budget.end) {
            run.trace.record(.packing(.capacityProgram, packed: true))
            run.offer(candidate, from: .capacityProgram)
        } else {
            run.trace.record(.packing(.capacityProgram, packed: false))
            // The program's order is still a good one: let the on-line heuristics follow it, and
            // follow its stays too, as long as the budget lasts once one plan is in hand.
            let end = run.budget.end
            let guided = plansFollowing(residency.order, until: end) + plansFollowingStays(residency, until: end)
            if let best = guided.min(by: { $0.report.traffic.nonCompulsory < $1.report.traffic.nonCompulsory }) {
                run.offer(best, from: .capacityProgram)
            }
        }
        run.buildSeconds += (clock.now - packStart).inSeconds
    }

    /// Fragmentation: leave growing room beside each operator's operands until the stays pack,
    /// then narrow the room between the last reserve that did not pack and the first that did.
    /// Every byte of reserve is capacity the program may not use, so the smallest reserve that
    /// packs is usually the cheapest plan: on the minimum-peak order of RandWire-ER seed 2 with
    /// weights at `M_R`, 5% packs at 13,663,552 bytes and 2.375% at 13,321,728 (journal 40 in
    /// `results/divide-and-conquer-ablation.md`).
    func repair(run: inout ExactRun) throws {
        guard let relaxation = run.relaxation else { return }
        var reserves = RepairReserves()
        while let fraction = reserves.next {
            guard run.budget.hasLeft(1) else {
                run.trace.record(.skipped(.repair, .budgetSpent))
                return
            }
            // Once a plan packs, a narrower reserve is only worth its solve while the plan is unproven.
            if reserves.packed != nil, run.isProven { return }
            let reserve = Int(Double(problem.configuration.capacity) * fraction)
            let repair = JointProgram(problem: problem, reserve: reserve, reductions: options.reductions)
            guard let repaired = solveProgram(repair.model, options: relaxation.options, share: run.budget.share(for: .repair),
                                              in: .repair, run: &run) else { return }
            guard let solution = repaired.solution,
                  let candidate = try realise(repair.residency(from: solution).trimmed(problem), until: run.budget.end) else {
                reserves.record(packed: false)
                continue
            }
            run.trace.record(.packing(.repair, packed: true))
            run.offer(candidate, from: .repair)
            reserves.record(packed: true)
        }
    }

    /// The relaxation's optimum cannot be packed: decide addresses in the program itself,
    /// starting from the incumbent.
    func addressProgram(share: Double?, run: inout ExactRun) throws {
        guard let relaxation = run.relaxation else { return }
        let graph = problem.graph
        let clock = ContinuousClock()
        let buildStart = clock.now
        let full = JointProgram(problem: problem, mode: .addresses, reductions: options.reductions)
        var fullOptions = relaxation.options
        fullOptions.mipStart = [:]
        if let incumbent = run.incumbent {
            let (residency, offsets) = Residency.read(incumbent.plan, graph: graph)
            fullOptions.mipStart = full.values(for: residency, offsets: offsets)
        }
        run.buildSeconds += (clock.now - buildStart).inSeconds
        guard let outcome = solveProgram(full.model, options: fullOptions, share: share, in: .addressProgram, run: &run) else { return }
        if let solution = outcome.solution {
            let residency = full.residency(from: solution)
            let plan = residency.plan(offsets: full.offsets(for: residency, from: solution), problem: problem, method: methodName)
            run.offer(try CertifiedPlan(certifying: plan, graph: graph), from: .addressProgram)
        }
        let bound = roundedBound(outcome.status == .optimal ? (outcome.objective ?? 0) : (outcome.bestBound ?? 0))
        run.programBound = max(run.programBound, bound)
        run.prove(bound, by: .addressProgram)
        if outcome.status == .timeLimit { run.unproven = .timeLimit }
    }

    /// Solves `model` for `stage` with `share` of the budget (`nil`: what is left), recording the
    /// solver's status and time; `nil`, recorded as the stage skipped, when the solver cannot run.
    func solveProgram(_ model: Model, options solveOptions: SolveOptions, share: Double?, in stage: PlannerStage,
                      run: inout ExactRun) -> SolveResult? {
        do {
            let outcome = try run.budget.child(share).solve(model, with: options.solver, options: solveOptions)
            run.trace.record(.solverStatus(stage, outcome.status, program: ProgramSize(model)))
            run.solveSeconds += outcome.solveSeconds
            return outcome
        } catch {
            run.trace.record(.skipped(stage, .solverFailed(String(describing: error))))
            return nil
        }
    }
}

/// The reserves the repair tries, as fractions of the capacity: 2%, 5%, 10% and 20% until one
/// packs, then ``refinements`` halvings of the interval between the last that did not pack (or
/// none) and the first that did.
struct RepairReserves {
    static let coarse = [0.02, 0.05, 0.1, 0.2]
    /// Three halvings cut the interval to an eighth: 5% narrows to within 0.375% of capacity.
    static let refinements = 3

    /// The largest reserve known not to pack (0: none tried yet).
    private(set) var unpacked = 0.0
    /// The smallest reserve known to pack.
    private(set) var packed: Double?
    private var coarseTried = 0
    private var refined = 0

    /// The reserve to try next, or `nil` when the search is over.
    var next: Double? {
        guard let packed else { return coarseTried < Self.coarse.count ? Self.coarse[coarseTried] : nil }
        return refined < Self.refinements ? (unpacked + packed) / 2 : nil
    }

    /// Records whether the stays of the program with reserve ``next`` packed.
    mutating func record(packed didPack: Bool) {
        guard let fraction = next else { return }
        if packed == nil { coarseTried += 1 } else { refined += 1 }
        if didPack { packed = fraction } else { unpacked = fraction }
    }
}
