// swift-tools-version:6.0
import Foundation
import PackageDescription

let package = Package(
  name: "hr",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "hr-create", targets: ["hr-create"]),
    .executable(name: "hr-archive", targets: ["hr-archive"]),
    .executable(name: "hr-audit", targets: ["hr-audit"]),
    .executable(name: "hr-transfer", targets: ["hr-transfer"]),
    .executable(name: "hr-update", targets: ["hr-update"]),
    .executable(name: "hr-export", targets: ["hr-export"]),
    .executable(name: "hr-metrics", targets: ["hr-metrics"]),
    .library(name: "HRCore", targets: ["HRCore"]),
    .library(name: "HRLines", targets: ["HRLines"]),
  ],
  dependencies: [
    .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
    .package(url: "https://github.com/jpsim/Yams.git", exact: "6.2.2"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
    .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    .package(url: "https://github.com/yaslab/CSV.swift.git", exact: "2.5.2"),
  ],
  targets: [
    // JSON Lines, hand-written for strict RFC 8259, duplicate keys, per-line columns and canonical
    // hashing: the one format every tool reads and writes, apart from the domain.
    .target(name: "HRLines"),
    // The process-wide settings of SQLite that only C can make, before the first connection opens.
    .target(name: "SQLiteProcess", linkerSettings: [.linkedLibrary("sqlite3")]),
    .target(
      name: "HRCore",
      dependencies: [
        "HRLines",
        "SQLiteProcess",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "GRDBSQLite", package: "GRDB.swift"),
        .product(name: "Yams", package: "Yams"),
        .product(name: "Crypto", package: "swift-crypto"),
      ]
    ),
    .target(
      name: "HRCLI",
      dependencies: [
        "HRCore",
        "HRLines",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "CSV", package: "CSV.swift"),
      ]
    ),
    .executableTarget(name: "hr-create", dependencies: ["HRCLI"]),
    .executableTarget(name: "hr-archive", dependencies: ["HRCLI"]),
    .executableTarget(name: "hr-audit", dependencies: ["HRCLI"]),
    .executableTarget(name: "hr-transfer", dependencies: ["HRCLI"]),
    .executableTarget(name: "hr-update", dependencies: ["HRCLI"]),
    .executableTarget(name: "hr-export", dependencies: ["HRCLI"]),
    .executableTarget(name: "hr-metrics", dependencies: ["HRCLI"]),
    .target(name: "HRFixtures", dependencies: ["HRCore", "HRLines"], path: "Benchmarks/HRFixtures"),
    .executableTarget(
      name: "hr-bench",
      dependencies: [
        "HRCore", "HRLines", "HRCLI", "HRFixtures", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"),
      ],
      path: "Benchmarks/hr-bench"
    ),
    // What every test suite builds its store, configuration and random seed with.
    .target(
      name: "HRTestSupport", dependencies: ["HRCore", "HRFixtures", .product(name: "GRDB", package: "GRDB.swift")],
      path: "Tests/HRTestSupport"),
    .testTarget(name: "HRLinesTests", dependencies: ["HRLines", "HRTestSupport"]),
    .testTarget(
      name: "HRCoreTests",
      dependencies: ["HRCore", "HRLines", "HRFixtures", "HRTestSupport", .product(name: "Yams", package: "Yams")]),
    .testTarget(name: "HRCLITests", dependencies: ["HRCLI", "HRCore", "HRLines", "HRFixtures", "HRTestSupport"]),
  ]
)

// The libFuzzer targets under Fuzz/ exist only when HR_FUZZ is set (scripts/fuzz sets it and builds
// in a build directory of its own), so that the ordinary build and `swift test` neither build them
// nor need a toolchain with libFuzzer. HRCore, HRLines and HRCLI are then instrumented for coverage too, so that the
// fuzzer is guided by the parsers' branches; the dependencies are built as usual.
if ProcessInfo.processInfo.environment["HR_FUZZ"] != nil {
  for target in package.targets where ["HRCore", "HRLines", "HRCLI"].contains(target.name) {
    target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-sanitize=fuzzer"])]
  }
  package.targets.append(.target(name: "FuzzDriver", path: "Fuzz/FuzzDriver"))
  for name in ["FuzzJSONLine", "FuzzFields", "FuzzConfiguration", "FuzzCSV"] {
    package.targets.append(
      .executableTarget(
        name: name, dependencies: ["HRCore", "HRLines", "FuzzDriver"] + (name == "FuzzCSV" ? ["HRCLI"] : []),
        path: "Fuzz/\(name)",
        swiftSettings: [.unsafeFlags(["-sanitize=fuzzer"])],
        linkerSettings: [.unsafeFlags(["-sanitize=fuzzer"])]))
  }
}
