public import LifestyleCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Every field the runtime looks at, across API Gateway payloads 1.0 and 2.0 and Cognito
/// triggers; the event kind is decided by which fields are present.
public struct IncomingEvent: Sendable {
    public struct RequestContext: Sendable {
        public struct HTTP: Sendable {
            public var method: String?
            public var path: String?
            public var sourceIp: String?
            init() {}
        }
        public var http: HTTP?
        /// Payload 1.0's `requestContext.identity.sourceIp`.
        public var identitySourceIp: String?
        public var requestId: String?
        public var httpMethod: String?
        init() {}
    }
    public var version: String?
    public var rawPath: String?
    public var rawQueryString: String?
    public var cookies: [String]?
    public var headers: [String: String]?
    public var multiValueHeaders: [String: [String]]?
    public var queryStringParameters: [String: String]?
    public var multiValueQueryStringParameters: [String: [String]]?
    public var requestContext: RequestContext?
    public var httpMethod: String?
    public var path: String?
    public var body: String?
    public var isBase64Encoded: Bool?
    public var triggerSource: String?
    public var userPoolId: String?

    /// Reads an event in one pass: known fields are read into place, everything else is skipped
    /// without being built. A known field of the wrong type is an error (as a `Decodable` struct
    /// would fail); `null` counts as absent.
    init(bytes: [UInt8]) throws(JSONParser.Failure) {
        var event = IncomingEvent()
        try bytes.withUnsafeBufferPointer { buf throws(JSONParser.Failure) in
            var p = JSONParser(buf)
            try p.expectObject()
            var first = true
            while let key = try p.nextMember(&first) {
                switch key {
                case "version": event.version = try Self.string(&p)
                case "rawPath": event.rawPath = try Self.string(&p)
                case "rawQueryString": event.rawQueryString = try Self.string(&p)
                case "httpMethod": event.httpMethod = try Self.string(&p)
                case "path": event.path = try Self.string(&p)
                case "body": event.body = try Self.string(&p)
                case "triggerSource": event.triggerSource = try Self.string(&p)
                case "userPoolId": event.userPoolId = try Self.string(&p)
                case "cookies": event.cookies = try Self.strings(p.value())
                case "headers": event.headers = try Self.stringMap(&p)
                case "queryStringParameters": event.queryStringParameters = try Self.stringMap(&p)
                case "multiValueHeaders": event.multiValueHeaders = try Self.listMap(p.value())
                case "multiValueQueryStringParameters": event.multiValueQueryStringParameters = try Self.listMap(p.value())
                case "isBase64Encoded":
                    switch try p.value() {
                    case .null: event.isBase64Encoded = nil
                    case .bool(let v): event.isBase64Encoded = v
                    default: throw Self.shape("isBase64Encoded must be a boolean")
                    }
                case "requestContext": event.requestContext = try Self.requestContext(&p)
                default: try p.skipValue()
                }
            }
            try p.expectEnd()
        }
        self = event
    }

    init() {}

    static func shape(_ what: String) -> JSONParser.Failure { JSONParser.Failure(offset: 0, reason: what) }

    static func string(_ p: inout JSONParser) throws(JSONParser.Failure) -> String? {
        if try p.takeNull() { return nil }
        return try p.stringValue()
    }

    static func stringMap(_ p: inout JSONParser) throws(JSONParser.Failure) -> [String: String]? {
        if try p.takeNull() { return nil }
        try p.expectObject()
        var out: [String: String] = [:]
        var first = true
        while let key = try p.nextMember(&first) { out[key] = try p.stringValue() }
        return out
    }

    static func requestContext(_ p: inout JSONParser) throws(JSONParser.Failure) -> RequestContext? {
        if try p.takeNull() { return nil }
        try p.expectObject()
        var context = RequestContext()
        var first = true
        while let key = try p.nextMember(&first) {
            switch key {
            case "requestId": context.requestId = try string(&p)
            case "httpMethod": context.httpMethod = try string(&p)
            case "http":
                if try p.takeNull() { continue }
                try p.expectObject()
                var http = RequestContext.HTTP()
                var firstInner = true
                while let k = try p.nextMember(&firstInner) {
                    switch k {
                    case "method": http.method = try string(&p)
                    case "path": http.path = try string(&p)
                    case "sourceIp": http.sourceIp = try string(&p)
                    default: try p.skipValue()
                    }
                }
                context.http = http
            case "identity":
                if try p.takeNull() { continue }
                try p.expectObject()
                var firstInner = true
                while let k = try p.nextMember(&firstInner) {
                    if k == "sourceIp" { context.identitySourceIp = try string(&p) } else { try p.skipValue() }
                }
            default: try p.skipValue()
            }
        }
        return context
    }

    static func strings(_ v: JSONValue) throws(JSONParser.Failure) -> [String]? {
        switch v {
        case .null: return nil
        case .array(let items):
            var out: [String] = []
            out.reserveCapacity(items.count)
            for item in items {
                guard case .string(let s) = item else { throw shape("expected strings") }
                out.append(s)
            }
            return out
        default: throw shape("expected an array of strings")
        }
    }

    static func listMap(_ v: JSONValue) throws(JSONParser.Failure) -> [String: [String]]? {
        switch v {
        case .null: return nil
        case .object(let o):
            var out: [String: [String]] = [:]
            out.reserveCapacity(o.count)
            for (k, item) in o { out[k] = try strings(item) ?? [] }
            return out
        default: throw shape("expected an object of string arrays")
        }
    }

    public enum Kind: Sendable, Equatable {
        case httpV2, httpV1, cognitoTrigger, unsupported
    }

    public var kind: Kind {
        if triggerSource != nil && userPoolId != nil { return .cognitoTrigger }
        if version == "2.0", requestContext?.http?.method != nil { return .httpV2 }
        if httpMethod != nil, path != nil { return .httpV1 }
        return .unsupported
    }
}

/// Translation between API Gateway proxy payloads and the core's `Request`/`Response`.
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
    public static func request(from event: IncomingEvent, version: Version) throws(LambdaInvocationError) -> Request {
        var headers = Headers()
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
            query = pairs.map { percentEncode($0.0) + "=" + percentEncode($0.1) }.joined(separator: "&")
        }
        var body: [UInt8] = []
        if let text = event.body, !text.isEmpty {
            if event.isBase64Encoded == true {
                guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else {
                    throw LambdaInvocationError(type: "InvalidEvent", message: "body is marked base64 but is not valid base64")
                }
                body = Array(data)
            } else {
                body = Array(text.utf8)
            }
        }
        var request = Request(method: method, path: path, query: query, headers: headers, body: body)
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
    public static func encode(_ response: Response, as version: Version) -> [UInt8] {
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
            JSONText.appendQuoted(Data(response.body).base64EncodedString(), to: &out)
            out += ",\"isBase64Encoded\":true}"
        }
        return Array(out.utf8)
    }

    /// The body as text when it is valid UTF-8 and its content type is not a binary one.
    static func textBody(_ response: Response) -> String? {
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

    static func percentEncode(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E:
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
