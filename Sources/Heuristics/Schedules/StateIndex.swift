/// A key a ``StateIndex`` can find: equality, and a hash that is the same in every process.
protocol StateKey: Equatable {
    /// A well-mixed hash of the key (every bit of the key may change every bit of the hash).
    var stateHash: UInt64 { get }
}

/// The node of each state a best-first search has created, found by the state's key.
///
/// An open-addressing table with linear probing, at most half full, over the search's own keys:
/// a slot holds the node and 32 bits of its key's hash, which place it (so growing reads no key)
/// and which a probe compares before it asks whether the node's key is the one sought. The keys
/// stay with the search: an array of ``StateKey`` values (``SegmentTrafficSearch``), or down-sets
/// packed in one flat array of words that only the search can compare (``BestFirstPeakSearch``).
/// It replaces dictionaries keyed by the state or by its hash, whose per-process seeded SipHash
/// and separate lookup and insertion took 22% of the `perf` samples of `cosma solve` on
/// RandWire-WS with weights at `M_R` (nearly half of the segment search's), and 20% of `cosma
/// info` on NASNet-A Mobile (the minimum-peak search's). The index is never iterated, so a search
/// finds the same states in the same order with it as with a dictionary.
struct StateIndex {
    /// Per slot: 0 when empty, else 32 bits of the key's hash (high) and the node plus one (low).
    private var slots: [UInt64]
    private var count = 0

    /// An index with room for `expected` states before it grows.
    init(expected: Int = 512) {
        var size = 16
        while size < 2 * expected { size *= 2 }
        slots = [UInt64](repeating: 0, count: size)
    }

    /// The node whose key in `keys` equals `key`; when there is none, records `next` as its node
    /// (the caller appends `key` to `keys` at `next`) and returns `nil`.
    mutating func node<Key: StateKey>(of key: Key, orInsert next: Int32, keys: [Key]) -> Int32? {
        node(hash: key.stateHash, orInsert: next) { keys[Int($0)] == key }
    }

    /// The node whose key has `hash` and for which `isKey` holds; when there is none, records
    /// `next` as its node and returns `nil`.
    mutating func node(hash: UInt64, orInsert next: Int32, isKey: (Int32) -> Bool) -> Int32? {
        if 2 * (count + 1) > slots.count { grow() }
        let (slot, node) = probe(hash, isKey)
        if let node { return node }
        slots[slot] = (hash >> 32) << 32 | UInt64(UInt32(next + 1))
        count += 1
        return nil
    }

    /// The node whose key has `hash` and for which `isKey` holds, if any.
    func node(hash: UInt64, isKey: (Int32) -> Bool) -> Int32? { probe(hash, isKey).node }

    /// Makes `replacement` the node of the key that `node` (found with `hash`) had: a search that
    /// reaches a state again more cheaply makes a new node for it, and the old one goes stale.
    mutating func replace(_ node: Int32, with replacement: Int32, hash: UInt64) {
        let (slot, found) = probe(hash) { $0 == node }
        precondition(found == node, "StateIndex: node \(node) is not indexed under its hash")
        slots[slot] = (hash >> 32) << 32 | UInt64(UInt32(replacement + 1))
    }

    /// The slot of the node whose key has `hash` and satisfies `isKey`, or the empty slot where it
    /// would go.
    private func probe(_ hash: UInt64, _ isKey: (Int32) -> Bool) -> (slot: Int, node: Int32?) {
        let tag = hash >> 32
        let mask = slots.count - 1
        var i = Int(tag) & mask
        while slots[i] != 0 {
            let slot = slots[i]
            let node = Int32(truncatingIfNeeded: slot & 0xffff_ffff) - 1
            if slot >> 32 == tag && isKey(node) { return (i, node) }
            i = (i + 1) & mask
        }
        return (i, nil)
    }

    /// Twice the slots, every node placed again by its hash bits.
    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: 2 * old.count)
        let mask = slots.count - 1
        for slot in old where slot != 0 {
            var i = Int(slot >> 32) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = slot
        }
    }
}

extension UInt64 {
    /// `self` folded into a running hash `into` (the finaliser of SplitMix64 after each word).
    func mixed(into hash: UInt64) -> UInt64 {
        var z = (hash ^ self) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
