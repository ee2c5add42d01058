import Foundation
import LambdaEmulator
import LambdaRuntime
import Logging
import XCTest

/// A handler from a closure.
struct ClosureHandler: InvocationHandler {
    let body: @Sendable ([UInt8], InvocationContext) async throws -> [UInt8]
    func handle(_ event: [UInt8], context: InvocationContext) async throws -> [UInt8] { try await body(event, context) }
}

struct Boom: Error, CustomStringConvertible {
    var description: String { "boom" }
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// Runs the loop for `limit` invocations against `server` in a background task.
func startRuntime<H: InvocationHandler>(
    _ server: RuntimeAPIServer, handler: H, limit: Int?, margin: Duration = .milliseconds(500)
) throws -> Task<Void, any Error> {
    try server.runFunction(handler, limit: limit, margin: margin, logger: Logger(label: "runtime-test"))
}

func json(_ bytes: [UInt8]) throws -> [String: Any] {
    try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
}
