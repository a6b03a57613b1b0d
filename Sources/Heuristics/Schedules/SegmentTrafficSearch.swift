package import DNNGraph
package import Scratchpad

/// The least traffic of one separated segment, over every order of its operators and every
/// replacement, by best-first search; and the order that achieves it.
///
/// A *separated segment* (``DNNGraph/Graph/separatedSegments(order:reach:)``) is a set of
/// operators that every schedule runs as one contiguous block, such as a stage of a RandWire
/// network. The minimum-peak relaxation of such a block (``WindowPeaks``) says how many bytes must
/// be off chip at its most crowded step, but not how often a plan must go back to DRAM: at `M_H` a
/// RandWire-WS stage crowds out 4 tensors' worth at its peak, while the divide-and-conquer plan
/// spilled 10 there. This search settles the block itself.
///
/// **The block's own problem.** Restrict a plan of the whole graph to the block's steps and to the
/// tensors its operators read or write. A graph input or weight is in DRAM and its first load is
/// free (it is compulsory). A tensor that an earlier block made is resident when the block starts,
/// and each load of it costs: in the whole plan it was made on chip, so when it is not resident at
/// the block's start it has a DRAM copy and is read back during the block. A tensor dies at its
/// last reader inside the block; one the block makes for a later block stays until the block
/// ends, resident or stored; tensors that only pass through are dropped; addresses are ignored
/// (only the occupied bytes must fit). Each of these only removes cost or constraints.
/// Charging the loads of an earlier block's tensors matters where many cross a separator: up to 8
/// of 341,824 bytes each in RandWire-BA's first stage, which the block's problem used to load for
/// free, as it does a graph input (`results/divide-and-conquer-ablation.md`).
///
/// **Stores.** A tensor is stored at most once in a plan, whichever block it happens in, and that
/// store falls to the *last block that reads it*: a block stores what it makes for a later block
/// for free, and an earlier block's tensor starts with a DRAM copy (evicting it is free) only when
/// a later block reads it too. Where this block is its last reader it starts without one, and
/// evicting it costs its store, at the start if the whole plan had it off chip then (the whole
/// plan stored it earlier, in a block that did not count it). So every load and store of the
/// whole plan is counted in at most one block's problem, and blocks are disjoint in time in every
/// schedule: **the sum of the blocks' optima is a lower bound on the traffic of every plan of the
/// graph**. Counting the store where the tensor was made instead (as this search first did) lets
/// a later block evict its earlier blocks' tensors for free, which undercounts every plan that
/// keeps such a tensor across the separator and stores it later.
///
/// **The search.** A state is the set of operators run (a down-set of the block), the tensors
/// resident, and which tensors have a DRAM copy (an activation stored, an outside tensor loaded
/// once, an earlier block's tensor that a later block reads, from the start). Running an operator
/// loads its missing inputs and, when its working set does not fit, evicts an inclusion-minimal
/// set of other resident tensors, storing those without a copy. Loads only when needed and minimal evictions lose
/// nothing: delaying a load or an eviction never costs more, so some optimal plan makes only such
/// moves. States are expanded by traffic so far plus an
/// estimate that never exceeds what is left: the reloads that every tensor off chip still owes,
/// plus what the most crowded operator still to run forces off chip beyond them, in every order of
/// the block (a minimum cut over the block's down-sets, as ``CrossingAnalysis`` finds over a
/// whole graph), each byte priced at a reload, and at a store as well where only tensors
/// without a DRAM copy can make it up (A*; the estimate
/// is admissible but not consistent, so a state reached more cheaply after its expansion is opened
/// again). The first complete state is optimal, and when the state budget runs out the largest
/// least estimate open so far is a lower bound.
///
/// **The estimate lifted from each state.** The block's minimum cut lets every order run an
/// operator early, also the orders a state has ruled out: after a state has made a tensor that
/// a later operator reads, that tensor is live while every operator between runs. So when a state
/// first comes to the top, each operator's cut is taken again over the down-sets that hold what
/// the state has run (`Block.liftedCuts`), a maximum flow over the operators still free to run
/// before or after it, and priced the same way; where that raises the estimate, the state goes
/// back to wait its turn. The cuts depend only on the operators run, which many states share, a
/// cut carries to a child where its largest minimum down-set holds the operator just run, and a
/// flow runs only where the cut's upper bound could raise the estimate: on RandWire's unsettled
/// blocks one flow per 15 to 60 states. A child takes its parent's estimate less the
/// move where that is more than its own (pathmax), so that lifts pass down. The plain estimate
/// walks every order that has paid nothing yet and stays on the same bound however long it runs
/// (RandWire-BA's 97-operator stage with weights at `M_R+2/3`: 1,180,472 bytes after 6 and 16.1
/// million states); lifted, it reaches 1,601,858 after 4.7 million states and 81,127 flows, the
/// share that stage gets at 30 units (results/divide-and-conquer-ablation.md, session 32).
///
/// **Windows.** The same search takes any run of operators as a window (``Scope/window``), whose
/// own problem is relaxed further so that it bounds every plan of a graph that no separator cuts,
/// such as a NAS network: AmoebaNet's stem and `cells.1/prev`, 127 operators of the minimum-peak
/// order, settle together, where every bound that counts one crowded step at a time stays far
/// below the plan.
///
/// **Dominance.** Two states that have run the same operators have the same tensors live, and
/// differ only in which are resident, which have a DRAM copy, and what they cost. When one can be
/// turned into the other by evictions and loads at no more than the other's cost
/// (`Block.dominates`), every plan from the second runs from the first at no more
/// traffic, so the second is not expanded. Only a state expanded at its present cost dominates:
/// its moves lead to states that carry every plan the second would have, so the first complete
/// state is still optimal and the least estimate open still a bound. On RandWire-WS's first stage at `M_R`
/// (56 operators) this settles the stage in 632,690 states instead of 2.19 million.
///
/// **Moves that lose nothing.** Where a ready operator is the last reader of resident tensors
/// without a DRAM copy that are each at least as large as what it makes, and fits, running it at
/// once loses nothing (`Block.freeMove`), so the search tries only that move there. Chains of
/// such operators (a RandWire node's sum, ReLU and convolutions; a NAS cell's separable
/// convolutions) then run in one order among their interleavings. PNASNet-5's stem window of
/// 127 operators at `M_H` settles in 211,861 states, where 3 million had left it open, and
/// NASNet-A's window at `M_H` in 1,709 instead of 772,680.
///
/// **States with too many ways to make room.** A move tries every inclusion-minimal set of
/// evictions that makes room for its operator, up to ``evictionSetLimit``. A state where some
/// operator has more is not expanded, and stays open for good: every plan through it costs at
/// least its estimate, so the least such estimate caps the bound, and a complete plan dearer than
/// the cap is handed on as the block's order (``Outcome/beams``) without being called optimal.
/// Such a state used to void the whole block's bound.
///
/// The model is the COSMA paper's (in-place off): with in-place on an output may take an input's
/// bytes, which this search does not count, so it declines.
///
/// Cost: O(states × ready operators × eviction sets × T/64) time and O(states) memory, for `T`
/// tensors of the block (at most 128, as are its operators).
package struct SegmentTrafficSearch: Sendable {
    package struct Outcome: Sendable {
        /// The block's operators in a cheapest order, when the search finished.
        package var order: [OperatorID]?
        /// The block's least traffic when `order` is given, else a lower bound on it.
        package var lowerBound: Int
        /// States created.
        package var states: Int
        /// States not expanded because another state dominated them.
        package var pruned = 0
        /// Maximum flows run to find the minimum cuts the estimate takes from each state
        /// (`Block.liftedEvictions`), each charged as ``SegmentTrafficSearch/statesPerFlow`` states.
        package var flows = 0
        /// States not expanded because some operator had more ways to make room than the search
        /// tries: each stays open, so the least of their estimates caps ``lowerBound``.
        package var unexpanded = 0
        /// When the search did not finish: cheap orders for the block, each with the traffic
        /// along it (heuristics, never bounds). The search's cheapest complete plan where states
        /// it left unexpanded might lead to cheaper ones; else, when a beam width was given, the
        /// orders of two beam searches over the same moves, that many states per depth: the first
        /// ranks with each store where its tensor is made (`Block.chargeStoresWhereMade`), the
        /// second with the bound's accounting (see "Stores" above). Empty when no order completes.
        ///
        /// Neither accounting is a plan's own, and which one orders a block better depends on the
        /// block: on RandWire-BA each beam alone gains plans over the other and loses as many
        /// (results/divide-and-conquer-ablation.md, journal 38), so the planner tries both orders.
        package var beams: [(order: [OperatorID], traffic: Int)] = []
        /// The children the beam searches made, whether or not they completed an order; 0 when
        /// none ran (the search finished, or handed on its own plan as ``beams``). What a work
        /// budget charges for them (``WorkRates/segmentBeamChild``).
        package var beamChildren = 0
    }

    /// What the searched operators are to every schedule, which decides what their own problem
    /// may assume about the tensors that cross their boundary.
    package enum Scope: Sendable {
        /// A run of separated segments: every schedule runs the operators as one contiguous
        /// block, so an earlier block's tensors exist when it starts and a later block's inputs
        /// must survive it. Blocks are disjoint in time, so their optima add up.
        case separated
        /// Any set of operators, which other operators may interleave with. A tensor made outside
        /// the window comes in as a graph input does (its first load free, evicting it free), since
        /// its producer may run just before its first reader here; one read outside it dies at its
        /// last reader here, since its outside readers may all have run. Both only remove cost, and
        /// the window's order relation keeps only its own edges, so every schedule of the graph,
        /// restricted to the window's steps and tensors, is a plan of this problem that costs no
        /// more: the optimum bounds the whole graph's traffic. Windows share tensors and time, so
        /// their optima do not add; the largest counts.
        case window
    }

    private let graph: Graph
    private let configuration: Configuration

    /// Blocks larger than this (operators or tensors) are not searched: a state keeps them as
    /// 128-bit sets.
    package static let maximumSize = 128

    /// The most states one search should create: about 200 bytes each, so 3,000,000 take 600 MB
    /// (a `[Key: Int32]` index made it about 250: `cosma solve` on RandWire-WS with weights at
    /// `M_R` peaked at 686 MB with it, 535 MB with ``StateIndex``). RandWire-WS's first stage (56
    /// operators) needs 632,690 at `M_R` (2.19 million without dominance). Divide and conquer
    /// lets a block that its share pays for take up to twice this
    /// (`DivideAndConquerPlanner.blockStateLimit`).
    package static let stateLimit = 3_000_000

    /// Most ways to make room for one operator that a state's moves try (inclusion-minimal
    /// eviction sets); a state with more is left unexpanded (``Outcome/unexpanded``).
    package static let evictionSetLimit = 4096

    /// What a search is charged for a maximum flow that makes one of a state's lifted cuts exact
    /// (``Outcome/flows``), in states. A flow on a block of about 120 operators takes about as
    /// long as 40 plain states (30 µs against 0.7 µs), but the plain states take less than their
    /// price (``WorkRates/segmentTrafficState``), so at 16 the lifted search costs its price: on
    /// RandWire-ER seed 2's 120-operator block with activations at `M_R`, 2.98 million states and
    /// 188,655 flows took 9.0 s, 1.5 µs per state charged; on RandWire-BA's 97-operator block with
    /// weights at `M_R+2/3`, 4.7 million states and 81,127 flows 5.8 s, 1.0 µs
    /// (results/divide-and-conquer-ablation.md, session 32).
    package static let statesPerFlow = 16

    package init(graph: Graph, configuration: Configuration) {
        self.graph = graph
        self.configuration = configuration
    }

    /// Whether ``run(_:scope:stateBudget:limit:pruning:reducing:beamWidth:beamDeadline:evictionSetLimit:storesPaidLater:)`` takes `segment` in `scope`:
    /// in-place off, and at most ``maximumSize`` operators and tracked tensors.
    package func accepts(_ segment: [OperatorID], scope: Scope = .separated) -> Bool {
        configuration.inPlace == .off && !segment.isEmpty && segment.count <= Self.maximumSize
            && Block.tensors(of: segment, graph: graph, configuration: configuration, scope: scope).tensors.count <= Self.maximumSize
    }

    /// The blocks to search, from a graph's separated segments in the order they run, with their
    /// peaks: consecutive segments joined while their union has at most `limit` operators and the
    /// search takes it (``accepts(_:)``), each with the largest peak of its parts.
    ///
    /// Consecutive separated segments run as one contiguous block in every schedule too, so the
    /// sum over the joined blocks is still a bound. It is never below the sum over the parts where
    /// both settle: the union's own problem sees what its parts' problems leave out, the stores of
    /// the tensors one part makes for the next and the crowding of the tensors that pass through a
    /// part. RandWire-BA's first stage is a segment of 16 operators, 15 single-operator segments
    /// (a chain of separators) and a segment of 29, which reads 8 tensors of 341,824 bytes made
    /// before it: at `M_R` the 29 settle at 4,101,888 bytes, and the 62 joined (with the input
    /// convolution's 2 operators) at 7,178,304, in 13,916 states.
    package func blocks(joining segments: [(operators: [OperatorID], peak: Int)], limit: Int) -> [(operators: [OperatorID], peak: Int)] {
        var blocks: [(operators: [OperatorID], peak: Int)] = []
        for segment in segments {
            if let last = blocks.last, case let union = last.operators + segment.operators, union.count <= limit, accepts(union) {
                blocks[blocks.count - 1] = (union, max(last.peak, segment.peak))
            } else {
                blocks.append(segment)
            }
        }
        return blocks
    }

    /// Windows over `order` (some operators in a valid order, such as a segment's in the
    /// minimum-peak schedule) for ``Scope/window`` searches, as ranges of positions: runs of
    /// consecutive operators, each as long as ``accepts(_:scope:)`` allows (and at most `longest`),
    /// that together hold every position of `crowded` (ascending). A window starts ``windowLead`` positions before the first
    /// crowded position not yet held, so that what leads up to the crowding is searched with it.
    ///
    /// A window whose steps all fit in `order` has a plan without traffic, so only windows that
    /// hold a crowded position can bound anything. On AmoebaNet at `M_R` one window of 127
    /// operators holds both places that every plan pays for (the stem and `cells.1/prev`).
    package func windows(over order: [OperatorID], crowded: [Int], longest: Int = maximumSize) -> [Range<Int>] {
        var windows: [Range<Int>] = []
        for position in crowded where windows.last.map({ position >= $0.upperBound }) ?? true {
            let lead = min(Self.windowLead, longest / 4)
            var window = longestWindow(over: order, from: max(0, position - lead), longest: longest)
            // The lead alone may hold more tensors than a search takes.
            if window.upperBound <= position { window = longestWindow(over: order, from: position, longest: longest) }
            windows.append(window)
        }
        return windows
    }

    /// How many operators before a crowded one a window starts.
    package static let windowLead = 16

    /// The longest run of `order` from `start`, of at most `longest` operators, that
    /// ``accepts(_:scope:)`` takes as a window (at least one operator).
    func longestWindow(over order: [OperatorID], from start: Int, longest: Int) -> Range<Int> {
        var end = start + 1
        while end < order.count, end - start < longest, accepts(Array(order[start...end]), scope: .window) { end += 1 }
        return start..<end
    }

    /// Searches the block `segment` (a run of separated segments' operators, or any operators as a
    /// `.window`, in an order valid for the graph), creating at most `stateBudget` states (fewer if
    /// `limit` has fewer) and spending them from `limit`.
    /// `nil` when the block is too large or in-place is on: then nothing is known about it.
    /// `pruning: false` expands dominated states too, and `reducing: false` tries every move where
    /// one loses nothing (`Block.freeMove`); both for tests: the optimum must not change. So is a
    /// lower `evictionSetLimit`: the bound must stay valid.
    /// `storesPaidLater` are tensors whose store a later block pays (see "Stores" above): a window
    /// of a separated block takes the block's tensors that a later block reads
    /// (``DNNGraph/Graph/tensorsReadOutside(_:)``), which it stores for free, as the block's own
    /// problem does.
    /// With a `beamWidth`, a search that does not finish also orders the block by two beam
    /// searches (``Outcome/beams``), without building the block again: each build runs a maximum
    /// flow per operator. A beam still running at `beamDeadline`, or past the children
    /// `beamChildLimit` leaves it, gives up (no order). With a `widerBeam`, the two beams run again
    /// that wide when the children the first two made, scaled to the wider width, fit in what
    /// `beamChildLimit` leaves, and each ranking keeps its cheaper order. A wider beam keeps more
    /// of the orders a narrow one ranks out early: on RandWire-ER seed 3's middle stage with
    /// weights at `M_R`, 2,000 states per depth order it at 4,956,448 bytes, 500 at 6,323,744
    /// (results/divide-and-conquer-ablation.md, journal 49).
    package func run(_ segment: [OperatorID], scope: Scope = .separated, stateBudget: Int, limit: inout SearchLimit, pruning: Bool = true,
                     reducing: Bool = true, beamWidth: Int? = nil, beamDeadline: ContinuousClock.Instant? = nil,
                     widerBeam: Int? = nil, beamChildLimit: Int? = nil,
                     evictionSetLimit: Int = SegmentTrafficSearch.evictionSetLimit, storesPaidLater: Set<TensorID> = []) -> Outcome?
    {
        guard configuration.inPlace == .off,
              var block = Block(graph: graph, configuration: configuration, segment: segment, scope: scope, storesPaidLater: storesPaidLater)
        else { return nil }
        block.evictionSetLimit = evictionSetLimit
        var outcome = block.search(stateBudget: limit.states(stateBudget), deadline: limit.deadline, pruning: pruning, reducing: reducing)
        limit.spend(outcome.states + outcome.flows * Self.statesPerFlow)
        if outcome.order == nil, outcome.beams.isEmpty, let beamWidth {
            // A heuristic need not count as the bound does: the first beam ranks by the model it
            // was tuned on, each store where its tensor is made, and both rank by the debt they
            // were tuned with, every byte a shortfall forces off chip priced as a reload. Pricing
            // the stores too in the beams as well as in the bound (journal 45 of
            // results/divide-and-conquer-ablation.md) changed their orders, and lost three plans
            // for one gained.
            block.pricesStores = false
            var whereMade = block
            whereMade.chargeStoresWhereMade()
            let rankings = [whereMade, block]
            var best: [(order: [OperatorID], traffic: Int)?] = [nil, nil]
            var width = beamWidth
            while true {
                let before = outcome.beamChildren
                for (i, ranking) in rankings.enumerated() {
                    let left = beamChildLimit.map { $0 - outcome.beamChildren }
                    let (plan, made) = ranking.beam(width: width, deadline: beamDeadline, childLimit: left)
                    outcome.beamChildren += made
                    // Each ranking's traffic is in its own accounting: only its own widths compare.
                    // A tie goes to the wider beam, which ranked more orders: on RandWire-BA seed 2
                    // at `M_H` the first ranking's orders cost the same in its accounting at both
                    // widths, and the wider one's plan 341,824 bytes less.
                    if let plan, best[i].map({ plan.traffic <= $0.traffic }) ?? true { best[i] = plan }
                }
                // Children grow about as the width does (each survivor makes its moves).
                guard let wider = widerBeam, wider > width,
                      beamChildLimit.map({ (outcome.beamChildren - before) * wider / width <= $0 - outcome.beamChildren }) ?? true
                else { break }
                width = wider
            }
            outcome.beams = best.compactMap { $0 }
        }
        return outcome
    }
}

