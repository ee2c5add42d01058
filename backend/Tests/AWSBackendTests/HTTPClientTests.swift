import AWSTestSupport
import Foundation
import Logging
import NIOSSL
import Synchronization
import XCTest

@testable import AWSBackend

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback HTTP/1.1 server on blocking sockets whose behaviour each test picks, so the
/// client's pooling, limits and failure kinds are checked against real sockets.
final class ScriptedServer: @unchecked Sendable {
    enum Behaviour: Sendable {
        /// 200 with `bodyBytes` bytes, keep-alive.
        case answer(bodyBytes: Int)
        /// Read the request, then say nothing.
        case silent
        /// Read the request, then close the connection.
        case hangUp
    }

    let port: UInt16
    private let listener: Int32
    private let connections = Atomic<Int>(0)
    private let requests = Atomic<Int>(0)
    let behaviour: Behaviour

    var connectionCount: Int { connections.load(ordering: .relaxed) }
    var requestCount: Int { requests.load(ordering: .relaxed) }

    init(_ behaviour: Behaviour) throws {
        self.behaviour = behaviour
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0, listen(fd, 16) == 0 else { throw XCTSkip("cannot listen on loopback") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        listener = fd
        port = UInt16(bigEndian: addr.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    var endpoint: AWSEndpoint { AWSEndpoint(scheme: "http", host: "127.0.0.1", port: Int(port)) }

    private func acceptLoop() {
        while true {
            let c = accept(listener, nil, nil)
            if c < 0 { return }
            connections.add(1, ordering: .relaxed)
            Thread { [self] in serve(c) }.start()
        }
    }

    private func serve(_ c: Int32) {
        defer { close(c) }
        var pending: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            // Read one request head (the tests send bodiless GETs).
            while !pending.containsHeadEnd {
                let n = recv(c, &buf, buf.count, 0)
                if n <= 0 { return }
                pending += buf[0..<n]
            }
            pending.removeHeadThroughEnd()
            requests.add(1, ordering: .relaxed)
            switch behaviour {
            case .answer(let size):
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: \(size)\r\n\r\n"
                var out = Array(head.utf8)
                out += [UInt8](repeating: UInt8(ascii: "x"), count: size)
                var sent = 0
                while sent < out.count {
                    let n = out[sent...].withUnsafeBytes { send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    if n <= 0 { return }
                    sent += n
                }
            case .silent:
                sleep(10)
                return
            case .hangUp:
                return
            }
        }
    }
}

extension [UInt8] {
    var containsHeadEnd: Bool { headEnd != nil }
    var headEnd: Int? {
        guard count >= 4 else { return nil }
        for i in 0...(count - 4) where self[i] == 13 && self[i + 1] == 10 && self[i + 2] == 13 && self[i + 3] == 10 { return i + 4 }
        return nil
    }
    mutating func removeHeadThroughEnd() { removeFirst(headEnd!) }
}

final class HTTPClientTests: XCTestCase {
    func get(_ client: AWSHTTPClient, _ server: ScriptedServer, within: Duration = .seconds(5), max: Int = 1 << 20)
        async throws(AWSTransportError) -> AWSHTTPResponse
    {
        try await client.execute(
            method: .GET, endpoint: server.endpoint, path: "/", deadline: .now + within, maxResponseBytes: max)
    }

    func testKeepAliveConnectionsAreReused() async throws {
        let server = try ScriptedServer(.answer(bodyBytes: 10))
        defer { server.stop() }
        let client = AWSHTTPClient()
        for _ in 0..<5 {
            let r = try await get(client, server)
            XCTAssertEqual(r.status, 200)
            XCTAssertEqual(r.body.count, 10)
        }
        XCTAssertEqual(server.requestCount, 5)
        XCTAssertEqual(server.connectionCount, 1)
        await client.shutdown()
    }

    func testResponsesOverTheLimitAreRefused() async throws {
        let server = try ScriptedServer(.answer(bodyBytes: 300_000))
        defer { server.stop() }
        let client = AWSHTTPClient()
        do {
            _ = try await get(client, server, max: 100_000)
            XCTFail("a 300 kB body passed a 100 kB limit")
        } catch {
            XCTAssertEqual(error.kind, .other)
            XCTAssertTrue(error.detail.contains("larger than 100000"), error.detail)
        }
        let ok = try await get(client, server, max: 400_000)
        XCTAssertEqual(ok.body.count, 300_000)
        await client.shutdown()
    }

    func testASilentServerEndsAtTheDeadlineAsATimeout() async throws {
        let server = try ScriptedServer(.silent)
        defer { server.stop() }
        let client = AWSHTTPClient()
        let start = ContinuousClock.now
        do {
            _ = try await get(client, server, within: .milliseconds(300))
            XCTFail("no answer, yet no error")
        } catch {
            XCTAssertEqual(error.kind, .timeout)
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(3))
        await client.shutdown()
    }

    func testAHangUpIsAConnectionFailureAndARefusedPortAConnectFailure() async throws {
        let server = try ScriptedServer(.hangUp)
        defer { server.stop() }
        let client = AWSHTTPClient()
        do {
            _ = try await get(client, server)
            XCTFail("hang-up without an answer, yet no error")
        } catch {
            XCTAssertEqual(error.kind, .connection, error.detail)
        }
        do {
            _ = try await client.execute(
                method: .GET, endpoint: AWSEndpoint(scheme: "http", host: "127.0.0.1", port: 9), path: "/", deadline: .now + .seconds(5))
            XCTFail("connected to the discard port")
        } catch {
            XCTAssertEqual(error.kind, .connect, error.detail)
        }
        await client.shutdown()
    }
}

/// The TLS path against the emulator behind `backend/e2e/support/tlsfront.py` (a throw-away CA
/// and a certificate for localhost and 127.0.0.1): LIFESTYLE_TEST_TLS_PORT, LIFESTYLE_TEST_TLS_CA.
final class TLSIntegrationTests: EmulatorTestCase {
    func tlsSettings() throws -> (port: Int, ca: String) {
        let env = ProcessInfo.processInfo.environment
        guard let port = env["LIFESTYLE_TEST_TLS_PORT"].flatMap(Int.init), let ca = env["LIFESTYLE_TEST_TLS_CA"], !ca.isEmpty else {
            let message = "TLS front not configured (LIFESTYLE_TEST_TLS_PORT, LIFESTYLE_TEST_TLS_CA); backend/scripts/test.sh starts it"
            if !(env["CI"] ?? "").isEmpty { XCTFail(message) }
            throw XCTSkip(message)
        }
        return (port, ca)
    }

    func testDynamoDBOverTLSWithAVerifiedCertificate() async throws {
        let env = try EmulatorEnvironment.load()
        let (port, ca) = try tlsSettings()
        var configuration = AWSHTTPClient.Configuration()
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(ca)
        configuration.tls = tls
        let client = AWSHTTPClient(configuration: configuration)
        for host in ["localhost", "127.0.0.1"] {
            let ddb = try DynamoDBClient(
                credentials: env.credentials, region: env.region, httpClient: client,
                endpoint: AWSEndpoint(scheme: "https", host: host, port: port), retryPolicy: .none, logger: Logger(label: "test"))
            let table = uniqueName("tls")
            _ = try await ddb.createTable(
                .init(
                    tableName: table, keySchema: [.init(attributeName: "pk", keyType: .hash)],
                    attributeDefinitions: [.init(attributeName: "pk", attributeType: "S")]))
            let out = try await ddb.getItem(.init(tableName: table, key: ["pk": .s("absent")]))
            XCTAssertNil(out.item, "over https://\(host)")
        }
        await client.shutdown()
    }

    func testAnUntrustedCertificateIsRefusedBeforeAnythingIsSent() async throws {
        let env = try EmulatorEnvironment.load()
        let (port, _) = try tlsSettings()
        let ddb = try DynamoDBClient(
            credentials: env.credentials, region: env.region, httpClient: http,
            endpoint: AWSEndpoint(scheme: "https", host: "localhost", port: port), retryPolicy: .none, logger: Logger(label: "test"))
        let outcome: Result<DynamoDB.GetItemOutput, AWSClientError>
        do {
            outcome = .success(try await ddb.getItem(.init(tableName: "any", key: ["pk": .s("x")])))
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success: XCTFail("a certificate from an unknown CA was accepted")
        case .failure(.transport(let t)): XCTAssertEqual(t.kind, .connect, t.detail)
        case .failure(let other): XCTFail("expected a transport error, got \(other)")
        }
    }
}
