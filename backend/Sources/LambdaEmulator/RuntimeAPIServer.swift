import LambdaEvents
public import LambdaRuntime
import LifestyleToolkit
public import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// What the function answered for one invocation.
public struct InvocationResult: Sendable {
    public enum Kind: Sendable, Equatable { case response, error }
    public var kind: Kind
    public var body: [UInt8]
    /// `Lambda-Runtime-Function-Error-Type` for errors.
    public var errorType: String?

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A Lambda Runtime API (2018-06-01) emulator on loopback: blocking sockets, one OS thread per
/// connection. Invocations are queued with `enqueue`/`invoke`; `next` long-polls until one is
/// queued. Used by the tests, the benchmark and `api-handler serve --lambda`.
public final class RuntimeAPIServer: @unchecked Sendable {
    public struct Faults: Sendable {
        /// Close the connection on `next` without answering.
        public var dropConnectionOnNext = false
        public init() {}
    }

    struct Pending {
        var id: String
        var body: [UInt8]
        var deadlineMs: Int64
        var traceID: String?
        var completion: @Sendable (InvocationResult) -> Void
    }

    public let port: UInt16
    public var endpoint: String { "127.0.0.1:\(port)" }
    let listener: Int32
    let monitor = Monitor()
    // Guarded by `monitor`.
    var queue: [Pending] = []
    var inFlight: [String: Pending] = [:]
    var connections: Set<Int32> = []
    var stopped = false
    var counter = 0
    var _faults = Faults()
    var _initError: InvocationResult?
    var _firstNextNs: Int64?
    var _nextCount = 0

    /// Binds 127.0.0.1:`port` (0 picks a free port) and starts accepting.
    public init(port: UInt16 = 0) throws(TCP.Failure) {
        (self.listener, self.port) = try TCP.listenLoopback(port: port)
        startThread { [self] in acceptLoop() }
    }

    public var faults: Faults {
        get { monitor.locked { _faults } }
        set { monitor.locked { _faults = newValue } }
    }

    /// The last `init/error` report, if any.
    public var initError: InvocationResult? { monitor.locked { _initError } }
    /// CLOCK_MONOTONIC nanoseconds of the first `next` request.
    public var firstNextNs: Int64? { monitor.locked { _firstNextNs } }
    public var nextCount: Int { monitor.locked { _nextCount } }

    /// Stops accepting, drops every connection and fails queued invocations.
    public func stop() {
        let (conns, pending): ([Int32], [Pending]) = monitor.locked {
            stopped = true
            defer { monitor.broadcast() }
            let p = queue + Array(inFlight.values)
            queue = []
            inFlight = [:]
            return (Array(connections), p)
        }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for c in conns { shutdown(c, Int32(SHUT_RDWR)) }
        for p in pending { p.completion(InvocationResult(kind: .error, body: Array("runtime API stopped".utf8), errorType: "Stopped")) }
    }

    /// A function in this process: the runtime loop with `handler`, polling this emulator in a
    /// background task for `limit` invocations (nil: until SIGTERM or the emulator stops).
    public func runFunction<H: InvocationHandler>(
        _ handler: H, limit: Int?, margin: Duration = .milliseconds(500), logger: Logger
    ) throws(RuntimeAPIError) -> Task<Void, any Error> {
        let loop = RuntimeLoop(client: try RuntimeAPIClient(endpoint: endpoint), handler: handler, logger: logger, margin: margin)
        return Task { try await loop.run(limit: limit) }
    }

    /// Queues an invocation; `completion` runs on an emulator thread when the function answers.
    @discardableResult
    public func enqueue(
        _ body: [UInt8], timeoutMs: Int64 = 30_000, traceID: String? = nil,
        completion: @escaping @Sendable (InvocationResult) -> Void
    ) -> String {
        let deadline = UnixClock.epochMilliseconds() + timeoutMs
        return monitor.locked {
            counter += 1
            let id = RequestID.generate()
            queue.append(Pending(id: id, body: body, deadlineMs: deadline, traceID: traceID, completion: completion))
            monitor.broadcast()
            return id
        }
    }

    /// Queues an invocation and waits for its result.
    public func invoke(_ body: [UInt8], timeoutMs: Int64 = 30_000, traceID: String? = nil) async -> InvocationResult {
        await withCheckedContinuation { c in
            enqueue(body, timeoutMs: timeoutMs, traceID: traceID) { c.resume(returning: $0) }
        }
    }