/// A set of at most 128 local indices; iterating it gives the members in increasing order.
private struct Bits: Hashable, Sequence {
    var lo: UInt64 = 0
    var hi: UInt64 = 0

    static let empty = Bits()

    init() {}
    init(_ members: some Sequence<Int>) { for i in members { insert(i) } }

    func contains(_ i: Int) -> Bool { i < 64 ? lo & (1 << UInt64(i)) != 0 : hi & (1 << UInt64(i - 64)) != 0 }
    mutating func insert(_ i: Int) {
        if i < 64 { lo |= 1 << UInt64(i) } else { hi |= 1 << UInt64(i - 64) }
    }
    var isEmpty: Bool { lo == 0 && hi == 0 }
    var count: Int { lo.nonzeroBitCount + hi.nonzeroBitCount }
    /// The set folded into a running hash.
    func mixed(into hash: UInt64) -> UInt64 { hi.mixed(into: lo.mixed(into: hash)) }
    static func & (a: Bits, b: Bits) -> Bits { Bits(lo: a.lo & b.lo, hi: a.hi & b.hi) }
    static func | (a: Bits, b: Bits) -> Bits { Bits(lo: a.lo | b.lo, hi: a.hi | b.hi) }
    /// `a` without `b`.
    static func - (a: Bits, b: Bits) -> Bits { Bits(lo: a.lo & ~b.lo, hi: a.hi & ~b.hi) }
    func isSubset(of other: Bits) -> Bool { (self - other).isEmpty }

