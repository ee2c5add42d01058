import Foundation
import LambdaEmulator
import LambdaEvents
import LambdaRuntime
import LifestyleCore
import LifestyleToolkit
import Logging
import XCTest

@testable import LifestyleLambda

/// Test routes: an echo of everything the core saw, a binary answer with two cookies, a slow one.
let echoRoutes: [Route] = [
    Route("POST", "/echo", .open) { request, _ in
        var r = APIResponse(status: 201)
        r.headers["content-type"] = "application/json"
        let fields: [String: String] = [
            "method": request.method, "path": request.path, "query": request.query,
            "cookie": request.headers["cookie"] ?? "", "multi": request.headers.values("x-multi").joined(separator: "|"),
            "body_b64": Data(request.body).base64EncodedString(), "address": request.clientAddress ?? "none",
        ]
        r.body = Array(try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]))
        return r
    },
    Route("GET", "/binary", .open) { _, _ in
        var r = APIResponse(status: 200, body: [0x89, 0x50, 0x4E, 0x47, 0xFF, 0x00])
        r.headers["content-type"] = "image/png"
        r.headers.add("set-cookie", "a=1; Path=/")
        r.headers.add("set-cookie", "b=2; HttpOnly")
        r.headers.add("x-multi", "one")
        r.headers.add("x-multi", "two")
        return r
    },
    Route("GET", "/slow", .open) { _, _ in
        try? await Task.sleep(for: .seconds(5))
        return APIResponse(status: 200)
    },
]

final class HandlerTests: XCTestCase {
    func handler(cognito: (any CognitoTriggerHandler)? = nil) async throws -> LifestyleLambdaHandler {
        let app = try await makeApp(extra: echoRoutes)
        return cognito.map { LifestyleLambdaHandler(app: app, cognito: $0) } ?? LifestyleLambdaHandler(app: app)
    }

    func invoke(_ handler: LifestyleLambdaHandler, _ event: String, timeoutMs: Int64 = 30_000, margin: Duration = .milliseconds(500))
        async throws -> InvocationResult
    {
        let server = try RuntimeAPIServer()
        defer { server.stop() }
        let task = try server.runFunction(handler, limit: 1, margin: margin, logger: Logger(label: "runtime-test"))
        let result = await server.invoke(bytes(event), timeoutMs: timeoutMs)
        try await task.value
        return result
    }

    func testV2RequestWithCookiesMultiValueHeadersAndBase64Body() async throws {
        let h = try await handler()
        let body = Data([0x00, 0xFF, 0x10]).base64EncodedString()
        let event = """
            {"version":"2.0","routeKey":"$default","rawPath":"/v1/echo","rawQueryString":"a=1&a=2&b=x%20y",
             "cookies":["s=abc","t=def"],"headers":{"x-multi":"one,two","x-request-id":"req-v2-1","content-type":"application/octet-stream"},
             "requestContext":{"http":{"method":"POST","path":"/v1/echo","sourceIp":"1.2.3.4"},"requestId":"r"},
             "body":"\(body)","isBase64Encoded":true}
            """
        let r = try await invoke(h, event)
        XCTAssertEqual(r.kind, .response, r.text)
        let out = try json(r.body)
        XCTAssertEqual(out["statusCode"] as? Int, 201)
        XCTAssertEqual(out["isBase64Encoded"] as? Bool, false)
        let headers = try XCTUnwrap(out["headers"] as? [String: String])
        XCTAssertEqual(headers["x-request-id"], "req-v2-1")
        let echoed = try json(bytes(try XCTUnwrap(out["body"] as? String)))
        XCTAssertEqual(echoed["method"] as? String, "POST")
        XCTAssertEqual(echoed["path"] as? String, "/v1/echo")
        XCTAssertEqual(echoed["query"] as? String, "a=1&a=2&b=x%20y")
        XCTAssertEqual(echoed["cookie"] as? String, "s=abc; t=def")
        XCTAssertEqual(echoed["multi"] as? String, "one,two")
        XCTAssertEqual(echoed["body_b64"] as? String, body)
        XCTAssertEqual(echoed["address"] as? String, "1.2.3.4")
    }

