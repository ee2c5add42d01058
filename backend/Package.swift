// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

// `LIFESTYLE_LAMBDA_ONLY=1 swift build --product api-handler ...` builds the Lambda bootstrap:
// the same `api-handler`, but wired to the Lambda runtime and the AWS adapters only (no local
// HTTP server, no embedded SQLite backend, no emulator, no CLI parser). Nothing in it imports
// full Foundation, so neither Foundation's ICU data nor the server stack ends up in the image.
// Dockerfile.api-handler, build-lambda-zip.sh, bench-lambda.sh and test.sh set it.
let lambdaOnly = (Context.environment["LIFESTYLE_LAMBDA_ONLY"] ?? "") == "1"

let apiHandlerDependencies: [Target.Dependency] =
    lambdaOnly
    ? [
        "LifestyleCore", "AWSBackend", "LambdaTransport",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
    ]
    : [
        "LifestyleCore",
        "EmbeddedBackend",
        "AWSBackend",
        "HTTPTransport",
        "LambdaTransport",
        "LambdaEmulator",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
    ]

let package = Package(
    name: "LifestyleBackend",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "api-handler", targets: ["api-handler"])
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
        // Pure, dependency-free QR encoder used for the MFA set-up image.
        .target(name: "QRCode", swiftSettings: strict),
        // The app core: route table, handlers, validation, domain, ports. No transport, no AWS.
        .target(
            name: "LifestyleCore",
            dependencies: [
                "QRCode",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        // Embedded adapters: SQLite user store, local identity provider, outbox mailer.
        .target(
            name: "EmbeddedBackend",
            dependencies: [
                "LifestyleCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // AWS adapters: SigV4, the AWS JSON protocol client, DynamoDB, Cognito, JWKS, and the
        // Cognito/DynamoDB implementations of the core's ports.
        .target(
            name: "AWSBackend",
            dependencies: [
                "LifestyleCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        // Local HTTP transport: Hummingbird 2 feeding the core route table.
        .target(
            name: "HTTPTransport",
            dependencies: [
                "LifestyleCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Lambda transport: Runtime API client and loop over POSIX sockets, API Gateway event
        // translation, Cognito trigger hook, CloudWatch EMF metrics. No NIO, no Foundation.
        .target(
            name: "LambdaTransport",
            dependencies: [
                "LifestyleCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        // Local Lambda emulation: Runtime API emulator and an API Gateway v2 front (Hummingbird).
        .target(
            name: "LambdaEmulator",
            dependencies: [
                "LambdaTransport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Cold start / warm overhead / RSS benchmark of the release api-handler (scripts/bench-lambda.sh).
        .executableTarget(name: "lambda-bench", dependencies: ["LambdaEmulator", "AWSBackend"], swiftSettings: strict),
        // The Swift floor of scripts/bench-lambda.sh: the C floor runtime's work in Swift, same flags.
        .executableTarget(name: "swift-floor", swiftSettings: strict),
        .executableTarget(
            name: "api-handler",
            dependencies: apiHandlerDependencies,
            swiftSettings: strict + (lambdaOnly ? [.define("LAMBDA_ONLY")] : [])
        ),
        // The floor of scripts/bench-local.sh: a bare Hummingbird 2 hello-world, same versions.
        .executableTarget(
            name: "hello-bench", dependencies: [.product(name: "Hummingbird", package: "hummingbird")], swiftSettings: strict),
        // SigV4 cost and AWS call latency vs boto3 (scripts/bench-aws.sh).
        .executableTarget(
            name: "aws-bench",
            dependencies: [
                "AWSBackend", "LifestyleCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "QRCodeTests", dependencies: ["QRCode"], swiftSettings: strict),
        .testTarget(
            name: "AWSBackendTests",
            dependencies: [
                "AWSBackend",
                "LifestyleCore",
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
            dependencies: ["LifestyleCore", "EmbeddedBackend", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "LambdaTransportTests",
            dependencies: [
                "LambdaTransport", "LambdaEmulator", "LifestyleCore", "EmbeddedBackend",
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
    ]
)