    private init(lo: UInt64, hi: UInt64) {
        self.lo = lo
        self.hi = hi
    }

    struct Iterator: IteratorProtocol {
        var lo: UInt64
        var hi: UInt64

        mutating func next() -> Int? {
            if lo != 0 {
                defer { lo &= lo - 1 }
                return lo.trailingZeroBitCount
            }
            guard hi != 0 else { return nil }
            defer { hi &= hi - 1 }
            return 64 + hi.trailingZeroBitCount
        }
    }

    func makeIterator() -> Iterator { Iterator(lo: lo, hi: hi) }

    /// The sum of `values` over the members.
    func sum(_ values: [Int]) -> Int {
        var total = 0
        for i in self { total += values[i] }
        return total
    }
}

/// One block, in local indices: operators `0..<m` and the tracked tensors they read or write.
private struct Block {
    let members: [OperatorID]
    /// Every operator of the block, as local indices (``sides(of:done:)`` takes from it per cut).
    let everyOperator: Bits
    /// Per operator: the capacity less its operand-only inputs (``tensors(of:graph:configuration:scope:)``).
    let room: [Int]
    /// Per operator: predecessors inside the block, tracked inputs, tracked outputs.
    let predecessors: [Bits]
    let inputs: [Bits]
    let outputs: [Bits]
    /// Per tensor: the block's operators that read it, occupied bytes, traffic bytes, and what
    /// evicting it without a DRAM copy costs (its size; nothing for a graph output, whose one store
    /// is compulsory).
    let readers: [Bits]
    let occupied: [Int]
    let bytes: [Int]
    private(set) var storeCost: [Int]
    /// What evicting each tensor without a DRAM copy costs where stores fall where a tensor is
    /// made instead (``chargeStoresWhereMade()``).
    let storeCostWhereMade: [Int]
    /// Graph inputs and weights (in a window, every tensor made outside it): in DRAM already,
    /// their first load free.
    let outside: Bits
    /// Tensors an earlier block made: resident at the start, so that every load of them is a
    /// reload. None in a window.
    let made: Bits
    /// Those of ``made`` that a later block reads too: they start with a DRAM copy, so evicting
    /// them is free here, since a tensor's store falls to the last block that reads it (see
    /// "Stores" on ``SegmentTrafficSearch``). The others start without one, and their store is
    /// this block's to pay.
    private(set) var carried: Bits
    /// Tensors the block makes that a later operator reads: they live until the block ends, and
    /// cost nothing to store, which a later block pays. None in a window.
    let kept: Bits
    /// Per operator: the tensors live while it runs in every order of the block (made by it or
    /// an ancestor, or read by one, and read by it or a descendant), and by how many occupied
    /// bytes they exceed the capacity (0 when they fit).
    let forced: [Bits]
    let forcedExcess: [Int]
    /// The operators whose ``forcedExcess`` is positive: few or none (RandWire's stages have 0 to
    /// 13 of up to 119), and the only ones ``futureEvictions(done:off:copied:)`` needs to look at.
    let crowded: [Int]
    /// Per operator: the tensors that may be live while it runs in some order of the block (not
    /// its operands,
    /// ``crossers(at:inputs:outputs:producer:readers:made:outside:ancestors:descendants:)``), and
    /// by how many occupied bytes the fewest of them that any order keeps live exceed the room
    /// beside its operands: a minimum cut, the lifted one (``exactCut(_:done:scratch:)``) from
    /// the empty done set. At least ``forcedExcess``, since the forced tensors are live in every
    /// order.
    let crossers: [Bits]
    private(set) var cutExcess: [Int] = []
    /// Per operator: the room beside its operands, which what crosses it shares.
    let spare: [Int]
    /// The operators whose ``cutExcess`` is positive, largest first: 40 of the 97 of RandWire-BA's
    /// second stage at `M_R`, where 3 have a positive ``forcedExcess``.
    private(set) var cutCrowded: [Int] = []
    /// Per operator: what its outputs together occupy, move and cost to store, which decides
    /// whether running it where an input dies loses nothing (``freeMove(from:)``).
    private(set) var yields: [(occupied: Int, bytes: Int, store: Int)]
    /// The tensors by occupied bytes, largest first (ties by index): the order in which
    /// ``minimalEvictions(from:need:scratch:)`` tries them, since sets close sooner.
    let bySize: [Int]
    /// Traffic per occupied byte, at least: 1 unless alignment rounds sizes up.
    let bytesPerOccupied: Double
    /// Tensors whose eviction never costs a store (``storeCost`` 0), and the least traffic per
    /// occupied byte of evicting one of the others without a DRAM copy and reading it again (its
    /// store and its reload): what ``futureEvictions(done:off:copied:)`` charges.
    private(set) var storeFree = Bits.empty
    private(set) var storedRate = 1.0
    /// Whether ``futureEvictions(done:off:copied:)`` prices the stores a shortfall owes (the
    /// search's bound), or every byte as a reload (the beams' ranking, which was tuned so).
    var pricesStores = true
    /// Per operator: its ancestors and its descendants inside the block.
    let ancestors: [Bits]
    let descendants: [Bits]
    /// Per tensor: the block's operator that makes it, or -1.
    let producer: [Int]
    /// Most eviction sets one move tries (``SegmentTrafficSearch/evictionSetLimit``; fewer in tests).
    var evictionSetLimit = SegmentTrafficSearch.evictionSetLimit

