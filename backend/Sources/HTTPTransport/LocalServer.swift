import HTTPTypes
import Hummingbird
import LifestyleCore
import LifestyleToolkit
import Logging
import NIOCore

/// The local HTTP server: Hummingbird 2 in front of the same `LifestyleApp` the Lambda runtime
/// uses. It only translates requests and responses; routing, CORS, auth and errors are the core's.
public enum LocalServer {
    public static func run(
        app: LifestyleApp, host: String, port: Int, logger: Logger,
        onReady: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        try await application(app: app, host: host, port: port, logger: logger, onReady: onReady).runService()
    }

    /// The Hummingbird application `run` serves (tests drive it through Hummingbird's test client).
    public static func application(
        app: LifestyleApp, host: String = "127.0.0.1", port: Int = 0, logger: Logger,
        onReady: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        var serverLogger = logger
        serverLogger.logLevel = max(logger.logLevel, .notice)
        return Application(
            responder: CoreResponder(app: app),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onReady(channel.localAddress?.port ?? port) },
            logger: serverLogger)
    }
}

struct CoreResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let app: LifestyleApp

    func respond(to request: Hummingbird.Request, context: Context) async throws -> Hummingbird.Response {
        var request = request
        let limit = app.services.config.maxBodyBytes
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            return Self.convert(await app.respondBodyTooLarge(to: Self.request(request, body: [])))
        }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: limit)
        } catch {
            return Self.convert(await app.respondBodyTooLarge(to: Self.request(request, body: [])))
        }
        return Self.convert(await app.respond(to: Self.request(request, body: Array(buffer: body))))
    }

    static func request(_ request: Hummingbird.Request, body: [UInt8]) -> LifestyleCore.APIRequest {
        var headers = LifestyleCore.APIHeaders()
        for field in request.headers { headers.add(field.name.canonicalName, field.value) }
        return LifestyleCore.APIRequest(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "", headers: headers, body: body)
    }

    static func convert(_ r: LifestyleCore.APIResponse) -> Hummingbird.Response {
        var fields = HTTPFields()
        for (name, value) in r.headers {
            if let n = HTTPField.Name(name) { fields.append(HTTPField(name: n, value: value)) }
        }
        return Hummingbird.Response(
            status: HTTPResponse.Status(code: r.status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: r.body)))
    }
}
