import EmbeddedBackend
import Foundation
import LambdaEmulator
import LambdaEvents
import LambdaRuntime
import LifestyleCore
import LifestyleLambda
import LifestyleToolkit
import Logging
import Metrics
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// One metrics backend for the whole test process (swift-metrics bootstraps once).
let testMetrics: EMFMetricsFactory = {
    let sink = LineSink.shared
    let f = EMFMetricsFactory(namespace: "LifestyleBackend/test", sink: { sink.append($0) })
    MetricsSystem.bootstrap(f)
    return f
}()

final class LineSink: @unchecked Sendable {
    static let shared = LineSink()
    private let monitor = Monitor()
    private var lines: [String] = []
    /// The factory hands over one or more whole lines per call.
    func append(_ s: String) { monitor.locked { lines += s.split(separator: "\n").map { String($0) + "\n" } } }
    func take() -> [String] {
        monitor.locked {
            defer { lines = [] }; return lines
        }
    }
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

func makeTempDir() -> String {
    var template = Array("/tmp/lambda-tests-XXXXXX".utf8CString)
    let p = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    return String(cString: p!)
}

/// A real app on an embedded backend, plus test-only routes.
func makeApp(extra: [Route] = []) async throws -> LifestyleApp {
    _ = testMetrics
    let backend = try await EmbeddedAdapters.open(dataDirectory: makeTempDir())
    OpenBackends.shared.keep(backend)
    var config = AppConfig(environment: .local, logLevel: .warning)
    config.cors = .any
    let services = Services(users: backend.users, identity: backend.identity, config: config)
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    return LifestyleApp(services: services, logger: logger, routes: Routes.all + extra)
}

func json(_ bytes: [UInt8]) throws -> [String: Any] {
    try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
}

/// SQLiteNIO asserts when a connection is deinitialised open: the test backends stay open (and
/// referenced) for the life of the test process.
final class OpenBackends: @unchecked Sendable {
    static let shared = OpenBackends()
    private let monitor = Monitor()
    private var all: [EmbeddedAdapters] = []
    func keep(_ b: EmbeddedAdapters) { monitor.locked { all.append(b) } }
}
