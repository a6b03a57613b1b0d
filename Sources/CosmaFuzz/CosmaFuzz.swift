import Foundation
import FuzzTargets

// Built two ways. `make fuzz` compiles this target with `-sanitize=fuzzer -D COSMA_FUZZER`:
// the entry point SwiftPM links as `main` then hands over to libFuzzer's driver, which calls
// `LLVMFuzzerTestOneInput` with the target that `COSMA_FUZZ_TARGET` names. The ordinary build makes a replayer instead,
// `cosma-fuzz <target> <file or folder>...`, which runs saved inputs (a crash found by the
// fuzzer, say) through the same entry point without the fuzzer's toolchain support.

/// The target the environment names, read once.
private let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["COSMA_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("cosma-fuzz: set COSMA_FUZZ_TARGET to one of \(names)\n".utf8))
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
package func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    target.run(data)
    return 0
}

#if COSMA_FUZZER
/// libFuzzer's driver (compiler-rt, `FuzzerDriver.cpp`): parses the fuzzer's options and runs.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The symbol SwiftPM makes this executable's `main` (it links with `--defsym main=CosmaFuzz_main`).
@_cdecl("CosmaFuzz_main")
package func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzOneInput)
}
#else
@main
struct Replay {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count > 1 else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
            FileHandle.standardError.write(Data("usage: cosma-fuzz \(names) <file or folder>...\n".utf8))
            exit(2)
        }
        var accepted = 0
        var refused = 0
        for path in arguments.dropFirst() {
            for file in files(at: path) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    FileHandle.standardError.write(Data("cosma-fuzz: cannot read \(file)\n".utf8))
                    exit(2)
                }
                if target.run(data) { accepted += 1 } else { refused += 1 }
            }
        }
        print("\(name): \(accepted + refused) inputs, \(accepted) accepted, \(refused) refused with an error, no crash")
    }

    /// A file, or the files of a folder (not recursive), sorted.
    static func files(at path: String) -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else { return [path] }
        return FuzzTarget.inputNames(inFolder: path).map { path + "/" + $0 }
    }
}
#endif