    init?(graph: Graph, configuration: Configuration, segment: [OperatorID], scope: SegmentTrafficSearch.Scope,
          storesPaidLater: Set<TensorID> = []) {
        let m = segment.count
        guard m > 0, m <= SegmentTrafficSearch.maximumSize else { return nil }
        let setting = configuration.tensors
        var local = [OperatorID: Int]()
        for (i, o) in segment.enumerated() { local[o] = i }
        let (tensors, operandOnly) = Self.tensors(of: segment, graph: graph, configuration: configuration, scope: scope)
        guard tensors.count <= SegmentTrafficSearch.maximumSize else { return nil }
        var tensorIndex = [TensorID: Int]()
        for (k, t) in tensors.enumerated() { tensorIndex[t] = k }
        var predecessors: [Bits] = []
        var inputs: [Bits] = []
        var outputs: [Bits] = []
        for o in segment {
            predecessors.append(Bits(graph.predecessors[o].compactMap { local[$0] }))
            inputs.append(Bits(graph.residentInputs(of: o, in: setting).compactMap { tensorIndex[$0] }))
            outputs.append(Bits(graph.operators[o].outputs.compactMap { tensorIndex[$0] }))
        }
        var readers = [Bits](repeating: .empty, count: tensors.count)
        // Per tensor: the block's operator that makes it, or -1.
        var producer = [Int](repeating: -1, count: tensors.count)
        for i in 0..<m {
            for t in inputs[i] { readers[t].insert(i) }
            for t in outputs[i] { producer[t] = i }
        }
        self.producer = producer
        members = segment
        let room = operandOnly.map { configuration.capacity - $0 }
        self.room = room
        self.predecessors = predecessors
        self.inputs = inputs
        self.outputs = outputs
        self.readers = readers
        let occupied = tensors.map { roundUp(graph.tensors[$0].bytes, to: configuration.alignment) }
        self.occupied = occupied
        bytes = tensors.map { graph.tensors[$0].bytes }
        let madeBefore = Bits(tensors.indices.filter { graph.producer[tensors[$0]].map { local[$0] == nil } ?? false })
        // In a window an outside operator may run between the window's own: what it makes comes in
        // as a graph input does, its first load free (``SegmentTrafficSearch/Scope/window``).
        let outside = Bits(tensors.indices.filter { graph.producer[tensors[$0]] == nil }) | (scope == .window ? madeBefore : .empty)
        let made = scope == .window ? Bits.empty : madeBefore
        self.outside = outside
        self.made = made
        let (ancestors, descendants) = Self.ancestry(predecessors)
        (self.ancestors, self.descendants) = (ancestors, descendants)
        let everyOperator = Bits(0..<m)
        self.everyOperator = everyOperator
        // An earlier block's tensor lives from the start: resident, or off chip owing a reload; an
        // outside tensor from its first reader.
        let starters = tensors.indices.map { made.contains($0) ? everyOperator : outside.contains($0) ? readers[$0] : Bits([producer[$0]]) }
        let forced = Self.forced(starters: starters, readers: readers, ancestors: ancestors, descendants: descendants)
        self.forced = forced
        let forcedExcess = (0..<m).map { max(0, forced[$0].sum(occupied) - room[$0]) }
        self.forcedExcess = forcedExcess
        crowded = forcedExcess.indices.filter { forcedExcess[$0] > 0 }
        crossers = (0..<m).map { j in
            Self.crossers(at: j, inputs: inputs, outputs: outputs, producer: producer, readers: readers, made: made, outside: outside,
                          ancestors: ancestors, descendants: descendants)
        }
        spare = (0..<m).map { room[$0] - (inputs[$0] | outputs[$0]).sum(occupied) }
        bySize = occupied.indices.sorted { (occupied[$0], $1) > (occupied[$1], $0) }
        bytesPerOccupied = tensors.indices.map { Double(graph.tensors[tensors[$0]].bytes) / Double(max(1, occupied[$0])) }.min() ?? 1
        let stores = Self.stores(of: tensors, segment: segment, made: made, scope: scope, paidLater: storesPaidLater, graph: graph)
        (kept, carried, storeCost, storeCostWhereMade) = (stores.kept, stores.carried, stores.cost, stores.costWhereMade)
        yields = Self.yields(outputs: outputs, occupied: occupied, bytes: bytes, storeCost: stores.cost)
        priceEvictions()
        var flows = FlowScratch()
        let cutExcess = (0..<m).map { j in
            guard crossers[j].sum(occupied) > spare[j] else { return 0 }
            var cut = LiftedCut(j: j, least: 0, most: MaxFlow.infinite, side: .empty, alive: crossers[j])
            exactCut(&cut, done: .empty, scratch: &flows)
            return max(0, cut.least - spare[j])
        }
        self.cutExcess = cutExcess
        cutCrowded = cutExcess.indices.filter { cutExcess[$0] > 0 }.sorted { (cutExcess[$0], $1) > (cutExcess[$1], $0) }
    }

    /// Per operator of a block in a valid order, given its predecessors: its ancestors and its
    /// descendants.
    static func ancestry(_ predecessors: [Bits]) -> (ancestors: [Bits], descendants: [Bits]) {
        var ancestors = [Bits](repeating: .empty, count: predecessors.count)
        var descendants = ancestors
        for i in predecessors.indices {
            for p in predecessors[i] { ancestors[i] = ancestors[i] | ancestors[p] | Bits([p]) }
            for a in ancestors[i] { descendants[a].insert(i) }
        }
        return (ancestors, descendants)
    }

    /// Sets ``storeFree`` and ``storedRate`` from ``storeCost``.
    private mutating func priceEvictions() {
        storeFree = Bits(storeCost.indices.filter { storeCost[$0] == 0 })
        storedRate = storeCost.indices.filter { storeCost[$0] > 0 }
            .map { Double(bytes[$0] + storeCost[$0]) / Double(max(1, occupied[$0])) }.min() ?? bytesPerOccupied
    }

    /// Who pays each tensor's store (see "Stores" on ``SegmentTrafficSearch``): what the block
    /// keeps for a later one (``kept``), stored for free here; the earlier blocks' tensors that a
    /// later block reads too (``carried``), with a copy from the start; and what evicting each
    /// tensor without a copy costs, here and where stores fall where tensors are made. A window
    /// keeps nothing and carries nothing, and stores `paidLater` (its block's ``kept``) for free.
    static func stores(of tensors: [TensorID], segment: [OperatorID], made: Bits, scope: SegmentTrafficSearch.Scope,
                       paidLater: Set<TensorID>, graph: Graph) -> (kept: Bits, carried: Bits, cost: [Int], costWhereMade: [Int])
    {
        let paidLater = scope == .window ? paidLater : graph.tensorsReadOutside(segment)
        let kept = scope == .window ? .empty : Bits(tensors.indices.filter { paidLater.contains(tensors[$0]) })
        // Outside the block, only what runs after it in every schedule (its members' descendants)
        // can read an earlier block's tensor later; the rest ran before it.
        let after = scope == .window ? [] : Self.descendants(of: segment, in: graph)
        let carried = Bits(made.filter { k in graph.consumers[tensors[k]].contains { after.contains($0) } })
        let whereMade = tensors.map { graph.isOutput[$0] ? 0 : graph.tensors[$0].bytes }
        let cost = tensors.indices.map { paidLater.contains(tensors[$0]) ? 0 : whereMade[$0] }
        return (kept, carried, cost, whereMade)
    }

    /// Per operator: what its outputs together occupy, move and cost to store.
    static func yields(outputs: [Bits], occupied: [Int], bytes: [Int], storeCost: [Int]) -> [(occupied: Int, bytes: Int, store: Int)] {
        outputs.map { ($0.sum(occupied), $0.sum(bytes), $0.sum(storeCost)) }
    }

    /// Makes each store fall where its tensor is made, as this search first counted them: an
    /// earlier block's tensors start with a DRAM copy, and what the block makes for a later one
    /// costs its store here. Not a bound on the block's share of a plan (see "Stores" on
    /// ``SegmentTrafficSearch``), but the model the first beam ranks by (``SegmentTrafficSearch/run(_:scope:stateBudget:limit:pruning:reducing:beamWidth:beamDeadline:evictionSetLimit:storesPaidLater:)``).
    mutating func chargeStoresWhereMade() {
        carried = made
        storeCost = storeCostWhereMade
        yields = Self.yields(outputs: outputs, occupied: occupied, bytes: bytes, storeCost: storeCost)
        priceEvictions()
    }

    /// The operators outside `segment` that descend from one of its operators.
    static func descendants(of segment: [OperatorID], in graph: Graph) -> Set<OperatorID> {
        let members = Set(segment)
        var found = Set<OperatorID>()
        var stack = segment
        while let o = stack.popLast() {
            for next in graph.successors[o] where !members.contains(next) && found.insert(next).inserted { stack.append(next) }
        }
        return found
    }

    /// Per operator: the tensors live while it runs in every order of the block, those that an
    /// operator of `starters` (per tensor: its producer, its readers, or every operator) has
    /// started by then, itself or an ancestor, and that it or a descendant reads.
    static func forced(starters: [Bits], readers: [Bits], ancestors: [Bits], descendants: [Bits]) -> [Bits] {
        var forced = [Bits](repeating: .empty, count: ancestors.count)
        for k in starters.indices {
            for j in ancestors.indices {
                var upTo = ancestors[j]
                upTo.insert(j)
                var from = descendants[j]
                from.insert(j)
                if !(starters[k] & upTo).isEmpty && !(readers[k] & from).isEmpty { forced[j].insert(k) }
            }
        }
        return forced
    }

    /// The tensors that may be live while operator `j` runs (not its operands).
    ///
    /// A tensor is live while `j` runs when it has started (made by an operator run before `j`; an
    /// earlier block's tensor, from the block's start; a graph input or weight, once an operator
    /// before `j` has read it) and an operator of the block after `j` reads it. Only the block's
    /// readers count: a tensor the block makes for a later block may be evicted for free once the
    /// block no longer reads it, so it must not count here, where every byte off chip owes a
    /// reload. Which operators run before `j` is a down-set of the block that holds `j`'s
    /// ancestors and none of its descendants; the live bytes over such sets are least at a
    /// minimum cut (``cutExcess``), as ``CrossingAnalysis`` finds over a whole graph.
    static func crossers(at j: Int, inputs: [Bits], outputs: [Bits], producer: [Int], readers: [Bits], made: Bits, outside: Bits,
                         ancestors all: [Bits], descendants below: [Bits]) -> Bits {
        let (ancestors, descendants) = (all[j], below[j])
        let operands = inputs[j] | outputs[j]
        var crossers = Bits.empty
        for k in readers.indices where !operands.contains(k) {
            // `j` does not read `k`, so none of these readers is `j`.
            let canFollow = readers[k] - ancestors
            guard !canFollow.isEmpty else { continue }
            if made.contains(k) {
                crossers.insert(k)
            } else if outside.contains(k) {
                // One reader before `j` and another after it.
                let canPrecede = readers[k] - descendants
                if !canPrecede.isEmpty && (canPrecede | canFollow).count >= 2 { crossers.insert(k) }
            } else if producer[k] >= 0 && !descendants.contains(producer[k]) {
                crossers.insert(k)
            }
        }
        return crossers
    }

