import Scratchpad
internal import Foundation

/// Cosma's plan of one tiled instance, made by a `cosma solve` process of `executable`
/// (divide and conquer; below `M_R` it tiles exactly as ``TilingBench`` does) and killed if it runs
/// `killAfter` seconds: a planner phase that overruns its share then costs one row, recorded as a
/// timeout, not the table.
struct TiledSolveRun {
    /// Non-compulsory bytes of the simulated plan, nil without one.
    var nonCompulsory: Int?
    /// The solver's status and bound, or why there is no plan.
    var status: String
    /// Wall time of the process: loading, tiling and planning.
    var seconds: Double

    init(executable: URL, graph: String, setting: TensorSetting, capacity: Int, timeLimit: Double, killAfter: Double) throws {
        let run = try SolveProcess(executable: executable,
                                   arguments: [graph, "--capacity", "\(capacity)", "--tensors", setting.rawValue,
                                               "--method", "divide-and-conquer", "--time-limit", "\(timeLimit)"],
                                   killAfter: killAfter)
        seconds = run.seconds
        nonCompulsory = run.nonCompulsory
        if run.killed {
            status = "timeout: killed after \(String(format: "%.0f", seconds)) s (limit \(String(format: "%g", timeLimit)) s)"
        } else if nonCompulsory != nil {
            let bound = (run.solver?["bound"] as? Int).map { ", bound \($0)" } ?? ""
            status = (run.solver?["status"] as? String).map { $0 + bound } ?? "plan without a solver status"
        } else {
            status = "failed (exit \(run.exitCode)): \(run.lastError.replacingOccurrences(of: "|", with: "/"))"
        }
    }
}
