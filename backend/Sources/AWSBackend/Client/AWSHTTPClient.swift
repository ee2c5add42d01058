import LifestyleToolkit
public import NIOCore
public import NIOHTTP1
import NIOPosix
public import NIOSSL
import Synchronization

/// A complete HTTP response, body buffered.
public struct AWSHTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
}

/// The small HTTP/1.1 client the AWS service clients and the JWKS fetcher share.
///
/// What AWS JSON calls need and nothing more: keep-alive connections pooled per
/// scheme/host/port, TLS with SNI and full certificate verification for `https`, a connect
/// timeout, one deadline per request (connect + send + whole response), a response size cap,
/// no redirects, no decompression, no proxies. Failures are `AWSTransportError`s whose kind
/// tells the retry policy whether the request can have reached the server.
///
/// It runs on NIO's shared event loop group and is created once per process (at Lambda cold
/// start the TLS context is only built on the first `https` connection).
public final class AWSHTTPClient: Sendable {
    public struct Configuration: Sendable {
        /// Upper bound for establishing a TCP connection (the request deadline may cut it shorter).
        public var connectTimeout: Duration = .seconds(2)
        /// Idle pooled connections older than this are closed instead of reused (AWS front ends
        /// drop idle connections after about a minute; a frozen Lambda may sleep much longer).
        public var idleTimeout: Duration = .seconds(50)
        /// Idle connections kept per host.
        public var maxIdlePerHost = 8
        /// TLS settings for `https`; nil means the system trust store and full verification.
        public var tls: TLSConfiguration?

        public init() {}
    }

    let configuration: Configuration
    let group: any EventLoopGroup
    private let state = Mutex(PoolState())

    struct PoolState {
        var idle: [String: [IdleConnection]] = [:]
        var sslContext: NIOSSLContext?
        var closed = false
    }

    struct IdleConnection {
        var connection: HTTPConnection
        var since: ContinuousClock.Instant
    }

    public init(configuration: Configuration = Configuration(), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
    }

    /// Sends one request to `endpoint` (`path` is the request target) and buffers the response.
    /// `Host` and `Content-Length` are added when missing.
    public func execute(
        method: HTTPMethod, endpoint: AWSEndpoint, path: String, headers: HTTPHeaders = [:], body: [UInt8] = [],
        deadline: ContinuousClock.Instant, maxResponseBytes: Int = 16 << 20
    ) async throws(AWSTransportError) -> AWSHTTPResponse {
        var headers = headers
        if !headers.contains(name: "host") { headers.add(name: "Host", value: endpoint.hostHeader) }
        if !body.isEmpty || method == .POST || method == .PUT {
            headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
        }
        if !headers.contains(name: "user-agent") { headers.add(name: "User-Agent", value: "lifestyle-backend") }
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: path.isEmpty ? "/" : path, headers: headers)
        let key = endpoint.poolKey

