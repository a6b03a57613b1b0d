import Cosma
import Foundation

// The Swift example of README.md ("Library"), kept here so that it compiles: ReadmeTests checks
// that the README shows exactly these imports and, without the indentation, the lines between
// the markers. Edit both together.

func readmeExample() throws {
    // README example begins
    let graph = try Cosma.loadGraph(at: URL(fileURLWithPath: "graphs/tiny.json"))
    let config = try Cosma.configuration(for: graph, capacity: .bytes(5120), tensors: .activations)
    let result = try Cosma.heuristicPlan(for: graph, configuration: config)  // simulated already
    let exact = try Cosma.solve(graph, configuration: config)                 // status, bound, plan
    print(result.report.traffic.nonCompulsory, exact.status, exact.bound, result.plan.json())
    let report = Cosma.simulate(result.plan, on: graph)                       // any plan, any source
    let resnet = try Cosma.importONNX(at: URL(fileURLWithPath: "models/onnx/resnet50.onnx"),
                                      options: ONNXImportOptions(elementBytes: 1))
    print(report.isValid, resnet.operators.count)
    // README example ends
}
