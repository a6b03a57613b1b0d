// swift-tools-version: 6.2
import PackageDescription

let strictSwift: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "Cosma",
    products: [
        .library(name: "MILP", targets: ["MILP"])
    ],
    targets: [
        .systemLibrary(
            name: "CCbc",
            pkgConfig: "cbc",
            providers: [.apt(["coinor-libcbc-dev"])]
        ),
        .target(
            name: "CGlpk",
            cSettings: [.treatAllWarnings(as: .error)],
            linkerSettings: [.linkedLibrary("glpk")]
        ),
        .target(
            name: "CCbcSession",
            dependencies: ["CCbc"],
            cxxSettings: [.treatAllWarnings(as: .error)]
        ),
        .target(
            name: "MILP",
            dependencies: ["CCbc", "CCbcSession", "CGlpk"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "MILPTests",
            dependencies: ["MILP"],
            swiftSettings: strictSwift
        ),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
