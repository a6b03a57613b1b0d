public import MILP
import Foundation
package import Scratchpad

/// A stage under way, from its announcement to its end: what the trace's start and end events
/// say of it. Every planner stage, and the exact method's polish, is timed by one.
package struct StageTiming {
    let stage: PlannerStage
    let share: Double?
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private let spent: Double
    private let inWorkUnits: Bool

    /// Announces `stage` (``StageListener``), which runs with `share` of `budget` (`nil`: no
    /// limit), and starts timing it.
    package init(_ stage: PlannerStage, share: Double?, budget: TimeBudget) {
        StageListener.announce(stage)
        self.stage = stage
        self.share = share
        start = clock.now
        spent = budget.spent
        inWorkUnits = budget.isDeterministic
    }

    /// The stage's start event.
    package var started: TraceEvent { .stageStarted(stage, share: share, inWorkUnits: inWorkUnits) }

    /// The units of the work budget spent since the start; `nil` under a wall-clock budget.
    package func work(_ budget: TimeBudget) -> Double? { budget.workSince(spent) }

    /// The stage's end event, now: its seconds and the units of `budget` spent in it.
    package func ended(_ budget: TimeBudget) -> TraceEvent {
        .stageEnded(stage, seconds: (clock.now - start).inSeconds, work: work(budget))
    }
}

/// What a planner did, as typed events in the order they happened: the record the CLI renders
/// and the tests assert on.
public struct PlanTrace: Sendable, Hashable {
    public private(set) var events: [TraceEvent] = []

    public init(_ events: [TraceEvent] = []) { self.events = events }

    public mutating func record(_ event: TraceEvent) { events.append(event) }

    /// Records that `stage`'s search stopped at its share (``SkipReason/cutShort(examined:of:)``)
    /// when it examined fewer than all `total` operators; nothing when it examined them all.
    package mutating func recordCutShort(_ stage: PlannerStage, examined: Int, of total: Int) {
        if examined < total { record(.skipped(stage, .cutShort(examined: examined, of: total))) }
    }

    /// Records `plan`, found in `stage`, as the best so far when its traffic is below `best`, or
    /// as no better; returns whether it was better. Every planner's incumbent goes through here.
    @discardableResult
    package mutating func record(_ plan: CertifiedPlan, from stage: PlannerStage, against best: Int) -> Bool {
        let bytes = plan.report.traffic.nonCompulsory
        let method = plan.plan.method ?? ""
        let better = bytes < best
        record(better ? .planImproved(stage, bytes: bytes, method: method) : .planKept(stage, bytes: bytes, method: method))
        return better
    }

    /// Appends `other`'s events (divide and conquer's own trace inside the exact method's polish
    /// stage).
    public mutating func append(_ other: PlanTrace) { events += other.events }

    /// The stages that started, in order.
    public var stages: [PlannerStage] {
        events.compactMap { if case let .stageStarted(stage, _, _) = $0 { stage } else { nil } }
    }

    /// Whether `stage` started.
    public func ran(_ stage: PlannerStage) -> Bool { stages.contains(stage) }

    /// The bounds proven, by the stage that proved them.
    public var bounds: [(stage: PlannerStage, bytes: Int)] {
        events.compactMap { if case let .boundProven(stage, bytes) = $0 { (stage, bytes) } else { nil } }
    }

    /// The plans that became the incumbent, by the stage that found them.
    public var improvements: [(stage: PlannerStage, bytes: Int, method: String)] {
        events.compactMap { if case let .planImproved(stage, bytes, method) = $0 { (stage, bytes, method) } else { nil } }
    }

    /// Whether a program's stays were packed into the scratchpad in `stage`.
    public func packed(in stage: PlannerStage) -> Bool { events.contains(.packing(stage, packed: true)) }

    /// The reason `stage` was skipped, if it was.
    public func skipReason(_ stage: PlannerStage) -> SkipReason? {
        events.lazy.compactMap { if case let .skipped(s, reason) = $0, s == stage { reason } else { nil } }.first
    }

    /// One line per event, for people, a stage's events indented under it.
    public var lines: [String] {
        var depth = 0
        var lines: [String] = []
        for event in events {
            lines.append(String(repeating: "  ", count: depth) + event.line)
            if case .stageStarted = event { depth += 1 }
            if case .stageEnded = event { depth = max(0, depth - 1) }
        }
        return lines
    }
}

