import Foundation
import LambdaEmulator
import LambdaRuntime
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

final class RuntimeLoopTests: XCTestCase {
    override func setUp() { Termination.reset() }

    func testNextResponseRoundTrip() async throws {
        let server = try RuntimeAPIServer()
        defer { server.stop() }
        let task = try startRuntime(
            server,
            handler: ClosureHandler { event, ctx in
                bytes("{\"echo\":\(String(decoding: event, as: UTF8.self)),\"id\":\"\(ctx.requestID)\"}")
            }, limit: 2)
        let first = await server.invoke(bytes("{\"n\":1}"))
        XCTAssertEqual(first.kind, .response)
        // the emulator's request id (a UUID, like Lambda's) reached the handler
        XCTAssertTrue(first.text.hasPrefix("{\"echo\":{\"n\":1},\"id\":\""), first.text)
        let id = first.text.split(separator: "\"").dropLast().last.map(String.init) ?? ""
        XCTAssertEqual(id.count, 36, first.text)
        XCTAssertEqual(id.split(separator: "-").map(\.count), [8, 4, 4, 4, 12], first.text)
        let second = await server.invoke(bytes("{\"n\":2}"))
        XCTAssertTrue(second.text.contains("{\"n\":2}"))
        try await task.value
        // Both invocations went over one keep-alive connection... plus nothing else.
        XCTAssertEqual(server.nextCount, 2)
    }

    func testHandlerErrorIsReportedAndLoopContinues() async throws {
        let server = try RuntimeAPIServer()
        defer { server.stop() }
        let task = try startRuntime(
            server,
            handler: ClosureHandler { event, _ in
                if event == bytes("\"fail\"") { throw Boom() }
                if event == bytes("\"typed\"") { throw LambdaInvocationError(type: "Custom.Type", message: "typed failure") }
                return bytes("\"ok\"")
            }, limit: 3)
        let failed = await server.invoke(bytes("\"fail\""))
        XCTAssertEqual(failed.kind, .error)
        XCTAssertEqual(failed.errorType, "Boom")
        let body = try json(failed.body)
        XCTAssertEqual(body["errorType"] as? String, "Boom")
        XCTAssertEqual(body["errorMessage"] as? String, "boom")
        let typed = await server.invoke(bytes("\"typed\""))
        XCTAssertEqual(typed.errorType, "Custom.Type")
        XCTAssertEqual(try json(typed.body)["errorMessage"] as? String, "typed failure")
        let ok = await server.invoke(bytes("\"x\""))
        XCTAssertEqual(ok.kind, .response)
        XCTAssertEqual(ok.text, "\"ok\"")
        try await task.value
    }

