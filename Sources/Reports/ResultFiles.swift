import Cosma
import DNNGraph
import Scratchpad
import Heuristics
import MILP
import CosmaILP
import Foundation

/// `results.csv` and `results.json`: every row of a batch, in matrix order.
public enum ResultFiles {
    /// RFC 4180 CSV with a header of ``ResultRow/columns``; cells holding commas, quotes or line
    /// breaks are quoted.
    public static func csv(_ rows: [ResultRow]) -> String {
        ([ResultRow.columns.joined(separator: ",")] + rows.map { $0.csvCells.map(cell).joined(separator: ",") })
            .joined(separator: "\n") + "\n"
    }

    /// One CSV cell, quoted when it holds a comma, a quote or a line break.
    static func cell(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A JSON array with one row object per line.
    public static func json(_ rows: [ResultRow]) -> String {
        JSONValue.array(rows.map(\.jsonValue)).formatted(expandDepth: 1)
    }
}
