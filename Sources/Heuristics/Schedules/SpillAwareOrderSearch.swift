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
/// 2. **Local search** from the best order: an operator, or the chain of operators it belongs to
///    (``Chains``), moves to a random position between its last predecessor and its first
///    successor (so the order stays valid), and the move is kept when the plan costs no more.
///    Equal-cost moves are kept to cross plateaus.
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
        let chains = Chains(graph: graph)
        // Where each operator reads the one before it, the graph has that one order and no move
        // exists; the loop below would draw moves for ever, since a move not made costs no evaluation.
        let oneOrder = zip(current.order, current.order.dropFirst()).allSatisfy { graph.successors[$0].contains($1) }
        while !oneOrder && !timeIsUp() && current.plan.report.traffic.nonCompulsory > 0 {
            let near = rng.nextDouble() < 0.8 ? paying : []
            guard let moved = randomMove(current.order, near: near, chains: chains, using: &rng), let plan = score(moved) else { continue }
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

    /// The share of moves that carry a whole chain rather than one operator. Of 0.25, 0.5, 0.75
    /// and 1 on ten RandWire instances, then 0.5 and 0.75 on issue #18's benchmark, 0.75 left the
    /// fewest gaps above 25% (`results/divide-and-conquer-ablation.md`); the rest still move one
    /// operator, which splits a chain where running its head early pays.
    static let chainShare = 0.75

    /// `order` with one operator, or the chain it belongs to, moved to a random other position
    /// that keeps every predecessor before it and every successor after it; `nil` when the drawn
    /// operator cannot move. With `near` positions given, the operator is drawn within
    /// ``focusRadius`` of one of them.
    ///
    /// A share ``chainShare`` of the moves carry the operator's whole chain (``Chains``). A
    /// chain's operators hem one another in: in a RandWire node (sum, ReLU, depthwise and pointwise
    /// convolution) the sum can only move between its last producer and its ReLU, and the others
    /// not at all, so moves of one operator cannot carry a node elsewhere in the order except by
    /// four moves in a row, each of which must cost no more on its own.
    func randomMove(_ order: [OperatorID], near: [Int] = [], chains: Chains, using rng: inout SeededGenerator) -> [OperatorID]? {
        var from = rng.nextInt(below: order.count)
        if !near.isEmpty {
            let centre = near[rng.nextInt(below: near.count)]
            from = min(order.count - 1, max(0, centre - Self.focusRadius + rng.nextInt(below: 2 * Self.focusRadius + 1)))
        }
        let members = rng.nextDouble() < Self.chainShare ? chains.chain(of: order[from]) : [order[from]]
        let moving = Set(members)
        let rest = order.filter { !moving.contains($0) }
        let position = graph.positions(of: rest)
        // Insertion indices into `rest`: after every producer, before every reader.
        let earliest = members.flatMap { graph.predecessors[$0] }.filter { !moving.contains($0) }.map { position[$0] + 1 }.max() ?? 0
        let latest = members.flatMap { graph.successors[$0] }.filter { !moving.contains($0) }.map { position[$0] }.min() ?? rest.count
        guard latest >= earliest else { return nil }
        var moved = rest
        moved.insert(contentsOf: members, at: earliest + rng.nextInt(below: latest - earliest + 1))
        return moved == order ? nil : moved
    }

    /// The graph's chains: maximal runs of operators each of which is the only reader of the one
    /// before and reads nothing else of the graph's (a RandWire node's sum, ReLU and two
    /// convolutions; a NAS cell's ReLU, convolution and normalisation). In every order that keeps
    /// them together they can move as one.
    package struct Chains: Sendable {
        /// Each operator's chain, in order; an operator outside any chain is its own.
        let members: [[OperatorID]]
        let index: [Int]

        package init(graph: Graph) {
            let n = graph.operators.count
            func linked(_ a: OperatorID) -> OperatorID? {
                guard graph.successors[a].count == 1, let b = graph.successors[a].first, graph.predecessors[b] == [a] else { return nil }
                return b
            }
            var isLinkedTo = [Bool](repeating: false, count: n)
            for a in 0..<n { if let b = linked(a) { isLinkedTo[b] = true } }
            var members: [[OperatorID]] = []
            var index = [Int](repeating: 0, count: n)
            for head in 0..<n where !isLinkedTo[head] {
                var chain = [head]
                while let next = linked(chain[chain.count - 1]) { chain.append(next) }
                for op in chain { index[op] = members.count }
                members.append(chain)
            }
            self.members = members
            self.index = index
        }

        package func chain(of op: OperatorID) -> [OperatorID] { members[index[op]] }
    }
}