    /// A handler still busy at the answer-by instant: the watchdog posts the fallback in time,
    /// the late result is dropped, and the next invocation is served normally.
    func testDeadlineFallbackIsPostedAndTheLateResultDropped() async throws {
        struct Slow: InvocationHandler {
            func handle(_ event: [UInt8], context: InvocationContext) async throws -> [UInt8] {
                if event == bytes("\"slow\"") { try? await Task.sleep(for: .milliseconds(1_500)) }
                return bytes("\"late or fast\"")
            }
            func deadlineFallback(_ event: [UInt8], context: InvocationContext) -> [UInt8]? { bytes("\"fallback\"") }
        }
        let server = try RuntimeAPIServer()
        defer { server.stop() }
        let task = try startRuntime(server, handler: Slow(), limit: 2, margin: .milliseconds(300))
        let start = ContinuousClock.now
        let first = await server.invoke(bytes("\"slow\""), timeoutMs: 1_000)
        XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(1_000))
        XCTAssertEqual(first.kind, .response)
        XCTAssertEqual(first.text, "\"fallback\"")
        let second = await server.invoke(bytes("\"fast\""))
        XCTAssertEqual(second.kind, .response)
        XCTAssertEqual(second.text, "\"late or fast\"")
        try await task.value
    }

    func testDeadlineWithoutFallbackIsReportedAsAnInvocationError() async throws {
        let server = try RuntimeAPIServer()
        defer { server.stop() }
        let task = try startRuntime(
            server,
            handler: ClosureHandler { _, _ in
                try? await Task.sleep(for: .milliseconds(1_200))
                return bytes("\"late\"")
            }, limit: 1, margin: .milliseconds(300))
        let r = await server.invoke(bytes("{}"), timeoutMs: 800)
        XCTAssertEqual(r.kind, .error)
        XCTAssertEqual(r.errorType, "Runtime.DeadlineExceeded")
        try await task.value
    }

    func testInitErrorIsReported() throws {
        let server = try RuntimeAPIServer()
        defer { server.stop() }
        let client = try RuntimeAPIClient(endpoint: server.endpoint)
        try client.reportInitError(type: "Runtime.InvalidConfiguration", message: "ENVIRONMENT must be \"x\"")
        let reported = try XCTUnwrap(server.initError)
        XCTAssertEqual(reported.errorType, "Runtime.InvalidConfiguration")
        let body = try json(reported.body)
        XCTAssertEqual(body["errorType"] as? String, "Runtime.InvalidConfiguration")
        XCTAssertEqual(body["errorMessage"] as? String, "ENVIRONMENT must be \"x\"")
    }

    func testTraceIDIsExported() async throws {
        let server = try RuntimeAPIServer()
        defer { server.stop() }
        let task = try startRuntime(
            server,
            handler: ClosureHandler { _, ctx in
                let env = getenv("_X_AMZN_TRACE_ID").map { String(cString: $0) } ?? "<unset>"
                return bytes("\"\(env)|\(ctx.traceID ?? "-")\"")
            }, limit: 2)
        let trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
        let r = await server.invoke(bytes("{}"), traceID: trace)
        XCTAssertEqual(r.text, "\"\(trace)|\(trace)\"")
        let none = await server.invoke(bytes("{}"))
        XCTAssertEqual(none.text, "\"<unset>|-\"")
        try await task.value
    }

    func testDroppedConnectionEndsTheLoopWithAClearError() async throws {
        let server = try RuntimeAPIServer()
        defer { server.stop() }
        server.faults.dropConnectionOnNext = true
        let task = try startRuntime(server, handler: ClosureHandler { e, _ in e }, limit: nil)
        do {
            try await task.value
            XCTFail("the loop must fail when the Runtime API drops the connection")
        } catch let error as RuntimeAPIError {
            guard case .unreachable = error else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("Lambda Runtime API at \(server.endpoint) unreachable"), "\(error)")
        }
    }

    func testUnreachableRuntimeAPI() async throws {
        let server = try RuntimeAPIServer()
        let endpoint = server.endpoint
        server.stop()
        let client = try RuntimeAPIClient(endpoint: endpoint)
        do {
            _ = try await client.next()
            XCTFail("next() answered without a Runtime API")
        } catch {
            XCTAssertTrue("\(error)".contains("unreachable"), "\(error)")
        }
        XCTAssertThrowsError(try RuntimeAPIClient(endpoint: "no-port"))
    }

    func testTerminationStopsTheLoopCleanly() async throws {
        let server = try RuntimeAPIServer()
        defer { server.stop() }
        let task = try startRuntime(server, handler: ClosureHandler { e, _ in e }, limit: nil)
        let r = await server.invoke(bytes("1"))
        XCTAssertEqual(r.text, "1")
        // Give the loop time to block in the next long poll, then "SIGTERM" it.
        while server.nextCount < 2 { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(20))
        Termination.request()
        try await task.value  // returns normally
        Termination.reset()
    }

    /// An idle function: the long poll waits past the inline window, off the cooperative pool,
    /// and the event that comes later is served; SIGTERM during such a wait ends the loop.
    func testALongWaitForTheNextEventIsServedAndEndedBySIGTERM() async throws {
        let server = try RuntimeAPIServer()
        defer { server.stop() }
        let task = try startRuntime(server, handler: ClosureHandler { e, _ in e }, limit: nil)
        while server.nextCount < 1 { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(150))  // well past RuntimeAPIClient.inlineWaitMs
        let late = await server.invoke(bytes("\"late\""))
        XCTAssertEqual(late.kind, .response)
        XCTAssertEqual(late.text, "\"late\"")
        while server.nextCount < 2 { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(150))
        Termination.request()
        try await task.value  // returns normally
        Termination.reset()
    }
}
