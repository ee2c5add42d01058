public import LambdaEvents
public import LambdaRuntime
public import LifestyleCore
import LifestyleToolkit

/// Translation between API Gateway proxy payloads and the core's `APIRequest`/`APIResponse`.
public enum APIGateway {
    public enum Version: Sendable { case v1, v2 }

    public static func decode(_ bytes: [UInt8]) throws(LambdaInvocationError) -> IncomingEvent {
        do {
            return try IncomingEvent(bytes: bytes)
        } catch {
            throw LambdaInvocationError(type: "UnsupportedEvent", message: "event is not a JSON object of a known shape")
        }
    }

    /// Payload 2.0 or 1.0 event → core request. Throws `InvalidEvent` on a malformed base64 body.
    public static func request(from event: IncomingEvent, version: Version) throws(LambdaInvocationError) -> APIRequest {
        var headers = APIHeaders()
        let method: String, path: String, query: String
        switch version {
        case .v2:
            method = event.requestContext?.http?.method ?? "GET"
            path = event.rawPath ?? event.requestContext?.http?.path ?? "/"
            query = event.rawQueryString ?? ""
            for (name, value) in (event.headers ?? [:]).sorted(by: { $0.key < $1.key }) { headers.add(name, value) }
            if let cookies = event.cookies, !cookies.isEmpty, headers["cookie"] == nil {
                headers.add("cookie", cookies.joined(separator: "; "))
            }
        case .v1:
            method = event.httpMethod ?? "GET"
            path = event.path ?? "/"
            if let multi = event.multiValueHeaders, !multi.isEmpty {
                for (name, values) in multi.sorted(by: { $0.key < $1.key }) {
                    for v in values { headers.add(name, v) }
                }
            } else {
                for (name, value) in (event.headers ?? [:]).sorted(by: { $0.key < $1.key }) { headers.add(name, value) }
            }
            var pairs: [(String, String)] = []
            if let multi = event.multiValueQueryStringParameters, !multi.isEmpty {
                for (k, vs) in multi.sorted(by: { $0.key < $1.key }) { for v in vs { pairs.append((k, v)) } }
            } else if let single = event.queryStringParameters {
                for (k, v) in single.sorted(by: { $0.key < $1.key }) { pairs.append((k, v)) }
            }
            query = pairs.map { PercentEncoding.encode($0.0) + "=" + PercentEncoding.encode($0.1) }.joined(separator: "&")
        }
        var body: [UInt8] = []
        if let text = event.body, !text.isEmpty {
            if event.isBase64Encoded == true {
                guard let data = Base64.decode(text, ignoringWhitespace: true) else {
                    throw LambdaInvocationError(type: "InvalidEvent", message: "body is marked base64 but is not valid base64")
                }
                body = Array(data)
            } else {
                body = Array(text.utf8)
            }
        }
        var request = APIRequest(method: method, path: path, query: query, headers: headers, body: body)
        let source = version == .v2 ? event.requestContext?.http?.sourceIp : event.requestContext?.identitySourceIp
        request.clientAddress = clientAddress(source)
        return request
    }

    /// API Gateway's `sourceIp` (the TCP peer its edge saw) as the client's address. A loopback
    /// or missing source is a local front (`serve --lambda` on a laptop), not a client: no address.
    static func clientAddress(_ source: String?) -> String? {
        guard let source, !source.isEmpty, source.utf8.count <= 64 else { return nil }
        if source.hasPrefix("127.") || source == "::1" || source.hasPrefix("::ffff:127.") { return nil }
        return source
    }

    /// Core response → payload 2.0 (`cookies` from Set-Cookie) or 1.0 (`multiValueHeaders`) JSON.
    /// Written with literal chunks rather than `JSONWriter`: every invocation pays for it, and
    /// the writer (one append per token) was measured 5-10 % slower on warm health.
    public static func encode(_ response: APIResponse, as version: Version) -> [UInt8] {
        var out = "{\"statusCode\":\(response.status),\"headers\":{"
        var order: [String] = []
        var grouped: [String: [String]] = [:]
        var cookies: [String] = []
        for (name, value) in response.headers {
            if version == .v2 && name == "set-cookie" {
                cookies.append(value)
                continue
            }
            if grouped[name] == nil { order.append(name) }
            grouped[name, default: []].append(value)
        }
        var first = true
        for name in order {
            let values = grouped[name]!
            if version == .v1 && values.count > 1 { continue }
            if !first { out += "," }
            first = false
            JSONText.appendQuoted(name, to: &out)
            out += ":"
            JSONText.appendQuoted(values.joined(separator: ","), to: &out)
        }
        out += "}"
        switch version {
        case .v2:
            if !cookies.isEmpty {
                out += ",\"cookies\":["
                for (i, c) in cookies.enumerated() {
                    if i > 0 { out += "," }
                    JSONText.appendQuoted(c, to: &out)
                }
                out += "]"
            }
        case .v1:
            out += ",\"multiValueHeaders\":{"
            for (i, name) in order.enumerated() {
                if i > 0 { out += "," }
                JSONText.appendQuoted(name, to: &out)
                out += ":["
                for (j, v) in grouped[name]!.enumerated() {
                    if j > 0 { out += "," }
                    JSONText.appendQuoted(v, to: &out)
                }
                out += "]"
            }
            out += "}"
        }
        out += ",\"body\":"
        if let text = textBody(response) {
            JSONText.appendQuoted(text, to: &out)
            out += ",\"isBase64Encoded\":false}"
        } else {
            JSONText.appendQuoted(Base64.encode(response.body), to: &out)
            out += ",\"isBase64Encoded\":true}"
        }
        return Array(out.utf8)
    }

    /// The body as text when it is valid UTF-8 and its content type is not a binary one.
    static func textBody(_ response: APIResponse) -> String? {
        if response.body.isEmpty { return "" }
        if let type = response.headers["content-type"]?.lowercased() {
            let binary = [
                "image/", "audio/", "video/", "font/", "application/octet-stream", "application/pdf", "application/zip",
                "application/gzip",
            ]
            if binary.contains(where: { type.hasPrefix($0) }) { return nil }
        }
        return String(validating: response.body, as: UTF8.self)
    }
}
