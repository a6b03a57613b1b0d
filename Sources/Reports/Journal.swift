import Cosma
package import DNNGraph
import Scratchpad
internal import Heuristics
import MILP
import CosmaILP
package import Foundation

/// The batch's memory: one compact JSON ``ResultRow`` per line, appended and flushed to disk
/// (`fsync`) as each instance finishes, so that a batch killed at any moment keeps every row it
/// finished and a rerun of the same command continues from there.
///
/// A kill in the middle of an append can leave a last line without its newline; reading ignores
/// it and opening for append cuts it off, so the instance simply runs again.
package final class Journal {
    package let url: URL
    private let descriptor: Int32

    /// Opens (creating if needed) the journal for appending, dropping an unfinished last line.
    package init(appendingTo url: URL) throws(InputError) {
        self.url = url
        let data = (try? Data(contentsOf: url)) ?? Data()
        if let last = data.last, last != UInt8(ascii: "\n") {
            let keep = data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            guard truncate(url.path, off_t(keep)) == 0 else {
                throw InputError(source: url.path, message: "cannot cut the unfinished last line (\(String(cString: strerror(errno)))); check that the file is writable")
            }
        }
        descriptor = open(url.path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard descriptor >= 0 else {
            throw InputError(source: url.path, message: "cannot open the journal (\(String(cString: strerror(errno)))); check that the folder is writable")
        }
    }

    deinit { close(descriptor) }

    /// Appends one row and waits until it is on disk.
    package func append(_ row: ResultRow) throws(InputError) {
        let bytes = Array((row.jsonValue.compact + "\n").utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError(source: url.path, message: "cannot append to the journal (\(String(cString: strerror(errno)))); check the free disk space")
            }
            written += n
        }
        guard fsync(descriptor) == 0 else {
            throw InputError(source: url.path, message: "cannot flush the journal to disk (\(String(cString: strerror(errno))))")
        }
    }

    /// The rows of a journal, in the order they finished; a missing file has none. A later row
    /// for the same instance replaces an earlier one.
    package static func rows(at url: URL) throws(InputError) -> [InstanceKey: ResultRow] {
        try read(at: url).rows
    }

    /// ``rows(at:)``, and how many times each instance's worker crashed (rows with status
    /// ``RowStatus/crashed``), which decides whether a resumed batch tries it again.
    package static func read(at url: URL) throws(InputError) -> (rows: [InstanceKey: ResultRow], crashes: [InstanceKey: Int]) {
        guard let data = try? Data(contentsOf: url) else { return ([:], [:]) }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        // The last element is empty after a final newline, or an unfinished line after a kill.
        lines.removeLast()
        var rows: [InstanceKey: ResultRow] = [:]
        var crashes: [InstanceKey: Int] = [:]
        for (n, line) in lines.enumerated() where !line.isEmpty {
            do {
                let row = try ResultRow(json: String(line), source: url.path)
                rows[row.key] = row
                if row.status == .crashed { crashes[row.key, default: 0] += 1 }
            } catch {
                throw InputError(source: url.path, message: "line \(n + 1) is not a result row (\(error.message)); the journal was edited or damaged: delete that line to rerun its instance")
            }
        }
        return (rows, crashes)
    }
}
