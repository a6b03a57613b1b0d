import Cosma
import CosmaILP
import DivideAndConquer
import DNNGraph
import Scratchpad
import Foundation

// The C ABI of libcosma, declared in include/cosma.h. Every function here only converts: C
// strings in, a malloc'd C string out (freed by cosma_free), and never a Swift type across the
// boundary. The work is in ``Calls``.

/// The library's version (``cosmaVersion``).
let libraryVersion = cosmaVersion

/// The version, then the formats the library writes.
nonisolated(unsafe) private let versionText: UnsafeMutablePointer<CChar> = strdup(
    libraryVersion + " (" + DocumentFormat.allCases.map(\.rawValue).joined(separator: " ") + ")")!

// swift-format-ignore: AlwaysUseLowerCamelCase
@_cdecl("cosma_version")
public func cosma_version() -> UnsafePointer<CChar> {
    UnsafePointer(versionText)
}

// swift-format-ignore: AlwaysUseLowerCamelCase
@_cdecl("cosma_free")
public func cosma_free(_ pointer: UnsafeMutablePointer<CChar>?) {
    free(pointer)
}

// swift-format-ignore: AlwaysUseLowerCamelCase
@_cdecl("cosma_plan")
public func cosma_plan(_ graph: UnsafePointer<CChar>?, _ options: UnsafePointer<CChar>?,
                       _ result: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32
{
    deliver(to: result) { () throws(CallFailure) -> Answer in
        let graph = try text(graph, "graph_json")
        return Calls.plan(graph: graph, options: try optionalText(options, "options_json"))
    }
}

/// The progress callback of `cosma_plan_with_progress`: a JSON report and the caller's pointer.
public typealias CosmaProgress = @convention(c) (UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void

// swift-format-ignore: AlwaysUseLowerCamelCase
@_cdecl("cosma_plan_with_progress")
public func cosma_plan_with_progress(_ graph: UnsafePointer<CChar>?, _ options: UnsafePointer<CChar>?,
                                     _ progress: CosmaProgress?, _ context: UnsafeMutableRawPointer?,
                                     _ cancel: UnsafePointer<Int32>?,
                                     _ result: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32
{
    deliver(to: result) { () throws(CallFailure) -> Answer in
        let graph = try text(graph, "graph_json")
        let options = try optionalText(options, "options_json")
        return Cancellable.plan(graph: graph, options: options, progress: progress, context: context, cancel: cancel)
    }
}

// swift-format-ignore: AlwaysUseLowerCamelCase
@_cdecl("cosma_simulate")
public func cosma_simulate(_ graph: UnsafePointer<CChar>?, _ plan: UnsafePointer<CChar>?, _ options: UnsafePointer<CChar>?,
                           _ result: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32
{
    deliver(to: result) { () throws(CallFailure) -> Answer in
        Calls.simulate(graph: try text(graph, "graph_json"), plan: try text(plan, "plan_json"),
                       options: try optionalText(options, "options_json"))
    }
}

// swift-format-ignore: AlwaysUseLowerCamelCase
@_cdecl("cosma_import_onnx")
public func cosma_import_onnx(_ path: UnsafePointer<CChar>?, _ options: UnsafePointer<CChar>?,
                              _ graph: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32
{
    guard let graph else { return 2 }
    let answer: (code: Int32, text: String)
    do {
        answer = Calls.importONNX(path: try text(path, "onnx_path"), options: try optionalText(options, "options_json"))
    } catch {
        answer = (error.code, error.jsonValue.formatted(expandDepth: 2))
    }
    graph.pointee = strdup(answer.text)
    return answer.code
}

/// Runs a call and hands its answer to the caller as a malloc'd string. Without a place to put
/// the answer nothing can be said, so the call returns 2 at once.
private func deliver(to result: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                     _ body: () throws(CallFailure) -> Answer) -> Int32
{
    guard let result else { return 2 }
    let answer: Answer
    do {
        answer = try body()
    } catch {
        answer = Answer(code: error.code, json: error.jsonValue)
    }
    result.pointee = strdup(answer.json.formatted(expandDepth: 3))
    return answer.code
}

/// A required C string argument as Swift text: not NULL and valid UTF-8.
private func text(_ pointer: UnsafePointer<CChar>?, _ name: String) throws(CallFailure) -> String {
    guard let pointer else {
        throw CallFailure(code: 2, message: "\(name) is NULL", item: name, fix: "pass a NUL-terminated UTF-8 string")
    }
    guard let text = String(validatingCString: pointer) else {
        throw CallFailure(code: 2, message: "\(name) is not valid UTF-8", item: name, fix: "pass a NUL-terminated UTF-8 string")
    }
    return text
}

/// An optional C string argument: NULL means every default.
private func optionalText(_ pointer: UnsafePointer<CChar>?, _ name: String) throws(CallFailure) -> String? {
    guard pointer != nil else { return nil }
    return try text(pointer, name)
}
