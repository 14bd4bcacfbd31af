// swift-tools-version:5.9
//
// ZIPFoundation 0.9.20 (https://github.com/weichsel/ZIPFoundation, tag 0.9.20, commit
// a5c5011f45666a8853ea9c2ebb28a052beb39905), MIT License (LICENSE), vendored unchanged
// except for this manifest: upstream's declares Resources/PrivacyInfo.xcprivacy (Apple's
// privacy manifest) only where `Compression` exists, so on Linux SwiftPM warned at every
// build that the file was unhandled. Here it is excluded on Linux; nothing else differs.
// See VENDORED.md.
import PackageDescription

#if canImport(Compression)
let targets: [Target] = [
    .target(name: "ZIPFoundation",
            resources: [
                .copy("Resources/PrivacyInfo.xcprivacy")
            ]),
]
#else
let targets: [Target] = [
    .systemLibrary(name: "CZLib", pkgConfig: "zlib", providers: [.brew(["zlib"]), .apt(["zlib"])]),
    .target(name: "ZIPFoundation", dependencies: ["CZLib"], exclude: ["Resources/PrivacyInfo.xcprivacy"],
            cSettings: [.define("_GNU_SOURCE", to: "1")]),
]
#endif

let package = Package(
    name: "ZIPFoundation",
    platforms: [
        .macOS(.v10_13), .iOS(.v12), .tvOS(.v12), .watchOS(.v4), .visionOS(.v1)
    ],
    products: [
        .library(name: "ZIPFoundation", targets: ["ZIPFoundation"])
    ],
    targets: targets,
    swiftLanguageVersions: [.v4, .v4_2, .v5]
)
