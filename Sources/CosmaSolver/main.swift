// `cosma-solver REQUEST ANSWER`: the child process a contained solve runs in (SolverWorker).
import MILP

#if canImport(Glibc)
import Glibc
#endif

exit(SolverWorker.main(arguments: CommandLine.arguments))
