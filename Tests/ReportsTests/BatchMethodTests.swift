import Cosma
import DNNGraph
import Scratchpad
import Heuristics
import Reports
import Testing

@Suite struct BatchMethodTests {
    @Test func namesRoundTripAndGroupsExpand() throws {
        #expect(try BatchMethod.parse("exact") == [.exact])
        #expect(try BatchMethod.parse("Fixed-Schedule") == [.fixedSchedule])
        #expect(try BatchMethod.parse("paper-baselines") == Baseline.paper.map(BatchMethod.baseline))
        #expect(try BatchMethod.parse("heuristics").count == Baseline.all.count + Baseline.production.count)
        #expect(try BatchMethod.parse("mpmf+lru+best-fit+hill-climb+strict") == [.baseline(Baseline(schedule: .mpmf, replacement: .lru, arena: .hillClimb, strict: true))])
        #expect(try BatchMethod.parse("mpmf+greedy") == [.baseline(Baseline(schedule: .mpmf, replacement: .greedy))])
        for method in [BatchMethod.exact, .fixedSchedule] + Baseline.all.map(BatchMethod.baseline) {
            #expect(try BatchMethod.parse(method.description) == [method], "\(method)")
        }
        let list = try BatchMethod.parseList(["exact,paper-baselines", "default+belady+best-fit,exact"])
        #expect(list.count == 5, "repeats are dropped")
    }

    @Test func anUnknownMethodNamesTheChoices() {
        #expect {
            _ = try BatchMethod.parse("divide")
        } throws: { error in
            let text = "\(error)"
            return text.contains("'divide' is not a method") && text.contains("paper-baselines") && text.contains("size-belady")
        }
    }

    @Test func everyMethodsPlanIsCertifiedAndFailuresAreOutcomes() throws {
        let graph = try Cosma.loadGraph(at: fixture("graphs/tiny.json"))
        let config = try Cosma.configuration(for: graph, capacity: .budget(.mR), tensors: .all)
        for method in [BatchMethod.exact, .fixedSchedule] + Baseline.paper.map(BatchMethod.baseline) {
            let outcome = try method.run(graph: graph, configuration: config, settings: MethodSettings(timeLimit: 10))
            let plan = try #require(outcome.plan, "\(method)")
            #expect(Cosma.simulate(plan.plan, on: graph).isValid)
            #expect(outcome.status.hasPlan)
            #expect((outcome.bound != nil) == method.isCosma)
        }
    }
}
