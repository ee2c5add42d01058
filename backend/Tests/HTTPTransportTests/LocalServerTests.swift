import EmbeddedBackend
import HTTPTransport
import HummingbirdTesting
import LifestyleCore
import LifestyleToolkit
import Logging
import NIOCore
import Testing

#if os(Linux)
    import Glibc
#endif

/// The local server through Hummingbird's own test client, over a real socket: it only
/// translates, so what a client sees is the core's answer with the request's headers kept.
@Suite struct LocalServerTests {
    static func app() async throws -> LifestyleApp {
        var template = Array("/tmp/http-transport-tests-XXXXXX".utf8CString)
        let dir = String(cString: template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }!)
        let backend = try await EmbeddedAdapters.open(dataDirectory: dir, hasher: PasswordHasher(logN: 10, r: 8, p: 1))
        let services = Services(
            users: backend.users, identity: backend.identity, rateLimiter: backend.rateLimiter, secret: AppSecret(backend.keys),
            config: AppConfig(environment: .local))
        return LifestyleApp(services: services, logger: Logger(label: "http-transport-tests"))
    }

    static func json(_ body: ByteBuffer) throws -> JSONValue { try JSONParser.parse(Array(buffer: body)) }

    @Test func healthAnswersWithTheClientsRequestID() async throws {
        let server = LocalServer.application(app: try await Self.app(), logger: Logger(label: "test"))
        try await server.test(.live) { client in
            try await client.execute(uri: "/v1/health", method: .get, headers: [.init("X-Request-ID")!: "client-id-1"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.init("x-request-id")!] == "client-id-1")
                #expect(response.headers[.contentType] == "application/json")
                guard case .object(let body) = try Self.json(response.body) else { Issue.record("not an object"); return }
                #expect(body["status"] == .string("healthy"))
            }
        }
    }

    @Test func aBodyOverTheLimitIsRefusedWith413BeforeItIsRead() async throws {
        let server = LocalServer.application(app: try await Self.app(), logger: Logger(label: "test"))
        try await server.test(.live) { client in
            let body = ByteBuffer(repeating: UInt8(ascii: "a"), count: (1 << 20) + 1)
            try await client.execute(
                uri: "/v1/auth/register", method: .post, headers: [.contentType: "application/json"], body: body
            ) { response in
                #expect(response.status == .contentTooLarge)
                guard case .object(let error) = try Self.json(response.body) else { Issue.record("not an object"); return }
                #expect(error["error"] == .string("PAYLOAD_TOO_LARGE"))
                #expect(response.headers[.init("x-request-id")!] != nil)
            }
        }
    }

    @Test func aBodyAtTheLimitReachesTheHandler() async throws {
        let server = LocalServer.application(app: try await Self.app(), logger: Logger(label: "test"))
        try await server.test(.live) { client in
            // exactly 1 MiB of spaces around an empty object: valid JSON, so the handler's own
            // validation answers (400), not the size limit
            var text = String(repeating: " ", count: (1 << 20) - 2)
            text = "{" + text + "}"
            try await client.execute(
                uri: "/v1/auth/register", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: text)
            ) { response in
                #expect(response.status == .badRequest)
                guard case .object(let error) = try Self.json(response.body) else { Issue.record("not an object"); return }
                #expect(error["error"] == .string("VALIDATION_ERROR"))
            }
        }
    }

    @Test func anUnknownPathIsTheContracts404() async throws {
        let server = LocalServer.application(app: try await Self.app(), logger: Logger(label: "test"))
        try await server.test(.router) { client in
            try await client.execute(uri: "/v1/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
                guard case .object(let error) = try Self.json(response.body) else { Issue.record("not an object"); return }
                #expect(error["error"] == .string("NOT_FOUND"))
            }
        }
    }
}
