public import DNNGraph
public import Scratchpad

/// The facts every formulation of one instance shares: which tensors are planned, who writes and
/// reads them, and the window of positions in which each operator can run and each tensor can be
/// resident.
///
/// Positions are `0 ..< N` for `N` operators. Operator `o` can only run in
/// `ancestors(o) ... N - 1 - descendants(o)` (its ASAP and ALAP positions), and a tensor can only be
/// resident between the earliest position its producer or first reader can run and the latest
/// position its last reader can run. Variables outside these windows are never created, which is
/// what makes the time-indexed programs small on chain-like networks (COSMA, Li, Gupta and Malik,
/// 2023, builds the same program over all positions).
public struct PlanningProblem: Sendable {
    public let graph: Graph
    public let configuration: Configuration
    /// Positions where each operator can run.
    public let operatorWindow: [ClosedRange<Int>]
    /// Planned tensors: tracked in the setting and touched by some operator.
    public let tensors: [TensorID]
    /// Positions where each planned tensor can be resident, by tensor index (`nil` if not planned).
    public let tensorWindow: [ClosedRange<Int>?]
    /// Distinct operators that read each tensor while it must be resident.
    public let readers: [[OperatorID]]
    /// Occupied size of each tensor (rounded up to the alignment).
    public let occupied: [Int]

    /// The schedule when it is fixed (the "FS" variant of the paper); `nil` when the program
    /// chooses it.
    public let fixedOrder: [OperatorID]?

    /// - Parameter fixedOrder: a valid schedule to keep, which shrinks every operator's window to
    ///   one position; `nil` to optimise the schedule too.
    public init(graph: Graph, configuration: Configuration, fixedOrder: [OperatorID]? = nil) {
        self.graph = graph
        self.configuration = configuration
        self.fixedOrder = fixedOrder
        let windows = fixedOrder.map { order in graph.positions(of: order).map { $0...$0 } } ?? graph.positionWindows()
        operatorWindow = windows
        var readers = [[OperatorID]](repeating: [], count: graph.tensors.count)
        for op in graph.operators.indices {
            for t in graph.residentInputs(of: op, in: configuration.tensors) { readers[t].append(op) }
        }
        var tensorWindow = [ClosedRange<Int>?](repeating: nil, count: graph.tensors.count)
        var planned: [TensorID] = []
        for t in graph.tensors.indices where graph.isTracked(t, in: configuration.tensors) {
            let touching = readers[t] + (graph.producer[t].map { [$0] } ?? [])
            guard let low = touching.map({ windows[$0].lowerBound }).min(),
                  let high = touching.map({ windows[$0].upperBound }).max() else { continue }
            let start = graph.producer[t].map { windows[$0].lowerBound } ?? low
            tensorWindow[t] = start...high
            planned.append(t)
        }
        self.readers = readers
        self.tensorWindow = tensorWindow
        self.tensors = planned
        self.occupied = graph.tensors.map { configuration.occupied($0.bytes) }
    }
}