/// One thing a planner did or found.
public enum TraceEvent: Sendable, Hashable {
    /// `--method auto` chose `method` because the joint program would have about
    /// `estimatedRows` rows (`limit` is the switch point).
    case methodChosen(method: String, estimatedRows: Int, limit: Int)
    /// A stage started with `share` of the budget (`nil`: no limit), in work units under a work
    /// budget (`--deterministic`), else in seconds.
    case stageStarted(PlannerStage, share: Double?, inWorkUnits: Bool = false)
    /// A stage ended after `seconds`, having spent `work` units of a work budget (`nil` under a
    /// wall-clock budget). The units say where a deterministic budget went: a stage that spends
    /// more than its share leaves less to the stages after it.
    case stageEnded(PlannerStage, seconds: Double, work: Double? = nil)
    /// A lower bound on non-compulsory traffic, valid for every schedule the planner covers.
    case boundProven(PlannerStage, bytes: Int)
    /// A simulated plan that became the incumbent.
    case planImproved(PlannerStage, bytes: Int, method: String)
    /// A simulated plan no cheaper than the incumbent.
    case planKept(PlannerStage, bytes: Int, method: String)
    /// How the solver ended on the stage's program, and the program's size as built.
    case solverStatus(PlannerStage, TerminationStatus, program: ProgramSize)
    /// Whether the program's stays were packed into the scratchpad (not: fragmentation).
    case packing(PlannerStage, packed: Bool)
    /// The stage did not run, or stopped early.
    case skipped(PlannerStage, SkipReason)
    /// The incumbent meets the best bound: it is optimal and the planner stops.
    case proven(bytes: Int)
    /// No stage produced a plan: the plan that spills every tensor after each operator.
    case fellBackToSpillingEverything
    /// Divide and conquer's improvement passes, over every start.
    case passes(PassStatistics)
    /// A solver child process crashed, hung past its deadline or ran out of memory, and the
    /// planner went on without its answer (`SolverContainment`): what happened.
    case solverContained(String)
    /// The stages of each lane (in lane order) ran side by side (`TimeBudget.lanes`), and the
    /// solve counts the longest lane's `work` units (`nil` under a wall-clock budget): their
    /// stages' own units overlap, so they add up to more.
    case sideBySide([[PlannerStage]], work: Double?)
}

/// Why a stage did not run or stopped early.
public enum SkipReason: Sendable, Hashable {
    /// The program has more rows than CBC and GLPK solve in reasonable time.
    case programTooLarge(rows: Int, limit: Int)
    /// The address program would need more pair-order variables than the limit. How many more is
    /// not known: the count stops once it passes the limit.
    case tooManyAddressPairs(limit: Int)
    /// Too little of the budget is left.
    case budgetSpent
    /// The solver could not run on the program.
    case solverFailed(String)
    /// A start could not be re-read as stays, so segments cannot fix it.
    case unreadableStart(method: String)
    /// The stage's search reached its share of the budget, seconds or work units (or was
    /// cancelled), after `examined` of `of` operators; its bound counts those alone, which keeps
    /// it valid.
    case cutShort(examined: Int, of: Int)
}

/// What divide and conquer's improvement passes did, over every start.
public struct PassStatistics: Sendable, Hashable {
    public var passes = 0
    public var segmentsSolved = 0
    public var improvements = 0
    public var hoistsTried = 0
    public var hoistsKept = 0
    public var restarts = 0
    public var keptRestarts = 0

    public init() {}
}

extension TraceEvent {
    /// The event for people (a stage's events are indented under its start line).
    public var line: String {
        switch self {
        case let .methodChosen(method, rows, limit):
            "auto chose \(method): the joint program would have about \(rows) rows, "
                + (rows <= limit ? "at most \(limit)" : "more than \(limit)")
        case let .stageStarted(stage, share, inWorkUnits):
            "\(stage.rawValue)" + (share.map { String(format: inWorkUnits ? " (share %.1f units)" : " (share %.1f s)", $0) } ?? " (no time limit)")
        case let .stageEnded(_, seconds, work):
            String(format: "done in %.2f s", seconds) + (work.map { String(format: ", %.1f units", $0) } ?? "")
        case let .boundProven(stage, bytes): "\(stage.rawValue) proves at least \(bytes) bytes"
        case let .planImproved(stage, bytes, method): "\(stage.rawValue) found \(bytes) bytes (\(method)), the best plan so far"
        case let .planKept(stage, bytes, method): "\(stage.rawValue) found \(bytes) bytes (\(method)), no better"
        case let .solverStatus(stage, status, size):
            "\(stage.rawValue): \(size.variables) variables, \(size.rows) rows, \(size.nonzeros) nonzeros; solver: \(status.rawValue)"
        case let .packing(stage, packed):
            packed ? "\(stage.rawValue): the stays were packed into the scratchpad"
                : "\(stage.rawValue): the stays could not be packed into the scratchpad (fragmentation)"
        case let .skipped(stage, reason): "\(stage.rawValue) skipped: \(reason.line)"
        case let .proven(bytes): "the plan meets the bound: \(bytes) bytes is optimal"
        case .fellBackToSpillingEverything: "no plan from any stage; fell back to spilling every tensor after each operator"
        case let .passes(s):
            "\(s.passes) passes, \(s.segmentsSolved) segment programs solved, \(s.improvements) improved the plan; "
                + "\(s.hoistsTried) chain hoists tried, \(s.hoistsKept) kept; \(s.restarts) order-search restarts, \(s.keptRestarts) kept"
        case let .solverContained(note): "contained: \(note)"
        case let .sideBySide(lanes, work):
            "side by side: " + lanes.map { $0.map(\.rawValue).joined(separator: ", ") }.joined(separator: " | ")
                + (work.map { String(format: "; the solve counts the longer, %.1f units", $0) } ?? "")
        }
    }
}

extension SkipReason {
    var line: String {
        switch self {
        case let .programTooLarge(rows, limit): "\(rows) rows, more than \(limit) that CBC and GLPK solve in reasonable time"
        case let .tooManyAddressPairs(limit): "more than \(limit) pair-order variables"
        case .budgetSpent: "too little of the time budget is left"
        case let .solverFailed(message): "the solver failed (\(message.prefix(200)))"
        case let .unreadableStart(method): "the start \(method) cannot be re-read as stays"
        case let .cutShort(examined, total):
            "its search stopped at its share of the budget after \(examined) of \(total) operators; the bound counts those"
        }
    }
}
