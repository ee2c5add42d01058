// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

// The module graph (arrows point at what a module may import; README "Layout" draws it):
//
//   LifestyleToolkit        Foundation-free leaf: hashing and sealing (swift-crypto), encodings, JSON, time, log handler, process I/O
//     <- QREncoding, SigV4
//     <- LifestyleCore      the app: routes, handlers, validation, domain, ports
//          <- EmbeddedBackend, AWSBackend (+ SigV4)      adapters of the ports
//          <- HTTPTransport (Hummingbird), LifestyleLambda (+ LambdaRuntime, LambdaEvents)
//     <- LambdaRuntime      a generic Lambda custom runtime: Runtime API client, loop, watchdog, EMF
//     <- LambdaEvents       API Gateway v1/v2 and Cognito trigger events
//          <- LambdaEmulator (+ LambdaRuntime, Hummingbird)
//   LifestyleServices       composition: services from configuration; the only module that knows every adapter
//     <- bootstrap          the Lambda executable (Dockerfile.api-handler)
//     <- api-handler        the developer CLI: serve, serve --lambda, routes, cognito-trigger
//
// Benchmarks live in their own package (Benchmarks/Package.swift), as NIO's and Hummingbird's do,
// so that neither `swift build` nor `swift test` here compiles them.
//
// The `Embedded` trait (on by default) puts the embedded backend (SQLite + local identity provider)
// into LifestyleServices. The shipped bootstrap is built without it
// (`swift build --product bootstrap --disable-default-traits`): Lambda runtime + AWS adapters
// only, nothing that imports full Foundation, so neither ICU nor SQLite ends up in the image.
let package = Package(
    name: "LifestyleBackend",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "api-handler", targets: ["api-handler"]),
        .executable(name: "bootstrap", targets: ["bootstrap"]),
        // For the benchmark package (Benchmarks/Package.swift) only; the app ships as the two executables.
        .library(name: "LifestyleToolkit", targets: ["LifestyleToolkit"]),
        .library(name: "SigV4", targets: ["SigV4"]),
        .library(name: "LifestyleCore", targets: ["LifestyleCore"]),
        .library(name: "AWSBackend", targets: ["AWSBackend"]),
        .library(name: "LambdaRuntime", targets: ["LambdaRuntime"]),
        .library(name: "LambdaEvents", targets: ["LambdaEvents"]),
        .library(name: "LambdaEmulator", targets: ["LambdaEmulator"]),
    ],
    traits: [
        .trait(name: "Embedded", description: "The embedded backend (SQLite, local identity provider) for ENVIRONMENT=local."),
        .default(enabledTraits: ["Embedded"]),
    ],
    // Exact versions: the image that ships is built from what the suite tested (Package.resolved is
    // not committed; Dependabot proposes updates). Transitive packages follow from these.
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        // 4.x: Foundation-free on Linux (FoundationEssentials), which keeps ICU out of the Lambda binary.
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", exact: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", exact: "1.13.2"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", exact: "2.37.6"),
    ],
    targets: [
        // The leaf every module may use: SHA/HMAC/HKDF and AES-GCM sealing with key ids (swift-crypto),
        // Base64/Base32/hex/percent-encoding, the JSON reader and writers, timestamps and `UnixClock`,
        // request ids, the JSON log handler, stdout.
        .target(
            name: "LifestyleToolkit",
            dependencies: [.product(name: "Logging", package: "swift-log"), .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // QR encoder for the MFA set-up image.
        .target(name: "QREncoding", dependencies: ["LifestyleToolkit"], swiftSettings: strict),
        // AWS Signature Version 4 (like soto's SotoSignerV4): canonical request, signing key cache.
        .target(name: "SigV4", dependencies: ["LifestyleToolkit"], swiftSettings: strict),
        // The app core: route table, handlers, validation, domain, ports. No transport, no AWS.
        .target(
            name: "LifestyleCore",
            dependencies: [
                "LifestyleToolkit", "QREncoding",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        // Embedded adapters: SQLite user store, local identity provider, outbox mailer.
        .target(
            name: "EmbeddedBackend",
            dependencies: [
                "LifestyleCore", "LifestyleToolkit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // AWS adapters: the AWS JSON protocol client, DynamoDB, Cognito, Secrets Manager, JWKS, and
        // the Cognito/DynamoDB implementations of the core's ports.
        .target(
            name: "AWSBackend",
            dependencies: [
                "LifestyleCore", "LifestyleToolkit", "SigV4",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        // AWS calls only the tests make (emulator tables and pools, client-side sign-in and MFA).
        .target(
            name: "AWSTestSupport", dependencies: ["AWSBackend", "SigV4", "LifestyleToolkit"], swiftSettings: strict),
        // Local HTTP transport: Hummingbird 2 feeding the core route table.
        .target(
            name: "HTTPTransport",
            dependencies: [
                "LifestyleCore", "LifestyleToolkit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // A Lambda custom runtime that knows no app: Runtime API client and loop over POSIX sockets,
        // the deadline watchdog, CloudWatch EMF metrics. No NIO, no Foundation.
        .target(
            name: "LambdaRuntime",
            dependencies: [
                "LifestyleToolkit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        // The events Lambda hands the function: API Gateway payload 1.0/2.0, Cognito triggers.
        .target(name: "LambdaEvents", dependencies: ["LifestyleToolkit"], swiftSettings: strict),
        // The app's Lambda adapter: events to core requests and back, the 504 fallback, triggers.
        .target(
            name: "LifestyleLambda",
            dependencies: [
                "LifestyleCore", "LifestyleToolkit", "LambdaRuntime", "LambdaEvents",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        // Local Lambda emulation: Runtime API emulator and an API Gateway v2 front (Hummingbird).
        .target(
            name: "LambdaEmulator",
            dependencies: [
                "LambdaRuntime", "LambdaEvents", "LifestyleToolkit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Composition: builds the services from configuration (embedded or AWS) and runs the app as
        // a Lambda function. The only module that knows every adapter.
        .target(
            name: "LifestyleServices",
            dependencies: [
                "LifestyleCore", "LifestyleToolkit", "AWSBackend", "LifestyleLambda", "LambdaRuntime",
                .target(name: "EmbeddedBackend", condition: .when(traits: ["Embedded"])),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        // The Lambda executable (Dockerfile.api-handler builds it with --disable-default-traits).
        .executableTarget(name: "bootstrap", dependencies: ["LifestyleServices", "LifestyleToolkit"], swiftSettings: strict),
        // The developer CLI.
        .executableTarget(
            name: "api-handler",
            dependencies: [
                "LifestyleServices", "LifestyleCore", "LifestyleToolkit", "HTTPTransport", "LambdaEmulator", "LambdaRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "LifestyleToolkitTests", dependencies: ["LifestyleToolkit", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: strict),
        .testTarget(name: "QREncodingTests", dependencies: ["QREncoding", "LifestyleToolkit"], swiftSettings: strict),
        .testTarget(name: "SigV4Tests", dependencies: ["SigV4", "LifestyleToolkit"], swiftSettings: strict),
        .testTarget(
            name: "AWSBackendTests",
            dependencies: [
                "AWSBackend", "AWSTestSupport", "SigV4",
                .product(name: "Logging", package: "swift-log"),
                "LifestyleCore", "LifestyleToolkit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "LifestyleCoreTests",
            dependencies: ["LifestyleCore", "LifestyleToolkit", "EmbeddedBackend", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EmbeddedBackendTests",
            dependencies: [
                "EmbeddedBackend", "LifestyleCore", "LifestyleToolkit", .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "LambdaEventsTests", dependencies: ["LambdaEvents"], swiftSettings: strict),
        .testTarget(
            name: "HTTPTransportTests",
            dependencies: [
                "HTTPTransport", "LifestyleCore", "EmbeddedBackend", "LifestyleToolkit",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "LambdaRuntimeTests", dependencies: ["LambdaRuntime", "LambdaEmulator", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .testTarget(name: "LambdaEmulatorTests", dependencies: ["LambdaEmulator", "LambdaRuntime"], swiftSettings: strict),
        .testTarget(
            name: "LifestyleServicesTests",
            dependencies: [
                "LifestyleServices", "LifestyleCore", "LifestyleToolkit", "LambdaEmulator", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "LifestyleLambdaTests",
            dependencies: [
                "LifestyleLambda", "LambdaRuntime", "LambdaEvents", "LambdaEmulator", "LifestyleCore", "LifestyleToolkit",
                "EmbeddedBackend",
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
    ]
)