    /// The client address is API Gateway's sourceIp (2.0: http.sourceIp, 1.0: identity.sourceIp),
    /// never a header; a loopback source (a local front) is no address.
    func testClientAddressComesFromSourceIpOnly() async throws {
        let h = try await handler()
        func address(_ context: String, headers: String = "{}") async throws -> String? {
            let event = """
                {"version":"2.0","routeKey":"$default","rawPath":"/v1/echo","rawQueryString":"","headers":\(headers),
                 "requestContext":\(context),"body":"","isBase64Encoded":false}
                """
            let out = try json(try await invoke(h, event).body)
            return try json(bytes(try XCTUnwrap(out["body"] as? String)))["address"] as? String
        }
        let v2 = #"{"http":{"method":"POST","path":"/v1/echo","sourceIp":"2001:db8::7"},"requestId":"r"}"#
        let forged = #"{"x-forwarded-for":"198.51.100.1"}"#
        let fromGateway = try await address(v2, headers: forged)
        XCTAssertEqual(fromGateway, "2001:db8::7")
        let loopback = try await address(
            #"{"http":{"method":"POST","path":"/v1/echo","sourceIp":"127.0.0.1"},"requestId":"r"}"#, headers: forged)
        XCTAssertEqual(loopback, "none")
        let missing = try await address(#"{"http":{"method":"POST","path":"/v1/echo"},"requestId":"r"}"#, headers: forged)
        XCTAssertEqual(missing, "none")
        let v1 = """
            {"httpMethod":"POST","path":"/v1/echo","headers":{},"body":"",
             "requestContext":{"identity":{"sourceIp":"203.0.113.5"},"requestId":"r"}}
            """
        let out = try json(try await invoke(h, v1).body)
        XCTAssertEqual(try json(bytes(try XCTUnwrap(out["body"] as? String)))["address"] as? String, "203.0.113.5")
    }

    func testV2BinaryResponseCookiesAndJoinedHeaders() async throws {
        let h = try await handler()
        let event = """
            {"version":"2.0","rawPath":"/v1/binary","rawQueryString":"","headers":{},
             "requestContext":{"http":{"method":"GET","path":"/v1/binary"}},"isBase64Encoded":false}
            """
        let out = try json(try await invoke(h, event).body)
        XCTAssertEqual(out["statusCode"] as? Int, 200)
        XCTAssertEqual(out["isBase64Encoded"] as? Bool, true)
        XCTAssertEqual(out["body"] as? String, Data([0x89, 0x50, 0x4E, 0x47, 0xFF, 0x00]).base64EncodedString())
        XCTAssertEqual(out["cookies"] as? [String], ["a=1; Path=/", "b=2; HttpOnly"])
        let headers = try XCTUnwrap(out["headers"] as? [String: String])
        XCTAssertEqual(headers["x-multi"], "one,two")
        XCTAssertNil(headers["set-cookie"])
        XCTAssertNotNil(headers["x-request-id"])
    }

    func testV1RequestAndResponse() async throws {
        let h = try await handler()
        let event = """
            {"resource":"/{proxy+}","path":"/v1/echo","httpMethod":"POST",
             "headers":{"x-multi":"two","Cookie":"k=v"},
             "multiValueHeaders":{"x-multi":["one","two"],"Cookie":["k=v"],"X-Request-ID":["req-v1-1"]},
             "queryStringParameters":{"q":"b"},"multiValueQueryStringParameters":{"q":["a b","c&d"]},
             "requestContext":{"httpMethod":"POST","requestId":"r1"},
             "body":"aGVsbG8=","isBase64Encoded":true}
            """
        let r = try await invoke(h, event)
        let out = try json(r.body)
        XCTAssertEqual(out["statusCode"] as? Int, 201, r.text)
        let multi = try XCTUnwrap(out["multiValueHeaders"] as? [String: [String]])
        XCTAssertEqual(multi["x-request-id"], ["req-v1-1"])
        XCTAssertEqual(multi["content-type"], ["application/json"])
        XCTAssertNil(out["cookies"])
        let echoed = try json(bytes(try XCTUnwrap(out["body"] as? String)))
        XCTAssertEqual(echoed["query"] as? String, "q=a%20b&q=c%26d")
        XCTAssertEqual(echoed["multi"] as? String, "one|two")
        XCTAssertEqual(echoed["cookie"] as? String, "k=v")
        XCTAssertEqual(echoed["body_b64"] as? String, Data("hello".utf8).base64EncodedString())

        // v1 binary: multi-valued headers only in multiValueHeaders, body base64.
        let bin = try json(
            try await invoke(h, #"{"path":"/v1/binary","httpMethod":"GET","headers":null,"multiValueHeaders":null,"body":null}"#).body)
        XCTAssertEqual(bin["isBase64Encoded"] as? Bool, true)
        let binMulti = try XCTUnwrap(bin["multiValueHeaders"] as? [String: [String]])
        XCTAssertEqual(binMulti["set-cookie"], ["a=1; Path=/", "b=2; HttpOnly"])
        XCTAssertNil((bin["headers"] as? [String: String])?["set-cookie"])
    }

    func testHealthThroughV2() async throws {
        let h = try await handler()
        let event = """
            {"version":"2.0","rawPath":"/v1/health","rawQueryString":"","headers":{"x-request-id":"health-1"},
             "requestContext":{"http":{"method":"GET","path":"/v1/health"}},"isBase64Encoded":false}
            """
        let out = try json(try await invoke(h, event).body)
        XCTAssertEqual(out["statusCode"] as? Int, 200)
        let health = try json(bytes(try XCTUnwrap(out["body"] as? String)))
        XCTAssertEqual(health["status"] as? String, "healthy")
        XCTAssertEqual((out["headers"] as? [String: String])?["x-request-id"], "health-1")
    }

    func testDeadlineAnswers504BeforeLambdaKillsTheInvocation() async throws {
        let h = try await handler()
        let event = """
            {"version":"2.0","rawPath":"/v1/slow","rawQueryString":"","headers":{"x-request-id":"slow-1","origin":"https://x.example"},
             "requestContext":{"http":{"method":"GET","path":"/v1/slow"}},"isBase64Encoded":false}
            """
        let server = try RuntimeAPIServer()
        defer { server.stop() }
        let task = try server.runFunction(h, limit: 1, margin: .milliseconds(300), logger: Logger(label: "runtime-test"))
        let start = ContinuousClock.now
        let r = await server.invoke(bytes(event), timeoutMs: 1_000)
        let elapsed = ContinuousClock.now - start
        XCTAssertLessThan(elapsed, .milliseconds(1_000))
        XCTAssertGreaterThan(elapsed, .milliseconds(600))
        // The loop ends once the late handler returns; its result is dropped, not posted twice.
        try await task.value
        let out = try json(r.body)
        XCTAssertEqual(out["statusCode"] as? Int, 504)
        let headers = try XCTUnwrap(out["headers"] as? [String: String])
        XCTAssertEqual(headers["x-request-id"], "slow-1")
        XCTAssertEqual(headers["content-type"], "application/json")
        XCTAssertEqual(headers["access-control-allow-origin"], "*")
        let body = try json(bytes(try XCTUnwrap(out["body"] as? String)))
        XCTAssertEqual(body["error"] as? String, "GATEWAY_TIMEOUT")
        XCTAssertEqual(body["request_id"] as? String, "slow-1")
        XCTAssertNotNil(body["message"] as? String)
        XCTAssertNotNil(body["timestamp"] as? String)
    }

    func testCognitoTriggerGoesToTheHandler() async throws {
        struct Custom: CognitoTriggerHandler {
            func handle(_ event: [UInt8]) async throws -> [UInt8] {
                var obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(event)) as? [String: Any])
                obj["response"] = ["emailSubject": "Welcome", "emailMessage": "Code {####}"]
                return Array(try JSONSerialization.data(withJSONObject: obj))
            }
        }
        let event = """
            {"version":"1","region":"us-east-1","userPoolId":"us-east-1_abc","userName":"u","triggerSource":"CustomMessage_SignUp",
             "callerContext":{"awsSdkVersion":"x","clientId":"c"},"request":{"userAttributes":{"email":"a@b.c"},"codeParameter":"{####}"},
             "response":{"smsMessage":null,"emailMessage":null,"emailSubject":null}}
            """
        let custom = try await invoke(try await handler(cognito: Custom()), event)
        XCTAssertEqual(custom.kind, .response)
        XCTAssertEqual((try json(custom.body)["response"] as? [String: String])?["emailSubject"], "Welcome")
        let passthrough = try await invoke(try await handler(), event)
        XCTAssertEqual(passthrough.text, event)
    }

    func testUnknownEventIsAnInvocationError() async throws {
        let h = try await handler()
        for event in [#"{"Records":[{"eventSource":"aws:sqs"}]}"#, "not json", "[1,2]"] {
            let r = try await invoke(h, event)
            XCTAssertEqual(r.kind, .error)
            XCTAssertEqual(r.errorType, "UnsupportedEvent")
            XCTAssertEqual(try json(r.body)["errorType"] as? String, "UnsupportedEvent")
        }
    }

    static let healthEvent = """
        {"version":"2.0","rawPath":"/v1/health","rawQueryString":"","headers":{},
         "requestContext":{"http":{"method":"GET","path":"/v1/health"}},"isBase64Encoded":false}
        """

    func testEMFMetricsPerRouteAndBusinessEvents() async throws {
        let h = try await handler()
        _ = LineSink.shared.take()
        testMetrics.flush()
        _ = LineSink.shared.take()
        _ = try await invoke(h, Self.healthEvent)
        AppMetrics.event("user_registered")
        AppMetrics.event("user_registered")
        AppMetrics.failure("mailer")
        testMetrics.recordColdStart(initDuration: .milliseconds(3))
        testMetrics.flush()
        let lines = LineSink.shared.take()
        let objects = try lines.map { try json(bytes($0)) }
        func find(_ metric: String) -> [String: Any]? { objects.first { $0[metric] != nil } }
        let latency = try XCTUnwrap(find("request_latency"), "\(lines)")
        XCTAssertEqual(latency["route"] as? String, "/v1/health")
        XCTAssertEqual(latency["method"] as? String, "GET")
        XCTAssertEqual(latency["status_class"] as? String, "2xx")
        let aws = try XCTUnwrap(latency["_aws"] as? [String: Any])
        let directive = try XCTUnwrap((aws["CloudWatchMetrics"] as? [[String: Any]])?.first)
        XCTAssertEqual(directive["Namespace"] as? String, "LifestyleBackend/test")
        XCTAssertEqual(directive["Dimensions"] as? [[String]], [["service", "route", "method", "status_class"]])
        let business = try XCTUnwrap(find("business_events"))
        XCTAssertEqual(business["event"] as? String, "user_registered")
        XCTAssertEqual(business["business_events"] as? Int, 2)
        XCTAssertEqual(try XCTUnwrap(find("failures"))["kind"] as? String, "mailer")
        let cold = try XCTUnwrap(find("ColdStart"))
        XCTAssertEqual(cold["InitDuration"] as? Int, 3)
        // Flushed series are reset: nothing to write until something new happens.
        testMetrics.flush()
        XCTAssertEqual(LineSink.shared.take(), [])
    }

    /// The canary alarm's own count: answers of 500 and above, per published version; nothing
    /// for answers below 500.
    func testServerErrorsAreCountedPerVersion() async throws {
        let base = try await handler()
        let h = LifestyleLambdaHandler(app: base.app, cognito: base.cognito, version: "42")
        testMetrics.flush()
        _ = LineSink.shared.take()
        _ = try await invoke(h, Self.healthEvent)
        h.countServerError(404)
        testMetrics.flush()
        XCTAssertFalse(LineSink.shared.take().contains { $0.contains("server_errors") })
        h.countServerError(503)
        h.countServerError(500)
        testMetrics.flush()
        let objects = try LineSink.shared.take().map { try json(bytes($0)) }
        let errors = try XCTUnwrap(objects.first { $0["server_errors"] != nil })
        XCTAssertEqual(errors["version"] as? String, "42")
        XCTAssertEqual(errors["server_errors"] as? Int, 2)
        let aws = try XCTUnwrap(errors["_aws"] as? [String: Any])
        let directive = try XCTUnwrap((aws["CloudWatchMetrics"] as? [[String: Any]])?.first)
        // the dimensions the canary alarm names (terraform/modules/monitoring)
        XCTAssertEqual(directive["Dimensions"] as? [[String]], [["service", "version"]])
    }
}
