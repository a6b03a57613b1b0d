public import DNNGraph
public import Heuristics
public import MILP
public import Scratchpad
import Foundation

/// How an exact solve ended. Only ``optimal`` claims a proof, and only for the full problem
/// (schedule, addresses and replacement together).
public enum ExactStatus: String, Sendable {
    /// The plan's non-compulsory traffic equals a proven lower bound.
    case optimal
    /// A valid plan, not proven optimal; ``ExactResult/bound`` and ``ExactResult/gap`` say how far
    /// it may be from the optimum.
    case feasible
    /// The solver stopped at its time limit; the best plan found so far is returned.
    case timeLimit
}

/// Settings of an exact solve.
public struct ExactOptions: Sendable {
    public var solver: SolverBackend
    /// Wall-clock limit for the solver, in seconds.
    public var timeLimit: Double?
    /// Stop once the relative gap is at most this (0 proves optimality).
    public var relativeGap: Double
    /// Called with the solver's progress on long solves.
    public var progress: (@Sendable (SolveProgress) -> Void)?
    /// Plans to start from; the best one is the warm start and the fallback. When empty, every
    /// baseline (``Baseline/all``, or on a fixed schedule every replacement and allocation policy
    /// on that order) is run and the successful ones are used.
    public var warmStarts: [CertifiedPlan]
    /// The exact reductions every program is built with (all by default; fewer only to measure
    /// what each one buys).
    public var reductions: JointProgram.Reductions

    public init(solver: SolverBackend = .cbc, timeLimit: Double? = nil, relativeGap: Double = 0,
                progress: (@Sendable (SolveProgress) -> Void)? = nil, warmStarts: [CertifiedPlan] = [],
                reductions: JointProgram.Reductions = .all) {
        self.solver = solver
        self.timeLimit = timeLimit
        self.relativeGap = relativeGap
        self.progress = progress
        self.warmStarts = warmStarts
        self.reductions = reductions
    }
}

/// The answer of an exact solve: a simulated plan, what is proven about it, and where time went.
public struct ExactResult: Sendable {
    public var status: ExactStatus
    public var result: CertifiedPlan
    /// A proven lower bound on non-compulsory traffic, in bytes.
    public var bound: Int
    /// Seconds spent building programs (and packing).
    public var buildSeconds: Double
    /// Seconds spent inside the solver.
    public var solveSeconds: Double
    /// How the answer was reached, for the summary (one line each).
    public var notes: [String]
    /// The size of the capacity program, when one was built.
    public var capacityProgram: ProgramSize? = nil
    /// Whether ``bound`` already holds what divide and conquer's ``CrossingBound`` would add: it
    /// includes that bound (the capacity program was too large to attempt), or it comes from the
    /// capacity program solved to optimality, the tightest bound Cosma knows. Polishing then aims
    /// at ``bound`` instead of computing a bound again.
    public var boundSettled = false

    public var nonCompulsory: Int { result.report.traffic.nonCompulsory }

    /// A result whose plan is labelled with what is proven about it (``Plan/solver``), so that
    /// the written plan file says it too.
    public init(status: ExactStatus, plan: CertifiedPlan, solver: SolverBackend, bound: Int, buildSeconds: Double,
                solveSeconds: Double, notes: [String], capacityProgram: ProgramSize? = nil) {
        var labelled = plan
        let traffic = plan.report.traffic.nonCompulsory
        labelled.plan.solver = SolverRecord(
            name: solver.rawValue, status: status.rawValue, bound: Double(bound),
            gap: traffic == 0 ? 0 : Double(traffic - bound) / Double(traffic), seconds: solveSeconds, buildSeconds: buildSeconds)
        self.status = status
        self.result = labelled
        self.bound = bound
        self.buildSeconds = buildSeconds
        self.solveSeconds = solveSeconds
        self.notes = notes
        self.capacityProgram = capacityProgram
    }

    /// Relative gap between the plan and the bound (0 when optimal).
    public var gap: Double {
        nonCompulsory == 0 ? 0 : Double(nonCompulsory - bound) / Double(nonCompulsory)
    }
}

