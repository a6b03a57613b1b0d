// swift-tools-version: 6.2
import PackageDescription

let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "Cosma",
    products: [
        .library(name: "Cosma", targets: ["Cosma"]),
        .executable(name: "cosma", targets: ["CosmaCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CCbc", pkgConfig: "cbc", providers: [.apt(["coinor-libcbc-dev"])]),
        .target(name: "CGlpk", cSettings: [.treatAllWarnings(as: .error)], linkerSettings: [.linkedLibrary("glpk")]),
        .target(name: "MILP", dependencies: ["CCbc", "CGlpk"], swiftSettings: strict),
        .target(name: "DNNGraph", swiftSettings: strict),
        .target(name: "Scratchpad", dependencies: ["DNNGraph"], swiftSettings: strict),
        .target(name: "Heuristics", dependencies: ["DNNGraph", "Scratchpad"], swiftSettings: strict),
        .target(name: "CosmaILP", dependencies: ["DNNGraph", "Scratchpad", "Heuristics", "MILP"], swiftSettings: strict),
        .target(name: "Cosma", dependencies: ["DNNGraph", "Scratchpad", "Heuristics", "MILP", "CosmaILP"], swiftSettings: strict),
        .executableTarget(
            name: "CosmaCLI",
            dependencies: ["Cosma", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        .testTarget(name: "MILPTests", dependencies: ["MILP"], swiftSettings: strict),
        .testTarget(name: "DNNGraphTests", dependencies: ["DNNGraph"], swiftSettings: strict),
        .testTarget(name: "ScratchpadTests", dependencies: ["DNNGraph", "Scratchpad"], swiftSettings: strict),
        .testTarget(name: "HeuristicsTests", dependencies: ["DNNGraph", "Scratchpad", "Heuristics"], swiftSettings: strict),
        .testTarget(name: "CosmaILPTests", dependencies: ["DNNGraph", "Scratchpad", "Heuristics", "MILP", "CosmaILP"], swiftSettings: strict),
        .testTarget(name: "CosmaCLITests", dependencies: ["CosmaCLI"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
