package import DNNGraph
package import Foundation

/// The lock that keeps two batches out of one journal (issue 21).
///
/// Two batches writing one folder would append to one journal and share the workers' output
/// files, turning each other's rows into crashes. So a batch holds an exclusive `flock(2)` on a
/// lock file beside its journal for as long as it runs, and writes its PID into the file for the
/// message the second batch prints. The kernel releases the lock when its holder dies, however it
/// dies, so a lock left by a batch killed with `kill -9` is never stale: the next batch simply
/// takes it. (The file itself stays; its PID is only read while the lock is held.)
package final class FolderLock {
    package let url: URL
    private let descriptor: Int32

    /// Takes the lock, or throws naming the PID of the batch that holds it.
    package init(_ url: URL) throws(InputError) {
        self.url = url
        // Close-on-exec: workers must not inherit the lock and hold it after the batch is gone.
        descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw InputError(source: url.path, message: "cannot create the batch's lock file (\(String(cString: strerror(errno)))); check that the folder is writable")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOf: url, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(descriptor)
            let who = Int(holder).map { "another batch (PID \($0))" } ?? "another batch"
            throw InputError(source: url.deletingLastPathComponent().path, message: "\(who) is running in this folder; wait for it to finish, stop it, or give another --out")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    deinit {
        _ = ftruncate(descriptor, 0)
        close(descriptor)
    }
}