    /// The tracked tensors that `segment`'s operators read or write, in the order they first
    /// appear: the block's local tensor indices; and per operator, the occupied bytes of its
    /// operand-only inputs, which are left out of them.
    ///
    /// An *operand-only* input comes from outside (a graph input or weight; in a window, any
    /// tensor made outside it), so its first load is free, and has one reader in the block: it is
    /// resident exactly while that reader runs, in every plan, and no move concerns it. It only
    /// takes room from its reader. With weights that halves a block's tensors (each operator has
    /// its own), so twice the operators fit the search's 128-bit sets.
    static func tensors(of segment: [OperatorID], graph: Graph, configuration: Configuration, scope: SegmentTrafficSearch.Scope)
        -> (tensors: [TensorID], operandOnly: [Int])
    {
        let setting = configuration.tensors
        let members = Set(segment)
        var readers = [TensorID: Int]()
        for o in segment {
            for t in graph.residentInputs(of: o, in: setting) { readers[t, default: 0] += 1 }
        }
        func operandOnly(_ t: TensorID) -> Bool {
            readers[t] == 1 && (scope == .window ? graph.producer[t].map { !members.contains($0) } ?? true : graph.producer[t] == nil)
        }
        var seen = Set<TensorID>()
        var tensors: [TensorID] = []
        var bytes = [Int](repeating: 0, count: segment.count)
        for (i, o) in segment.enumerated() {
            let outputs = graph.operators[o].outputs.filter { graph.isTracked($0, in: setting) }
            for t in graph.residentInputs(of: o, in: setting) + outputs where seen.insert(t).inserted {
                if operandOnly(t) { bytes[i] += roundUp(graph.tensors[t].bytes, to: configuration.alignment) } else { tensors.append(t) }
            }
        }
        return (tensors, bytes)
    }

    /// A state: operators run, tensors resident, tensors with a DRAM copy. A tensor neither
    /// resident nor copied is an outside tensor not loaded yet (its load is free) or not made yet.
    struct Key: StateKey {
        var done: Bits
        var resident: Bits
        var copied: Bits

        var stateHash: UInt64 { copied.mixed(into: resident.mixed(into: done.mixed(into: 0x9e37_79b9_7f4a_7c15))) }
    }

    /// The state before the block's first operator: an earlier block's tensors resident, with copies.
    var start: Key { Key(done: .empty, resident: made, copied: carried) }

    /// A state's operators run, without the rest of its key: states that share it form a family,
    /// whose members ``dominates(_:_:_:_:)`` compares.
    struct DoneKey: StateKey {
        var done: Bits
        var stateHash: UInt64 { done.mixed(into: 0x3c6e_f372_fe94_f82b) }
    }

    /// Whether the state `a`, reached at traffic `costA`, can become `b` at no more than `costB`.
    /// Both have run the same operators, so the same tensors are live in both. `a` becomes `b` in
    /// two steps: it evicts what `b` does not hold, storing each tensor that `b` has a DRAM copy of
    /// and `a` has not; then it loads what `b` holds and `a` does not, a reload where `a` has a
    /// DRAM copy and free where it is an outside tensor that `a` has not loaded yet. The occupied
    /// bytes never exceed `b`'s after the first step. Every plan from `b` then runs from `a` too,
    /// at no more traffic.
    func dominates(_ a: Key, _ costA: Int, _ b: Key, _ costB: Int) -> Bool {
        guard costA <= costB else { return false }
        let loads = ((b.resident - a.resident) & a.copied).sum(bytes)
        guard costA + loads <= costB else { return false }
        return costA + loads + ((b.copied - a.copied) & a.resident).sum(storeCost) <= costB
    }

    /// Where a state of ``search(stateBudget:deadline:pruning:reducing:)`` stands.
    enum Status: UInt8 {
        case open
        /// Its moves were made at its present cost.
        case expanded
        /// Another state with the same operators run dominated it, so it was not expanded.
        case pruned
        /// It has more ways to make room than ``Block/evictionSetLimit``, so it was not expanded: it
        /// stays open for the bound (its estimate caps it), and dominates nothing.
        case unexpanded
    }

    /// The expanded states of ``search(stateBudget:deadline:pruning:reducing:)`` by the operators they have run:
    /// per family a list, newest first, which a state about to be expanded walks to find one
    /// that dominates it (``dominates(_:_:_:_:)``).
    struct Families {
        var index = StateIndex(expected: 1 << 12)
        var keys: [DoneKey] = []
        var head: [Int32] = []
        /// Per state: the next older state of its family, -1 at the end, -2 when not entered.
        var next: [Int32] = []

        /// How many states of a family one check compares with: the newest, since any subset
        /// keeps the search exact and the check runs once per expansion.
        static let checked = 256

        mutating func family(of done: Bits) -> Int {
            let key = DoneKey(done: done)
            if let f = index.node(of: key, orInsert: Int32(keys.count), keys: keys) { return Int(f) }
            keys.append(key)
            head.append(-1)
            return keys.count - 1
        }

        /// Whether an expanded member of `node`'s family dominates it; when none does, `node`
        /// joins the family (once), since it is about to be expanded. One lookup of the family
        /// serves both.
        mutating func dominatedElseEnter(_ node: Int, keys states: [Key], cost: [Int], status: [Status], block: Block) -> Bool {
            let b = states[node]
            let f = family(of: b.done)
            var a = head[f]
            var seen = 0
            while a >= 0 && seen < Self.checked {
                let i = Int(a)
                if i != node && status[i] == .expanded && block.dominates(states[i], cost[i], b, cost[node]) { return true }
                a = next[i]
                seen += 1
            }
            if next.count <= node { next.append(contentsOf: repeatElement(-2, count: states.count - next.count)) }
            if next[node] == -2 {
                next[node] = head[f]
                head[f] = Int32(node)
            }
            return false
        }
    }

    /// What ``moves(from:into:scratch:)`` reuses from one call to the next, so that a state
    /// allocates nothing.
    struct Scratch {
        var evictions: [Bits] = []
        /// The candidates for eviction in ``bySize`` order, and what they and those after them
        /// occupy.
        var items: [Int] = []
        var suffix: [Int] = []
    }

    struct Entry: HeapOrdered {
        /// Traffic so far plus the reloads still owed.
        var estimate: Int
        var depth: Int32
        var node: Int32

        func precedes(_ other: Entry) -> Bool {
            (estimate, -depth, node) < (other.estimate, -other.depth, other.node)
        }
    }

    /// A move from a state: the operator run, the state after it, the traffic it costs, and what
    /// the state after it still owes (``Entry/estimate`` less the traffic so far).
    struct Move {
        var op: Int
        var child: Key
        var cost: Int
        var owed: Int
    }

    /// A ready operator that reads only resident tensors, fits beside them, and is the last
    /// reader of some that have no DRAM copy, each no smaller than all it makes together (in
    /// occupied bytes, traffic and store cost); `nil` if none.
    ///
    /// Running it at once loses nothing. Take any plan from this state that runs it later, at step
    /// `t`, and run it first instead. Until `t`, every other tensor is resident when the plan has
    /// it resident; the outputs are resident exactly while the plan keeps every one of those inputs
    /// resident, evicted otherwise, and loaded back where the plan loads the last of them back.
    /// That occupies no more bytes at any step, and each time the plan has such an input off chip
    /// it paid that input's store (it had no copy) or its reload, no less than the outputs'. From
    /// `t` on the two plans are the same. So some least-traffic plan from this state runs the
    /// operator first: a search that only tries it still finds the optimum, and its least open
    /// estimate still bounds it. Where operators form chains (a RandWire node's sum, ReLU,
    /// depthwise and pointwise convolutions; a NAS cell's separable convolutions), this keeps one
    /// order of the chain's steps among their interleavings with everything else.
    func freeMove(from key: Key) -> Int? {
        for j in 0..<members.count where !key.done.contains(j) && predecessors[j].isSubset(of: key.done) {
            let read = inputs[j]
            guard read.isSubset(of: key.resident) else { continue }
            var done = key.done
            done.insert(j)
            // Inputs read last here, not kept for a later block, without a DRAM copy (made in the
            // block, or an earlier block's tensor read last here; a loaded outside one has one).
            let fresh = read.filter { readers[$0].isSubset(of: done) && !kept.contains($0) && !key.copied.contains($0) }
            let out = yields[j]
            guard !fresh.isEmpty,
                  fresh.allSatisfy({ out.occupied <= occupied[$0] && out.bytes <= bytes[$0] && out.store <= storeCost[$0] }),
                  (key.resident | outputs[j]).sum(occupied) <= room[j]
            else { continue }
            return j
        }
        return nil
    }

    /// Every move from `key` into `moves`: each ready operator, with each minimal set of
    /// evictions that makes room for it; only the ``freeMove(from:)`` when `reduced` and there is
    /// one. `false` when some operator has more ways to make room than ``evictionSetLimit``: then
    /// the moves are not all there.
    func moves(from key: Key, into moves: inout [Move], scratch: inout Scratch, reduced: Bool = true) -> Bool {
        moves.removeAll(keepingCapacity: true)
        let free = reduced ? freeMove(from: key) : nil
        for j in 0..<members.count where (free == nil || free == j) && !key.done.contains(j) && predecessors[j].isSubset(of: key.done) {
            let loads = inputs[j] - key.resident
            // An outside tensor's first load is compulsory; every other load is a reload.
            let loadCost = (loads - (outside - key.copied)).sum(bytes)
            let need = (key.resident | inputs[j] | outputs[j]).sum(occupied) - room[j]
            scratch.evictions.removeAll(keepingCapacity: true)
            if need <= 0 {
                scratch.evictions.append(.empty)
            } else if !minimalEvictions(from: key.resident - inputs[j], need: need, scratch: &scratch) {
                return false
            }
            var done = key.done
            done.insert(j)
            for evicted in scratch.evictions {
                let storeCost = (evicted - key.copied).sum(self.storeCost)
                let resident = (key.resident - evicted) | inputs[j] | outputs[j]
                let copied = key.copied | evicted | (loads & outside)
                // Tensors no operator of the block reads any more are gone, unless a later block
                // reads them; a tensor off chip owes a reload if the block reads it again.
                var gone = Bits.empty
                for t in resident | copied where readers[t].isSubset(of: done) && !kept.contains(t) { gone.insert(t) }
                let child = Key(done: done, resident: resident - gone, copied: copied - gone)
                let owed = reloadsOwed(child) + futureEvictions(done: done, off: child.copied - child.resident, copied: child.copied)
                moves.append(Move(op: j, child: child, cost: loadCost + storeCost, owed: owed))
            }
        }
        return true
    }

