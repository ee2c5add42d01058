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
    /// Where the one keep-alive connection stands; every request goes through `exchange`.
    var state = State.disconnected

    enum State {
        /// No connection: not opened yet, or dropped (a failure, or `connection: close`).
        case disconnected
        /// Open, no request outstanding: the next request may be sent on it.
        case idle(Connection)
        /// The long poll's request is sent and its answer did not come within `inlineWaitMs`;
        /// nothing else may be sent until `awaitedAnswer()` has read it. `reused`: the request
        /// went on a connection an earlier exchange had opened (one that may have been closed
        /// meanwhile, which earns one retry on a new connection).
        case awaitingNext(Connection, reused: Bool)
    }

    /// One TCP connection to the Runtime API and its read buffer; closed when released.
    final class Connection {
        var reader: ByteReader
        var fd: Int32 { reader.fd }
        init(fd: Int32) { reader = ByteReader(fd: fd) }
        deinit { close(reader.fd) }
    }

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

    func disconnect() { state = .disconnected }

    /// Long-polls for the next invocation. The wait for Lambda's answer does not hold a thread of
    /// the cooperative pool (a 1-vCPU function has one) for long: an answer there within
    /// `inlineWaitMs` (a cold start's first event, a busy function's next one) is read inline; a
    /// longer wait suspends the task while a plain thread waits on the socket, so background work
    /// (the JWKS and secret prefetch, a TLS handshake) runs meanwhile.
    public func next() async throws(RuntimeAPIError) -> Invocation {
        var answer = try exchange(method: "GET", path: Self.nextPath, headers: [], body: [], polling: true)
        while answer == nil {
            guard case .awaitingNext(let connection, _) = state else { preconditionFailure("no long poll outstanding") }
            // SIGTERM's shutdown(2) of the socket ends the wait, as it ends a blocking read
            Termination.beginPolling(connection.fd)
            if !Termination.requested { await Self.readable(connection.fd) }
            Termination.endPolling()
            answer = try awaitedAnswer()
        }
        guard let response = answer else { throw .protocolError("no answer to next") }
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

    static let nextPath = "/2018-06-01/runtime/invocation/next"

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
        guard let response = try exchange(method: "POST", path: path, headers: headers, body: body, polling: false)
        else { throw .protocolError("no answer to POST \(path)") }
        guard (200..<300).contains(response.status) else {
            throw .protocolError(
                "POST \(path) answered \(response.status): \(String(decoding: response.body.prefix(200), as: UTF8.self))")
        }
    }

    /// How long a long poll may wait for its answer on the calling (pool) thread before it
    /// moves the wait off the pool. Long enough that a busy function's next event (and a cold
    /// start's first) is read inline, with no thread hop; short against the seconds to minutes
    /// an idle function waits.
    static let inlineWaitMs: Int32 = 20

    /// Waits (on the waiter thread, the calling task suspended) until `fd` has something to read:
    /// the answer, or the hang-up or SIGTERM's shutdown that the read then reports.
    static func readable(_ fd: Int32) async {
        await withCheckedContinuation { (answered: CheckedContinuation<Void, Never>) in
            SocketWaiter.shared.wait(fd) { answered.resume() }
        }
    }

    /// poll(2) for input (or hang-up/error); -1 waits without limit. True when there is some.
    static func poll(_ fd: Int32, ms timeout: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        var n: Int32
        repeat { n = Glibc.poll(&p, 1, timeout) } while n < 0 && Glibc.errno == EINTR
        return n != 0
    }

    /// Sends one request and reads its response. A reused connection that turns out to be closed
    /// before any answer is re-opened once. A long poll (`polling`) whose answer is not there
    /// within `inlineWaitMs` returns nil in state `.awaitingNext` instead of blocking; the caller
    /// waits off the pool and then reads the answer with `awaitedAnswer()`.
    func exchange(method: String, path: String, headers: [(String, String)], body: [UInt8], polling: Bool)
        throws(RuntimeAPIError) -> HTTPMessage?
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
            var reused = false
            do {
                let connection: Connection
                switch state {
                case .awaitingNext:
                    preconditionFailure("\(method) \(path) while the long poll's answer is outstanding")
                case .idle(let open):
                    connection = open
                    reused = true
                case .disconnected:
                    connection = Connection(fd: try TCP.connect(host: host, port: port))
                    // every read waits at most inlineWaitMs at a time (see `receive()` below)
                    var slice = timeval(tv_sec: 0, tv_usec: Int(Self.inlineWaitMs) * 1000)
                    setsockopt(connection.fd, SOL_SOCKET, SO_RCVTIMEO, &slice, socklen_t(MemoryLayout<timeval>.size))
                    state = .idle(connection)
                }
                if polling { Termination.beginPolling(connection.fd) }
                defer { if polling { Termination.endPolling() } }
                if polling && Termination.requested { throw RuntimeAPIError.terminated }
                try TCP.sendAll(connection.fd, bytes)
                // one recv(2) that waits at most inlineWaitMs (the socket's receive timeout): no
                // extra syscall when the answer comes in time, `.awaitingNext` when it does not
                if polling && !connection.reader.hasBuffered, try connection.reader.receive() == nil {
                    state = .awaitingNext(connection, reused: reused)
                    return nil
                }
                return try answer(on: connection, polling: polling)
            } catch {
                let failure = dropped(after: error, polling: polling)
                if case .unreachable = failure, reused, attempt == 1 { continue }  // a new connection: the request goes again
                throw failure
            }
        }
    }

    /// Reads the long poll's answer once its socket is readable (state `.awaitingNext`). Like
    /// `exchange`, a reused connection found closed sends the request again on a new one.
    func awaitedAnswer() throws(RuntimeAPIError) -> HTTPMessage? {
        guard case .awaitingNext(let connection, let reused) = state else {
            preconditionFailure("no long poll outstanding")
        }
        state = .idle(connection)
        do {
            return try answer(on: connection, polling: true)
        } catch {
            let failure = dropped(after: error, polling: true)
            if case .unreachable = failure, reused {
                return try exchange(method: "GET", path: Self.nextPath, headers: [], body: [], polling: true)
            }
            throw failure
        }
    }

    /// Drops the connection after a failed exchange and says why: SIGTERM's shutdown during a
    /// long poll, or a Runtime API that is unreachable (which a reused connection retries once).
    private func dropped(after error: any Error, polling: Bool) -> RuntimeAPIError {
        disconnect()
        if let error = error as? RuntimeAPIError { return error }
        if polling && Termination.requested { return .terminated }
        return .unreachable(endpoint: endpoint, reason: (error as? TCP.Failure)?.description ?? "\(error)")
    }

    /// Reads the answer to the request just sent on `connection` (state `.idle`).
    private func answer(on connection: Connection, polling: Bool) throws -> HTTPMessage {
        guard let response = try HTTPMessage.read(from: &connection.reader, isResponse: true) else {
            if polling && Termination.requested { throw RuntimeAPIError.terminated }
            throw TCP.Failure("connection closed by the Runtime API")
        }
        if response.header("connection")?.lowercased() == "close" { disconnect() }
        return response
    }
}

/// One plain thread, started on first use, that waits for sockets to become readable and then
/// runs the waiter's completion: long polls wait here instead of on the cooperative pool.
final class SocketWaiter: @unchecked Sendable {
    static let shared = SocketWaiter()
    private let monitor = Monitor()
    /// Guarded by `monitor`.
    private var pending: [(fd: Int32, done: @Sendable () -> Void)] = []
    private var started = false

    func wait(_ fd: Int32, then done: @escaping @Sendable () -> Void) {
        monitor.locked {
            pending.append((fd, done))
            if !started {
                started = true
                startThread { [self] in run() }
            }
            monitor.broadcast()
        }
    }

    private func run() {
        while true {
            let next = monitor.locked {
                while pending.isEmpty { monitor.wait() }
                return pending.removeFirst()
            }
            _ = RuntimeAPIClient.poll(next.fd, ms: -1)
            next.done()
        }
    }
}