/// The size of an integer program as built (before the solver's presolve).
public struct ProgramSize: Sendable, Hashable {
    public var variables: Int
    public var rows: Int
    public var nonzeros: Int

    public init(_ model: Model) {
        variables = model.variableCount
        rows = model.constraintCount
        nonzeros = model.entryCount
    }
}

/// Finds a plan with minimum non-compulsory traffic and proves it optimal where it can.
///
/// The steps, cheapest first:
/// 1. The warm-start plans (heuristics). One with zero non-compulsory traffic is optimal at once,
///    and so is one that meets the bound of the ``ForcedLiveCovers`` or the ``CrossingBound``.
/// 2. The ``JointProgram``, warm-started with the best of them: its optimum is a lower bound
///    for the full problem. Its search ends as soon as an incumbent meets the crossing bound.
///    When it is too large to attempt, the best warm start is returned with the crossing bound
///    (optimal if it meets it).
/// 3. Its stays, shortened to their last use, are packed into the scratchpad by
///    ``SegmentPacker``. If that succeeds the plan meets the bound and is optimal. If the best
///    warm start already meets the bound, it is optimal too.
/// Otherwise the best plan known is returned as ``ExactStatus/feasible`` with the bound and gap.
public struct ExactPlanner: Sendable {
    public var problem: PlanningProblem
    public var options: ExactOptions

    public init(graph: Graph, configuration: Configuration, fixedOrder: [OperatorID]? = nil,
                options: ExactOptions = ExactOptions()) {
        problem = PlanningProblem(graph: graph, configuration: configuration, fixedOrder: fixedOrder)
        self.options = options
    }

    /// `cosma-ilp`, or `cosma-ilp:fixed-schedule` when the order was given.
    var methodName: String { problem.fixedOrder == nil ? "cosma-ilp" : "cosma-ilp:fixed-schedule" }

    /// Plans from the heuristics, all simulated: the warm starts when none were given.
    ///
    /// When none of them avoids non-compulsory traffic although an order they followed peaks
    /// within the capacity (TensorFlow Lite's arena fragmented), Cosma's static-arena heuristic
    /// (``HeuristicPlanner/staticArenaPlan(graph:configuration:order:scheduleName:nodeLimit:)``)
    /// searches for a packing of that order; a plan it finds is optimal.
    public func baselinePlans() throws -> [CertifiedPlan] {
        let graph = problem.graph
        let configuration = problem.configuration
        var plans: [CertifiedPlan]
        var orders: [(name: String, order: [OperatorID])]
        if let order = problem.fixedOrder {
            plans = plansFollowing(order, name: "fixed")
            orders = [("fixed", order)]
        } else {
            // Strict: the defragmenting fallback's plans would change which order the
            // fixed-schedule start follows (on ViT-B/16 with weights at M_R, to one GLPK cannot
            // settle in 120 s); Cosma's own compaction is `plansFollowing`'s.
            let outcomes = try Baseline.run(Baseline.all.map(\.strictVariant), graph: graph, configuration: configuration)
            plans = outcomes.compactMap { try? $0.result.get() }
            // Lowest peak first: the minimum-peak order is the likeliest to pack.
            orders = []
            for outcome in outcomes.sorted(by: { $0.schedule.peakBytes < $1.schedule.peakBytes })
            where !orders.contains(where: { $0.name == outcome.baseline.schedule.rawValue }) {
                orders.append((outcome.baseline.schedule.rawValue, outcome.schedule.order))
            }
        }
        guard !plans.contains(where: { $0.report.traffic.nonCompulsory == 0 }) else { return plans }
        for (name, order) in orders {
            if let packed = try HeuristicPlanner.staticArenaPlan(graph: graph, configuration: configuration, order: order,
                                                                 scheduleName: name) {
                return plans + [packed]
            }
        }
        return plans
    }

