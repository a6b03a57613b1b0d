/// How often the defragmenting fallback of the on-line heuristics fired while making one
/// plan: the price a baseline pays for never giving up.
package struct FallbackCounts: Hashable, Sendable, CustomStringConvertible {
    /// Tensors evicted after the replacement policy found no choice of its own (the greedy policy,
    /// when every window it could clear holds an operand of the running operator).
    package var furtherEvictions = 0
    /// Operators whose operands had to be compacted.
    package var compactions = 0
    /// Operands moved by those compactions that had a DRAM copy: freed and reloaded.
    package var reloads = 0
    /// Operands moved by those compactions that had none: stored, freed and reloaded.
    package var storeReloads = 0
    /// Whole-scratchpad flushes (the on-line planner's flush fallback).
    package var flushes = 0

    package init() {}

    /// Whether no fallback fired.
    package var isEmpty: Bool { self == FallbackCounts() }

    package var description: String {
        isEmpty ? "none"
            : "\(furtherEvictions) further eviction(s), \(compactions) compaction(s) moving \(reloads) operand(s) with a DRAM copy and \(storeReloads) stored first"
                + (flushes > 0 ? ", \(flushes) flush(es)" : "")
    }
}
