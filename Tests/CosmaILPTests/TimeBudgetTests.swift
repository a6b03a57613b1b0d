@testable import CosmaILP
import CosmaTestSupport
import DNNGraph
import Heuristics
import MILP
import Scratchpad
import Synchronization
import Testing

/// A meter the test moves by hand: budgets counted in any unit behave alike.
final class ManualMeter: Sendable {
    let value = Mutex(0.0)
    func advance(_ amount: Double) { value.withLock { $0 += amount } }
    var reading: @Sendable () -> Double { { [self] in value.withLock { $0 } } }
}

@Suite struct TimeBudgetTests {
    /// The standard policy's shares of a 60-unit budget, before and after 40 units are spent.
    @Test func sharesFollowThePolicy() {
        let meter = ManualMeter()
        let budget = TimeBudget(limit: 60, meter: meter.reading)
        #expect(budget.share(for: .covers) == 5)
        #expect(budget.share(for: .crossingBound) == 10)
        #expect(budget.share(for: .fixedSchedule) == 5)
        #expect(budget.share(for: .capacityProgram) == 60)
        meter.advance(40)
        #expect(budget.remaining == 20)
        #expect(budget.share(for: .covers) == 5, "a share of the total does not shrink")
        #expect(abs((budget.share(for: .fixedSchedule) ?? 0) - 20.0 / 6) < 1e-9)
        meter.advance(18.5)
        #expect(budget.share(for: .capacityProgram) == 1.5)
        #expect(budget.share(for: .fixedSchedule) == 0.5, "the floor")
        meter.advance(1.3)
        // A floor never reaches past the end: the limit is a wall-clock promise.
        #expect(abs((budget.share(for: .capacityProgram) ?? 0) - 0.2) < 1e-9)
        #expect(abs((budget.share(for: .fixedSchedule) ?? 0) - 0.2) < 1e-9)
        #expect(!budget.hasLeft(1))
        meter.advance(10)
        #expect(budget.remaining == 0)
        #expect(budget.share(for: .capacityProgram) == TimeBudget.smallestShare)
    }

    /// Without a limit every stage may run to completion.
    /// A work budget prices a node with the simplex iterations its solves took per node so far:
    /// after a solve of 10 nodes in 20,000 iterations, the same model gets fewer nodes for the
    /// same units left, and the solve's iterations are charged too. A wall-clock budget counts
    /// itself and sets no node limit. Only a work budget's solves must repeat whatever the
    /// process did before (``SolveOptions/repeatable``).
    @Test func nodesArePricedWithTheIterationsSeenSoFar() {
        let model = Self.covering()
        let budget = TimeBudget(work: 100)
        func nodeLimit(_ budget: TimeBudget) -> Int {
            var options = SolveOptions()
            budget.limit(&options, for: model)
            return options.nodeLimit!
        }
        let before = nodeLimit(budget.child(5))
        budget.charge(solving: model, nodes: 10, iterations: 20_000)
        let charged = budget.spent
        #expect(charged >= 20_000 * WorkRates.standard.perIteration)
        let after = nodeLimit(budget.child(5))
        #expect(after * 3 < before, "before \(before), after \(after)")
        var work = SolveOptions()
        budget.limit(&work, for: model)
        #expect(work.repeatable && work.threads == 1)
        var options = SolveOptions()
        TimeBudget(seconds: 5).limit(&options, for: model)
        #expect(options.nodeLimit == nil && options.iterationLimit == nil && !options.repeatable)
    }

    /// A program of 200 binaries in one covering row: its price depends only on its size.
    static func covering() -> Model {
        var model = Model(name: "covering")
        var row = LinearExpression()
        for j in 0..<200 { row.add(1, model.addVariable(.binary, objective: Double(j % 7), name: "x\(j)")) }
        model.addConstraint(row, .greaterOrEqual, 3)
        return model
    }