    /// What a state owes for the tensors off chip that the block reads again: a reload each.
    func reloadsOwed(_ key: Key) -> Int {
        var owed = 0
        for t in key.copied - key.resident where !readers[t].isSubset(of: key.done) { owed += bytes[t] }
        return owed
    }

    /// The states a search has made, numbered from the start (0), and the queue of those open.
    struct Frontier {
        var keys: [Key]
        var cost = [0]
        /// Per state: its estimate less its traffic so far (``Entry/estimate``).
        var owed = [0]
        /// Per state: the state it was reached from most cheaply, and the operator run.
        var parent: [Int32] = [-1]
        var op: [Int16] = [-1]
        var depth: [Int32] = [0]
        var status: [Status] = [.open]
        /// Whether each state's estimate was lifted from it (``lift(_:block:)``), which is done
        /// when it first comes to the top, not when it is made: most states made are never
        /// expanded.
        var lifted = [false]
        /// The lifted cuts per done set, which many states share, and the maximum flows run.
        var cuts: [Bits: LiftedCuts] = [:]
        var flows = FlowScratch()
        var index: StateIndex
        var heap = BinaryHeap<Entry>()

        init(start: Key, expected: Int) {
            keys = [start]
            index = StateIndex(expected: expected)
            _ = index.node(of: start, orInsert: 0, keys: [])
            heap.push(Entry(estimate: 0, depth: 0, node: 0))
        }

        /// Raises `node`'s estimate to `owed` beyond its traffic, and queues it again.
        mutating func raise(_ node: Int, to owed: Int) {
            self.owed[node] = owed
            heap.push(Entry(estimate: cost[node] + owed, depth: depth[node], node: Int32(node)))
        }

        /// The estimate of state `node` lifted from it the first time it comes to the top (the
        /// reloads it owes and ``liftedEvictions(_:done:off:copied:atLeast:flows:)``); `nil` after.
        mutating func lift(_ node: Int, block: Block) -> Int? {
            guard !lifted[node] else { return nil }
            lifted[node] = true
            let key = keys[node]
            if cuts[key.done] == nil {
                // Every parent was expanded, so its done set's cuts are known.
                let ran = Int(op[node])
                cuts[key.done] = block.liftedCuts(done: key.done, parent: ran >= 0 ? cuts[key.done - Bits([ran])] : nil, ran: ran)
            }
            let off = key.copied - key.resident
            let known = block.futureEvictions(done: key.done, off: off, copied: key.copied)
            return block.reloadsOwed(key)
                + block.liftedEvictions(&cuts[key.done]!, done: key.done, off: off, copied: key.copied, atLeast: known, flows: &flows)
        }

        /// Records `move` from the expanded state `node`: a new state, or one reached more
        /// cheaply than before (the estimate is admissible but not consistent, so a state may be
        /// reached more cheaply after it was expanded: it is opened again).
        ///
        /// Every plan from `node` may take any of its moves, so the cheapest rest from a child
        /// plus the move costs at least `node`'s estimate: a child's estimate is raised to that
        /// where it is less. A child is lifted only when it comes to the top, and this keeps its
        /// plain estimate from undoing its parent's lift meanwhile.
        mutating func add(_ move: Move, from node: Int) {
            let childCost = cost[node] + move.cost
            let inherited = cost[node] + owed[node] - childCost
            let e = Int32(keys.count)
            if let existing = index.node(of: move.child, orInsert: e, keys: keys) {
                let e = Int(existing)
                guard childCost < cost[e] else { return }
                status[e] = .open
                cost[e] = childCost
                (parent[e], op[e]) = (Int32(node), Int16(move.op))
                raise(e, to: max(owed[e], inherited))
                return
            }
            keys.append(move.child)
            cost.append(childCost)
            owed.append(max(move.owed, inherited))
            lifted.append(false)
            parent.append(Int32(node))
            op.append(Int16(move.op))
            depth.append(depth[node] + 1)
            status.append(.open)
            heap.push(Entry(estimate: childCost + owed[Int(e)], depth: depth[node] + 1, node: e))
        }
    }

    func search(stateBudget: Int, deadline: ContinuousClock.Instant?, pruning: Bool, reducing: Bool) -> SegmentTrafficSearch.Outcome {
        var states = Frontier(start: start, expected: min(stateBudget, 1 << 16))
        var family = Families()
        var (pruned, popped, unexpanded) = (0, 0, 0)
        var scratch = Scratch()
        var found: [Move] = []
        // The least estimate of a state whose moves could not all be made: it stays open for good.
        var ceiling = Int.max
        // The largest least estimate so far, which bounds the block (see below).
        var proven = 0
        func outcome(_ order: [OperatorID]?, _ bound: Int, beam: ([OperatorID], Int)? = nil) -> SegmentTrafficSearch.Outcome {
            .init(order: order, lowerBound: bound, states: states.keys.count, pruned: pruned, flows: states.flows.count, unexpanded: unexpanded,
                  beams: beam.map { [$0] } ?? [])
        }
        func spent() -> Bool { states.keys.count + states.flows.count * SegmentTrafficSearch.statesPerFlow >= stateBudget }

        while let top = states.heap.pop() {
            let node = Int(top.node)
            if states.status[node] != .open || top.estimate != states.cost[node] + states.owed[node] { continue }
            // Every open state has an entry at its estimate, so the least is a bound now; the
            // estimate is not consistent, so a later least may be lower.
            proven = max(proven, min(top.estimate, ceiling))
            if states.depth[node] == Int32(members.count) {
                // Past a state left open, this plan (the cheapest of the rest) takes the beams' place.
                let (order, cost) = (path(to: node, parent: states.parent, op: states.op), states.cost[node])
                return cost <= ceiling ? outcome(order, cost) : outcome(nil, ceiling, beam: (order, cost))
            }
            if let lifted = states.lift(node, block: self) {
                if spent() { return outcome(nil, proven) }
                // The estimate may hold more than the reloads owed and what the block's cuts
                // give (what the parent's estimate passed on): the lifted one replaces it only
                // where larger, and the state goes back to wait its turn.
                if lifted > states.owed[node] {
                    states.raise(node, to: lifted)
                    continue
                }
            }
            if pruning && family.dominatedElseEnter(node, keys: states.keys, cost: states.cost, status: states.status, block: self) {
                states.status[node] = .pruned
                pruned += 1
                continue
            }
            states.status[node] = .expanded
            popped += 1
            if spent() || (popped & 1023 == 0 && SearchLimit.expired(deadline)) { return outcome(nil, proven) }
            guard moves(from: states.keys[node], into: &found, scratch: &scratch, reduced: reducing) else {
                // Too many ways to make room to try them all: every plan through this state costs
                // at least its estimate, so it stays open and caps the bound (dominating nothing).
                states.status[node] = .unexpanded
                unexpanded += 1
                ceiling = min(ceiling, top.estimate)
                continue
            }
            for move in found { states.add(move, from: node) }
        }
        // Every plan left runs through a state left open; or no order fits (an operator's working
        // set exceeds the capacity), and there is nothing to claim.
        return outcome(nil, ceiling == Int.max ? 0 : ceiling)
    }

    /// The block's operators along the parent links from `node` back to the empty state.
    func path(to node: Int, parent: [Int32], op: [Int16]) -> [OperatorID] {
        var order: [OperatorID] = []
        var i = node
        while parent[i] >= 0 {
            order.append(members[Int(op[i])])
            i = Int(parent[i])
        }
        return order.reversed()
    }

