import Foundation
import LambdaEmulator
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// Tests against a built `api-handler` executable (skipped when none is built):
/// `API_HANDLER_BIN` or `.build/{release,debug}/api-handler`, and for the shipped function
/// `LAMBDA_RELEASE_BIN` or `.build-lambda/release/bootstrap` (built with --static-swift-stdlib
/// and --disable-default-traits, as Dockerfile.api-handler does).
struct BinaryMissing: Error, CustomStringConvertible {
    var candidates: [String]
    var description: String { "no api-handler binary built (looked at \(candidates))" }
}

final class BinaryTests: XCTestCase {
    static let backend = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    func binary(release: Bool = false) throws -> String {
        let env = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if release {
            if let p = env["LAMBDA_RELEASE_BIN"] { candidates.append(p) }
            candidates.append(Self.backend + "/.build-lambda/release/bootstrap")
        } else {
            if let p = env["API_HANDLER_BIN"] { candidates.append(p) }
            candidates += [Self.backend + "/.build/release/api-handler", Self.backend + "/.build/debug/api-handler"]
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            // In CI's full run (`backend/scripts/test.sh --all` builds both binaries) a missing binary is a
            // failure; the fast tier builds no shipped bootstrap.
            if env["CI"] != nil && !(release && env["LIFESTYLE_TEST_TIER"] == "fast") {
                throw BinaryMissing(candidates: candidates)
            }
            throw XCTSkip("no api-handler binary built (looked at \(candidates))")
        }
        return found
    }

    func run(_ path: String, env: [String: String], stdin: Bool = false, afterStart: ((Process) -> Void)? = nil) throws
        -> (status: Int32, stderr: String)
    {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.environment = env
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        afterStart?(p)
        p.waitUntilExit()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (p.terminationStatus, text)
    }

    func baseEnv(_ endpoint: String) -> [String: String] {
        ["AWS_LAMBDA_RUNTIME_API": endpoint, "ENVIRONMENT": "local", "LIFESTYLE_DATA_DIR": makeTempDir(), "LOG_LEVEL": "warning"]
    }

    func testBinaryReportsInitErrorAndExitsNonZero() throws {
        let bin = try binary()
        let server = try RuntimeAPIServer()
        defer { server.stop() }
        var env = baseEnv(server.endpoint)
        env["ENVIRONMENT"] = "staging"
        let (status, stderr) = try run(bin, env: env)
        XCTAssertNotEqual(status, 0)
        let report = try XCTUnwrap(server.initError)
        XCTAssertEqual(report.errorType, "Runtime.InvalidConfiguration")
        XCTAssertTrue(report.text.contains("ENVIRONMENT must be one of local, dev, prod"), report.text)
        XCTAssertTrue(stderr.contains("ENVIRONMENT must be one of"), stderr)
    }

