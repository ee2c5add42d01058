// swift-tools-version:6.1
import PackageDescription

// The benchmark programs, in their own package as SwiftNIO and Hummingbird keep theirs: the product
// package's `swift build` and `swift test` never compile them. The scripts beside this file build and
// run them (bench-lambda.sh, bench-local.sh, bench-aws.sh); each prints ratios against a floor or a
// baseline measured in the same run.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "LifestyleBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // The product package's library modules, without its default (embedded backend) trait: the
        // benchmarks drive the shipped bootstrap, the AWS layer and the Lambda emulator.
        .package(name: "LifestyleBackend", path: "..", traits: []),
        // The same exact versions as ../Package.swift.
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
    ],
    targets: [
        // Cold start / warm overhead / RSS benchmark of the release bootstrap (bench-lambda.sh).
        .executableTarget(
            name: "lambda-bench",
            dependencies: [
                .product(name: "LambdaEmulator", package: "LifestyleBackend"),
                .product(name: "LambdaRuntime", package: "LifestyleBackend"),
                .product(name: "LambdaEvents", package: "LifestyleBackend"),
                .product(name: "LifestyleToolkit", package: "LifestyleBackend"),
                .product(name: "AWSBackend", package: "LifestyleBackend"),
                .product(name: "SigV4", package: "LifestyleBackend"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // The Swift floor of bench-lambda.sh: the C floor runtime's work (floor/floor-runtime.c) in
        // Swift, built with the bootstrap's flags.
        .executableTarget(name: "swift-floor", swiftSettings: strict),
        // The floor of bench-local.sh: a bare Hummingbird 2 hello-world, same versions.
        .executableTarget(
            name: "hello-bench",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // SigV4 cost and AWS call latency vs boto3 (bench-aws.sh).
        .executableTarget(
            name: "aws-bench",
            dependencies: [
                .product(name: "AWSBackend", package: "LifestyleBackend"),
                .product(name: "LifestyleCore", package: "LifestyleBackend"),
                .product(name: "LifestyleToolkit", package: "LifestyleBackend"),
                .product(name: "SigV4", package: "LifestyleBackend"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
    ]
)
