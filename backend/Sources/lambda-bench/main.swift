import LambdaEmulator

#if canImport(Glibc)
    import Glibc
#endif

// lambda-bench BINARY [--processes N] [--invocations M]
// Spawns BINARY as a Lambda function against an in-process Runtime API emulator on loopback and
// prints cold start, init time, warm round trip (GET /v1/health, API Gateway v2 event), peak RSS
// and binary size. Run via scripts/bench-lambda.sh, which builds and strips the release binary.

func fail(_ s: String) -> Never {
    let line = "lambda-bench: \(s)\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
    exit(2)
}

var args = Array(CommandLine.arguments.dropFirst())
guard let binary = args.first, !binary.hasPrefix("-") else { fail("usage: lambda-bench BINARY [--processes N] [--invocations M]") }
args.removeFirst()
var processes = 15
var invocations = 2_000
while !args.isEmpty {
    let flag = args.removeFirst()
    guard let value = args.first.flatMap(Int.init) else { fail("\(flag) needs a number") }
    args.removeFirst()
    switch flag {
    case "--processes": processes = max(1, value)
    case "--invocations": invocations = max(1, value)
    default: fail("unknown option \(flag)")
    }
}

let event = APIGatewayFront.event(
    method: "GET", path: "/v1/health", query: "",
    headers: [
        ("accept", "application/json"), ("accept-encoding", "gzip, deflate, br"), ("host", "api.ailifestyle.app"),
        ("user-agent", "Mozilla/5.0 (bench)"), ("x-amzn-trace-id", "Root=1-67890abc-0123456789abcdef01234567"),
        ("x-forwarded-for", "203.0.113.7"), ("x-forwarded-port", "443"), ("x-forwarded-proto", "https"),
        ("x-request-id", "bench-request-1"),
    ], body: [])

let devNull = open("/dev/null", O_WRONLY)

func tempDir() -> String {
    var template = Array("/tmp/lambda-bench-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
}

func environment(_ endpoint: String) -> [String: String] {
    [
        "AWS_LAMBDA_RUNTIME_API": endpoint, "ENVIRONMENT": "local", "LOG_LEVEL": "info", "LIFESTYLE_DATA_DIR": tempDir(),
        "PATH": "/usr/bin:/bin", "AWS_LAMBDA_FUNCTION_NAME": "api-handler-bench",
    ]
}

func peakRSSKiB(_ pid: pid_t) -> Int? {
    guard let f = fopen("/proc/\(pid)/status", "r") else { return nil }
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 512)
    while fgets(&line, Int32(line.count), f) != nil {
        let s = String(decoding: line.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if s.hasPrefix("VmHWM:") {
            return Int(s.dropFirst(6).filter { $0.isNumber })
        }
    }
    return nil
}

func stopChild(_ pid: pid_t) -> Int32 {
    kill(pid, SIGTERM)
    return ChildProcess.wait(pid)
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

func fmtMs(_ ns: Double) -> String { String(Double(Int(ns / 1e3)) / 1e3) + " ms" }
func fmtUs(_ ns: Double) -> String { String(Double(Int(ns / 1e2)) / 10) + " us" }

// 1. Cold starts: spawn → answer to the first invocation (queued before the spawn).
var colds: [Double] = []
var inits: [Double] = []
var coldRSS: [Int] = []
for _ in 0..<processes {
    let server: RuntimeAPIServer
    do { server = try RuntimeAPIServer() } catch { fail("\(error)") }
    let done = Monitor()
    final class Box: @unchecked Sendable { var at: Int64?; var ok = false }
    let box = Box()
    server.enqueue(event) { r in
        let t = monotonicNs()
        done.locked {
            box.at = t
            box.ok = r.kind == .response && r.text.contains("\"statusCode\":200")
            done.broadcast()
        }
    }
    let t0 = monotonicNs()
    guard let pid = ChildProcess.spawn(path: binary, arguments: [], environment: environment(server.endpoint), outputFD: devNull) else {
        fail("cannot spawn \(binary)")
    }
    let until = t0 + 20_000_000_000
    let answered: Int64? = done.locked {
        while box.at == nil && monotonicNs() < until { done.wait(untilNs: until) }
        return box.at
    }
    guard let answered, box.ok else {
        _ = stopChild(pid)
        fail("the function did not answer GET /v1/health with 200")
    }
    colds.append(Double(answered - t0))
    if let first = server.firstNextNs { inits.append(Double(first - t0)) }
    if let rss = peakRSSKiB(pid) { coldRSS.append(rss) }
    let status = stopChild(pid)
    if status != 0 { fail("the function exited with \(status) after SIGTERM (expected 0)") }
    server.stop()
}

// 2. Warm invocations in one process.
let server: RuntimeAPIServer
do { server = try RuntimeAPIServer() } catch { fail("\(error)") }
guard let pid = ChildProcess.spawn(path: binary, arguments: [], environment: environment(server.endpoint), outputFD: devNull) else {
    fail("cannot spawn \(binary)")
}
for _ in 0..<50 { _ = server.invokeBlocking(event) }  // warm-up
var warm: [Double] = []
warm.reserveCapacity(invocations)
for _ in 0..<invocations {
    let t0 = monotonicNs()
    guard let r = server.invokeBlocking(event), r.kind == .response else { fail("warm invocation failed") }
    warm.append(Double(monotonicNs() - t0))
}
let warmRSS = peakRSSKiB(pid) ?? 0
let warmStatus = stopChild(pid)
server.stop()

var st = stat()
let size = stat(binary, &st) == 0 ? Int(st.st_size) : 0

colds.sort()
inits.sort()
warm.sort()
print("lambda-bench: \(binary)")
print("  binary size          \(String(Double(size / 10_000) / 100)) MB (\(size) bytes)")
print(
    "  cold start (median)  \(fmtMs(percentile(colds, 0.5)))   min \(fmtMs(colds[0]))  max \(fmtMs(colds[colds.count - 1]))  [\(processes) processes]"
)
if !inits.isEmpty {
    print("  init (median)        \(fmtMs(percentile(inits, 0.5)))   spawn -> first GET /next")
}
print("  warm p50             \(fmtUs(percentile(warm, 0.5)))   [\(invocations) invocations, GET /v1/health v2 event, emulator round trip]")
print("  warm p99             \(fmtUs(percentile(warm, 0.99)))")
print(
    "  peak RSS             \(String(Double(warmRSS * 10 / 1024) / 10)) MiB after warm run; \(String(Double((coldRSS.max() ?? 0) * 10 / 1024) / 10)) MiB after first answer"
)
print("  SIGTERM exit status  \(warmStatus)")