        let connection: HTTPConnection
        if let pooled = checkout(key) {
            connection = pooled
        } else {
            connection = try await connect(endpoint, deadline: deadline)
        }
        let result: HTTPConnection.Result
        do {
            result = try await connection.send(
                head, body: body, deadline: Self.nioDeadline(deadline), maxResponseBytes: maxResponseBytes
            ).get()
        } catch {
            connection.close()
            throw Self.classify(error)
        }
        if result.keepAlive {
            checkin(key, connection)
        } else {
            connection.close()
        }
        return result.response
    }

    /// `GET url` (http or https), e.g. a JWKS document.
    public func get(_ url: String, timeout: Duration, maxResponseBytes: Int = 1 << 20) async throws(AWSTransportError)
        -> AWSHTTPResponse
    {
        guard let endpoint = AWSEndpoint(url: url) else { throw AWSTransportError(kind: .other, detail: "not an http(s) URL") }
        return try await execute(
            method: .GET, endpoint: endpoint, path: endpoint.basePath.isEmpty ? "/" : endpoint.basePath,
            headers: ["Accept": "application/json"], deadline: .now + timeout, maxResponseBytes: maxResponseBytes)
    }

    /// Closes the pooled connections; later requests fail with `.other`.
    public func shutdown() async {
        let idle = state.withLock { s in
            s.closed = true
            defer { s.idle = [:] }
            return s.idle.values.flatMap { $0 }
        }
        for entry in idle { entry.connection.close() }
    }

    // MARK: - Pool

    private func checkout(_ key: String) -> HTTPConnection? {
        let now = ContinuousClock.now
        let (found, stale) = state.withLock { s -> (HTTPConnection?, [HTTPConnection]) in
            var stale: [HTTPConnection] = []
            while var list = s.idle[key], let entry = list.popLast() {
                s.idle[key] = list
                if entry.since.duration(to: now) < configuration.idleTimeout && entry.connection.channel.isActive {
                    return (entry.connection, stale)
                }
                stale.append(entry.connection)
            }
            return (nil, stale)
        }
        for c in stale { c.close() }
        return found
    }

    private func checkin(_ key: String, _ connection: HTTPConnection) {
        let keep = state.withLock { s -> Bool in
            guard !s.closed, connection.channel.isActive, s.idle[key, default: []].count < configuration.maxIdlePerHost else {
                return false
            }
            s.idle[key, default: []].append(IdleConnection(connection: connection, since: .now))
            return true
        }
        if !keep { connection.close() }
    }

    // MARK: - Connecting

    private func sslContext() throws(AWSTransportError) -> NIOSSLContext {
        let configured = state.withLock { $0.sslContext }
        if let configured { return configured }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration.tls ?? .makeClientConfiguration())
        } catch {
            throw AWSTransportError(kind: .other, detail: "cannot set up TLS: \(error)")
        }
        return state.withLock { s in
            if let existing = s.sslContext { return existing }
            s.sslContext = context
            return context
        }
    }

    private func connect(_ endpoint: AWSEndpoint, deadline: ContinuousClock.Instant) async throws(AWSTransportError) -> HTTPConnection {
        if state.withLock({ $0.closed }) { throw AWSTransportError(kind: .other, detail: "HTTP client is shut down") }
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { throw AWSTransportError(kind: .timeout, detail: "deadline reached before connecting") }
        let tls: NIOSSLContext?
        switch endpoint.scheme {
        case "https": tls = try sslContext()
        case "http": tls = nil
        default: throw AWSTransportError(kind: .other, detail: "unsupported scheme \(endpoint.scheme)")
        }
        // SNI and name verification for host names; for an IP literal NIOSSL checks the
        // certificate against the peer's address instead.
        let serverName: String? = endpoint.host.isIPLiteral ? nil : endpoint.host
        let collector = ResponseCollector()
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(min(configuration.connectTimeout, remaining)))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let ops = channel.pipeline.syncOperations
                    if let tls {
                        try ops.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    try ops.addHTTPClientHandlers()
                    try ops.addHandler(collector)
                }
            }
        let port = endpoint.port ?? (endpoint.scheme == "https" ? 443 : 80)
        let host = endpoint.host.hasPrefix("[") ? String(endpoint.host.dropFirst().dropLast()) : endpoint.host
        do {
            let channel = try await bootstrap.connect(host: host, port: port).get()
            return HTTPConnection(channel: channel, collector: collector)
        } catch {
            throw AWSTransportError(kind: .connect, detail: "cannot connect to \(endpoint.hostHeader): \(Self.describe(error))")
        }
    }

    static func nioDeadline(_ deadline: ContinuousClock.Instant) -> NIODeadline {
        let remaining = ContinuousClock.now.duration(to: deadline)
        return .now() + TimeAmount(max(remaining, .milliseconds(1)))
    }

    // MARK: - Errors

    static func classify(_ error: any Error) -> AWSTransportError {
        switch error {
        case let e as HTTPConnection.Failure:
            switch e {
            case .deadline: return AWSTransportError(kind: .timeout, detail: "no complete response before the deadline")
            case .closedBeforeSending:
                return AWSTransportError(kind: .connect, detail: "the connection was closed before the request was sent")
            case .closed: return AWSTransportError(kind: .connection, detail: "the server closed the connection before answering")
            case .responseTooLarge(let limit): return AWSTransportError(kind: .other, detail: "response larger than \(limit) bytes")
            }
        case let e as NIOSSLError:
            // A failed handshake happens before any request byte is sent.
            if case .handshakeFailed = e { return AWSTransportError(kind: .connect, detail: "TLS handshake failed: \(e)") }
            return AWSTransportError(kind: .connection, detail: "TLS: \(e)")
        case is BoringSSLError:
            return AWSTransportError(kind: .connect, detail: "TLS handshake failed: \(describe(error))")
        default:
            return AWSTransportError(kind: .connection, detail: describe(error))
        }
    }

    static func describe(_ error: any Error) -> String {
        if let io = error as? IOError { return "\(io.description)" }
        return String(describing: error)
    }
}

