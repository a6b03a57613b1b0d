package import Foundation

/// What a report says about where its numbers were measured: machine, toolchain and build.
///
/// Every report the tool writes (`cosma bench`, `cosma batch`) states these, because solve times
/// mean little without them.
package enum MachineInfo {
    /// CPU model, core count and operating system.
    package static func description() -> String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
            ?? "unknown CPU"
        let info = ProcessInfo.processInfo
        return "\(model), \(info.activeProcessorCount) cores, \(info.operatingSystemVersionString)"
    }

    /// The first line of `swift --version`, or "unknown" when no toolchain is on the path.
    package static func toolchainVersion() -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "--version"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "unknown" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? "unknown"
    }

    /// `debug` or `release`: times from a debug build are several times slower.
    package static var buildConfiguration: String {
        #if DEBUG
        "debug"
        #else
        "release"
        #endif
    }

    /// The current time in ISO 8601 (UTC), as reports print it.
    package static func timestamp(_ date: Date = Date()) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
