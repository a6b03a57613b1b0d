import Cosma
package import DNNGraph
import Scratchpad
internal import Heuristics
import MILP
import CosmaILP
package import Foundation

/// `results.csv` and `results.json`: every row of a batch, in matrix order.
package enum ResultFiles {
    /// RFC 4180 CSV with a header of ``ResultRow/columns``; cells holding commas, quotes or line
    /// breaks are quoted.
    package static func csv(_ rows: [ResultRow]) -> String {
        ([ResultRow.columns.joined(separator: ",")] + rows.map { $0.csvCells.map(cell).joined(separator: ",") })
            .joined(separator: "\n") + "\n"
    }

    /// One CSV cell, quoted when it holds a comma, a quote or a line break.
    static func cell(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A JSON object naming its format (``DocumentFormat/batchResults``) with the rows in
    /// `"rows"`, one row object per line.
    package static func json(_ rows: [ResultRow]) -> String {
        JSONValue.object([DocumentFormat.batchResults.field, ("rows", .array(rows.map(\.jsonValue)))]).formatted(expandDepth: 2)
    }

    /// Reads the rows of a `results.json`: the object ``json(_:)`` writes, or the bare array of
    /// rows that batches wrote before `results.json` named its format. Another format is refused.
    package static func rows(json data: Data, source: String) throws(InputError) -> [ResultRow] {
        struct Document: Decodable {
            var rows: [ResultRow]
        }
        try checkJSONNesting(data, source: source)
        if let rows = try? JSONDecoder().decode([ResultRow].self, from: data) { return rows }
        try DocumentFormat.batchResults.check(data, source: source)
        return try decodeJSON(Document.self, from: data, source: source).rows
    }
}
