import Cosma
import CosmaILP
import Foundation
import Testing

/// The facade's divide and conquer starts from the minimum-peak schedule behind `M_P` at every
/// capacity (`Cosma.minimumPeakStart`), as `cosma solve --capacity M_H` and the benchmark give it,
/// so that `cosma solve` plans what `results/divide-and-conquer.md` reports.
@Suite struct MinimumPeakStartTests {
    /// AmoebaNet with weights at `M_R`, in half a work unit: the facade without a schedule writes
    /// the same plan as with the budgets' schedule (431,200 bytes). The planner alone, whose warm
    /// starts search an order under a quarter of their share, planned 2,194,880.
    @Test func theFacadePlansFromTheSameScheduleAsTheBenchmark() throws {
        let graph = try Cosma.loadGraph(at: FacadeTests.root.appendingPathComponent("graphs/amoebanet.json"))
        var minimumPeak = MinimumPeakOptions()
        minimumPeak.deterministic = true
        let (budgets, schedule) = Cosma.budgetsAndSchedule(for: graph, tensors: .all, minimumPeak: minimumPeak)
        let config = Configuration(capacity: budgets.mR, alignment: 1, tensors: .all)
        var given = ExactOptions(timeLimit: 0.5, deterministic: true)
        given.minimumPeak = schedule
        let withSchedule = try Cosma.solve(graph, configuration: config, method: .divideAndConquer, options: given)
        let facade = try Cosma.solve(graph, configuration: config, method: .divideAndConquer,
                                     options: ExactOptions(timeLimit: 0.5, deterministic: true))
        #expect(facade.result.plan.json() == withSchedule.result.plan.json())
        #expect(facade.bound == withSchedule.bound)
        #expect(facade.nonCompulsory < 2_194_880, "\(facade.nonCompulsory)")
    }
}
