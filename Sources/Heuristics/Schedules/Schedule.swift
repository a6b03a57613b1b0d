public import DNNGraph

/// The operator orders the heuristics can follow (the schedule half of a baseline).
public enum ScheduleKind: String, Sendable, CaseIterable {
    /// The order of the graph file, as the framework emitted it.
    case `default`
    /// The minimum-peak-memory order ("MPMF" in the COSMA paper): the combinatorial search
    /// (``mpmfSearch``), then the minimum-peak program where the search leaves a gap; the
    /// `Schedule/algorithm` says which found it. Only CosmaILP can run the program, so
    /// `Cosma.schedule(.mpmf, ...)` (or `MinimumPeakResult`) makes this order, and code in this
    /// module is handed it (`Baseline/run(_:graph:configuration:scheduler:schedules:)`).
    case mpmf
    /// The combinatorial minimum-peak search alone (exact where it fits, a beam search beyond),
    /// without the program: the same order as ``mpmf`` whenever the search proves `M_P`, and
    /// cheaper where it does not. The planners' warm starts follow it.
    case mpmfSearch = "mpmf-search"
    /// The memory-aware greedy order: at each step, the ready operator that keeps memory lowest.
    case greedy
}

/// The algorithm that produced a ``Schedule``.
package enum ScheduleAlgorithm: Hashable, Sendable, CustomStringConvertible {
    /// The order of the graph file.
    case fileOrder
    /// The memory-aware greedy scheduler (a beam search of width 1).
    case memoryAwareGreedy
    /// The down-set search had to keep only the best `width` states of some layers.
    case beamSearch(width: Int)
    /// The best-first (bottleneck) search over down-sets found it.
    case bestFirstSearch
    /// The minimum-peak integer program found it (see `MinimumPeakProgram` in CosmaILP).
    case minimumPeakProgram

    package var description: String {
        switch self {
        case .fileOrder: "file order"
        case .memoryAwareGreedy: "memory-aware greedy"
        case .beamSearch(let width): "beam search (width \(width))"
        case .bestFirstSearch: "best-first down-set search"
        case .minimumPeakProgram: "minimum-peak program"
        }
    }
}

/// Why no order of a graph has a lower peak than a given one.
public enum MinimumPeakProof: Hashable, Sendable, CustomStringConvertible {
    /// The peak equals `M_R`, the largest working set of one operator.
    case workingSet
    /// The peak equals the working set of `operator` plus the bytes live in every order while it
    /// runs (see `PeakLowerBound`).
    case forcedLiveBound(operator: OperatorID)
    /// A search over down-sets explored every partial order that could beat it.
    case downSetSearch
    /// The exhaustive search over the orders of a window of `operators` operators (a relaxation
    /// of the whole graph, see `MinimumPeakScheduler`) found no order below it.
    case windowRelaxation(operators: Int)
    /// The minimum-peak integer program, solved to optimality by `solver`.
    case program(solver: String)

    public var description: String {
        switch self {
        case .workingSet: "equals M_R, the largest working set"
        case .forcedLiveBound: "equals the bytes live in every order while one operator runs"
        case .downSetSearch: "exhaustive down-set search"
        case .windowRelaxation(let operators): "exhaustive search of a \(operators)-operator window relaxation"
        case .program(let solver): "minimum-peak program solved to optimality by \(solver)"
        }
    }
}

/// An operator order with its peak live bytes and a record of how it was found.
public struct Schedule: Hashable, Sendable {
    /// Operators in execution order; a topological order of the graph.
    public var order: [OperatorID]
    /// `Graph.peakLiveBytes(order:setting:alignment:)` of ``order``.
    public var peakBytes: Int
    package var algorithm: ScheduleAlgorithm
    /// Why no other order of the graph has a lower peak; `nil` when that is not proven.
    public var proof: MinimumPeakProof?
    /// The best lower bound known on the minimum peak over all orders; equal to ``peakBytes``
    /// when proven, `nil` when nothing was computed (the file and greedy orders).
    public var lowerBound: Int?
    /// States the minimum-peak search created to find it (0 for the other kinds): the work a
    /// deterministic budget is charged for it.
    package var searchStates = 0

    /// Whether no other order of the graph has a lower peak.
    public var provenMinimal: Bool { proof != nil }

    package init(order: [OperatorID], peakBytes: Int, algorithm: ScheduleAlgorithm, proof: MinimumPeakProof? = nil,
                lowerBound: Int? = nil)
    {
        self.order = order
        self.peakBytes = peakBytes
        self.algorithm = algorithm
        self.proof = proof
        self.lowerBound = proof == nil ? lowerBound : peakBytes
    }
}
