import Cosma
package import DNNGraph
import Scratchpad
internal import Heuristics
import MILP
import CosmaILP
package import Foundation

extension BatchReport {
    /// Writes `results.csv`, `results.json`, the charts, the memory maps and `report.md` into
    /// `folder`, each file whole or not at all, and returns their names.
    ///
    /// Memory maps are drawn from the plans the workers kept in `plans`; a plan that is missing
    /// is left out of the report rather than drawn from anything else.
    package func write(to folder: URL, plans: URL) throws(InputError) -> [String] {
        var written: [String] = []
        func put(_ text: String, _ name: String) throws(InputError) {
            try writeAtomically(text, to: folder.appendingPathComponent(name))
            written.append(name)
        }
        try put(ResultFiles.csv(rows), "results.csv")
        try put(ResultFiles.json(rows), "results.json")
        for chart in charts() { try put(chart.svg, chart.name) }
        var drawn: [MapChoice] = []
        var graphs: [String: Graph] = [:]
        let maps = mapChoices()
        if !maps.isEmpty {
            do {
                try FileManager.default.createDirectory(at: folder.appendingPathComponent("maps"), withIntermediateDirectories: true)
            } catch {
                throw InputError(source: folder.path, message: "cannot create the maps folder (\(error.localizedDescription))")
            }
        }
        for choice in maps {
            let planURL = plans.appendingPathComponent(BatchRun.planFileName(for: choice.key))
            guard FileManager.default.fileExists(atPath: planURL.path) else { continue }
            let plan = try Plan(contentsOf: planURL)
            // A plan below M_R refers to the graph tiled for it, which the worker kept beside the plan.
            let tiledURL = URL(fileURLWithPath: BatchRun.tiledGraphPath(ofPlan: planURL.path))
            let graphURL = FileManager.default.fileExists(atPath: tiledURL.path) ? tiledURL : URL(fileURLWithPath: choice.key.file)
            if graphs[graphURL.path] == nil { graphs[graphURL.path] = try Cosma.loadGraph(at: graphURL) }
            let map: MemoryMap
            do {
                map = try MemoryMap(plan: plan, graph: graphs[graphURL.path]!)
            } catch {
                throw InputError(source: planURL.path, message: error.description)
            }
            guard map.traffic.nonCompulsory == choice.traffic else {
                throw InputError(source: planURL.path, message: "the kept plan has \(map.traffic.nonCompulsory) bytes of non-compulsory traffic but its row says \(choice.traffic); the plans folder belongs to another run: delete it and the journal to start again")
            }
            let title = "\(choice.graph), \(choice.key.setting.rawValue), \(choice.key.budget) (\(plan.capacity) bytes): \(choice.key.method)"
            try put(map.svg(title: title), choice.file)
            drawn.append(choice)
        }
        try put(markdown(maps: drawn), "report.md")
        return written
    }
}
