// hello-bench [--port N]: the floor for Benchmarks/bench-local.sh, a bare Hummingbird 2
// application from the same dependency versions as the api-handler (same package, same build).
// One router, GET /v1/health answering a fixed JSON body of the api-handler's size, and a
// GET /v1/users/profile that checks for a bearer header and answers a fixed profile: what is left
// is Hummingbird, NIO and the kernel. Not shipped; nothing but the benchmark runs it.
import Hummingbird
import Logging

var port = 8080
if let i = CommandLine.arguments.firstIndex(of: "--port"), i + 1 < CommandLine.arguments.count,
    let p = Int(CommandLine.arguments[i + 1])
{
    port = p
}

let health = #"{"environment":"local","status":"healthy","timestamp":"2026-12-02T09:00:00.000Z","version":"1.0.0"}"#
let profile =
    #"{"createdAt":"2026-12-02T09:00:00.000Z","email":"bench@example.com","emailVerified":true,"firstName":"Bench","#
    + #""id":"0f8fad5b-d9cb-469f-a165-70867728950e","lastName":"User","mfaEnabled":false,"updatedAt":"2026-12-02T09:00:00.000Z"}"#

let router = Router()
router.get("/v1/health") { _, _ in
    Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: health)))
}
router.get("/v1/users/profile") { request, _ in
    guard request.headers[.authorization]?.hasPrefix("Bearer ") == true else { return Response(status: .unauthorized) }
    return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: profile)))
}
var logger = Logger(label: "hello-bench")
logger.logLevel = .notice
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil), logger: logger)
try await app.runService()
