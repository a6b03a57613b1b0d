package import DNNGraph
package import Scratchpad

/// A search for the operator order whose on-line plan spills least at a given capacity.
///
/// Below `M_P` the schedule decides how much must travel: the minimum-peak order packs the live
/// tensors as tightly as possible but may keep many of them alive across the same busy stretch,
/// so that every one of them has to be evicted there. On randomly wired stages (RandWire) the
/// fixed-schedule program proves that the minimum-peak order costs five times what the crossing
/// bound allows. This search looks for orders that suit spilling instead, scoring each by the
/// traffic of the on-line planner (``HeuristicPlanner``, Belady's replacement with the
/// lifetime-fit allocator: milliseconds per order):
///
/// 1. **Randomised greedy construction.** The memory-aware greedy scheduler, except that at each
///    step one of the few ready operators that leave the fewest live bytes is drawn at random.
/// 2. **Local search** from the best order: an operator moves to a random position between its
///    last predecessor and its first successor (so the order stays valid), and the move is kept
///    when the plan costs no more. Equal-cost moves are kept to cross plateaus.
///
/// Every order scored is a complete plan that has passed the simulator, so the best one is a
/// valid answer on its own; divide and conquer starts from it. The search is deterministic for a
/// given seed and number of evaluations; with a deadline it stops early.
///
/// Cost: O(evaluations × (N + T) log T) for `N` operators and `T` tensors.
package struct SpillAwareOrderSearch: Sendable {
    package let graph: Graph
    package let configuration: Configuration
    /// Orders scored at most (constructions and moves together).
    package var evaluations: Int
    /// Share of the evaluations (and of the time, with a deadline) spent on randomised
    /// constructions; the rest goes to local search.
    package var constructionShare: Double
    /// How many of the best ready operators a randomised construction draws from.
    package var candidates: Int
    package var seed: UInt64

    package init(graph: Graph, configuration: Configuration, evaluations: Int = 4000, constructionShare: Double = 0.25,
                candidates: Int = 3, seed: UInt64 = 1) {
        self.graph = graph
        self.configuration = configuration
        self.evaluations = evaluations
        self.constructionShare = constructionShare
        self.candidates = candidates
        self.seed = seed
    }

    /// The search's best order, its plan, and how many orders it scored.
    package struct Outcome: Sendable {
        package var order: [OperatorID]
        package var best: CertifiedPlan
        package var evaluated: Int
    }

    /// Searches from `starts` (valid orders, such as the baselines' schedules) until the
    /// evaluations are spent or `deadline` passes; `nil` when no order yields a plan (the on-line
    /// planner fails on every one, as fragmentation can make it do at `M_R`).
    package func run(from starts: [[OperatorID]], until deadline: ContinuousClock.Instant? = nil) -> Outcome? {
        var rng = SeededGenerator(seed: seed)
        let clock = ContinuousClock()
        var evaluated = 0
        var best: (order: [OperatorID], plan: CertifiedPlan)?
        // An evaluation plans and simulates the whole graph (about half a second on 20,000
        // operators) and cannot stop midway, so none starts that the slowest so far says would
        // end past the deadline.
        var slowest = Duration.zero
        func timeIsUp() -> Bool { evaluated >= evaluations || deadline.map { clock.now + slowest >= $0 } ?? false }
        func score(_ order: [OperatorID]) -> CertifiedPlan? {
            evaluated += 1
            let started = clock.now
            defer { slowest = max(slowest, clock.now - started) }
            return try? HeuristicPlanner.plan(graph: graph, configuration: configuration, order: order, scheduleName: "order-search",
                                              replacement: .belady, allocation: .lifetimeFit)
        }
        func consider(_ order: [OperatorID]) -> Bool {
            guard let plan = score(order) else { return false }
            guard let current = best, current.plan.report.traffic.nonCompulsory <= plan.report.traffic.nonCompulsory else {
                best = (order, plan)
                return true
            }
            return false
        }
        for order in starts where !timeIsUp() { _ = consider(order) }
        let model = LiveMemoryModel(graph: graph, setting: configuration.tensors, alignment: configuration.alignment)
        // The constructions' share counts in evaluations and, with a deadline, in time.
        let constructions = Int(Double(evaluations) * constructionShare)
        let constructionEnd = deadline.map { clock.now + (($0 - clock.now) * constructionShare) }
        while evaluated < constructions && !timeIsUp() && constructionEnd.map({ clock.now < $0 }) ?? true {
            _ = consider(randomisedGreedy(model, using: &rng))
        }
        guard var current = best else { return nil }
        var paying = Self.trafficPositions(current.plan.plan)
        while !timeIsUp() && current.plan.report.traffic.nonCompulsory > 0 {
            let near = rng.nextDouble() < 0.8 ? paying : []
            guard let moved = randomMove(current.order, near: near, using: &rng), let plan = score(moved) else { continue }
            if plan.report.traffic.nonCompulsory <= current.plan.report.traffic.nonCompulsory {
                current = (moved, plan)
                paying = Self.trafficPositions(plan.plan)
            }
        }
        return Outcome(order: current.order, best: current.plan, evaluated: evaluated)
    }

    /// The memory-aware greedy order with a random pick among the `candidates` ready operators
    /// that leave the fewest live bytes (ties broken by the peak while they run).
    func randomisedGreedy(_ model: LiveMemoryModel, using rng: inout SeededGenerator) -> [OperatorID] {
        var done = OperatorSet(count: graph.operators.count)
        var waiting = graph.predecessors.map(\.count)
        var ready = model.sources
        var order: [OperatorID] = []
        var live = 0
        while !ready.isEmpty {
            let scored = ready.map { op in (op: op, memory: model.transition(after: done, live: live, running: op)) }
                .sorted { ($0.memory.after, $0.memory.running, $0.op) < ($1.memory.after, $1.memory.running, $1.op) }
            let pick = scored[rng.nextInt(below: min(candidates, scored.count))]
            order.append(pick.op)
            done.insert(pick.op)
            live = pick.memory.after
            ready.removeAll { $0 == pick.op }
            for s in graph.successors[pick.op] {
                waiting[s] -= 1
                if waiting[s] == 0 { ready.append(s) }
            }
        }
        return order
    }

    /// Steps that load or store: where the plan pays, so where moving an operator can matter.
    static func trafficPositions(_ plan: Plan) -> [Int] {
        plan.steps.indices.filter { !plan.steps[$0].load.isEmpty || !plan.steps[$0].store.isEmpty }
    }

    /// How far from a paying step a focused move draws its operator.
    static let focusRadius = 16

    /// `order` with one operator moved to a random other position that keeps every predecessor
    /// before it and every successor after it; `nil` when the drawn operator cannot move. With
    /// `near` positions given, the operator is drawn within ``focusRadius`` of one of them.
    func randomMove(_ order: [OperatorID], near: [Int] = [], using rng: inout SeededGenerator) -> [OperatorID]? {
        let position = graph.positions(of: order)
        var from = rng.nextInt(below: order.count)
        if !near.isEmpty {
            let centre = near[rng.nextInt(below: near.count)]
            from = min(order.count - 1, max(0, centre - Self.focusRadius + rng.nextInt(below: 2 * Self.focusRadius + 1)))
        }
        let op = order[from]
        let earliest = (graph.predecessors[op].map { position[$0] }.max() ?? -1) + 1
        let latest = (graph.successors[op].map { position[$0] }.min() ?? order.count) - 1
        guard latest > earliest else { return nil }
        var to = earliest + rng.nextInt(below: latest - earliest)
        if to >= from { to += 1 }
        var moved = order
        moved.remove(at: from)
        moved.insert(op, at: to)
        return moved
    }
}
