import EmbeddedBackend
import Foundation
import Logging
import Testing

@testable import LifestyleCore
@testable import LifestyleToolkit

/// What the app hands down to every library while it serves a request: the request's log
/// metadata (so an AWS client's lines carry the request id) and its deadline; and the route that
/// answered, recorded once for the metrics.
@Suite struct AppRequestScopeTests {
    static func app() async throws -> LifestyleApp {
        let backend = try await EmbeddedAdapters.open(dataDirectory: try Self.dataDir(), hasher: PasswordHasher(logN: 10, r: 8, p: 1))
        // a handler standing in for an adapter deep below: it sees only the task's scope
        let probe = Route("GET", "/probe", .open) { _, _ in
            .json([
                "request_id": RequestScope.metadata["request_id"].map { "\($0)" } ?? "",
                "aws_request_id": RequestScope.metadata["aws_request_id"].map { "\($0)" } ?? "",
                "deadline": RequestScope.deadline == nil ? "none" : "set",
            ])
        }
        // a route with path parameters, answering what the handler was handed
        let item = Route("GET", "/things/{thingId}/parts/{partId}", .open) { _, context in
            .json(["thing": context.parameters["thingId"] ?? "", "part": context.parameters["partId"] ?? ""])
        }
        return LifestyleApp(
            services: Services(
                users: backend.users, identity: backend.identity, config: AppConfig(environment: .local, logLevel: .critical)),
            logger: Logger(label: "test"), routes: Routes.all + [probe, item])
    }

    static func dataDir() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lifestyle-scope-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func body(_ response: APIResponse) throws -> [String: String] {
        guard case .object(let o) = try JSONParser.parse(response.body) else { return [:] }
        return o.compactMapValues { if case .string(let s) = $0 { s } else { nil } }
    }

    @Test func aRequestsIDAndDeadlineReachWhatItCalls() async throws {
        let app = try await Self.app()
        var headers = APIHeaders()
        headers["x-request-id"] = "client-chosen-id"
        let response = await app.respond(
            to: APIRequest(method: "GET", path: "/v1/probe", headers: headers), deadline: .now + .seconds(5),
            metadata: ["aws_request_id": "lambda-invocation-1"])
        #expect(response.status == 200)
        #expect(try Self.body(response) == ["request_id": "client-chosen-id", "aws_request_id": "lambda-invocation-1", "deadline": "set"])
        // nothing leaks past the request
        #expect(RequestScope.metadata.isEmpty)
        #expect(RequestScope.deadline == nil)
    }

    @Test func theLocalServerHasNoDeadline() async throws {
        let response = try await Self.app().respond(to: APIRequest(method: "GET", path: "/v1/probe"))
        let body = try Self.body(response)
        #expect(body["deadline"] == "none")
        #expect(body["request_id"]?.count == 36, "a generated id")
    }

    @Test func pathParametersReachTheHandlerDecodedAndABadOneIsA400NamingIt() async throws {
        let app = try await Self.app()
        let ok = await app.respond(to: APIRequest(method: "GET", path: "/v1/things/t%201/parts/p-2"))
        #expect(ok.status == 200)
        #expect(try Self.body(ok) == ["thing": "t 1", "part": "p-2"])
        #expect(ok.route == "/v1/things/{thingId}/parts/{partId}", "the template, never the raw path, labels the metric")
        let bad = await app.respond(to: APIRequest(method: "GET", path: "/v1/things/%zz/parts/%FF"))
        #expect(bad.status == 400)
        guard case .object(let body) = try JSONParser.parse(bad.body), case .array(let issues)? = body["validation_errors"] else {
            Issue.record("no validation_errors")
            return
        }
        let fields = issues.compactMap { issue -> String? in
            if case .object(let o) = issue, case .string(let f)? = o["field"] { return f }
            return nil
        }
        #expect(fields == ["thingId", "partId"])
        let wrongMethod = await app.respond(to: APIRequest(method: "DELETE", path: "/v1/things/a/parts/b"))
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers["allow"] == "GET")
    }

    @Test(arguments: [
        ("GET", "/v1/health", "/v1/health"), ("HEAD", "/v1/health", "/v1/health"), ("DELETE", "/v1/health", "method_not_allowed"),
        ("GET", "/v1/nowhere/12345", "unmatched"), ("GET", "/v1/users/profile", "/v1/users/profile"),
    ])
    func theRouteThatAnsweredIsRecordedAsItsTemplate(method: String, path: String, route: String) async throws {
        let response = try await Self.app().respond(to: APIRequest(method: method, path: path))
        #expect(response.route == route)
    }
}
