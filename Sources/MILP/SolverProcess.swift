internal import CSolverProcess
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The host's side of a contained solve: finds `cosma-solver`, hands it the request in a file,
/// relays its progress, stops or kills it at the deadline, and turns how it ended into a result.
///
/// The child's standard input is a pipe the host never writes to: closing it asks the child to
/// stop (CBC and GLPK then stop at their next check, with their best solution), and it closes by
/// itself when the host dies, so that no child outlives its host for long. Progress comes back as
/// text lines on file descriptor 3; the answer is a file the child renames into place when done.
enum SolverProcess {
    /// The helper's file name, beside the program or library that solves, or in `../libexec/cosma/`.
    static let executableName = "cosma-solver"
    /// Names the helper explicitly, for installs that move it elsewhere.
    static let environmentVariable = "COSMA_SOLVER"

    /// Where `cosma-solver` is: `$COSMA_SOLVER` when set; otherwise beside the image that holds
    /// this code (the `cosma` tool, `libcosma.so`, a test bundle) or in `../libexec/cosma/` from
    /// it (where `make install` puts it), and the same beside the running executable.
    static func workerPath(backend: SolverBackend) throws -> String {
        if let explicit = environmentValue(environmentVariable), !explicit.isEmpty {
            guard access(explicit, X_OK) == 0 else {
                throw SolverError(backend: backend, code: nil, message: "\(environmentVariable)=\(explicit) is not an executable file",
                                  context: "starting the solver process")
            }
            return explicit
        }
        let directories = [imageDirectory(), executableDirectory()].compactMap { $0 }
        let candidates = directories.flatMap { ["\($0)/\(executableName)", "\($0)/../libexec/cosma/\(executableName)"] }
        if let found = candidates.first(where: { access($0, X_OK) == 0 }) { return found }
        throw SolverError(
            backend: backend, code: nil,
            message: "\(executableName) not found (looked for \(candidates.joined(separator: ", "))); install it with "
                + "`make install`, set \(environmentVariable) to its path, or ask for in-process solving",
            context: "starting the solver process")
    }

    /// The folder of the executable or shared library this code was linked into.
    private static func imageDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard csolver_image_path(&buffer, UInt(buffer.count)) == 0 else { return nil }
        return directory(of: String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    private static func executableDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return directory(of: String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    private static func directory(of path: String) -> String? {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Solves `model` in a child process under `containment`.
    static func solve(_ model: LoweredModel, backend: SolverBackend, options: SolveOptions,
                      containment: SolverContainment) throws -> SolveResult
    {
        let started = ContinuousClock.now
        if let deadline = containment.deadline, started >= deadline {
            // Past the promise: no child is started, the caller keeps the plan it has.
            return SolveResult(backend: backend, status: .timeLimit, solution: nil, bestBound: nil, nodes: 0, solveSeconds: 0)
        }
        let executable = try workerPath(backend: backend)
        let folder = try TemporaryFolder(backend: backend)
        defer { folder.remove() }
        let request = SolveRequest(backend: backend, model: model, options: options, fault: containment.injectedFault,
                                   memoryLimitBytes: memoryLimit)
        try writeFile(folder.request, request.encoded(), backend: backend)
        var child = try SolverChild(executable: executable, folder: folder, backend: backend)
        let ending = child.watch(options: options, deadlines: deadlines(options: options, containment: containment, started: started),
                                 grace: .milliseconds(Int64(containment.answerSeconds * 1000)))
        let seconds = (ContinuousClock.now - started).inSeconds
        if ending.exitedNormally, let bytes = readFile(folder.answer) {
            switch try SolveAnswer.decode(bytes, backend: backend) {
            case let .result(result): return result
            case let .failure(error): throw error
            }
        }
        let note = ending.note(backend: backend, seconds: seconds)
        containment.record(note)
        return SolveResult(backend: backend, status: ending.status, solution: nil, bestBound: nil, nodes: 0,
                           solveSeconds: seconds, note: note)
    }

    /// When the child is asked to stop, and when it is killed.
    private static func deadlines(options: SolveOptions, containment: SolverContainment, started: ContinuousClock.Instant)
        -> (stop: ContinuousClock.Instant?, kill: ContinuousClock.Instant?)
    {
        let grace = Duration.milliseconds(Int64(containment.graceSeconds * 1000))
        let answer = Duration.milliseconds(Int64(containment.answerSeconds * 1000))
        var stop = options.timeLimit.flatMap { $0.isFinite ? started + .milliseconds(Int64($0 * 1000)) + grace : nil }
        // The containment's deadline is when the last child is gone, not when it is asked to stop:
        // a child that ignores the request is killed by then, so the host keeps the time after the
        // deadline for its own work (simulating and writing the plan) even on a loaded machine.
        if let deadline = containment.deadline { stop = min(stop ?? deadline, deadline - answer) }
        return (stop, stop.map { $0 + answer })
    }

    /// Three quarters of the machine's memory: a solver that needs more fails alone.
    static var memoryLimit: Int? {
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return nil }
        return pages / 4 * 3 * size
    }
}

/// The reading side of `getenv`.
func environmentValue(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}

extension Duration {
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

/// A private folder for one solve's request and answer, removed afterwards.
struct TemporaryFolder {
    let path: String
    var request: String { path + "/request" }
    var answer: String { path + "/answer" }

    init(backend: SolverBackend) throws {
        let base = environmentValue("TMPDIR").flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/cosma-solve-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SolverError(backend: backend, code: Int(errno), message: "cannot create a folder in \(base)",
                              context: "starting the solver process")
        }
        path = String(cString: made)
    }

    func remove() {
        unlink(request)
        unlink(answer)
        unlink(answer + ".partial")
        rmdir(path)
    }
}

func writeFile(_ path: String, _ bytes: [UInt8], backend: SolverBackend) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
        throw SolverError(backend: backend, code: Int(errno), message: "cannot write \(path)", context: "handing over a solve")
    }
    defer { close(fd) }
    var written = 0
    while written < bytes.count {
        let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0, errno == EINTR { continue }
        guard n > 0 else {
            throw SolverError(backend: backend, code: Int(errno), message: "cannot write \(path)", context: "handing over a solve")
        }
        written += n
    }
}

func readFile(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0, errno == EINTR { continue }
        guard n > 0 else { return n == 0 ? bytes : nil }
        bytes += chunk[..<n]
    }
}
