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
        // ZIPFoundation 0.9.20, vendored: its manifest made every Linux build print a warning (Vendor/ZIPFoundation/VENDORED.md).
        .package(path: "Vendor/ZIPFoundation"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
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
        // Seeded demo data (`rapport demo`, tests, benchmarks): not part of the pure core.
        .target(name: "RapportDemo", dependencies: ["RapportCore"], swiftSettings: strict),
        // The JSON store: snapshot + journal, locking, paths, migrations.
        // config.toml is read here (TOMLKit), as a value the commands pass along.
        .target(
            name: "RapportStore",
            dependencies: ["RapportCore", .product(name: "TOMLKit", package: "TOMLKit")],
            swiftSettings: strict
        ),
        // Text for terminals, pure: CellBuffer, Style, Key, display width, wrapping,
        // relative times, OSC 52. The CLI and the TUI measure text with it.
        .target(name: "RapportText", swiftSettings: strict),
        // The one gateway to the terminal (the only importer of CNCursesw): the screen,
        // input decoding, signals, the palette.
        .target(name: "RapportTerminal", dependencies: ["CNCursesw", "RapportText"], swiftSettings: strict),
        // State, commands, events, update, views, keymap. Pure: draws into a CellBuffer;
        // no ncurses, no store, no spell checker.
        .target(name: "RapportTUI", dependencies: ["RapportCore", "RapportText"], swiftSettings: strict),
        // The event loop and its effect runner: the store, the terminal, `$EDITOR`, the
        // spell checker and the clipboard meet `update` here.
        .target(
            name: "RapportApp",
            dependencies: ["RapportCore", "RapportStore", "RapportText", "RapportTerminal", "RapportTUI", "RapportSpell"],
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
        // Mail: RFC 5322 / MIME reader, maildir and mbox scanning, mail to changes. Pure: bytes in.
        .target(
            name: "RapportMail",
            dependencies: ["RapportCore", "RapportInterchange", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // Spell check through hunspell/aspell's ispell pipe protocol (Foundation Process).
        .target(name: "RapportSpell", dependencies: ["RapportText"], swiftSettings: strict),
        .executableTarget(
            name: "rapport",
            dependencies: [
                "RapportCore", "RapportDemo", "RapportStore", "RapportText", "RapportTUI", "RapportApp", "RapportInterchange", "RapportSpell",
                "RapportMail",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // In-process store timings for `make bench`.
        .executableTarget(name: "rapport-bench", dependencies: ["RapportCore", "RapportStore", "RapportTUI", "RapportText", "RapportMail"], path: "Sources/RapportBench", swiftSettings: strict),
        // A tiny writer the store's crash and concurrency tests run and kill.
        .executableTarget(
            name: "rapport-store-writer",
            dependencies: ["RapportCore", "RapportStore"],
            path: "Sources/StoreWriter",
            swiftSettings: strict
        ),
        // Finds and runs the built `rapport` for the test targets that need the binary.
        .target(name: "RapportTestSupport", path: "Tests/RapportTestSupport", swiftSettings: strict),
        .testTarget(name: "RapportCoreTests", dependencies: ["RapportCore", "RapportDemo"], swiftSettings: strict),
        .testTarget(
            name: "RapportStoreTests",
            dependencies: ["RapportStore", "RapportCore", "RapportDemo", "rapport-store-writer"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RapportTUITests",
            dependencies: ["RapportTUI", "RapportApp", "RapportText", "RapportCore", "RapportSpell", "RapportStore", "RapportDemo"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RapportInterchangeTests",
            dependencies: ["RapportInterchange", "RapportCore", "RapportDemo", "RapportTestSupport", "rapport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RapportMailTests",
            dependencies: ["RapportMail", "RapportCore", "RapportInterchange", "RapportTestSupport", "rapport"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(name: "RapportTextTests", dependencies: ["RapportText", "RapportTerminal", "RapportDemo"], swiftSettings: strict),
        .testTarget(name: "RapportSpellTests", dependencies: ["RapportSpell", "RapportText"], swiftSettings: strict),
        .testTarget(name: "RapportCLITests", dependencies: ["rapport", "RapportTestSupport"], swiftSettings: strict),
        .testTarget(name: "RapportE2ETests", dependencies: ["rapport", "RapportStore", "RapportCore", "RapportTestSupport", "RapportApp", "RapportTUI", "RapportSpell", "RapportText"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
