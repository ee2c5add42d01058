import LambdaRuntime
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The Runtime API client's one connection through its states, against a peer that misbehaves
/// on purpose: closes a keep-alive connection, hangs up during a long poll, says
/// `connection: close`. What a function would notice: the next event still arrives, on a new
/// connection, and a Runtime API that is really gone is reported, not retried forever.
@Suite(.serialized) struct RuntimeAPIClientTests {
    @Test func aKeepAliveConnectionTheAPIClosedIsReopenedAndTheRequestSentAgain() async throws {
        let peer = try ScriptedPeer([
            { c in
                _ = try c.request()
                try c.answerNext(id: "first")
            },  // then hangs up without reading the second request
            { c in
                _ = try c.request()
                try c.answerNext(id: "second")
            },
        ])
        defer { peer.stop() }
        let client = try RuntimeAPIClient(endpoint: peer.endpoint)
        #expect(try await client.next().requestID == "first")
        try await Task.sleep(for: .milliseconds(20))  // the hang-up reaches the client's socket
        #expect(try await client.next().requestID == "second")
        #expect(peer.accepted == 2)
    }

    @Test func aLongPollWhoseConnectionDropsWhileWaitingIsSentAgainOnANewOne() async throws {
        let peer = try ScriptedPeer([
            { c in
                _ = try c.request()
                try c.answerNext(id: "first")
                _ = try c.request()
                usleep(150_000)  // well past the client's inline wait: it waits off the pool, then the peer hangs up
            },
            { c in
                _ = try c.request()
                try c.answerNext(id: "after the drop")
            },
        ])
        defer { peer.stop() }
        let client = try RuntimeAPIClient(endpoint: peer.endpoint)
        #expect(try await client.next().requestID == "first")
        #expect(try await client.next().requestID == "after the drop")
        #expect(peer.accepted == 2)
        #expect(peer.requests == 3)
    }

    @Test func aNewConnectionThatDropsDuringTheLongPollIsReportedNotRetried() async throws {
        let peer = try ScriptedPeer([
            { c in
                _ = try c.request()
                usleep(150_000)
            }
        ])
        defer { peer.stop() }
        let client = try RuntimeAPIClient(endpoint: peer.endpoint)
        await #expect {
            _ = try await client.next()
        } throws: { error in
            guard case .unreachable = error as? RuntimeAPIError else { return false }
            return true
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(peer.accepted == 1)
    }

    @Test func connectionCloseFromTheAPIIsHonouredAndTheNextRequestOpensANewConnection() async throws {
        let peer = try ScriptedPeer([
            { c in
                _ = try c.request()
                try c.answerNext(id: "closing", close: true)
                // reads nothing more: a request sent on this connection would be lost
            },
            { c in
                _ = try c.request()
                try c.answerNext(id: "reopened")
                let post = try c.request()
                #expect(post?.method == "POST")
                #expect(post?.target == "/2018-06-01/runtime/invocation/reopened/response")
                try c.send("HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n")
            },
        ])
        defer { peer.stop() }
        let client = try RuntimeAPIClient(endpoint: peer.endpoint)
        #expect(try await client.next().requestID == "closing")
        #expect(try await client.next().requestID == "reopened")
        try client.respond(requestID: "reopened", body: Array("{}".utf8))
        #expect(peer.accepted == 2)
        #expect(peer.requests == 3)  // nothing was sent on the closed connection
    }
}

/// A Runtime API peer that serves one scripted connection after another (one thread).
final class ScriptedPeer: @unchecked Sendable {
    typealias Script = @Sendable (inout PeerConnection) throws -> Void
    struct PeerConnection {
        let fd: Int32
        var reader: ByteReader
        let counted: @Sendable () -> Void

        mutating func request() throws -> HTTPMessage? {
            let message = try HTTPMessage.read(from: &reader, isResponse: false)
            if message != nil { counted() }
            return message
        }

        func answerNext(id: String, close: Bool = false) throws {
            let body = "{}"
            try send(
                "HTTP/1.1 200 OK\r\nlambda-runtime-aws-request-id: \(id)\r\nlambda-runtime-deadline-ms: 9999999999999\r\n"
                    + (close ? "connection: close\r\n" : "") + "content-length: \(body.utf8.count)\r\n\r\n\(body)")
        }

        func send(_ text: String) throws { try TCP.sendAll(fd, Array(text.utf8)) }
    }

    let listener: Int32
    let port: UInt16
    var endpoint: String { "127.0.0.1:\(port)" }
    private let monitor = Monitor()
    private var _accepted = 0
    private var _requests = 0
    var accepted: Int { monitor.locked { _accepted } }
    var requests: Int { monitor.locked { _requests } }

    init(_ scripts: [Script]) throws {
        (listener, port) = try TCP.listenLoopback()
        startThread { [self] in
            for script in scripts {
                let fd = accept(listener, nil, nil)
                guard fd >= 0 else { return }
                monitor.locked { _accepted += 1 }
                var connection = PeerConnection(fd: fd, reader: ByteReader(fd: fd)) { [self] in monitor.locked { _requests += 1 } }
                try? script(&connection)
                close(fd)
            }
            // anything after the script is counted and hung up on
            while true {
                let fd = accept(listener, nil, nil)
                guard fd >= 0 else { return }
                monitor.locked { _accepted += 1 }
                close(fd)
            }
        }
    }

    /// Ends the accept loop (the shutdown wakes its accept) and releases the listening socket.
    func stop() { shutdown(listener, Int32(SHUT_RDWR)) }
    deinit { close(listener) }
}
