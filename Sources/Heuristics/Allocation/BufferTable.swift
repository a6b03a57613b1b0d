package import DNNGraph

/// Buffers with fixed lifetimes in MiniMalloc's CSV format (Moffitt, ASPLOS 2023), so that
/// anyone can compare allocators on the same instances: a header naming the columns `id`,
/// `lower`, `upper` and `size` (in any order; `buffer`, `begin` and `end` are accepted as
/// aliases), then one buffer per line, live over `[lower, upper)`.
///
/// ```
/// id,lower,upper,size
/// b0,0,3,4
/// b1,2,5,8
/// ```
package struct BufferTable: Sendable, Equatable {
    /// The buffers' identifiers, in file order.
    package var ids: [String]
    /// The buffers as blocks: `first = lower` and `last = upper - 1`.
    package var blocks: [StaticAllocator.Block]

    package init(ids: [String], blocks: [StaticAllocator.Block]) {
        self.ids = ids
        self.blocks = blocks
    }

    static let columnAliases = ["id": "id", "buffer": "id", "buffer_id": "id", "lower": "lower", "begin": "lower",
                                "upper": "upper", "end": "upper", "size": "size"]

    /// Parses `text`, naming `source` (the file) and the line in every error.
    package init(parsing text: String, source: String) throws(InputError) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? $0.dropLast() : $0
        }
        guard let header = lines.first, !header.isEmpty else {
            throw InputError(source: source, message: "the file is empty; it needs the header id,lower,upper,size and one buffer per line")
        }
        var column: [String: Int] = [:]
        for (k, name) in header.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let name = name.trimmed.lowercased()
            guard let canonical = Self.columnAliases[name] else {
                throw InputError(source: "\(source):1", message: "unknown column '\(name)'; the header must name id, lower, upper and size")
            }
            column[canonical] = k
        }
        for needed in ["id", "lower", "upper", "size"] where column[needed] == nil {
            throw InputError(source: "\(source):1", message: "the header has no '\(needed)' column; write id,lower,upper,size")
        }
        var ids: [String] = []
        var blocks: [StaticAllocator.Block] = []
        var total = 0
        for (n, line) in lines.enumerated().dropFirst() where !line.trimmed.isEmpty {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmed }
            let place = "\(source):\(n + 1)"
            guard fields.count == column.count else {
                throw InputError(source: place, message: "\(fields.count) fields where the header has \(column.count); give one value per column")
            }
            func number(_ name: String) throws(InputError) -> Int {
                guard let value = Int(fields[column[name]!]) else {
                    throw InputError(source: place, message: "\(name) '\(fields[column[name]!])' is not an integer; write a whole number of \(name == "size" ? "bytes" : "time steps")")
                }
                return value
            }
            let (lower, upper, size) = (try number("lower"), try number("upper"), try number("size"))
            guard size > 0 else { throw InputError(source: place, message: "size \(size) must be positive") }
            // The same cap as a graph's tensors: sums and roundings of sizes then cannot overflow.
            total += min(size, Graph.maximumBytes + 1)
            guard total <= Graph.maximumBytes else {
                throw InputError(source: place, message: "the buffers add up to more than the \(Graph.maximumBytes) bytes (1 PiB) Cosma accepts; check the size (bytes)")
            }
            guard lower >= 0, upper > lower else {
                throw InputError(source: place, message: "the lifetime [\(lower), \(upper)) is empty or negative; upper must exceed lower >= 0")
            }
            ids.append(fields[column["id"]!])
            blocks.append(StaticAllocator.Block(size: size, first: lower, last: upper - 1))
        }
        self.init(ids: ids, blocks: blocks)
    }

    /// The CSV text with the offset of every buffer: `id,offset`.
    package func offsetsCSV(_ offsets: [Int]) -> String {
        "id,offset\n" + zip(ids, offsets).map { "\($0),\($1)\n" }.joined()
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    fileprivate var trimmed: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
