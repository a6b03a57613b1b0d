internal import DNNGraph
internal import Scratchpad

/// A set of operators as a bit set: the operators a partial schedule has already run.
struct OperatorSet: Hashable, Sendable {
    private(set) var words: [UInt64]

    init(count: Int) { words = [UInt64](repeating: 0, count: (count + 63) / 64) }

    func contains(_ op: OperatorID) -> Bool { words[op >> 6] & (1 << UInt64(op & 63)) != 0 }

    mutating func insert(_ op: OperatorID) { words[op >> 6] |= 1 << UInt64(op & 63) }

    mutating func formUnion(_ other: OperatorSet) {
        for i in words.indices { words[i] |= other.words[i] }
    }
}

/// The live bytes of a partly run schedule, computed one operator at a time with exactly the
/// lifetimes of ``Graph/liveIntervals(order:setting:)``: an activation lives from its producer to
/// its last reader, an input or weight from its first reader to its last (and, with in-place on,
/// an input whose bytes an output takes ends one position earlier).
///
/// After a set `S` of operators has run, the live tensors are those started by `S` (produced, or
/// read for the first time) and not finished by it (some reader has not run). Running `v` next
/// holds those plus `v`'s outputs and the inputs `v` reads first; afterwards the tensors whose
/// last reader was `v` (and `v`'s outputs that nothing reads) are gone. Both numbers depend only
/// on `S` and `v`, which is what makes the dynamic program over down-sets exact.
struct LiveMemoryModel: Sendable {
    let graph: Graph
    /// Occupied bytes per tensor; 0 for tensors the setting does not track.
    let size: [Int]
    /// Distinct tracked inputs of each operator.
    let inputs: [[TensorID]]
    /// The inputs whose bytes each operator's output may take when they die there; empty for
    /// every operator when in-place is off (``Graph/inPlaceCandidates(of:)``).
    let inPlace: [[TensorID]]

    init(graph: Graph, setting: TensorSetting, alignment: Int, inPlace mode: InPlaceMode = .off) {
        self.graph = graph
        size = graph.tensors.indices.map { graph.isTracked($0, in: setting) ? roundUp(graph.tensors[$0].bytes, to: alignment) : 0 }
        inputs = graph.operators.indices.map { graph.residentInputs(of: $0, in: setting) }
        inPlace = mode == .on ? graph.inPlaceCandidateTable() : [[TensorID]](repeating: [], count: graph.operators.count)
    }

    /// The bytes `op` saves by writing its output over an input whose last reader it is, once
    /// `done` has run: the output and that input then count once.
    func inPlaceSaving(after done: OperatorSet, running op: OperatorID) -> Int {
        let dies = inPlace[op].contains { x in graph.consumers[x].allSatisfy { $0 == op || done.contains($0) } }
        return dies ? size[graph.operators[op].outputs[0]] : 0
    }

    /// Bytes live while `op` runs after `done`, and after it has run.
    func transition(after done: OperatorSet, live: Int, running op: OperatorID) -> (running: Int, after: Int) {
        var running = live
        var released = 0
        for t in graph.operators[op].outputs {
            running += size[t]
            if graph.consumers[t].isEmpty { released += size[t] }
        }
        for t in inputs[op] {
            let readers = graph.consumers[t]
            if graph.producer[t] == nil && !readers.contains(where: done.contains) { running += size[t] }
            if readers.allSatisfy({ $0 == op || done.contains($0) }) { released += size[t] }
        }
        // The saving lowers only the running peak: afterwards the input is gone either way.
        return (running - inPlaceSaving(after: done, running: op), running - released)
    }

    /// Operators with no predecessors: the ones ready before anything has run.
    var sources: [OperatorID] { graph.operators.indices.filter { graph.predecessors[$0].isEmpty } }

    /// The operators that become ready once `op` has joined `done` (which already contains it).
    func newlyReady(after op: OperatorID, done: OperatorSet) -> [OperatorID] {
        graph.successors[op].filter { s in graph.predecessors[s].allSatisfy(done.contains) }
    }
}