    /// Every replacement and allocation policy run on one order; failures are skipped.
    public func plansFollowing(_ order: [OperatorID], name: String = "program-order") -> [CertifiedPlan] {
        var plans: [CertifiedPlan] = []
        for replacement in ReplacementPolicy.allCases {
            for allocation in AllocationPolicy.allCases {
                if let plan = try? HeuristicPlanner.plan(graph: problem.graph, configuration: problem.configuration, order: order,
                                                         scheduleName: name, replacement: replacement, allocation: allocation,
                                                         compactsOnFailure: true) {
                    plans.append(plan)
                }
            }
        }
        return plans
    }

    public func solve() throws -> ExactResult {
        let graph = problem.graph
        let clock = ContinuousClock()
        let start = clock.now
        var notes: [String] = []
        var buildSeconds = 0.0
        let warm = options.warmStarts.isEmpty ? try baselinePlans() : options.warmStarts
        var incumbent = warm.min { $0.report.traffic.nonCompulsory < $1.report.traffic.nonCompulsory }
        // Solver time before the capacity program: bounds and the fixed-schedule start.
        var priorSeconds = 0.0
        var coverBound = 0
        var crossingBound: Int?
        var programSize: ProgramSize?
        /// The answer with `plan`: optimal when it meets `bound`, which is then the plan's traffic.
        func answer(_ plan: CertifiedPlan, bound: Int, unproven: ExactStatus = .feasible, solveSeconds: Double,
                    settled: Bool) -> ExactResult {
            let traffic = plan.report.traffic.nonCompulsory
            var result = ExactResult(status: traffic <= bound ? .optimal : unproven, plan: plan, solver: options.solver,
                                     bound: min(bound, traffic), buildSeconds: buildSeconds, solveSeconds: solveSeconds,
                                     notes: notes, capacityProgram: programSize)
            result.boundSettled = settled
            return result
        }
        if let incumbent, incumbent.report.traffic.nonCompulsory == 0 {
            notes.append("the warm start \(incumbent.plan.method ?? "") has no non-compulsory traffic, which is optimal")
            return answer(incumbent, bound: 0, solveSeconds: 0, settled: false)
        }

        // Spills that capacity alone forces, whatever the schedule: a small covering program whose
        // optimum is a valid bound, often the plan's traffic already (a cheap proof).
        if options.reductions.contains(.forcedLiveCovers) {
            let coverStart = clock.now
            // Usually solved at the root; a quarter of the time at most keeps the rest for the program.
            coverBound = try ForcedLiveCovers(problem: problem).bound(solver: options.solver, timeLimit: options.timeLimit.map { min(5, $0 / 4) })
            priorSeconds = (clock.now - coverStart).inSeconds
            if coverBound > 0 { notes.append("the forced-live covers prove at least \(coverBound) bytes") }
            if let incumbent, incumbent.report.traffic.nonCompulsory <= coverBound {
                notes.append("the warm start \(incumbent.plan.method ?? "") meets that bound, which is optimal")
                return answer(incumbent, bound: coverBound, solveSeconds: priorSeconds, settled: false)
            }
        }

        /// The crossing bound, noted and kept, with the covers above reused when the schedule is free.
        func crossing() throws -> Int {
            let crossingStart = clock.now
            let remaining = options.timeLimit.map { max(1, min(10, $0 - (clock.now - start).inSeconds)) }
            let coversSolved = options.reductions.contains(.forcedLiveCovers) && problem.fixedOrder == nil
            let bound = try CrossingBound(problem: problem).solve(with: options.solver, timeLimit: remaining,
                                                                  coversBound: coversSolved ? coverBound : nil)
            priorSeconds += (clock.now - crossingStart).inSeconds
            notes.append("the crossing bound proves at least \(bound) bytes")
            crossingBound = bound
            return bound
        }
        // The crossing bound (minimum cuts, the covers, reload intervals) needs no time-indexed
        // program and is cheap: it often proves the warm start optimal here, and otherwise the
        // capacity program stops as soon as its incumbent meets it.
        if options.reductions.contains(.crossingBound) && problem.fixedOrder == nil {
            let bound = try crossing()
            if let incumbent, incumbent.report.traffic.nonCompulsory <= bound {
                notes.append("the warm start \(incumbent.plan.method ?? "") meets the crossing bound, which is optimal")
                return answer(incumbent, bound: bound, solveSeconds: priorSeconds, settled: true)
            }
        }
        let knownBound = max(coverBound, crossingBound ?? 0)

        // The paper's fixed-schedule program on the best warm start's order (the graph's own
        // order when every heuristic failed): every operator's window is one position, so it is
        // solved in a fraction of a second, and it decides replacement for the whole graph at
        // once where the heuristics evict on line.
        if options.reductions.contains(.fixedScheduleStart), problem.fixedOrder == nil {
            let order = incumbent.map { Residency.read($0.plan, graph: graph).residency.order } ?? Array(graph.operators.indices)
            let limit = min(5, max(0.5, ((options.timeLimit ?? 60) - (clock.now - start).inSeconds) / 6))
            let fixed = try ExactPlanner(graph: graph, configuration: problem.configuration, fixedOrder: order,
                                         options: ExactOptions(solver: options.solver, timeLimit: limit, warmStarts: incumbent.map { [$0] } ?? [],
                                                               reductions: options.reductions)).solve()
            priorSeconds += fixed.buildSeconds + fixed.solveSeconds
            notes.append("the fixed-schedule program on the order of \(incumbent?.plan.method ?? "the graph") gives \(fixed.nonCompulsory) bytes")
            if fixed.nonCompulsory < incumbent?.report.traffic.nonCompulsory ?? .max { incumbent = fixed.result }
            if let incumbent, incumbent.report.traffic.nonCompulsory <= knownBound {
                notes.append("that meets the bounds above, which is optimal")
                return answer(incumbent, bound: knownBound, solveSeconds: priorSeconds, settled: crossingBound != nil)
            }
        }

        let buildStart = clock.now
        let program = JointProgram(problem: problem, reductions: options.reductions)
        programSize = ProgramSize(program.model)
        var solveOptions = SolveOptions()
        solveOptions.timeLimit = options.timeLimit.map { max(1, $0 - (clock.now - start).inSeconds) }
        solveOptions.relativeGap = options.relativeGap
        solveOptions.progress = options.progress
        if knownBound > 0 { solveOptions.knownBound = Double(knownBound) }
        if let incumbent {
            solveOptions.mipStart = program.values(for: Residency.read(incumbent.plan, graph: graph).residency.trimmed(problem))
        }
        buildSeconds += (clock.now - buildStart).inSeconds
        notes.append("capacity program: \(program.model.variableCount) variables, \(program.model.constraintCount) rows, \(program.model.entryCount) nonzeros")

        if program.model.constraintCount > Self.rowLimit {
            // CBC's and GLPK's root LP alone runs for minutes at this size and neither honours a
            // time limit inside it; such graphs are for divide and conquer. The crossing bound (with
            // its reload intervals) needs no time-indexed program and may prove the baseline optimal.
            notes.append("the capacity program has \(program.model.constraintCount) rows, more than \(Self.rowLimit) that CBC and GLPK solve in reasonable time; kept the best baseline, with the crossing bound")
            let fallback = try incumbent ?? spillEverything()
            let proven = max(coverBound, try crossingBound ?? crossing())
            return answer(fallback, bound: proven, solveSeconds: priorSeconds, settled: true)
        }
        let outcome: SolveResult
        do {
            outcome = try options.solver.solve(program.model, options: solveOptions)
        } catch {
            // The solver could not run (GLPK's simplex has stopped on an internal assertion on
            // some of these programs): the baselines and the bounds above still stand.
            notes.append("the solver failed on the capacity program (\(String(describing: error).prefix(200))); kept the best baseline, with the bounds above")
            return answer(try incumbent ?? spillEverything(), bound: knownBound, solveSeconds: priorSeconds,
                          settled: crossingBound != nil)
        }
        let proven = outcome.status == .optimal
        var bound = max(knownBound, roundedBound(proven ? (outcome.objective ?? 0) : (outcome.bestBound ?? 0)))

        var best = incumbent
        var status: ExactStatus = outcome.status == .timeLimit ? .timeLimit : .feasible
        var solveSeconds = priorSeconds + outcome.solveSeconds
        func consider(_ candidate: CertifiedPlan) {
            if best == nil || candidate.report.traffic.nonCompulsory < best!.report.traffic.nonCompulsory { best = candidate }
        }
        if let solution = outcome.solution {
            let packStart = clock.now
            let residency = program.residency(from: solution).trimmed(problem)
            if let candidate = try realise(residency) {
                consider(candidate)
                notes.append("the program's stays were packed into the scratchpad")
            } else {
                notes.append("the program's stays could not be packed into the scratchpad (fragmentation)")
                // The program's order is still a good one: let the on-line heuristics follow it.
                let guided = plansFollowing(residency.order)
                if let bestGuided = guided.min(by: { $0.report.traffic.nonCompulsory < $1.report.traffic.nonCompulsory }) {
                    consider(bestGuided)
                    notes.append("the heuristics following the program's order give \(bestGuided.report.traffic.nonCompulsory) bytes (\(bestGuided.plan.method ?? ""))")
                }
            }
            buildSeconds += (clock.now - packStart).inSeconds
        }
        if outcome.solution != nil, (best?.report.traffic.nonCompulsory ?? Int.max) > bound {
            // Fragmentation: leave growing room beside each operator's operands until the stays pack.
            for fraction in [0.02, 0.05, 0.1, 0.2] {
                if let limit = options.timeLimit, limit - (clock.now - start).inSeconds < 1 { break }
                let reserve = Int(Double(problem.configuration.capacity) * fraction)
                let repair = JointProgram(problem: problem, reserve: reserve, reductions: options.reductions)
                var repairOptions = solveOptions
                if let limit = options.timeLimit { repairOptions.timeLimit = max(1, limit - (clock.now - start).inSeconds) }
                guard let repaired = try? options.solver.solve(repair.model, options: repairOptions) else {
                    notes.append("the solver failed on the repair program; no repair")
                    break
                }
                solveSeconds += repaired.solveSeconds
                guard let solution = repaired.solution,
                      let candidate = try realise(repair.residency(from: solution).trimmed(problem)) else { continue }
                consider(candidate)
                notes.append("with \(Int(fraction * 100))% of the capacity kept free beside the operands the stays pack: \(candidate.report.traffic.nonCompulsory) bytes")
                break
            }
        }
        if let known = best?.report.traffic.nonCompulsory, known <= bound {
            // Nothing to add: the bound already proves the plan optimal, whatever stopped the solver.
        } else if let limit = options.timeLimit, proven, limit - (clock.now - start).inSeconds < 1 {
            notes.append("the time limit leaves no room for the address program; optimality is not proven")
        } else if proven, case let pairEstimate = problem.estimatedAddressPairs(upTo: Self.addressPairLimit),
                  pairEstimate > Self.addressPairLimit {
            notes.append("the address program would need about \(pairEstimate) order variables, more than \(Self.addressPairLimit); optimality is not proven")
        } else if proven {
            // The relaxation's optimum cannot be packed: decide addresses in the program itself.
            let addressStart = clock.now
            let full = JointProgram(problem: problem, mode: .addresses, reductions: options.reductions)
            var fullOptions = solveOptions
            fullOptions.mipStart = [:]
            if let best {
                let (residency, offsets) = Residency.read(best.plan, graph: graph)
                fullOptions.mipStart = full.values(for: residency, offsets: offsets)
            }
            if let limit = options.timeLimit {
                fullOptions.timeLimit = max(1, limit - (clock.now - start).inSeconds)
            }
            buildSeconds += (clock.now - addressStart).inSeconds
            notes.append("address program: \(full.model.variableCount) variables, \(full.model.constraintCount) rows, \(full.model.entryCount) nonzeros")
            if let fullOutcome = try? options.solver.solve(full.model, options: fullOptions) {
                solveSeconds += fullOutcome.solveSeconds
                if let solution = fullOutcome.solution {
                    let residency = full.residency(from: solution)
                    let plan = residency.plan(offsets: full.offsets(for: residency, from: solution), problem: problem, method: methodName)
                    consider(try CertifiedPlan(certifying: plan, graph: graph))
                }
                let fullBound = fullOutcome.status == .optimal ? (fullOutcome.objective ?? 0) : (fullOutcome.bestBound ?? 0)
                bound = max(bound, roundedBound(fullBound))
                if fullOutcome.status == .timeLimit { status = .timeLimit }
            } else {
                notes.append("the solver failed on the address program; optimality is not proven")
            }
        }
        if best == nil {
            notes.append("no baseline and no packing of the program's stays fits; fell back to spilling every tensor after each operator")
            best = try spillEverything()
        }
        guard let best else {
            throw ExactFailure(message: "no plan at capacity \(problem.configuration.capacity) bytes")
        }
        // A valid lower bound that the plan meets proves it optimal, whatever stopped the solver.
        return answer(best, bound: bound, unproven: status, solveSeconds: solveSeconds, settled: proven || crossingBound != nil)
    }