    func testBinaryExitsWithOneLineWhenTheRuntimeAPIIsUnreachable() throws {
        let bin = try binary()
        let server = try RuntimeAPIServer()
        let endpoint = server.endpoint
        server.stop()
        let (status, stderr) = try run(bin, env: baseEnv(endpoint))
        XCTAssertNotEqual(status, 0)
        let lines = stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, stderr)
        XCTAssertTrue(stderr.contains("Lambda Runtime API at \(endpoint) unreachable"), stderr)
    }

    func testBinaryServesHealthAndStopsOnSIGTERM() throws {
        let bin = try binary()
        let server = try RuntimeAPIServer()
        defer { server.stop() }
        let event =
            #"{"version":"2.0","rawPath":"/v1/health","rawQueryString":"","headers":{},"requestContext":{"http":{"method":"GET","path":"/v1/health"}},"isBase64Encoded":false}"#
        let (status, _) = try run(bin, env: baseEnv(server.endpoint)) { process in
            let r = server.invokeBlocking(Array(event.utf8), timeoutMs: 20_000)
            XCTAssertEqual(r?.kind, .response)
            XCTAssertTrue(r?.text.contains("\"statusCode\":200") == true, r?.text ?? "nil")
            while server.nextCount < 2 { usleep(2_000) }
            usleep(20_000)
            kill(process.processIdentifier, SIGTERM)
        }
        XCTAssertEqual(status, 0)
    }

    /// provided.al2023 ships glibc, libgcc and libstdc++; nothing else may be linked dynamically
    /// (the image adds no libraries, see Dockerfile.api-handler).
    func testReleaseBinaryLinksOnlyWhatTheLambdaBaseImageHas() throws {
        let bin = try binary(release: true)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
        p.arguments = [bin]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let allowed = [
            "linux-vdso.so", "libc.so", "libm.so", "libpthread.so", "libdl.so", "librt.so", "ld-linux-x86-64.so",
            "ld-linux-aarch64.so", "libgcc_s.so", "libstdc++.so", "libutil.so",
        ]
        let libs = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        XCTAssertFalse(libs.isEmpty)
        for lib in libs {
            let name = lib.split(separator: " ").first.map(String.init) ?? lib
            let base = name.split(separator: "/").last.map(String.init) ?? name
            XCTAssertTrue(allowed.contains(where: { base.hasPrefix($0) }), "unexpected dynamic dependency: \(lib)")
        }
    }

    /// The shipped bootstrap (`--product bootstrap --disable-default-traits`) with the AWS settings Terraform gives
    /// it answers GET /v1/health (which never calls AWS) and exits 0 on SIGTERM.
    func testLambdaBootstrapServesHealthWithTheAWSConfiguration() throws {
        let bin = try binary(release: true)
        let server = try RuntimeAPIServer()
        defer { server.stop() }
        var env = baseEnv(server.endpoint)
        env.merge(
            [
                "ENVIRONMENT": "dev", "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret",
                "USERS_TABLE": "users-dev", "USER_POOL_ID": "us-east-1_test", "USER_POOL_CLIENT_ID": "client",
                "APP_SECRET_ID": "api-handler-dev-master-key",
                "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
            ], uniquingKeysWith: { _, new in new })
        let event =
            #"{"version":"2.0","rawPath":"/v1/health","rawQueryString":"","headers":{"origin":"https://ailifestyle.app"},"requestContext":{"http":{"method":"GET","path":"/v1/health"}},"isBase64Encoded":false}"#
        let (status, _) = try run(bin, env: env) { process in
            let r = server.invokeBlocking(Array(event.utf8), timeoutMs: 20_000)
            XCTAssertEqual(r?.kind, .response)
            XCTAssertTrue(r?.text.contains("\"statusCode\":200") == true, r?.text ?? "nil")
            XCTAssertTrue(r?.text.contains("\"access-control-allow-origin\":\"*\"") == true, r?.text ?? "nil")
            while server.nextCount < 2 { usleep(2_000) }
            kill(process.processIdentifier, SIGTERM)
        }
        XCTAssertEqual(status, 0)
    }

    /// Started by hand (no Runtime API), the shipped bootstrap says what it is and exits 64.
    func testLambdaBootstrapOutsideLambdaSaysWhatItIs() throws {
        let bin = try binary(release: true)
        let (status, stderr) = try run(bin, env: ["PATH": "/usr/bin:/bin"])
        XCTAssertEqual(status, 64)
        XCTAssertTrue(stderr.contains("bootstrap: the Lambda function; it runs when AWS_LAMBDA_RUNTIME_API is set"), stderr)
    }

    /// The bootstrap carries no embedded backend: ENVIRONMENT=local is an init error that says so.
    func testLambdaBootstrapRefusesTheLocalEnvironment() throws {
        let bin = try binary(release: true)
        let server = try RuntimeAPIServer()
        defer { server.stop() }
        let (status, stderr) = try run(bin, env: baseEnv(server.endpoint))
        XCTAssertNotEqual(status, 0)
        let report = try XCTUnwrap(server.initError)
        XCTAssertEqual(report.errorType, "Runtime.InitializationFailed")
        XCTAssertTrue(report.text.contains("needs the embedded backend, which this build (the Lambda bootstrap) leaves out"), report.text)
        XCTAssertTrue(stderr.contains("needs the embedded backend, which this build (the Lambda bootstrap) leaves out"), stderr)
    }
}
