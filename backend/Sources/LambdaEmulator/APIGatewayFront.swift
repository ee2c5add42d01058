import HTTPTypes
import Hummingbird
import LambdaEvents
import LambdaRuntime
import LifestyleToolkit
public import Logging
import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An API Gateway HTTP API (payload 2.0) stand-in: every HTTP request on loopback becomes a 2.0
/// event queued on the Runtime API emulator; the function's answer becomes the HTTP response.
/// Function errors answer 502 and timeouts 504. `gateway` adds what API Gateway answers by
/// itself (CORS, the JWT authorizer, the throttle), as the deployed HTTP API is configured.
public enum APIGatewayFront {
    public static func run(
        runtime: RuntimeAPIServer, host: String, port: Int, timeoutMs: Int64 = 30_000, gateway: GatewayBehaviour = .passThrough,
        logger: Logger, onReady: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        var serverLogger = logger
        serverLogger.logLevel = max(logger.logLevel, .notice)
        let application = Application(
            responder: FrontResponder(runtime: runtime, timeoutMs: timeoutMs, gateway: gateway),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onReady(channel.localAddress?.port ?? port) },
            logger: serverLogger)
        try await application.runService()
    }

    /// The payload 2.0 event for one HTTP request.
    public static func event(
        method: String, path: String, query: String, headers: [(String, String)], body: [UInt8], sourceIP: String = "127.0.0.1"
    ) -> [UInt8] {
        var merged: [String: String] = [:]
        var order: [String] = []
        var cookies: [String] = []
        for (rawName, value) in headers {
            let name = rawName.lowercased()
            if name == "cookie" {
                cookies += value.split(separator: ";").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                continue
            }
            if let old = merged[name] { merged[name] = old + "," + value } else { merged[name] = value; order.append(name) }
        }
        let requestID = RequestID.generate()
        let epochMs = UnixClock.epochMilliseconds()
        var json = JSONWriter(capacity: 512 + body.count)
        json.beginObject()
        json.field("version", "2.0")
        json.field("routeKey", "$default")
        json.field("rawPath", path)
        json.field("rawQueryString", query)
        if !cookies.isEmpty { json.field("cookies", strings: cookies) }
        json.field("headers", object: order.map { ($0, merged[$0]!) })
        if !query.isEmpty {
            var params: [String: String] = [:]
            var porder: [String] = []
            for pair in query.split(separator: "&") {
                // `=` alone, or `=value`: no name (a crash here once took the whole front down)
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard !kv[0].isEmpty else { continue }
                let k = PercentEncoding.decode(String(kv[0]), plusAsSpace: true)
                let v = kv.count > 1 ? PercentEncoding.decode(String(kv[1]), plusAsSpace: true) : ""
                if let old = params[k] { params[k] = old + "," + v } else { params[k] = v; porder.append(k) }
            }
            json.field("queryStringParameters", object: porder.map { ($0, params[$0]!) })
        }
        json.key("requestContext")
        json.beginObject()
        json.field("accountId", "123456789012")
        json.field("apiId", "local")
        json.field("domainName", "localhost")
        json.field("domainPrefix", "localhost")
        json.field(
            "http",
            object: [
                ("method", method), ("path", path), ("protocol", "HTTP/1.1"), ("sourceIp", sourceIP),
                ("userAgent", merged["user-agent"] ?? ""),
            ])
        json.field("requestId", requestID)
        json.field("routeKey", "$default")
        json.field("stage", "$default")
        json.key("timeEpoch")
        json.number(epochMs)
        json.endObject()
        if !body.isEmpty {
            if let text = String(validating: body, as: UTF8.self) {
                json.field("body", text)
                json.key("isBase64Encoded")
                json.bool(false)
            } else {
                json.field("body", Base64.encode(body))
                json.key("isBase64Encoded")
                json.bool(true)
            }
        } else {
            json.key("isBase64Encoded")
            json.bool(false)
        }
        json.endObject()
        return json.bytes
    }

    /// The function's payload 2.0 answer.
    public struct V2Response: Decodable, Sendable {
        public var statusCode: Int
        public var headers: [String: String]?
        public var cookies: [String]?
        public var body: String?
        public var isBase64Encoded: Bool?

        public var bodyBytes: [UInt8] {
            guard let body else { return [] }
            if isBase64Encoded == true { return Base64.decode(body) ?? [] }
            return Array(body.utf8)
        }
    }
}

