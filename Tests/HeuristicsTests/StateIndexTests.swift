import DNNGraph
import Testing

@testable import Heuristics

/// ``StateIndex`` against a dictionary, which it replaced in the segment search and in the
/// minimum-peak search.
@Suite("State index")
struct StateIndexTests {
    /// A key whose hash is chosen by the test: `bucket` collides keys on purpose.
    struct Key: StateKey {
        var value: Int
        var bucket: UInt64
        var stateHash: UInt64 { bucket }
    }

    /// Finds or inserts `keys` in order, as a search does, and checks every answer against a
    /// dictionary: the node of the first equal key, or a new node. With `replacing`, every third
    /// key found gets a new node in its place, as the minimum-peak search does when it reaches a
    /// state more cheaply, and later answers must give the new node.
    private func agreesWithDictionary(_ stream: [Key], replacing: Bool = false) {
        var index = StateIndex(expected: 4)
        var keys: [Key] = []
        var reference: [Int: Int32] = [:]
        var replaced = 0
        for (i, key) in stream.enumerated() {
            let next = Int32(keys.count)
            let found = index.node(of: key, orInsert: next, keys: keys)
            #expect(found == reference[key.value], "key \(key.value)")
            #expect(index.node(hash: key.stateHash, isKey: { keys.indices.contains(Int($0)) && keys[Int($0)] == key }) == found)
            if let found {
                guard replacing, i % 3 == 0 else { continue }
                index.replace(found, with: next, hash: key.stateHash)
                replaced += 1
            }
            keys.append(key)
            reference[key.value] = next
        }
        #expect(keys.count == reference.count + replaced)
        #expect(!replacing || replaced > 100)
    }

    @Test("Finds each key's first node and grows, with well-mixed hashes")
    func mixedHashes() {
        var rng = SplitMix64(seed: 7)
        let stream = (0..<20_000).map { _ in
            let value = Int(rng.next() % 5_000)
            return Key(value: value, bucket: UInt64(value).mixed(into: 0x9e37_79b9_7f4a_7c15))
        }
        agreesWithDictionary(stream)
        agreesWithDictionary(stream, replacing: true)
    }

    /// Keys that share all 32 bits a slot keeps: found only by comparing the keys themselves.
    @Test("Keys whose hashes collide are told apart by the keys")
    func collidingHashes() {
        var rng = SplitMix64(seed: 11)
        let stream = (0..<3_000).map { _ in
            let value = Int(rng.next() % 600)
            return Key(value: value, bucket: UInt64(value % 3) << 32)
        }
        agreesWithDictionary(stream)
        agreesWithDictionary(stream, replacing: true)
    }
}
