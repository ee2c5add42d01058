public import LifestyleToolkit

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
    public init(bytes: [UInt8]) throws(JSONParser.Failure) {
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
