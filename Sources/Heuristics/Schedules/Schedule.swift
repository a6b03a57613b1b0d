public import DNNGraph

/// The operator orders the heuristics can follow (the schedule half of a baseline).
public enum ScheduleKind: String, Sendable, CaseIterable {
    /// The order of the graph file, as the framework emitted it.
    case `default`
    /// The minimum-peak-memory order ("MPMF" in the COSMA paper): exact where the search fits,
    /// a beam search beyond; ``Schedule/algorithm`` says which.
    case mpmf
    /// The memory-aware greedy order: at each step, the ready operator that keeps memory lowest.
    case greedy
}

/// The algorithm that produced a ``Schedule``.
public enum ScheduleAlgorithm: Hashable, Sendable, CustomStringConvertible {
    /// The order of the graph file.
    case fileOrder
    /// The memory-aware greedy scheduler (a beam search of width 1).
    case memoryAwareGreedy
    /// The dynamic program over down-sets explored every state that could beat the best order known.
    case exactDownSetSearch
    /// The down-set search had to keep only the best `width` states of some layers.
    case beamSearch(width: Int)

    public var description: String {
        switch self {
        case .fileOrder: "file order"
        case .memoryAwareGreedy: "memory-aware greedy"
        case .exactDownSetSearch: "exact down-set search"
        case .beamSearch(let width): "beam search (width \(width))"
        }
    }
}

/// An operator order with its peak live bytes and a record of how it was found.
public struct Schedule: Hashable, Sendable {
    /// Operators in execution order; a topological order of the graph.
    public var order: [OperatorID]
    /// `Graph.peakLiveBytes(order:setting:alignment:)` of ``order``.
    public var peakBytes: Int
    public var algorithm: ScheduleAlgorithm
    /// Whether no other order of the graph has a lower peak. Only an exhaustive search, or a peak
    /// equal to the largest working set (a lower bound for every order), can prove it.
    public var provenMinimal: Bool

    public init(order: [OperatorID], peakBytes: Int, algorithm: ScheduleAlgorithm, provenMinimal: Bool) {
        self.order = order
        self.peakBytes = peakBytes
        self.algorithm = algorithm
        self.provenMinimal = provenMinimal
    }
}
