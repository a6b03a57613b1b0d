internal import MILP

extension JointProgram {
    /// Fixes every replacement decision outside the positions `free` to what `residency` does
    /// there, so that the program only re-plans one segment of an existing plan: what is resident
    /// when the segment starts, what already has a DRAM copy and what later positions still need
    /// are all inherited from the plan. Stores of tensors whose window misses the segment are
    /// fixed too; the others stay free, since the segment may spill or stop spilling them.
    ///
    /// Build the program on ``PlanningProblem/init(graph:configuration:order:free:)`` with the same
    /// order, so that operators outside the segment keep their positions. The fixed variables stay
    /// in the model as columns with equal bounds; the solvers' presolve removes them.
    ///
    /// In ``Mode/addresses`` the plan's `offsets` (bytes, per stay) fix every offset and pair order
    /// outside `free` as well, so that the program re-decides addresses only inside it: stays
    /// that cross into `free` keep their offsets there unless they are reloaded.
    package mutating func fix(outside free: Range<Int>, to residency: Residency, offsets: [[Int]]? = nil) {
        let values = values(for: residency, offsets: offsets)
        func pin(_ v: Variable) {
            let value = values[v] ?? 0
            model.setBounds(of: v, lower: value, upper: value)
        }
        for t in problem.tensors {
            let w = problem.tensorWindow[t]!
            for k in w where !free.contains(k) {
                pin(r[t][k - w.lowerBound])
                if let load = l[t][k - w.lowerBound] { pin(load) }
            }
            if let store = s[t], w.upperBound < free.lowerBound || w.lowerBound >= free.upperBound { pin(store) }
            if mode == .addresses, offsets != nil {
                for k in w where !free.contains(k) { pin(offset[t][k - w.lowerBound]) }
            }
        }
        // In-place writes outside the segment are the plan's, like its stays.
        for choice in overwrites where !free.contains(choice.position) { pin(choice.variable) }
        if mode == .addresses, offsets != nil {
            for (key, z) in below where !free.contains(key.k) { pin(z) }
        }
    }
}
