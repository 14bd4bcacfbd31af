// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Rapport",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "rapport", targets: ["rapport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/yaslab/CSV.swift", exact: "2.5.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // The only C surface: libncursesw through a module map and a small shim.
        .systemLibrary(
            name: "CNCursesw",
            providers: [.apt(["libncurses-dev"]), .brew(["ncurses"])]
        ),
        // Domain values and rules. Pure: no I/O, clock injected.
        .target(
            name: "RapportCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // The JSON store: snapshot + journal, locking, paths, migrations.
        .target(name: "RapportStore", dependencies: ["RapportCore"], swiftSettings: strict),
        // The one gateway to the terminal (the only importer of CNCursesw).
        .target(name: "RapportTerminal", dependencies: ["CNCursesw"], swiftSettings: strict),
        // State, actions, update, views, keymap. Draws into a CellBuffer; no ncurses.
        .target(
            name: "RapportTUI",
            dependencies: ["RapportCore", "RapportStore", "RapportTerminal", "RapportSpell"],
            swiftSettings: strict
        ),
        // Import and export: LinkedIn, vCard, CSV, iCalendar, JSON. Pure readers/writers.
        .target(
            name: "RapportInterchange",
            dependencies: [
                "RapportCore",
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: strict
        ),
        // Spell check through hunspell/aspell's ispell pipe protocol (Foundation Process).
        .target(name: "RapportSpell", swiftSettings: strict),
        .executableTarget(
            name: "rapport",
            dependencies: [
                "RapportCore", "RapportStore", "RapportTUI", "RapportTerminal", "RapportInterchange", "RapportSpell",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // In-process store timings for `make bench`.
        .executableTarget(name: "rapport-bench", dependencies: ["RapportCore", "RapportStore", "RapportTUI"], path: "Sources/RapportBench", swiftSettings: strict),
        // A tiny writer the store's crash and concurrency tests run and kill.
        .executableTarget(
            name: "rapport-store-writer",
            dependencies: ["RapportCore", "RapportStore"],
            path: "Sources/StoreWriter",
            swiftSettings: strict
        ),
        .testTarget(name: "RapportCoreTests", dependencies: ["RapportCore"], swiftSettings: strict),
        .testTarget(
            name: "RapportStoreTests",
            dependencies: ["RapportStore", "RapportCore", "rapport-store-writer"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RapportTUITests",
            dependencies: ["RapportTUI", "RapportTerminal", "RapportCore", "RapportSpell"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RapportInterchangeTests",
            dependencies: ["RapportInterchange", "RapportCore", "rapport"],
            swiftSettings: strict
        ),
        .testTarget(name: "RapportSpellTests", dependencies: ["RapportSpell"], swiftSettings: strict),
        .testTarget(name: "RapportCLITests", dependencies: ["rapport"], swiftSettings: strict),
        .testTarget(name: "RapportE2ETests", dependencies: ["rapport", "RapportStore", "RapportCore"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
