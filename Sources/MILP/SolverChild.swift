internal import CSolverProcess
#if canImport(Glibc)
import Glibc
#endif

/// One running `cosma-solver` process: its id, the pipe that asks it to stop, and the pipe its
/// progress comes back on.
struct SolverChild {
    let pid: pid_t
    let backend: SolverBackend
    /// The host's end of the child's standard input; closing it asks the child to stop.
    private var stopPipe: Int32
    /// The host's end of the child's file descriptor 3.
    private var progressPipe: Int32
    private var pending: [UInt8] = []

    /// How a child ended, as the host saw it.
    struct Ending {
        var exitStatus: Int32?
        var signal: Int32?
        var killed = false
        var cancelled = false

        var exitedNormally: Bool { exitStatus == 0 }

        var status: TerminationStatus {
            if killed { return cancelled ? .interrupted : .timeLimit }
            return .error
        }

        func note(backend: SolverBackend, seconds: Double) -> String {
            let after = "after \((seconds * 100).rounded() / 100) s"
            let what =
                if killed {
                    cancelled
                        ? "did not stop when asked and was killed \(after)"
                        : "ran past its deadline, did not stop when asked, and was killed \(after)"
                } else if let signal {
                    "died of signal \(signal) (\(signalName(signal))) \(after)"
                } else if let exitStatus {
                    "exited with code \(exitStatus) without an answer \(after)"
                } else {
                    "vanished without an answer \(after)"
                }
            return "the \(backend) solver process \(what); this solve gave no solution, the best plan so far stands"
        }
    }

    /// Starts `executable REQUEST ANSWER` with the two pipes in place.
    init(executable: String, folder: TemporaryFolder, backend: SolverBackend) throws {
        self.backend = backend
        var stop: [Int32] = [0, 0]
        var progress: [Int32] = [0, 0]
        guard csolver_pipe_cloexec(&stop) == 0 else { throw Self.failure(backend, "cannot create a pipe") }
        guard csolver_pipe_cloexec(&progress) == 0 else {
            close(stop[0])
            close(stop[1])
            throw Self.failure(backend, "cannot create a pipe")
        }
        defer {
            close(stop[0])
            close(progress[1])
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stop[0], 0)
        posix_spawn_file_actions_adddup2(&actions, progress[1], 3)
        let arguments = [executable, folder.request, folder.answer]
        // The Swift runtime's backtracer would spend seconds on a crash that is only reported.
        let environment = Self.environment() + ["SWIFT_BACKTRACE=enable=no"]
        // The host may ignore or block signals (cosma solve ignores SIGINT and SIGTERM while it
        // handles them itself); the child starts with the defaults and no mask.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        var empty = sigset_t()
        sigemptyset(&defaults)
        sigemptyset(&empty)
        for signalNumber in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE] { sigaddset(&defaults, signalNumber) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        let code = withCStrings(arguments) { argv in
            withCStrings(environment) { envp in posix_spawn(&pid, executable, &actions, &attributes, argv, envp) }
        }
        guard code == 0 else {
            close(stop[1])
            close(progress[0])
            throw Self.failure(backend, "cannot start \(executable) (error \(code))")
        }
        self.pid = pid
        stopPipe = stop[1]
        progressPipe = progress[0]
    }

    private static func failure(_ backend: SolverBackend, _ message: String) -> SolverError {
        SolverError(backend: backend, code: Int(errno), message: message, context: "starting the solver process")
    }

    private static func environment() -> [String] {
        var result: [String] = []
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if !text.hasPrefix("SWIFT_BACKTRACE=") { result.append(text) }
            entry += 1
        }
        return result
    }

    /// Waits for the child, relaying progress, asking it to stop on cancellation or at `stop`,
    /// and killing it at `kill`.
    mutating func watch(options: SolveOptions, deadlines: (stop: ContinuousClock.Instant?, kill: ContinuousClock.Instant?),
                        grace: Duration) -> Ending
    {
        var ending = Ending()
        var kill = deadlines.kill
        defer {
            if stopPipe >= 0 { close(stopPipe) }
            close(progressPipe)
        }
        while true {
            relayProgress(options: options, waitMilliseconds: 10)
            if let status = reap() {
                ending.exitStatus = status.exit
                ending.signal = status.signal
                relayProgress(options: options, waitMilliseconds: 0)
                return ending
            }
            let now = ContinuousClock.now
            if stopPipe >= 0, options.isCancelled || deadlines.stop.map({ now >= $0 }) == true {
                ending.cancelled = options.isCancelled
                close(stopPipe)
                stopPipe = -1
                // A cancelled caller waits no longer than the grace for the child's answer.
                if ending.cancelled { kill = min(kill ?? now + grace, now + grace) }
            }
            if !ending.killed, let kill, now >= kill {
                ending.killed = true
                Glibc.kill(pid, SIGKILL)
            }
        }
    }

    /// The child's exit code or signal once it has ended; `nil` while it runs.
    private func reap() -> (exit: Int32?, signal: Int32?)? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == 0 { return nil }
            if result < 0 {
                if errno == EINTR { continue }
                // A host that ignores SIGCHLD reaps its children itself: the child has ended.
                return (nil, nil)
            }
            let signal = status & 0x7f
            return signal == 0 ? ((status >> 8) & 0xff, nil) : (nil, signal)
        }
    }

    /// Reads what the child wrote on its progress pipe and hands each whole line to the caller.
    private mutating func relayProgress(options: SolveOptions, waitMilliseconds: Int32) {
        var poller = pollfd(fd: progressPipe, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, waitMilliseconds) > 0 else { return }
        var chunk = [UInt8](repeating: 0, count: 4096)
        let n = chunk.withUnsafeMutableBytes { read(progressPipe, $0.baseAddress, $0.count) }
        guard n > 0 else {
            // The child closed its end (it is exiting): wait as poll would have.
            if n == 0 { usleep(UInt32(waitMilliseconds) * 1000) }
            return
        }
        pending += chunk[..<n]
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: pending[..<newline], as: UTF8.self)
            pending.removeSubrange(...newline)
            if let progress = SolveProgress(line: line) { options.progress?(progress) }
        }
    }
}

extension SolveProgress {
    /// `elapsed incumbent bound nodes`, with `nan` for what is unknown.
    var line: String {
        "\(elapsedSeconds) \(incumbent ?? .nan) \(bestBound ?? .nan) \(nodes)\n"
    }

    init?(line: String) {
        let fields = line.split(separator: " ")
        guard fields.count == 4, let elapsed = Double(fields[0]), let incumbent = Double(fields[1]),
            let bound = Double(fields[2]), let nodes = Int(fields[3])
        else { return nil }
        self.init(elapsedSeconds: elapsed, incumbent: incumbent.isNaN ? nil : incumbent,
                  bestBound: bound.isNaN ? nil : bound, nodes: nodes)
    }
}

func signalName(_ signal: Int32) -> String {
    switch signal {
    case SIGSEGV: "SIGSEGV, a crash"
    case SIGABRT: "SIGABRT, an abort"
    case SIGBUS: "SIGBUS, a crash"
    case SIGFPE: "SIGFPE, an arithmetic fault"
    case SIGILL: "SIGILL, a runtime trap"
    case SIGTRAP: "SIGTRAP, a runtime trap"
    case SIGKILL: "SIGKILL, killed from outside (perhaps for memory)"
    case SIGTERM: "SIGTERM"
    default: "a signal"
    }
}

/// Runs `body` with `strings` as a NULL-terminated array of C strings.
func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}