    /// A simplex iteration costs the same in every program up to
    /// ``WorkRates/flatIterationNonzeros`` nonzeros, and in proportion beyond: a program of twice
    /// that many gets half the iterations for the same units, and is charged twice as much for
    /// each. Its hard limit is its share's: unlike a smaller program's, it may not overrun into
    /// what the whole budget has left.
    @Test func iterationsOfLargeProgramsCostInProportionToTheirNonzeros() {
        let rates = WorkRates.standard
        let small = Self.covering()
        var large = Model(name: "large")
        let columns = (0..<1_000).map { large.addVariable(.binary, objective: 1, name: "x\($0)") }
        for _ in 0..<(2 * WorkRates.flatIterationNonzeros / columns.count) {
            var row = LinearExpression()
            for x in columns { row.add(1, x) }
            large.addConstraint(row, .greaterOrEqual, 1)
        }
        #expect(large.entryCount == 2 * WorkRates.flatIterationNonzeros)
        #expect(rates.iterationPrice(small) == rates.perIteration)
        #expect(abs(rates.iterationPrice(large) - 2 * rates.perIteration) < 1e-12)
        func limits(_ model: Model) -> SolveOptions {
            var options = SolveOptions()
            TimeBudget(work: 100).child(5).limit(&options, for: model)
            return options
        }
        let (smallCap, largeCap) = (limits(small).iterationLimit!, limits(large).iterationLimit!)
        #expect(largeCap * 2 <= smallCap && largeCap * 3 > smallCap, "\(largeCap) iterations against \(smallCap)")
        #expect(limits(large).hardIterationLimit == largeCap)
        #expect(limits(small).hardIterationLimit! > smallCap * 10)
        let extra = rates.solveCost(large, nodes: 0, iterations: 1_000) - rates.solveCost(large, nodes: 0, iterations: 0)
        #expect(abs(extra - 1_000 * 2 * rates.perIteration) < 1e-9)
    }

    /// A node limit priced with the iterations seen so far does not bound a solve whose nodes
    /// take many more: the iterations are capped at what the units left pay for, whatever the
    /// nodes.
    @Test func iterationsAreCappedAtWhatTheUnitsLeftPayFor() {
        let model = Self.covering()
        let budget = TimeBudget(work: 100)
        func iterationLimit(_ share: Double) -> Int {
            var options = SolveOptions()
            budget.child(share).limit(&options, for: model)
            return options.iterationLimit!
        }
        let two = iterationLimit(2)
        // What the cap pays for, charged, stays within the share.
        let free = TimeBudget(work: 100)
        free.charge(solving: model, nodes: 0, iterations: two)
        #expect(free.spent <= 2 && free.spent > 1.9, "\(free.spent) units for \(two) iterations")
        #expect(iterationLimit(4) > 2 * two - 2)
        // A spent budget still lets a solve start.
        #expect(iterationLimit(0) == 1)
    }

    /// CBC's root reports nothing, so a solve's hard cap is what the whole budget has left and a
    /// quarter of it more, not the share: a root may overrun its stage, and the budget by a quarter
    /// at most.
    @Test func solvesAreHardCappedAtWhatTheWholeBudgetHasLeft() throws {
        let model = Self.covering()
        let budget = TimeBudget(work: 100)
        var share = SolveOptions()
        budget.child(2).limit(&share, for: model)
        var whole = SolveOptions()
        budget.limit(&whole, for: model)
        let root = try #require(share.hardIterationLimit)
        #expect(root == whole.hardIterationLimit && root > whole.iterationLimit!)
        #expect(root > 60 * share.iterationLimit!, "root \(root), share \(share.iterationLimit!)")
        // What the cap pays for, charged, stays within a quarter past the budget's end.
        let free = TimeBudget(work: 100)
        free.charge(solving: model, nodes: 0, iterations: root)
        #expect(free.spent <= 125 && free.spent > 124, "\(free.spent) units for \(root) iterations")
        // Spent elsewhere, the whole budget leaves a root less.
        budget.charge(90)
        var later = SolveOptions()
        budget.child(2).limit(&later, for: model)
        #expect(later.iterationLimit == share.iterationLimit)
        #expect(try #require(later.hardIterationLimit) < root / 3)
        // Spent to a quarter past its end: the root gets what the share does.
        budget.charge(40)
        var spent = SolveOptions()
        budget.child(2).limit(&spent, for: model)
        #expect(spent.hardIterationLimit == spent.iterationLimit)
        var clock = SolveOptions()
        TimeBudget(seconds: 5).limit(&clock, for: model)
        #expect(clock.hardIterationLimit == nil)
    }