    /// Blocking variant for the benchmark (which is not async).
    public func invokeBlocking(_ body: [UInt8], timeoutMs: Int64 = 30_000) -> InvocationResult? {
        let done = Monitor()
        final class Slot: @unchecked Sendable { var value: InvocationResult? }
        let slot = Slot()
        enqueue(body, timeoutMs: timeoutMs) { r in
            done.locked {
                slot.value = r
                done.broadcast()
            }
        }
        let until = monotonicNs() + timeoutMs * 1_000_000
        return done.locked {
            while slot.value == nil && monotonicNs() < until { done.wait(untilNs: until) }
            return slot.value
        }
    }

    func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let accepted = monitor.locked { () -> Bool in
                if stopped { return false }
                connections.insert(fd)
                return true
            }
            guard accepted else {
                close(fd)
                return
            }
            startThread { [self] in serve(fd) }
        }
    }

    func serve(_ fd: Int32) {
        defer {
            monitor.locked { _ = connections.remove(fd) }
            close(fd)
        }
        var reader = ByteReader(fd: fd)
        while true {
            guard let request = try? HTTPMessage.read(from: &reader, isResponse: false) else { return }
            guard let response = route(request) else { return }
            let bytes = response.serialized()
            do {
                try TCP.sendAll(fd, bytes)
            } catch {
                return
            }
        }
    }

    static let prefix = "/2018-06-01/runtime/"

    /// Answers one request; nil closes the connection.
    func route(_ request: HTTPMessage) -> HTTPMessage? {
        let path = request.target
        if request.method == "GET" && path == Self.prefix + "invocation/next" {
            return next()
        }
        if request.method == "POST" && path == Self.prefix + "init/error" {
            monitor.locked {
                _initError = InvocationResult(
                    kind: .error, body: request.body, errorType: request.header("lambda-runtime-function-error-type"))
            }
            return Self.accepted()
        }
        if request.method == "POST", path.hasPrefix(Self.prefix + "invocation/") {
            let rest = path.dropFirst((Self.prefix + "invocation/").count)
            let parts = rest.split(separator: "/")
            if parts.count == 2, parts[1] == "response" || parts[1] == "error" {
                let id = String(parts[0])
                let pending = monitor.locked { inFlight.removeValue(forKey: id) }
                guard let pending else {
                    return Self.status(400, "{\"errorMessage\":\"unknown request id\",\"errorType\":\"InvalidRequestID\"}")
                }
                let result =
                    parts[1] == "response"
                    ? InvocationResult(kind: .response, body: request.body, errorType: nil)
                    : InvocationResult(kind: .error, body: request.body, errorType: request.header("lambda-runtime-function-error-type"))
                pending.completion(result)
                return Self.accepted()
            }
        }
        return Self.status(404, "{\"errorMessage\":\"not found\",\"errorType\":\"NotFound\"}")
    }

    func next() -> HTTPMessage? {
        let item: Pending? = monitor.locked {
            _nextCount += 1
            if _firstNextNs == nil { _firstNextNs = monotonicNs() }
            if _faults.dropConnectionOnNext { return nil }
            while queue.isEmpty && !stopped { monitor.wait() }
            if stopped { return nil }
            let p = queue.removeFirst()
            inFlight[p.id] = p
            return p
        }
        guard let item else { return nil }
        var response = HTTPMessage()
        response.status = 200
        response.headers = [
            ("content-type", "application/json"),
            ("lambda-runtime-aws-request-id", item.id),
            ("lambda-runtime-deadline-ms", String(item.deadlineMs)),
            ("lambda-runtime-invoked-function-arn", "arn:aws:lambda:us-east-1:123456789012:function:api-handler-local"),
        ]
        if let trace = item.traceID { response.headers.append(("lambda-runtime-trace-id", trace)) }
        response.body = item.body
        return response
    }

    static func accepted() -> HTTPMessage { status(202, "{\"status\":\"OK\"}") }

    static func status(_ code: Int, _ body: String) -> HTTPMessage {
        var m = HTTPMessage()
        m.status = code
        m.headers = [("content-type", "application/json")]
        m.body = Array(body.utf8)
        return m
    }
}