    /// Above this many rows the capacity program is not attempted (see ``solve()``): CBC's root
    /// LP ignores the time limit, and on RandWire-BA's 198,000 rows it ran for minutes. The
    /// human-designed models' programs have at most 47,000 rows (DenseNet-121).
    static let rowLimit = 100_000

    /// Above this many pair-order variables the address program is not attempted: its big-M rows
    /// give CBC and GLPK nothing to work with at that size.
    public static let addressPairLimit = 20_000

    /// The plan that always exists at a capacity of at least `M_R`: before each operator every
    /// other tensor is stored (if still needed and not yet in DRAM) and dropped, and its operands
    /// are packed from address 0. It follows the default order, or the fixed one.
    public func spillEverything() throws -> CertifiedPlan {
        let order = problem.fixedOrder ?? Array(problem.graph.operators.indices)
        var segments = [[Segment]](repeating: [], count: problem.graph.tensors.count)
        var offsets = [[Int]](repeating: [], count: problem.graph.tensors.count)
        for (k, op) in order.enumerated() {
            var top = 0
            let inputs = Set(problem.graph.residentInputs(of: op, in: problem.configuration.tensors))
            for t in problem.graph.residentOperands(of: op, in: problem.configuration.tensors) {
                segments[t].append(Segment(first: k, last: k, loaded: inputs.contains(t)))
                offsets[t].append(top)
                top += problem.occupied[t]
            }
        }
        let plan = Residency(order: order, segments: segments)
            .plan(offsets: offsets, problem: problem, method: "spill-everything:\(problem.fixedOrder == nil ? "default" : "fixed")")
        return try CertifiedPlan(certifying: plan, graph: problem.graph)
    }

