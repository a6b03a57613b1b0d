internal import DNNGraph
internal import MILP
import Scratchpad

/// In-place writes in the joint program (docs/in-place.md).
///
/// With ``InPlaceMode/on`` an operator `o` may write its output `t` over an input `x` of
/// ``Graph/inPlaceCandidates(of:)`` (an activation of the same size that is not a graph output;
/// a view is such an operator too). A binary `w[o,x,k]` chooses that at position `k`:
/// - `w[o,x,k] <= x[o,k]`, at most one input per operator and position;
/// - `w[o,x,k] <= y[c,k-1]` for every other reader `c` of `x`: `o` is `x`'s last reader, so `x`'s
///   stay ends at `k` (the program keeps nothing after its last reader) while `t`'s starts there;
///   `x` is resident at `k` because `o` reads it;
/// - the capacity row at `k` counts the pair once: `t`'s bytes are subtracted there;
/// - in ``JointProgram/Mode/addresses``, `L[t,k] = L[x,k]` and the pair's non-overlap rows are void.
///
/// Every plan of the in-place model is a solution (its writes set `w`), and every solution is
/// such a plan, so the capacity program stays a relaxation of the full in-place problem and the
/// address program is that problem.
extension JointProgram {
    /// One in-place choice: `variable` is 1 when `op` runs at `position` and writes `output` over `input`.
    struct Overwrite: Sendable {
        var op: OperatorID
        var input: TensorID
        var output: TensorID
        var position: Int
        var variable: Variable

        var write: InPlaceWrite { InPlaceWrite(op: op, input: input, output: output) }
    }

    /// Creates the choice variables and their rows; the capacity and address rows use them.
    mutating func addInPlaceChoices() {
        let graph = problem.graph
        for o in graph.operators.indices {
            let candidates = graph.inPlaceCandidates(of: o).filter { problem.tensorWindow[$0] != nil }
            guard !candidates.isEmpty, let output = graph.operators[o].outputs.first, problem.tensorWindow[output] != nil else {
                continue
            }
            for k in problem.operatorWindow[o] {
                var one = LinearExpression()
                for x in candidates {
                    // Other readers that cannot have run before k rule the choice out.
                    let others = graph.consumers[x].filter { $0 != o }.map { ranBy($0, k, strictly: true) }
                    guard !others.contains(where: { $0.termCount == 0 && $0.constant < 1 }) else { continue }
                    let w = model.addVariable(.binary, name: "w_\(o)_\(x)_\(k)")
                    overwrites.append(Overwrite(op: o, input: x, output: output, position: k, variable: w))
                    one.add(1, w)
                    for ran in others where ran.termCount > 0 {
                        var e: LinearExpression = [(w, 1)]
                        e.add(ran, times: -1)
                        model.addConstraint(e, .lessOrEqual, 0)
                    }
                }
                guard one.termCount > 0 else { continue }
                one.add(-1, xVar(o, k)!)
                model.addConstraint(one, .lessOrEqual, 0)
            }
        }
    }

    /// The choices by the pair of tensors they join (in the order the address rows meet them) and position.
    func overwritesByPair() -> [PairKey: Variable] {
        var index = [Int](repeating: -1, count: problem.graph.tensors.count)
        for (i, t) in problem.tensors.enumerated() { index[t] = i }
        var result: [PairKey: Variable] = [:]
        for c in overwrites {
            let (a, b) = index[c.input] < index[c.output] ? (c.input, c.output) : (c.output, c.input)
            result[PairKey(a: a, b: b, k: c.position)] = c.variable
        }
        return result
    }

    /// `L[t,k] = L[x,k]` when the output takes the input's bytes: `|L[t,k] - L[x,k]| <= M (1 - w)`.
    mutating func addInPlaceOffsetRows() {
        let top = Double(problem.configuration.capacity / problem.configuration.alignment)
        for c in overwrites {
            let wi = problem.tensorWindow[c.input]!
            let wo = problem.tensorWindow[c.output]!
            let input = offset[c.input][c.position - wi.lowerBound]
            let output = offset[c.output][c.position - wo.lowerBound]
            for sign in [1.0, -1.0] {
                model.addConstraint([(output, sign), (input, -sign), (c.variable, top)], .lessOrEqual, top)
            }
        }
    }

    /// Sets the choices a residency makes (its ``Residency/writes``) in a MIP start.
    func setOverwrites(_ residency: Residency, in values: inout [Variable: Double]) {
        guard !overwrites.isEmpty else { return }
        let position = problem.graph.positions(of: residency.order)
        let chosen = Set(residency.writes.map { PairKey(a: $0.input, b: $0.output, k: position[$0.op]) })
        for c in overwrites { values[c.variable] = chosen.contains(PairKey(a: c.input, b: c.output, k: c.position)) ? 1 : 0 }
    }
}
