import Foundation
import LambdaEmulator
import LambdaRuntime
import Testing

/// The emulator's API Gateway stand-in writes the payload 2.0 event as API Gateway does (its
/// documented shape, read back here with Foundation's JSON reader, not ours), and its Runtime API
/// hands that event to a function and returns the function's answer.
@Suite struct APIGatewayFrontTests {
    func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func anHTTPRequestBecomesAPayload2Event() throws {
        let event = try object(
            APIGatewayFront.event(
                method: "POST", path: "/v1/auth/login", query: "a=1&b=x%20y&a=2",
                headers: [
                    ("Content-Type", "application/json"), ("Cookie", "sid=1; theme=dark"), ("X-Multi", "one"), ("x-multi", "two"),
                    ("User-Agent", "test-agent"),
                ],
                body: Array(#"{"k":"v"}"#.utf8), sourceIP: "203.0.113.7"))
        #expect(event["version"] as? String == "2.0")
        #expect(event["rawPath"] as? String == "/v1/auth/login")
        #expect(event["rawQueryString"] as? String == "a=1&b=x%20y&a=2")
        #expect(event["cookies"] as? [String] == ["sid=1", "theme=dark"])
        let headers = try #require(event["headers"] as? [String: String])
        #expect(headers["content-type"] == "application/json")
        #expect(headers["x-multi"] == "one,two")  // repeated headers joined, names lower-cased
        #expect(headers["cookie"] == nil)
        #expect(event["queryStringParameters"] as? [String: String] == ["a": "1,2", "b": "x y"])
        let context = try #require(event["requestContext"] as? [String: Any])
        let http = try #require(context["http"] as? [String: String])
        #expect(http["method"] == "POST")
        #expect(http["sourceIp"] == "203.0.113.7")
        #expect(http["userAgent"] == "test-agent")
        #expect((context["requestId"] as? String)?.isEmpty == false)
        #expect(event["body"] as? String == #"{"k":"v"}"#)
        #expect(event["isBase64Encoded"] as? Bool == false)
    }

    /// Pairs without a name (`=`, `=x`) or without a value: what a fuzzer sends to a list route.
    @Test func aQueryWithNamelessPairsStillBecomesAnEvent() throws {
        let event = try object(
            APIGatewayFront.event(method: "GET", path: "/v1/goals", query: "=&status=draft&=x&flag&status=paused", headers: [], body: []))
        #expect(event["rawQueryString"] as? String == "=&status=draft&=x&flag&status=paused")
        #expect(event["queryStringParameters"] as? [String: String] == ["status": "draft,paused", "flag": ""])
    }

    @Test func aBinaryBodyIsBase64Encoded() throws {
        let body: [UInt8] = [0xFF, 0x00, 0xFE]
        let event = try object(APIGatewayFront.event(method: "PUT", path: "/x", query: "", headers: [], body: body))
        #expect(event["isBase64Encoded"] as? Bool == true)
        #expect(event["body"] as? String == Data(body).base64EncodedString())
        #expect(event["queryStringParameters"] == nil)
    }

    @Test func theRuntimeAPIHandsTheEventToTheFunctionAndReturnsItsAnswer() async throws {
        let server = try RuntimeAPIServer()
        defer { server.stop() }
        let client = try RuntimeAPIClient(endpoint: server.endpoint)
        let function = Task {
            let invocation = try await client.next()
            try client.respond(requestID: invocation.requestID, body: Array("{\"got\":".utf8) + invocation.body + Array("}".utf8))
            return invocation
        }
        let result = await server.invoke(Array("[1,2]".utf8), timeoutMs: 5_000, traceID: "Root=1-test")
        let invocation = try await function.value
        #expect(result.kind == .response)
        #expect(result.text == "{\"got\":[1,2]}")
        #expect(invocation.traceID == "Root=1-test")
        #expect(invocation.deadlineMs > 0)
        #expect(server.nextCount == 1)
    }

    @Test func aFunctionErrorIsReturnedAsAnError() async throws {
        let server = try RuntimeAPIServer()
        defer { server.stop() }
        let client = try RuntimeAPIClient(endpoint: server.endpoint)
        let function = Task {
            let invocation = try await client.next()
            try client.reportError(requestID: invocation.requestID, type: "Handler.Failed", message: "no")
        }
        let result = await server.invoke(Array("{}".utf8), timeoutMs: 5_000)
        try await function.value
        #expect(result.kind == .error)
        #expect(result.errorType == "Handler.Failed")
    }
}

/// Requests meet their route as API Gateway matches them: a literal route first, else the
/// template with the most literal segments; a parameter takes one whole, non-empty segment.
struct GatewayRouteMatchingTests {
    let gateway = GatewayBehaviour(
        protectedRoutes: ["GET /v1/goals/{goalId}", "GET /v1/journal/stats"],
        routes: ["GET /v1/health", "GET /v1/journal/{entryId}", "GET /v1/goals/{goalId}/activities"])

    @Test func literalRoutesTemplatesAndNoRoute() {
        #expect(gateway.routeKey(method: "GET", path: "/v1/health") == "GET /v1/health")
        #expect(gateway.routeKey(method: "GET", path: "/v1/goals/abc") == "GET /v1/goals/{goalId}")
        #expect(gateway.routeKey(method: "GET", path: "/v1/goals/abc/activities") == "GET /v1/goals/{goalId}/activities")
        #expect(gateway.routeKey(method: "GET", path: "/v1/journal/stats") == "GET /v1/journal/stats")
        #expect(gateway.routeKey(method: "GET", path: "/v1/journal/e1") == "GET /v1/journal/{entryId}")
        #expect(gateway.routeKey(method: "PUT", path: "/v1/goals/abc") == "PUT /v1/goals/abc", "no PUT route")
        #expect(gateway.routeKey(method: "GET", path: "/v1/goals/") == "GET /v1/goals/", "a parameter is never empty")
        #expect(gateway.protectedRoutes.contains(gateway.routeKey(method: "GET", path: "/v1/goals/abc")))
    }
}