    @Test func noLimitMeansNoShare() {
        let budget = TimeBudget(seconds: nil)
        for stage in PlannerStage.allCases { #expect(budget.share(for: stage) == nil, "\(stage)") }
        #expect(budget.hasLeft(1_000_000))
    }

    /// A child budget counts from when it was made, under the same policy.
    @Test func childBudgetsCountFromTheirStart() {
        let meter = ManualMeter()
        let budget = TimeBudget(limit: 100, policy: .divideAndConquer, meter: meter.reading)
        #expect(budget.share(for: .crossingBound) == 10)
        #expect(budget.share(for: .orderSearch) == 15)
        #expect(budget.share(for: .fixedSchedule) == 30)
        meter.advance(30)
        let child = budget.child(12)
        #expect(child.remaining == 12)
        meter.advance(5)
        #expect(child.remaining == 7)
        #expect(budget.remaining == 65)
        #expect(budget.child(nil).limit == 65)
    }

    /// Divide and conquer's parts of its segment passes take their share of what is left, and a
    /// policy without a rule for a part leaves it everything.
    /// A work budget pays the minimum-peak search in states, charged for those it created; a
    /// wall-clock one gives it an instant, and a cancelled one a limit spent already.
    @Test func theMinimumPeakSearchIsPaidFromTheBudget() async {
        let budget = TimeBudget(work: 1)
        let limit = budget.searchLimit(0.5, operators: 100)
        #expect(limit.statesLeft == 1_250_000 && limit.deadline == nil && budget.spent == 0)
        var schedule = Schedule(order: [], peakBytes: 0, algorithm: .fileOrder)
        schedule.searchStates = 250_000
        budget.charge(searched: schedule, operators: 100)
        #expect(abs(budget.spent - 0.1) < 1e-9)
        #expect(TimeBudget(seconds: 60).searchLimit(1, operators: 100).deadline != nil)
        let cancelled = Task { () -> Bool in
            withUnsafeCurrentTask { $0?.cancel() }
            return TimeBudget(seconds: 60).searchLimit(nil, operators: 100).isSpent
        }
        #expect(await cancelled.value)
    }

    /// With nothing of its budget left, `M_P`'s search returns its first order at once and the
    /// program does not run: a valid order, no proof it did not earn.
    @Test func theMinimumPeakResultKeepsToASpentBudget() throws {
        for seed in UInt64(1)...10 {
            let graph = try randomTinyGraph(seed: seed, operators: 12, withWeights: false)
            var options = MinimumPeakOptions()
            options.budget = TimeBudget(work: 1e-9)
            let result = MinimumPeakResult(graph: graph, setting: .activations, alignment: 1, options: options)
            #expect(result.programStatus == nil && result.programRows == nil, "seed \(seed)")
            #expect(result.schedule.searchStates == 0, "seed \(seed)")
            #expect(graph.scheduleProblem(result.schedule.order) == nil, "seed \(seed)")
        }
    }

    /// The schedule behind `M_P` inside a larger run (`cosma solve`, the C library, the facade's
    /// divide-and-conquer start): under seconds its share of the run's budget, read from the same
    /// meter; in the deterministic mode work units of its own, whatever budget is offered.
    @Test func theMinimumPeakScheduleTakesItsShareOfARun() throws {
        let meter = ManualMeter()
        let run = TimeBudget(limit: 40, meter: meter.reading)
        meter.advance(8)
        let timed = MinimumPeakOptions(solver: .glpk, deterministic: false, sharing: run, share: TimeBudget.minimumPeakForWarmStart)
        #expect(!timed.deterministic && timed.solver == .glpk)
        let budget = try #require(timed.budget)
        #expect(budget.limit == 8, "a quarter of the 32 left")
        meter.advance(3)
        #expect(budget.remaining == 5, "the run's clock")
        #expect(MinimumPeakOptions(deterministic: false, sharing: run).budget?.limit == 21.75, "three quarters of the 29 left")
        let counted = MinimumPeakOptions(deterministic: true, sharing: run)
        #expect(counted.deterministic && counted.budget == nil)
        #expect(MinimumPeakOptions(deterministic: false).budget == nil, "no run budget, none")
    }

    @Test func partsOfAStageTakeTheirShareOfWhatIsLeft() {
        let meter = ManualMeter()
        let budget = TimeBudget(limit: 100, policy: .divideAndConquer, meter: meter.reading)
        meter.advance(40)
        #expect(abs((budget.share(for: .firstStart) ?? 0) - 36) < 1e-9)
        #expect(abs((budget.share(for: .chainHoists) ?? 0) - 20) < 1e-9)
        #expect(budget.share(for: .restartOrderSearch) == 10, "the cap")
        #expect(TimeBudget(limit: 100, meter: meter.reading).share(for: .chainHoists) == 60)
        #expect(TimeBudget(seconds: nil, policy: .divideAndConquer).share(for: .firstStart) == nil)
    }

    /// Lanes under a work budget keep ledgers of their own (``TimeBudget/lanes(_:)``): what one
    /// spends never shows in another's remaining, so neither decides anything by how fast the
    /// other runs; joining charges the parent what the slowest spent, and their solves' iterations
    /// per node. Each lane shares by its own policy, and stopping them ends their budgets and
    /// interrupts their solves.
    @Test func lanesSpendApartAndJoinAtTheSlowest() {
        let model = Self.covering()
        func nodeLimit(_ budget: TimeBudget) -> Int {
            var options = SolveOptions()
            budget.limit(&options, for: model)
            return options.nodeLimit!
        }
        let budget = TimeBudget(work: 30, policy: .divideAndConquer)
        budget.charge(5)
        let lanes = budget.lanes([(15, .boundLane), (15, .planLane)])
        #expect(lanes.budgets.map(\.remaining) == [15, 15])
        #expect(lanes.budgets[0].share(for: .crossingBound) == 3 && lanes.budgets[1].share(for: .fixedSchedule) == 15)
        let unpriced = nodeLimit(lanes.budgets[1].child(5))
        lanes.budgets[0].charge(solving: model, nodes: 10, iterations: 20_000)
        lanes.budgets[0].charge(7)
        #expect(lanes.budgets[1].remaining == 15, "the other lane's spending does not show")
        #expect(nodeLimit(lanes.budgets[1].child(5)) == unpriced, "nor do its solves")
        lanes.budgets[1].charge(3)
        #expect(budget.spent == 5, "nothing reaches the parent before the join")
        let slowest = lanes.budgets[0].spent
        #expect(slowest > 9)
        lanes.join()
        #expect(abs(budget.spent - (5 + slowest)) < 1e-9)
        #expect(nodeLimit(budget.child(5)) * 3 < unpriced, "the lane's solves price the parent's nodes")
        // A lane never gets more than its parent has left.
        #expect(budget.lanes([(100, .planLane)]).budgets[0].remaining == budget.remaining)
        let stopped = budget.lanes([(4, .planLane)])
        #expect(!stopped.run(nil) { SearchLimit.isCancelled })
        stopped.stopAll()
        // A lane's searches see the stop inside `run`, as they would see their task cancelled;
        // nothing outside it does.
        #expect(stopped.run(nil) { SearchLimit.isCancelled })
        #expect(!SearchLimit.isCancelled)
        var options = SolveOptions()
        stopped.budgets[0].child(2).limit(&options, for: model)
        #expect(stopped.budgets[0].remaining == 0 && options.cancellation?.isCancelled == true)
        #expect(budget.remaining! > 0, "stopping lanes does not stop their parent")
        // Under a wall-clock budget the lanes read the parent's clock, and joining charges nothing.
        let meter = ManualMeter()
        let timed = TimeBudget(limit: 30, policy: .divideAndConquer, meter: meter.reading)
        let clocked = timed.lanes([(10, .boundLane), (10, .planLane)])
        meter.advance(4)
        #expect(clocked.budgets.map(\.remaining) == [6, 6])
        clocked.join()
        #expect(timed.remaining == 26)
    }
}

@Suite struct PlanTraceTests {
    /// The exact method's trace on small graphs: stages start in the declared order, each ends,
    /// every bound it proves is at most the plan, and an optimal answer is one whose plan meets a
    /// bound in the trace (or has no traffic).
    @Test(arguments: SolverBackend.allCases)
    func stagesRunInOrderAndExplainTheStatus(solver: SolverBackend) throws {
        for seed in UInt64(300)...309 {
            let (graph, config) = try tinyActivationsAtMR(seed: seed, operators: 6)
            let result = try ExactPlanner(graph: graph, configuration: config, options: ExactOptions(solver: solver)).solve()
            let started = result.trace.events.compactMap { if case let .stageStarted(stage, _, _) = $0 { stage } else { nil } }
            let ended = result.trace.events.compactMap { if case let .stageEnded(stage, _, _) = $0 { stage } else { nil } }
            let order = started.map { ExactPlanner.stages.firstIndex(of: $0)! }
            #expect(order == order.sorted() && Set(order).count == order.count, "seed \(seed): \(started)")
            #expect(started == ended, "seed \(seed)")
            #expect(started.first == .warmStarts, "seed \(seed)")
            #expect(result.trace.bounds.allSatisfy { $0.bytes <= result.nonCompulsory }, "seed \(seed)")
            #expect(result.trace.bounds.map(\.bytes).max() ?? 0 >= result.bound, "seed \(seed): the bound comes from the trace")
            let proven = result.trace.events.contains(.proven(bytes: result.nonCompulsory))
            #expect(proven == (result.status == .optimal), "seed \(seed): \(result.trace.lines)")
            let fellBack = result.trace.events.contains(.fellBackToSpillingEverything)
            #expect(fellBack || result.trace.improvements.last?.bytes == result.nonCompulsory, "seed \(seed): \(result.trace.lines)")
        }
    }

