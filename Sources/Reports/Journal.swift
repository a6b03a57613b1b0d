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
        try append(line: row.jsonValue.compact)
    }

    /// Appends one line of compact JSON (no newline in it) and waits until it is on disk: the
    /// journal of any table that resumes (`cosma bench divide-and-conquer` keeps its rows so).
    package func append(line: String) throws(InputError) {
        let bytes = Array((line + "\n").utf8)
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
        var rows: [InstanceKey: ResultRow] = [:]
        var crashes: [InstanceKey: Int] = [:]
        for row in try entries(at: url, reading: "a result row", ResultRow.init(json:source:)) {
            rows[row.key] = row
            if row.status == .crashed { crashes[row.key, default: 0] += 1 }
        }
        return (rows, crashes)
    }

    /// Every finished line of a journal read by `read`, in order; a missing file has none. An
    /// unfinished last line (a kill in the middle of an append) is ignored; a line `read` refuses
    /// is reported with its number, as `what` ("a result row").
    package static func entries<Entry>(at url: URL, reading what: String,
                                       _ read: (String, String) throws(InputError) -> Entry) throws(InputError) -> [Entry] {
        guard let data = try? Data(contentsOf: url) else { return [] }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        // The last element is empty after a final newline, or an unfinished line after a kill.
        lines.removeLast()
        var entries: [Entry] = []
        for (n, line) in lines.enumerated() where !line.isEmpty {
            do {
                entries.append(try read(String(line), url.path))
            } catch {
                throw InputError(source: url.path, message: "line \(n + 1) is not \(what) (\(error.message)); the journal was edited or damaged: delete that line to rerun its instance")
            }
        }
        return entries
    }

    /// The journals of a folder in name order: a whole run's `journal.jsonl` and each shard's
    /// `journal-I-of-N.jsonl` (``Shard/journalName``).
    package static func journals(in folder: URL) -> [URL] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        return names.filter { $0 == "journal.jsonl" || Shard(journalName: $0) != nil }.map { folder.appendingPathComponent($0) }
    }

    /// The journal a run appends to in `folder`: its shard's, or the whole run's `journal.jsonl`.
    package static func url(in folder: URL, shard: Shard?) -> URL {
        folder.appendingPathComponent(shard?.journalName ?? "journal.jsonl")
    }
}
