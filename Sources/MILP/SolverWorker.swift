internal import CSolverProcess
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The child's side of a contained solve: `cosma-solver REQUEST ANSWER` reads the request,
/// limits its own address space, solves in process, and renames the answer into place.
///
/// It stops early when its standard input closes (the host asks it to, or the host died), and
/// reports progress as lines on file descriptor 3 when the host listens. Exit code 0 means the
/// answer file is there; anything else is reported by the host as a failed solve.
package enum SolverWorker {
    package static func main(arguments: [String]) -> Int32 {
        guard arguments.count == 3 else {
            printError("usage: cosma-solver REQUEST ANSWER (started by Cosma to contain a solver; not for direct use)")
            return 2
        }
        // A solver that outlives its host would run on unseen (and hold the host's output open).
        guard csolver_die_with_parent() == 0 else { return 4 }
        signal(SIGPIPE, SIG_IGN)
        // Ctrl-C reaches the whole process group: the host decides, and closes standard input.
        signal(SIGINT, SIG_IGN)
        guard let bytes = readFile(arguments[1]) else {
            printError("cosma-solver: cannot read \(arguments[1])")
            return 3
        }
        let answer: SolveAnswer
        do {
            let (request, wantsProgress) = try SolveRequest.decode(bytes)
            if let limit = request.memoryLimitBytes { limitAddressSpace(to: limit) }
            if let fault = request.fault { commit(fault) }
            answer = .result(try solve(request, wantsProgress: wantsProgress))
        } catch let error as SolverError {
            answer = .failure(error)
        } catch {
            answer = .failure(SolverError(backend: .cbc, code: nil, message: "\(error)", context: "solving in the solver process"))
        }
        let partial = arguments[2] + ".partial"
        do {
            try writeFile(partial, answer.encoded(), backend: .cbc)
        } catch {
            printError("cosma-solver: \(error)")
            return 3
        }
        return rename(partial, arguments[2]) == 0 ? 0 : 3
    }

    private static func solve(_ request: SolveRequest, wantsProgress: Bool) throws -> SolveResult {
        var options = request.options
        let stop = CancellationFlag()
        options.cancellation = stop
        // Standard input never carries data: it closes when the host wants the solve to stop.
        DispatchQueue(label: "cosma-solver.stop").async {
            var byte: UInt8 = 0
            while read(0, &byte, 1) < 0 && errno == EINTR {}
            stop.cancel()
        }
        if wantsProgress {
            options.progress = { progress in
                let line = Array(progress.line.utf8)
                _ = line.withUnsafeBytes { write(3, $0.baseAddress, $0.count) }
            }
        }
        return try request.backend.solve(request.model, options: options)
    }

    /// Limits the process's address space, so that a solver that runs out of memory fails alone.
    /// A build with AddressSanitizer cannot: there `make sanitize` bounds memory with the
    /// sanitizer's own `hard_rss_limit_mb` instead (tools/sanitize.sh).
    private static func limitAddressSpace(to bytes: Int) {
        guard csolver_may_limit_address_space() != 0 else { return }
        var limit = rlimit(rlim_cur: rlim_t(bytes), rlim_max: rlim_t(bytes))
        var current = rlimit()
        if getrlimit(addressSpaceLimit, &current) == 0, current.rlim_max != rlim_t.max {
            limit.rlim_cur = min(limit.rlim_cur, current.rlim_max)
            limit.rlim_max = current.rlim_max
        }
        setrlimit(addressSpaceLimit, &limit)
    }

    /// Commits an injected fault instead of solving (tests only; see ``InjectedSolverFault``).
    private static func commit(_ fault: InjectedSolverFault) {
        switch fault {
        case .crash:
            raise(SIGSEGV)
        case .hang:
            while true { sleep(1000) }
        case .memory:
            limitAddressSpace(to: 256 << 20)
            var blocks: [[UInt8]] = []
            while blocks.count >= 0 { blocks.append([UInt8](repeating: 1, count: 16 << 20)) }
        }
    }

    private static func printError(_ text: String) {
        let line = Array((text + "\n").utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}

#if canImport(Glibc)
private let addressSpaceLimit = __rlimit_resource_t(RLIMIT_AS.rawValue)
#endif