    /// Packs a residency's stays and certifies the resulting plan; `nil` when packing fails.
    func realise(_ residency: Residency) throws -> CertifiedPlan? {
        var items: [SegmentPacker.Item] = []
        var owners: [(TensorID, Int)] = []
        for t in problem.tensors {
            for (i, s) in residency.segments[t].enumerated() {
                items.append(.init(size: problem.occupied[t], first: s.first, last: s.last))
                owners.append((t, i))
            }
        }
        let packer = SegmentPacker(capacity: problem.configuration.capacity, alignment: problem.configuration.alignment)
        guard let packed = packer.pack(items) else { return nil }
        var offsets = residency.segments.map { [Int](repeating: 0, count: $0.count) }
        for (n, (t, i)) in owners.enumerated() { offsets[t][i] = packed[n] }
        let plan = residency.plan(offsets: offsets, problem: problem, method: methodName)
        return try CertifiedPlan(certifying: plan, graph: problem.graph)
    }
}

/// Traffic is whole bytes, so a bound `b` proves `ceil(b)`; the tolerance absorbs the solver's
/// arithmetic (a bound of 1233.9999999 proves 1234) and is far below one byte at any model size.
/// A bound that is not a finite number of bytes (GLPK reports an infinite node bound when it stops
/// before its best node's LP is solved) proves nothing, so it counts as 0.
func roundedBound(_ raw: Double) -> Int {
    guard raw.isFinite, abs(raw) < 1e15 else { return 0 }
    return max(0, Int((raw - 1e-6 - 1e-9 * abs(raw)).rounded(.up)))
}

/// The exact planner could not produce any plan.
public struct ExactFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