    /// A beam search over the same moves: at each depth only the `width` states of least traffic
    /// plus debt go on. A heuristic, for an order where ``search(stateBudget:deadline:pruning:reducing:)`` did not
    /// finish; the order and the traffic of its cheapest complete state, `nil` if none completes
    /// or `deadline` passes first, or it has made more than `childLimit` children (both checked at
    /// each depth, so a depth may pass the limit by its own children), and the children it made
    /// either way (its work: ``WorkRates/segmentBeamChild``).
    ///
    /// Memory is width × depth: a depth's children are made, ranked and dropped, and only the
    /// survivors' moves are kept, to trace the order back. Keeping every child made (as this
    /// search first did) took RandWire-ER seed 2 with weights at `M_R` to 2.1 GB at width 2,000
    /// (results/divide-and-conquer-ablation.md, journal 34).
    func beam(width: Int, deadline: ContinuousClock.Instant? = nil, childLimit: Int? = nil) -> (plan: (order: [OperatorID], traffic: Int)?, made: Int) {
        // The survivors at every depth so far, as moves back to their parents (the start is 0).
        var parent: [Int32] = [-1]
        var op: [Int16] = [-1]
        // This depth's survivors: each state, its traffic, and its entry in `parent`.
        var level: [(key: Key, cost: Int, trace: Int32)] = [(start, 0, 0)]
        // This depth's children, made afresh at each depth: their states (apart, for the index,
        // which holds their positions) and how each was reached most cheaply.
        var keys: [Key] = []
        var children: [(cost: Int, owed: Int, from: Int32, move: Int16)] = []
        var scratch = Scratch()
        var found: [Move] = []
        var made = 0
        for _ in 0..<members.count {
            if SearchLimit.expired(deadline) || childLimit.map({ made > $0 }) == true { return (nil, made) }
            keys.removeAll(keepingCapacity: true)
            children.removeAll(keepingCapacity: true)
            var index = StateIndex(expected: width * 4)
            for state in level {
                // A state with too many ways to make room goes no further; the others do.
                let complete = moves(from: state.key, into: &found, scratch: &scratch)
                made += found.count
                guard complete else { continue }
                for m in found {
                    let childCost = state.cost + m.cost
                    let child = (cost: childCost, owed: m.owed, from: state.trace, move: Int16(m.op))
                    if let existing = index.node(of: m.child, orInsert: Int32(keys.count), keys: keys) {
                        if childCost < children[Int(existing)].cost { children[Int(existing)] = child }
                        continue
                    }
                    keys.append(m.child)
                    children.append(child)
                }
            }
            guard !keys.isEmpty else { return (nil, made) }
            // Least traffic plus debt first; among equals, the child made first.
            let ranked = children.indices.sorted { (children[$0].cost + children[$0].owed, $0) < (children[$1].cost + children[$1].owed, $1) }
            level = ranked.prefix(width).map { c in
                parent.append(children[c].from)
                op.append(children[c].move)
                return (keys[c], children[c].cost, Int32(parent.count - 1))
            }
        }
        // The cheapest complete state; among equals, the one ranked first.
        let best = level.indices.min { (level[$0].cost, $0) < (level[$1].cost, $1) }!
        return ((path(to: Int(level[best].trace), parent: parent, op: op), level[best].cost), made)
    }

    /// What the operators still to run will force off chip beyond the tensors off chip now (`off`),
    /// priced: at operator `j` at least ``forcedExcess`` bytes of ``forced`` are off chip, and at
    /// least ``cutExcess`` bytes of ``crossers``, whatever the order. Those off chip now already
    /// owe their reload in the estimate, so they count towards the excess at no further cost,
    /// unless an ancestor of `j` still reads one: that load comes before `j`, and to be off chip
    /// at `j` it must be evicted again and loaded once more after. Each
    /// of the others that makes up the rest will be evicted and read again (it is live at `j`, so a
    /// reader of the block follows): its reload costs at least its size, and evicting it costs its
    /// store too unless it has a DRAM copy by then. Only a store gives an activation a copy, and an
    /// outside tensor has one once loaded, so what has no copy now (`copied`) and is not
    /// store-free (``storeFree``, or outside) pays both. The cheapest way to make up the rest takes
    /// the tensors that pay only a reload first (a fractional knapsack, so a lower bound). The
    /// largest such cost over the operators to run.
    ///
    /// The minimum cut lifts what an unsettled search leaves open: RandWire-BA's 97-operator stage
    /// at `M_R` from 683,648 to 854,560 bytes after 3 million states, RandWire-ER seed 2's
    /// 120-operator stage from 854,560 to 1,538,208 (results/divide-and-conquer-ablation.md).
    /// Pricing the stores a shortfall still owes lifts RandWire-ER seed 3's middle stage (119
    /// operators, with weights, at `M_R`) from 1,671,406 to 3,000,988 after 3 million states, and
    /// settles RandWire-BA seed 2's first block at `M_H` in 1,231 states instead of 1,533. On
    /// #18's benchmark nine bounds rose (RandWire-BA seed 2 with weights at `M_R`: 9,571,072 to
    /// 10,008,370) and no plan changed (journal 46 of results/divide-and-conquer-ablation.md).
    /// Charging the second reload of what an ancestor still reads lifts RandWire-BA seed 2's
    /// bound at `M_H` from 2,050,944 to 2,221,856 (journal 48).
    /// (Counting also the tensors that exist already and are read at or after `j` cut RandWire-WS's
    /// first stage at `M_R` from 2.19 to 2.16 million states, at twice the time per state.)
    func futureEvictions(done: Bits, off: Bits, copied: Bits) -> Int {
        var most = 0.0
        for j in crowded where Double(forcedExcess[j]) * shortfallRate > most && !done.contains(j) {
            most = max(most, shortfallPrice(forcedExcess[j], at: j, among: forced[j], done: done, off: off, copied: copied))
        }
        // Largest excess first: once an excess at the dearer price is no more than the largest
        // cost, no later operator's cost can exceed it.
        for j in cutCrowded {
            guard Double(cutExcess[j]) * shortfallRate > most else { break }
            if !done.contains(j) { most = max(most, shortfallPrice(cutExcess[j], at: j, among: crossers[j], done: done, off: off, copied: copied)) }
        }
        return Int(most.rounded(.down))
    }

    /// The most a byte of a shortfall costs in ``shortfallPrice(_:at:among:done:off:copied:)``: a
    /// store and a reload where stores are priced, else a reload.
    var shortfallRate: Double { pricesStores ? storedRate : bytesPerOccupied }

    /// What `excess` occupied bytes of `tensors` off chip while `j` runs cost from a state that has
    /// run `done`, with `off` off chip and `copied` in DRAM (``futureEvictions(done:off:copied:)``).
    func shortfallPrice(_ excess: Int, at j: Int, among tensors: Bits, done: Bits, off: Bits, copied: Bits) -> Double {
        // What is off chip now and stays off until `j` counts at no further cost; what an
        // ancestor of `j` still reads is loaded for it first, so being off at `j` costs it
        // another reload.
        var settled = tensors & off
        if pricesStores {
            var reread = Bits.empty
            for t in settled where !((readers[t] - done) & ancestors[j]).isEmpty { reread.insert(t) }
            settled = settled - reread
        }
        let shortfall = excess - settled.sum(occupied)
        guard shortfall > 0 else { return 0 }
        let candidates = tensors - settled
        let reloadOnly = pricesStores ? min(shortfall, (candidates & (copied | storeFree | outside)).sum(occupied)) : shortfall
        return Double(reloadOnly) * bytesPerOccupied + Double(shortfall - reloadOnly) * shortfallRate
    }

    /// What one done set knows of an operator's minimum cut taken from it
    /// (``liftedCuts(done:parent:ran:)``): the live bytes of every down-set that holds the done
    /// set and the operator's ancestors are at least `least` and at most `most`, which `side`
    /// meets. Exact, with `side` the largest minimum down-set, once a maximum flow found it.
    struct LiftedCut {
        var j: Int
        var least: Int
        var most: Int
        var side: Bits
        /// The tensors that may cross `j` and are still read.
        var alive: Bits
        var exact: Bool { least == most }
    }

    /// The operators whose cut may exceed their room, by ``LiftedCut/most`` largest first.
    typealias LiftedCuts = [LiftedCut]

    /// Each operator's minimum cut over the down-sets that hold what has run (`done`) as well as
    /// its ancestors, bracketed without a maximum flow: for the operators whose cut may exceed
    /// their room. The cut is never below the block's own (``cutExcess``), which lets the
    /// operators that have run stay undone; every plan from a state with this done set runs `j`
    /// after such a down-set, so its excess over the room, priced, bounds what the plan pays
    /// (``liftedEvictions(_:done:off:copied:atLeast:flows:)``, which runs the flows it needs). It
    /// depends on the done set alone, which many states share, so the search keeps it per done set.
    ///
    /// A done set grows by one operator (`ran`) from its `parent`'s, and the cut can only rise
    /// (fewer down-sets, and the tensors that stop being read were live in none of them): the
    /// parent's lower bound holds. The parent's down-set with `ran` added is one of the new ones,
    /// so what crosses it bounds the cut from above, as do two down-sets at hand: `j`'s ancestors
    /// and the done set alone, and every operator but `j` and its descendants. Where the
    /// parent's cut was exact and its largest minimum down-set holds `ran`, the cut is the same.
    func liftedCuts(done: Bits, parent: LiftedCuts?, ran: Int) -> LiftedCuts {
        let m = members.count
        var cuts = LiftedCuts()
        var fromParent = [Int](repeating: -1, count: m)
        for (i, cut) in (parent ?? []).enumerated() { fromParent[cut.j] = i }
        for j in 0..<m where !done.contains(j) {
            let room = spare[j]
            let (before, after, free) = sides(of: j, done: done)
            var fixed = 0
            var (freeAfter, freeBefore) = (0, 0)
            var alive = Bits.empty
            for k in crossers[j] where !readers[k].isSubset(of: done) {
                alive.insert(k)
                switch role(of: k, before: before, after: after, free: free, done: done) {
                case .always: fixed += occupied[k]
                case .untilFreeReadersRun: freeAfter += occupied[k]
                case .onceStarted: freeBefore += occupied[k]
                case .between, .never: break
                }
            }
            var cut = LiftedCut(j: j, least: fixed, most: fixed + min(freeAfter, freeBefore), side: freeBefore < freeAfter ? before | free : before,
                                 alive: alive)
            if fromParent[j] >= 0, let known = parent?[fromParent[j]] {
                cut.least = max(cut.least, known.least)
                var grown = known.side
                grown.insert(ran)
                let crossing = crossing(alive, at: grown)
                if crossing < cut.most || (crossing == cut.most && known.exact) { (cut.most, cut.side) = (crossing, grown) }
            }
            if cut.most > room { cuts.append(cut) }
        }
        cuts.sort { ($0.most, $1.j) > ($1.most, $0.j) }
        return cuts
    }

