package import DNNGraph
package import Scratchpad

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
package struct PlanningProblem: Sendable {
    package let graph: Graph
    package let configuration: Configuration
    /// Positions where each operator can run.
    package let operatorWindow: [ClosedRange<Int>]
    /// Planned tensors: tracked in the setting and touched by some operator.
    package let tensors: [TensorID]
    /// Positions where each planned tensor can be resident, by tensor index (`nil` if not planned).
    package let tensorWindow: [ClosedRange<Int>?]
    /// Distinct operators that read each tensor while it must be resident.
    package let readers: [[OperatorID]]
    /// Occupied size of each tensor (rounded up to the alignment).
    package let occupied: [Int]

    /// The schedule when it is fixed (the "FS" variant of the paper); `nil` when the program
    /// chooses it.
    package let fixedOrder: [OperatorID]?

    /// - Parameter fixedOrder: a valid schedule to keep, which shrinks every operator's window to
    ///   one position; `nil` to optimise the schedule too.
    package init(graph: Graph, configuration: Configuration, fixedOrder: [OperatorID]? = nil) {
        let windows = fixedOrder.map { order in graph.positions(of: order).map { $0...$0 } } ?? graph.positionWindows()
        self.init(graph: graph, configuration: configuration, operatorWindows: windows, fixedOrder: fixedOrder)
    }

    /// The problem in which only the operators at positions `free` of `order` may be reordered,
    /// among those positions, and every other operator keeps its place: the subproblem that
    /// divide and conquer solves for one segment of a schedule.
    ///
    /// Inside the segment an operator runs no earlier than its ancestors in the segment allow and
    /// no later than its descendants there allow, so every position in its window belongs to
    /// some valid order.
    package init(graph: Graph, configuration: Configuration, order: [OperatorID], free: Range<Int>) {
        var windows = graph.positions(of: order).map { $0...$0 }
        let inside = Array(order[free])
        var local = [Int](repeating: -1, count: graph.operators.count)
        for (i, op) in inside.enumerated() { local[op] = i }
        // In segment order every ancestor comes first, so one pass forward counts ancestors and
        // one pass backward counts descendants, over bitsets of the segment's operators.
        let n = inside.count
        var ancestors = [Set<Int>](repeating: [], count: n)
        for (i, op) in inside.enumerated() {
            for p in graph.predecessors[op] where local[p] >= 0 {
                ancestors[i].formUnion(ancestors[local[p]])
                ancestors[i].insert(local[p])
            }
        }
        var descendants = [Set<Int>](repeating: [], count: n)
        for (i, op) in inside.enumerated().reversed() {
            for c in graph.successors[op] where local[c] >= 0 {
                descendants[i].formUnion(descendants[local[c]])
                descendants[i].insert(local[c])
            }
        }
        for (i, op) in inside.enumerated() {
            windows[op] = (free.lowerBound + ancestors[i].count)...(free.upperBound - 1 - descendants[i].count)
        }
        self.init(graph: graph, configuration: configuration, operatorWindows: windows, fixedOrder: nil)
    }

    init(graph: Graph, configuration: Configuration, operatorWindows windows: [ClosedRange<Int>], fixedOrder: [OperatorID]?) {
        self.graph = graph
        self.configuration = configuration
        self.fixedOrder = fixedOrder
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

extension PlanningProblem {
    /// About how many rows ``JointProgram`` in capacity mode has for this problem, counted from
    /// the windows without building it (building a NAS network's program takes a second).
    package var estimatedCapacityRows: Int {
        let n = graph.operators.count
        var rows = 3 * n
        for o in graph.operators.indices {
            rows += operatorWindow[o].count - 1
            for p in graph.predecessors[o] {
                rows += max(0, min(operatorWindow[o].upperBound, operatorWindow[p].upperBound) - operatorWindow[o].lowerBound + 1)
            }
        }
        for t in tensors {
            // Continuity, existence, load-after-store and "not after the last use" at each position,
            // and one "resident while used" row per position of each operator touching it.
            rows += 4 * tensorWindow[t]!.count
            for o in readers[t] + (graph.producer[t].map { [$0] } ?? []) { rows += operatorWindow[o].count }
        }
        return rows
    }

    /// How many pair-order variables `z[a,b,k]` ``JointProgram`` in address mode creates: one per
    /// pair of tensors and position both windows share. Counting stops once it passes `limit`.
    package func estimatedAddressPairs(upTo limit: Int = .max) -> Int {
        var count = 0
        let windows = tensors.map { tensorWindow[$0]! }
        for (i, a) in windows.enumerated() {
            for b in windows[(i + 1)...] {
                count += max(0, min(a.upperBound, b.upperBound) - max(a.lowerBound, b.lowerBound) + 1)
                if count > limit { return count }
            }
        }
        return count
    }
}