extension AWSEndpoint {
    var poolKey: String { "\(scheme)://\(hostHeader)" }
}

extension String {
    /// An IPv4 or IPv6 literal (possibly in brackets).
    var isIPLiteral: Bool {
        if contains(":") { return true }
        let parts = split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { p in !p.isEmpty && p.count <= 3 && p.allSatisfy(\.isASCII) && UInt8(p) != nil }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (s, atto) = duration.components
        self = .nanoseconds(s * 1_000_000_000 + atto / 1_000_000_000)
    }
}

/// One keep-alive connection: a channel whose pipeline ends in a `ResponseCollector`.
final class HTTPConnection: Sendable {
    enum Failure: Error {
        case deadline
        case closedBeforeSending
        case closed
        case responseTooLarge(Int)
    }

    struct Result: Sendable {
        var response: AWSHTTPResponse
        var keepAlive: Bool
    }

    let channel: any Channel
    let collector: ResponseCollector

    init(channel: any Channel, collector: ResponseCollector) {
        self.channel = channel
        self.collector = collector
    }

    func send(_ head: HTTPRequestHead, body: [UInt8], deadline: NIODeadline, maxResponseBytes: Int) -> EventLoopFuture<Result> {
        let channel = self.channel
        let collector = self.collector
        let promise = channel.eventLoop.makePromise(of: Result.self)
        channel.eventLoop.execute {
            guard channel.isActive else {
                promise.fail(Failure.closedBeforeSending)
                return
            }
            collector.begin(promise, maxBytes: maxResponseBytes)
            let timer = channel.eventLoop.scheduleTask(deadline: deadline) {
                collector.fail(Failure.deadline)
                channel.close(promise: nil)
            }
            promise.futureResult.whenComplete { _ in timer.cancel() }
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            if !body.isEmpty {
                channel.write(HTTPClientRequestPart.body(.byteBuffer(channel.allocator.buffer(bytes: body))), promise: nil)
            }
            channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { error in
                collector.fail(error)
                channel.close(promise: nil)
            }
        }
        return promise.futureResult
    }

    func close() {
        channel.close(promise: nil)
    }
}

/// Collects one response at a time. Every member is only touched on the channel's event loop.
final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart

    private var promise: EventLoopPromise<HTTPConnection.Result>?
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    private var maxBytes = 0

    func begin(_ promise: EventLoopPromise<HTTPConnection.Result>, maxBytes: Int) {
        self.promise = promise
        self.maxBytes = maxBytes
        head = nil
        body = []
    }

    func fail(_ error: any Error) {
        guard let promise else { return }
        self.promise = nil
        head = nil
        body = []
        promise.fail(error)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
        case .body(let buffer):
            guard promise != nil else { return }
            if body.count + buffer.readableBytes > maxBytes {
                fail(HTTPConnection.Failure.responseTooLarge(maxBytes))
                context.close(promise: nil)
                return
            }
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let promise, let head else { return }
            self.promise = nil
            let response = AWSHTTPResponse(status: Int(head.status.code), headers: head.headers, body: body)
            self.head = nil
            body = []
            promise.succeed(HTTPConnection.Result(response: response, keepAlive: head.isKeepAlive))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(HTTPConnection.Failure.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }
}
