import DNNGraph
import Scratchpad
import Testing

@Suite struct BudgetTests {
    @Test(arguments: [
        ("4096", 4096), ("512KiB", 524_288), ("2MiB", 2_097_152), ("1.5MB", 1_500_000), ("64kB", 64000),
        ("1.5KiB", 1536), ("100 B", 100), ("1GiB", 1_073_741_824),
    ])
    func byteCounts(text: String, bytes: Int) throws {
        #expect(try CapacitySpec(parsing: text) == .bytes(bytes))
    }

    @Test(arguments: ["", "abc", "-5", "0", "1.3", "12XB", "nan"])
    func badByteCounts(text: String) {
        #expect(throws: InputError.self) { try CapacitySpec(parsing: text) }
    }

    @Test func budgetNamesIgnoreCase() throws {
        #expect(try CapacitySpec(parsing: "m_r") == .budget(.mR))
        #expect(try CapacitySpec(parsing: "M_H") == .budget(.mH))
        #expect(try CapacitySpec(parsing: "M_p") == .budget(.mP))
    }

    @Test func budgetsOfTheForkGraph() throws {
        let g = try fork()
        let b = Budgets(graph: g, setting: .activations, alignment: 1)
        #expect(b.mR == 200)
        #expect(b.defaultPeak == 200)
        let all = Budgets(graph: g, setting: .all, alignment: 1)
        #expect(all.mR == 250)
        #expect(g.operators[all.mROperator].name == "op1")
        let aligned = Budgets(graph: g, setting: .all, alignment: 64)
        #expect(aligned.mR == 320)
        #expect(throws: InputError.self) { try b.resolve(.budget(.mP)) }
        var known = b
        known.mP = 300
        #expect(try known.resolve(.budget(.mH)) == 250)
        #expect(try known.resolve(.budget(.mR)) == 200)
    }

    @Test func liveIntervals() throws {
        let g = try fork()
        let intervals = g.liveIntervals(order: [0, 1, 2], setting: .activations)
        #expect(intervals == [
            LiveInterval(tensor: 0, first: 0, last: 0), LiveInterval(tensor: 2, first: 0, last: 2),
            LiveInterval(tensor: 3, first: 1, last: 1), LiveInterval(tensor: 4, first: 2, last: 2),
        ])
        #expect(g.liveProfile(order: [0, 1, 2], setting: .activations, alignment: 1) == [200, 200, 200])
    }

    @Test func capacityBelowMRNamesTheOperator() throws {
        let g = try fork()
        let error = #expect(throws: InputError.self) { try g.checkFeasible(Configuration(capacity: 230, tensors: .all)) }
        #expect(error?.message.contains("operator 'op1' needs 250 bytes") == true)
        #expect(error?.message.contains("20 more") == true)
        try g.checkFeasible(Configuration(capacity: 250, tensors: .all))
    }
}