    /// Under a work budget each stage's end says the units it spent, which add up to what the
    /// solve spent, and its start says its share in units; under a wall-clock budget neither.
    @Test(arguments: SolverBackend.allCases)
    func stagesSayTheWorkTheySpent(solver: SolverBackend) throws {
        for seed in UInt64(300)...303 {
            let (graph, config) = try tinyActivationsAtMR(seed: seed, operators: 6)
            let counted = try ExactPlanner(graph: graph, configuration: config,
                                           options: ExactOptions(solver: solver, timeLimit: 5, deterministic: true)).solve()
            let work = counted.trace.events.compactMap { if case let .stageEnded(_, _, work) = $0 { work } else { nil } }
            #expect(work.count == counted.trace.events.filter { if case .stageEnded = $0 { true } else { false } }.count)
            #expect(work.allSatisfy { $0 >= 0 }, "seed \(seed)")
            #expect(abs(work.reduce(0, +) - (counted.work ?? -1)) < 1e-6, "seed \(seed): \(work) against \(counted.work ?? -1)")
            #expect(counted.trace.lines.contains { $0.hasSuffix("units") && $0.contains("done in") }, "seed \(seed)")
            #expect(counted.trace.lines.contains { $0.contains("units)") } && !counted.trace.lines.contains { $0.contains(" s)") })
            let timed = try ExactPlanner(graph: graph, configuration: config, options: ExactOptions(solver: solver, timeLimit: 5)).solve()
            #expect(!timed.trace.lines.contains { $0.contains("units") }, "seed \(seed): \(timed.trace.lines)")
        }
    }

    /// A plan without non-compulsory traffic ends the method after the warm starts.
    @Test func aWarmStartWithoutTrafficEndsTheSolve() throws {
        let graph = try randomTinyGraph(seed: 1, operators: 5, withWeights: false)
        let config = Configuration(capacity: graph.tensors.reduce(0) { $0 + $1.bytes }, tensors: .activations)
        let result = try ExactPlanner(graph: graph, configuration: config).solve()
        #expect(result.status == .optimal)
        #expect(result.trace.ran(.warmStarts) && !result.trace.ran(.covers) && !result.trace.ran(.capacityProgram))
        #expect(result.trace.events.last == .proven(bytes: 0))
    }
}