    /// `j`'s ancestors and what has run (`done`), `j` and its descendants, and the operators free
    /// to run on either side.
    func sides(of j: Int, done: Bits) -> (before: Bits, after: Bits, free: Bits) {
        let before = ancestors[j] | done
        var after = descendants[j]
        after.insert(j)
        return (before, after, everyOperator - before - after)
    }

    /// Which down-sets between `before` and `before | free` (``sides(of:done:)``) a live tensor
    /// crosses: how ``liftedCuts(done:parent:ran:)`` brackets a cut and ``exactCut(_:done:scratch:)``
    /// builds its network.
    enum Role {
        /// Started by `before` and read after: every one.
        case always
        /// Started by `before` and read by free operators only: those that leave one of them.
        case untilFreeReadersRun
        /// Not started by `before`, read after: those that hold its free producer, or (made
        /// outside the block) one of its free readers.
        case onceStarted
        /// Not started by `before`, read by free operators only: those that start it and leave
        /// one of them.
        case between
        /// None.
        case never
    }

    /// The ``Role`` of tensor `k`, still read after `done`, in the cut of the operator whose
    /// sides are `before`, `after` and `free`.
    func role(of k: Int, before: Bits, after: Bits, free: Bits, done: Bits) -> Role {
        let left = readers[k] - done
        let readAfter = !(left & after).isEmpty
        if started(k, by: before) {
            return readAfter ? .always : (left & free).isEmpty ? .never : .untilFreeReadersRun
        }
        guard producer[k] >= 0 ? free.contains(producer[k]) : !(left & free).isEmpty else { return .never }
        return readAfter ? .onceStarted : .between
    }

    /// Whether tensor `k` exists once the down-set `ran` has run: an earlier block's, or made or
    /// read (if from outside) in it.
    func started(_ k: Int, by ran: Bits) -> Bool {
        made.contains(k) || (producer[k] >= 0 ? ran.contains(producer[k]) : outside.contains(k) && !(readers[k] & ran).isEmpty)
    }

    /// The occupied bytes of `tensors` that cross an operator when the down-set `ran` runs before it.
    func crossing(_ tensors: Bits, at ran: Bits) -> Int {
        var bytes = 0
        for k in tensors where !readers[k].isSubset(of: ran) && started(k, by: ran) { bytes += occupied[k] }
        return bytes
    }

    /// The exact cut of `cut.j` from `done` (``liftedCuts(done:parent:ran:)``): a maximum flow over
    /// the operators free to run on either side of it, what has run and its ancestors the source,
    /// it and its descendants the sink. A tensor that has started and that the sink reads is paid
    /// by every down-set, beside the flow.
    func exactCut(_ cut: inout LiftedCut, done: Bits, scratch: inout FlowScratch) {
        let j = cut.j
        let (before, after, free) = sides(of: j, done: done)
        var index = scratch.index
        scratch.index = []
        defer { scratch.index = index }
        if index.count < members.count { index = [Int](repeating: -1, count: members.count) }
        var count = 0
        for c in free {
            index[c] = count
            count += 1
        }
        var fixed = 0
        var variable: [(k: Int, role: Role)] = []
        for k in cut.alive {
            let role = role(of: k, before: before, after: after, free: free, done: done)
            switch role {
            case .always: fixed += occupied[k]
            case .untilFreeReadersRun, .onceStarted, .between: variable.append((k, role))
            case .never: break
            }
        }
        let source = count + 2 * variable.count
        let sink = source + 1
        var network = scratch.network
        scratch.network = MaxFlow(nodes: 0)
        defer { scratch.network = network }
        network.reset(nodes: sink + 1)
        let inf = MaxFlow.infinite
        for c in free {
            for p in predecessors[c] & free { network.addEdge(from: index[c], to: index[p], capacity: inf) }
        }
        for (i, (k, role)) in variable.enumerated() {
            let node = count + 2 * i
            let freeReaders = readers[k] & free
            let from = role == .untilFreeReadersRun ? source : producer[k] >= 0 ? index[producer[k]] : nil
            switch (role, from) {
            case (.onceStarted, let from?):
                // Paid once its producer runs before `j`.
                network.addEdge(from: from, to: sink, capacity: occupied[k])
            case (.onceStarted, nil):
                // Made outside the block: paid once a free reader runs before `j`.
                for r in freeReaders { network.addEdge(from: index[r], to: node, capacity: inf) }
                network.addEdge(from: node, to: sink, capacity: occupied[k])
            case (_, let from?):
                // Started (before `j`, or by its free producer): paid while a free reader is left.
                network.addEdge(from: from, to: node, capacity: occupied[k])
                for r in freeReaders { network.addEdge(from: node, to: index[r], capacity: inf) }
            default:
                // Made outside the block: paid when one free reader runs before and another after.
                for r in freeReaders {
                    network.addEdge(from: index[r], to: node, capacity: inf)
                    network.addEdge(from: node + 1, to: index[r], capacity: inf)
                }
                network.addEdge(from: node, to: node + 1, capacity: occupied[k])
            }
        }
        let least = fixed + network.maximumFlow(from: source, to: sink, limit: cut.most - fixed)
        let reaches = network.reachingSink(sink)
        var side = before
        for c in free where !reaches[index[c]] { side.insert(c) }
        (cut.least, cut.most, cut.side) = (least, least, side)
    }

    /// What the flows of ``exactCut(_:done:scratch:)`` reuse from one to the next, and how many ran.
    struct FlowScratch {
        var network = MaxFlow(nodes: 0)
        /// Each free operator's node in the network.
        var index: [Int] = []
        var count = 0
    }

    /// ``futureEvictions(done:off:copied:)`` (`atLeast`) with the cuts lifted from the state's done
    /// set (``liftedCuts(done:parent:ran:)``) priced too, the larger. A cut not yet exact is made
    /// exact (a maximum flow, counted in `flows`, whose storage it reuses) only where its upper bound could raise the most
    /// so far: the estimate is the same as with every cut exact.
    func liftedEvictions(_ cuts: inout LiftedCuts, done: Bits, off: Bits, copied: Bits, atLeast: Int, flows: inout FlowScratch) -> Int {
        var most = Double(atLeast)
        func price(_ cut: LiftedCut, _ bytes: Int) -> Double {
            shortfallPrice(bytes - spare[cut.j], at: cut.j, among: cut.alive, done: done, off: off, copied: copied)
        }
        // The lower bounds first: they cost no flow, and what they give skips flows below.
        for cut in cuts where cut.least > spare[cut.j] && Double(cut.least - spare[cut.j]) * shortfallRate > most {
            most = max(most, price(cut, cut.least))
        }
        for i in cuts.indices {
            guard Double(cuts[i].most - spare[cuts[i].j]) * shortfallRate > most else { continue }
            if !cuts[i].exact {
                exactCut(&cuts[i], done: done, scratch: &flows)
                flows.count += 1
            }
            if cuts[i].least > spare[cuts[i].j] { most = max(most, price(cuts[i], cuts[i].least)) }
        }
        return Int(most.rounded(.down))
    }

    /// Appends every inclusion-minimal subset of `candidates` whose occupied bytes reach `need` to
    /// `scratch.evictions`; `false` when there are none or more than ``evictionSetLimit``.
    func minimalEvictions(from candidates: Bits, need: Int, scratch: inout Scratch) -> Bool {
        scratch.items.removeAll(keepingCapacity: true)
        for t in bySize where candidates.contains(t) { scratch.items.append(t) }
        let count = scratch.items.count
        scratch.suffix.removeAll(keepingCapacity: true)
        scratch.suffix.append(contentsOf: repeatElement(0, count: count + 1))
        for i in stride(from: count - 1, through: 0, by: -1) {
            scratch.suffix[i] = scratch.suffix[i + 1] + occupied[scratch.items[i]]
        }
        guard scratch.suffix[0] >= need else { return false }
        var overflow = false
        scratch.items.withUnsafeBufferPointer { items in
            scratch.suffix.withUnsafeBufferPointer { suffix in
                occupied.withUnsafeBufferPointer { occupied in
                    var walk = EvictionWalk(items: items, suffix: suffix, occupied: occupied, need: need, limit: evictionSetLimit)
                    walk.extend(0, .empty, 0, into: &scratch.evictions)
                    overflow = walk.overflow
                }
            }
        }
        return !overflow && !scratch.evictions.isEmpty
    }
}

/// The depth-first walk of ``Block/minimalEvictions(from:need:scratch:)``: each candidate taken,
/// then left out, pruned where those left cannot reach the need. Over buffers, so that the
/// recursion retains nothing.
private struct EvictionWalk {
    let items: UnsafeBufferPointer<Int>
    let suffix: UnsafeBufferPointer<Int>
    let occupied: UnsafeBufferPointer<Int>
    let need: Int
    let limit: Int
    var overflow = false

    mutating func extend(_ i: Int, _ chosen: Bits, _ total: Int, into sets: inout [Bits]) {
        if overflow { return }
        if total >= need {
            var minimal = true
            for t in chosen where total - occupied[t] >= need { minimal = false }
            if minimal {
                if sets.count >= limit { overflow = true } else { sets.append(chosen) }
            }
            return
        }
        guard i < items.count, total + suffix[i] >= need else { return }
        var with = chosen
        with.insert(items[i])
        extend(i + 1, with, total + occupied[items[i]], into: &sets)
        extend(i + 1, chosen, total, into: &sets)
    }
}