struct FrontResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let runtime: RuntimeAPIServer
    let timeoutMs: Int64
    let gateway: GatewayBehaviour

    func respond(to request: Hummingbird.Request, context: Context) async throws -> Hummingbird.Response {
        var response = try await corsAnswer(request)
        // API Gateway's own id on every answer, its own ones included (which have no X-Request-ID)
        response.headers[HTTPField.Name("apigw-requestid")!] = RequestID.generate()
        return response
    }

    func corsAnswer(_ request: Hummingbird.Request) async throws -> Hummingbird.Response {
        let origin = request.headers[.origin]
        guard let cors = gateway.cors, let origin else { return try await gatewayAnswer(request) }
        // With a CORS configuration API Gateway answers every preflight itself, and every other
        // answer (the function's, the authorizer's, the throttle's) carries its CORS headers only.
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var fields = HTTPFields()
            if let allowed = cors.allowOrigin(origin) {
                fields[.accessControlAllowOrigin] = allowed
                fields[.accessControlAllowMethods] = cors.allowMethods
                fields[.accessControlAllowHeaders] = cors.allowHeaders
                fields[.accessControlMaxAge] = String(cors.maxAgeSeconds)
            }
            if cors.variesByOrigin { fields[.vary] = "Origin" }
            return Hummingbird.Response(status: .noContent, headers: fields)
        }
        var response = try await gatewayAnswer(request)
        for name in response.headers.map(\.name) where name.canonicalName.hasPrefix("access-control-") {
            response.headers[name] = nil
        }
        if let allowed = cors.allowOrigin(origin) {
            response.headers[.accessControlAllowOrigin] = allowed
            response.headers[.accessControlExposeHeaders] = cors.exposeHeaders
        }
        if cors.variesByOrigin, !(response.headers[.vary] ?? "").lowercased().contains("origin") {
            response.headers[.vary] = [response.headers[.vary], "Origin"].compactMap { $0 }.joined(separator: ", ")
        }
        return response
    }

    /// The throttle, then the authorizer, then the function.
    func gatewayAnswer(_ request: Hummingbird.Request) async throws -> Hummingbird.Response {
        let routeKey = gateway.routeKey(method: request.method.rawValue, path: request.uri.path)
        if let throttle = gateway.throttle, !throttle.admit(routeKey) {
            return Self.plain(.tooManyRequests, "{\"message\":\"Too Many Requests\"}")
        }
        if let authorize = gateway.authorize, gateway.protectedRoutes.contains(routeKey) {
            guard let token = GatewayBehaviour.token(request.headers[.authorization]) else {
                return Self.plain(.unauthorized, "{\"message\":\"Unauthorized\"}")
            }
            guard await authorize(token) else {
                var answer = Self.plain(.unauthorized, "{\"message\":\"Unauthorized\"}")
                answer.headers[.wwwAuthenticate] =
                    "Bearer scope=\"\" error=\"invalid_token\" error_description=\"the token is not valid\""
                return answer
            }
        }
        return try await invoke(request)
    }

    func invoke(_ request: Hummingbird.Request) async throws -> Hummingbird.Response {
        var request = request
        // API Gateway's own payload limit is 10 MB; the function enforces the contract's 1 MiB.
        let body = try await request.collectBody(upTo: 10 << 20)
        let headers = request.headers.map { ($0.name.canonicalName, $0.value) }
        let event = APIGatewayFront.event(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "", headers: headers,
            body: Array(buffer: body), sourceIP: Self.sourceIP(request.headers[HTTPField.Name("X-Forwarded-For")!]))
        let result = await runtime.invoke(event, timeoutMs: timeoutMs)
        guard result.kind == .response, let answer = try? JSONDecoder().decode(APIGatewayFront.V2Response.self, from: Data(result.body))
        else {
            let status: HTTPResponse.Status = result.errorType == "Stopped" ? .serviceUnavailable : .badGateway
            return Self.plain(status, "{\"message\":\"Internal Server Error\"}")
        }
        var fields = HTTPFields()
        for (name, value) in (answer.headers ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let n = HTTPField.Name(name) { fields.append(HTTPField(name: n, value: value)) }
        }
        for cookie in answer.cookies ?? [] { fields.append(HTTPField(name: .setCookie, value: cookie)) }
        return Hummingbird.Response(
            status: HTTPResponse.Status(code: answer.statusCode), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.bodyBytes)))
    }

    /// The front listens on loopback only, so its peer is always 127.0.0.1. Standing in for API
    /// Gateway's edge, it takes the client address a test says it calls from (the first
    /// `X-Forwarded-For` entry) as `sourceIp`; without one the source is loopback (no address).
    static func sourceIP(_ forwarded: String?) -> String {
        guard let first = forwarded?.split(separator: ",").first?.trimmingCharacters(in: .whitespaces), !first.isEmpty else {
            return "127.0.0.1"
        }
        return first
    }

    static func plain(_ status: HTTPResponse.Status, _ text: String) -> Hummingbird.Response {
        Hummingbird.Response(
            status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
