/// Hands a backend's progress to the caller's callback at a modest rate, and tells
/// the backend whether to stop. Backends call it from the solving thread only.
final class ProgressRelay {
    private let options: SolveOptions
    private let objectiveOffset: Double
    private let maximize: Bool
    private var lastReport = -Double.infinity

    /// The shortest pause between two reports, unless a better incumbent turns up.
    static let interval = 0.25

    init(options: SolveOptions, objectiveOffset: Double, maximize: Bool) {
        self.options = options
        self.objectiveOffset = objectiveOffset
        self.maximize = maximize
    }

    /// Returns whether the solve should stop.
    func report(elapsed: Double, incumbent: Double?, bound: Double?, nodes: Int, improved: Bool) -> Bool {
        if let callback = options.progress, improved || elapsed - lastReport >= Self.interval {
            lastReport = elapsed
            callback(
                SolveProgress(
                    elapsedSeconds: elapsed,
                    incumbent: incumbent.map { $0 + objectiveOffset },
                    bestBound: bound.map { $0 + objectiveOffset },
                    nodes: nodes
                )
            )
        }
        if let incumbent, options.meetsKnownBound(incumbent + objectiveOffset, maximize: maximize) { return true }
        return options.isCancelled
    }
}
