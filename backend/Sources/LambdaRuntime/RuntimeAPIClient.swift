import LifestyleToolkit

#if os(Linux)
    import Glibc
#else
    #error("Linux only: this file calls Glibc directly (the Lambda runtime and the local server run on Linux)")
#endif

/// One invocation handed out by `GET /runtime/invocation/next`.
public struct Invocation: Sendable {
    public var requestID: String
    /// Wall-clock deadline in milliseconds since the Unix epoch (`Lambda-Runtime-Deadline-Ms`).
    public var deadlineMs: Int64
    public var invokedFunctionARN: String
    public var traceID: String?
    public var body: [UInt8]

    public init(requestID: String, deadlineMs: Int64, invokedFunctionARN: String = "", traceID: String? = nil, body: [UInt8]) {
        self.requestID = requestID
        self.deadlineMs = deadlineMs
        self.invokedFunctionARN = invokedFunctionARN
        self.traceID = traceID
        self.body = body
    }
}

/// Why the runtime stopped talking to the Runtime API.
public enum RuntimeAPIError: Error, CustomStringConvertible, Sendable {
    /// No connection, or the connection dropped (the API is gone: the process must exit).
    case unreachable(endpoint: String, reason: String)
    /// The API answered with an unexpected status or without the required headers.
    case protocolError(String)
    /// SIGTERM arrived while waiting for the next invocation.
    case terminated

    public var description: String {
        switch self {
        case .unreachable(let e, let r): "Lambda Runtime API at \(e) unreachable: \(r)"
        case .protocolError(let m): "Lambda Runtime API protocol error: \(m)"
        case .terminated: "terminated by SIGTERM"
        }
    }
}

/// A blocking HTTP/1.1 client for the Lambda Runtime API (2018-06-01) over one keep-alive
/// connection. Used from one task at a time (the runtime loop); not shared.
public final class RuntimeAPIClient {
    public let endpoint: String
    let host: String
    let port: UInt16
    var fd: Int32 = -1
    var reader: ByteReader?

    public init(endpoint: String) throws(RuntimeAPIError) {
        guard let (host, port) = TCP.parseEndpoint(endpoint) else {
            throw .unreachable(endpoint: endpoint, reason: "AWS_LAMBDA_RUNTIME_API must be host:port")
        }
        self.endpoint = endpoint
        self.host = host
        self.port = port
    }

    /// A second client for the same Runtime API (its own connection, opened on first use).
    public init(sameEndpointAs other: RuntimeAPIClient) {
        self.endpoint = other.endpoint
        self.host = other.host
        self.port = other.port
    }

    deinit { disconnect() }

    func disconnect() {
        if fd >= 0 { close(fd) }
        fd = -1
        reader = nil
    }

    /// Long-polls for the next invocation.
    public func next() throws(RuntimeAPIError) -> Invocation {
        let response = try exchange(method: "GET", path: "/2018-06-01/runtime/invocation/next", headers: [], body: [], polling: true)
        guard response.status == 200 else {
            throw .protocolError("next answered \(response.status): \(String(decoding: response.body.prefix(200), as: UTF8.self))")
        }
        guard let id = response.header("lambda-runtime-aws-request-id"), !id.isEmpty else {
            throw .protocolError("next answered without Lambda-Runtime-Aws-Request-Id")
        }
        let deadline = response.header("lambda-runtime-deadline-ms").flatMap { Int64($0) } ?? (UnixClock.epochMilliseconds() + 3_000)
        return Invocation(
            requestID: id, deadlineMs: deadline,
            invokedFunctionARN: response.header("lambda-runtime-invoked-function-arn") ?? "",
            traceID: response.header("lambda-runtime-trace-id"), body: response.body)
    }

    /// Posts the invocation result.
    public func respond(requestID: String, body: [UInt8]) throws(RuntimeAPIError) {
        try post("/2018-06-01/runtime/invocation/\(requestID)/response", headers: [("content-type", "application/json")], body: body)
    }

    /// Reports a failed invocation.
    public func reportError(requestID: String, type: String, message: String) throws(RuntimeAPIError) {
        try post(
            "/2018-06-01/runtime/invocation/\(requestID)/error",
            headers: [("content-type", "application/json"), ("lambda-runtime-function-error-type", type)],
            body: Self.errorBody(type: type, message: message))
    }

    /// Reports a start-up failure; the process exits afterwards.
    public func reportInitError(type: String, message: String) throws(RuntimeAPIError) {
        try post(
            "/2018-06-01/runtime/init/error",
            headers: [("content-type", "application/json"), ("lambda-runtime-function-error-type", type)],
            body: Self.errorBody(type: type, message: message))
    }

    /// `{"errorMessage":…,"errorType":…}`.
    public static func errorBody(type: String, message: String) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.field("errorMessage", message)
        json.field("errorType", type)
        json.endObject()
        return json.bytes
    }

    func post(_ path: String, headers: [(String, String)], body: [UInt8]) throws(RuntimeAPIError) {
        let response = try exchange(method: "POST", path: path, headers: headers, body: body, polling: false)
        guard (200..<300).contains(response.status) else {
            throw .protocolError(
                "POST \(path) answered \(response.status): \(String(decoding: response.body.prefix(200), as: UTF8.self))")
        }
    }

    /// Sends one request and reads its response. A reused connection that turns out to be closed
    /// before any answer is re-opened once.
    func exchange(method: String, path: String, headers: [(String, String)], body: [UInt8], polling: Bool)
        throws(RuntimeAPIError) -> HTTPMessage
    {
        var request = HTTPMessage()
        request.method = method
        request.target = path
        request.headers = headers.map { ($0.0, $0.1) }
        request.body = body
        let bytes = request.serialized(host: endpoint)
        var attempt = 0
        while true {
            attempt += 1
            let reused = fd >= 0
            do {
                if fd < 0 {
                    fd = try TCP.connect(host: host, port: port)
                    reader = ByteReader(fd: fd)
                }
                if polling { Termination.beginPolling(fd) }
                defer { if polling { Termination.endPolling() } }
                if polling && Termination.requested { throw RuntimeAPIError.terminated }
                try TCP.sendAll(fd, bytes)
                guard let response = try HTTPMessage.read(from: &reader!, isResponse: true) else {
                    if polling && Termination.requested { throw RuntimeAPIError.terminated }
                    throw TCP.Failure("connection closed by the Runtime API")
                }
                if response.header("connection")?.lowercased() == "close" { disconnect() }
                return response
            } catch let error as RuntimeAPIError {
                disconnect()
                throw error
            } catch {
                disconnect()
                if polling && Termination.requested { throw .terminated }
                if reused && attempt == 1 { continue }
                let reason = (error as? TCP.Failure)?.description ?? "\(error)"
                throw .unreachable(endpoint: endpoint, reason: reason)
            }
        }
    }
}
