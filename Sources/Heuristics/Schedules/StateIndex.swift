/// A key a ``StateIndex`` can find: equality, and a hash that is the same in every process.
protocol StateKey: Equatable {
    /// A well-mixed hash of the key (every bit of the key may change every bit of the hash).
    var stateHash: UInt64 { get }
}

/// The node of each state a best-first search has created, found by the state's key.
///
/// An open-addressing table with linear probing, at most half full, over the search's own array
/// of keys: a slot holds the node and 32 bits of its key's hash, which place it (so growing reads
/// no key) and which a probe compares before it reads a key. It replaces a `[Key: Int32]`, whose
/// per-process seeded SipHash and separate lookup and insertion took 22% of the `perf` samples of
/// `cosma solve` on RandWire-WS with weights at `M_R`, nearly half of ``SegmentTrafficSearch``'s.
/// The index is never iterated, so a search finds the same states in the same order with it as
/// with the dictionary.
struct StateIndex<Key: StateKey> {
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
    mutating func node(of key: Key, orInsert next: Int32, keys: [Key]) -> Int32? {
        if 2 * (count + 1) > slots.count { grow() }
        let tag = key.stateHash >> 32
        let mask = slots.count - 1
        var i = Int(tag) & mask
        while slots[i] != 0 {
            let slot = slots[i]
            let node = Int32(truncatingIfNeeded: slot & 0xffff_ffff) - 1
            if slot >> 32 == tag && keys[Int(node)] == key { return node }
            i = (i + 1) & mask
        }
        slots[i] = tag << 32 | UInt64(UInt32(next + 1))
        count += 1
        return nil
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
