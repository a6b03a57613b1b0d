// The public surface of `import Cosma`: the facade (``Cosma``) and the types its users need to
// load a graph, configure a scratchpad, plan, read the result and check any plan. Nothing else of
// the sibling modules is re-exported, and nothing else of theirs is public: they share their
// internals with each other, the tool and the tests through `package` access, and
// tools/check_public_surface.sh (in `make test`) fails on any other `public` declaration.
// docs/public-api.md lists this surface and says what each type is for; keep the two in step.

// Graphs.
@_exported public import struct DNNGraph.Graph
@_exported public import struct DNNGraph.GraphDocument
@_exported public import struct DNNGraph.Tensor
@_exported public import enum DNNGraph.TensorKind
@_exported public import struct DNNGraph.Operator
@_exported public import typealias DNNGraph.TensorID
@_exported public import typealias DNNGraph.OperatorID
@_exported public import struct DNNGraph.InputError
@_exported public import struct DNNGraph.GraphValidationError
@_exported public import enum DNNGraph.GraphProblem
@_exported public import enum DNNGraph.InPlaceTable

// The scratchpad: configuration, budgets, plans and the simulator's verdict.
@_exported public import struct Scratchpad.Configuration
@_exported public import enum Scratchpad.TensorSetting
@_exported public import enum Scratchpad.InPlaceMode
@_exported public import enum Scratchpad.CapacitySpec
@_exported public import enum Scratchpad.BudgetName
@_exported public import struct Scratchpad.Budgets
@_exported public import struct Scratchpad.Plan
@_exported public import struct Scratchpad.Step
@_exported public import struct Scratchpad.Placement
@_exported public import struct Scratchpad.Traffic
@_exported public import struct Scratchpad.SolverRecord
@_exported public import struct Scratchpad.SimulationReport
@_exported public import struct Scratchpad.Violation
@_exported public import enum Scratchpad.Rule
@_exported public import struct Scratchpad.CertifiedPlan
@_exported public import struct Scratchpad.InvalidPlanError

// The compilers' heuristics.
@_exported public import struct Heuristics.Schedule
@_exported public import enum Heuristics.ScheduleKind
@_exported public import enum Heuristics.MinimumPeakProof
@_exported public import enum Heuristics.ReplacementPolicy
@_exported public import enum Heuristics.AllocationPolicy
@_exported public import struct Heuristics.Baseline
@_exported public import struct Heuristics.BaselineOutcome
@_exported public import struct Heuristics.PlanningFailure

// Solvers.
@_exported public import enum MILP.SolverBackend
@_exported public import struct MILP.SolveProgress
@_exported public import enum MILP.TerminationStatus
@_exported public import enum MILP.SolverIsolation

// Planning: options, the one result type, its trace and the budget.
@_exported public import struct CosmaILP.ExactOptions
@_exported public import struct CosmaILP.PlanResult
@_exported public import enum CosmaILP.PlanStatus
@_exported public import struct CosmaILP.PlanTrace
@_exported public import enum CosmaILP.TraceEvent
@_exported public import enum CosmaILP.PlannerStage
@_exported public import enum CosmaILP.SkipReason
@_exported public import struct CosmaILP.PassStatistics
@_exported public import struct CosmaILP.ProgramSize
@_exported public import struct CosmaILP.TimeBudget
@_exported public import struct CosmaILP.MinimumPeakOptions
@_exported public import struct CosmaILP.MinimumPeakResult
@_exported public import struct CosmaILP.ExactFailure

// ONNX import.
@_exported public import struct ONNXImport.ONNXImportOptions
