import LambdaEmulator
import LambdaTransport

#if canImport(Glibc)
    import Glibc
#endif

// lambda-bench BINARY [--processes N] [--invocations M] [--environment dev|local]
//
// Spawns BINARY as a Lambda function against a Runtime API on loopback and prints cold start,
// init time, warm round trip (GET /v1/health, API Gateway v2 event), peak RSS and binary size.
// Run via scripts/bench-lambda.sh, which builds and strips the release binary.
//
// The Runtime API here is served by the benchmark's own thread over the function's one
// keep-alive connection, so no emulator thread hand-off is counted: a warm figure is the time
// from writing the `next` answer to having read the function's `response` POST.

func fail(_ s: String) -> Never {
    LambdaProcess.stderrLine("lambda-bench: \(s)")
    exit(2)
}

var args = Array(CommandLine.arguments.dropFirst())
guard let binary = args.first, !binary.hasPrefix("-") else {
    fail("usage: lambda-bench BINARY [--processes N] [--invocations M] [--environment dev|local]")
}
args.removeFirst()
var processes = 15
var invocations = 2_000
var environmentName = "dev"
while !args.isEmpty {
    let flag = args.removeFirst()
    guard let value = args.first else { fail("\(flag) needs a value") }
    args.removeFirst()
    switch flag {
    case "--processes":
        guard let n = Int(value) else { fail("\(flag) needs a number") }
        processes = max(1, n)
    case "--invocations":
        guard let n = Int(value) else { fail("\(flag) needs a number") }
        invocations = max(1, n)
    case "--environment":
        guard value == "dev" || value == "local" else { fail("--environment is dev or local") }
        environmentName = value
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

/// What Lambda gives a function, plus the app's settings. `dev` points the AWS adapters at a
/// closed loopback port: GET /v1/health never calls AWS, and nothing else is invoked.
func environment(_ endpoint: String, _ environmentName: String) -> [String: String] {
    var env = [
        "AWS_LAMBDA_RUNTIME_API": endpoint, "ENVIRONMENT": environmentName, "LOG_LEVEL": "info",
        "PATH": "/usr/bin:/bin", "AWS_LAMBDA_FUNCTION_NAME": "api-handler-bench", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
    ]
    if environmentName == "local" {
        env["LIFESTYLE_DATA_DIR"] = tempDir()
    } else {
        env.merge(
            [
                "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDBENCH", "AWS_SECRET_ACCESS_KEY": "bench-secret",
                "AWS_SESSION_TOKEN": "bench-token", "USERS_TABLE": "users-dev", "USER_POOL_ID": "us-east-1_bench",
                "USER_POOL_CLIENT_ID": "benchclient", "APP_SECRET_ID": "api-handler-dev-master-key",
                "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
            ], uniquingKeysWith: { a, _ in a })
    }
    return env
}

/// utime + stime of `pid` in clock ticks (/proc/PID/stat fields 14 and 15).
func cpuTicks(_ pid: pid_t) -> Int? {
    guard let f = fopen("/proc/\(pid)/stat", "r") else { return nil }
    defer { fclose(f) }
    var buf = [CChar](repeating: 0, count: 1024)
    guard fgets(&buf, Int32(buf.count), f) != nil else { return nil }
    let s = String(decoding: buf.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    guard let close = s.lastIndex(of: ")") else { return nil }
    let fields = s[s.index(after: close)...].split(separator: " ")
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    guard fields.count > 13, let u = Int(fields[11]), let k = Int(fields[12]) else { return nil }
    return u + k
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

/// A Runtime API for exactly one function process, answered inline by the calling thread.
final class DirectRuntimeAPI {
    let listener: Int32
    let port: UInt16
    var conn: Int32 = -1
    var reader: ByteReader?
    var counter = 0

    init() {
        do {
            (listener, port) = try TCP.listenLoopback(backlog: 8)
        } catch {
            fail("\(error)")
        }
    }

    var endpoint: String { "127.0.0.1:\(port)" }

    /// Reads the function's next request, accepting its connection first if needed.
    func read(timeoutMs: Int32 = 20_000) -> HTTPMessage {
        if conn < 0 {
            var pfd = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, timeoutMs) == 1 else { fail("the function never connected to the Runtime API") }
            conn = accept(listener, nil, nil)
            guard conn >= 0 else { fail("accept failed") }
            var one: Int32 = 1
            setsockopt(conn, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            reader = ByteReader(fd: conn)
        }
        do {
            guard let m = try HTTPMessage.read(from: &reader!, isResponse: false) else { fail("the function closed the connection") }
            return m
        } catch {
            fail("reading from the function: \(error)")
        }
    }

    func write(_ m: HTTPMessage) {
        do { try TCP.sendAll(conn, m.serialized()) } catch { fail("writing to the function: \(error)") }
    }

    /// Answers a `next` request with `event`.
    func sendInvocation(_ event: [UInt8]) {
        counter += 1
        var m = HTTPMessage()
        m.status = 200
        m.headers = [
            ("content-type", "application/json"), ("lambda-runtime-aws-request-id", "bench-\(counter)"),
            ("lambda-runtime-deadline-ms", String(LambdaTransport.Clock.epochMs() + 30_000)),
            ("lambda-runtime-invoked-function-arn", "arn:aws:lambda:us-east-1:123456789012:function:api-handler-bench"),
            ("lambda-runtime-trace-id", "Root=1-67890abc-0123456789abcdef01234567;Sampled=0"),
        ]
        m.body = event
        write(m)
    }

    /// Reads the function's answer to the current invocation and acknowledges it.
    func readAnswer() -> HTTPMessage {
        let m = read()
        guard m.method == "POST", m.target.hasSuffix("/bench-\(counter)/response") else {
            fail("expected the response POST for bench-\(counter), got \(m.method) \(m.target): \(String(decoding: m.body, as: UTF8.self))")
        }
        var ack = HTTPMessage()
        ack.status = 202
        ack.headers = [("content-type", "application/json")]
        ack.body = Array("{\"status\":\"OK\"}".utf8)
        write(ack)
        return m
    }

    func expectNext() {
        let m = read()
        guard m.method == "GET", m.target.hasSuffix("/runtime/invocation/next") else {
            fail("expected GET next, got \(m.method) \(m.target): \(String(decoding: m.body, as: UTF8.self))")
        }
    }

    func close() {
        if conn >= 0 { Glibc.close(conn) }
        Glibc.close(listener)
    }
}

func stop(_ pid: pid_t, _ api: DirectRuntimeAPI) -> Int32 {
    // The function is blocked in its next long poll: SIGTERM must end it cleanly.
    kill(pid, SIGTERM)
    let status = ChildProcess.wait(pid)
    api.close()
    return status
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

func fmtMs(_ ns: Double) -> String { String(Double(Int(ns / 1e3)) / 1e3) + " ms" }
func fmtUs(_ ns: Double) -> String { String(Double(Int(ns / 1e2)) / 10) + " us" }

// 1. Cold starts: spawn → answer to the first invocation.
var colds: [Double] = []
var inits: [Double] = []
var coldRSS: [Int] = []
for _ in 0..<processes {
    let api = DirectRuntimeAPI()
    let env = environment(api.endpoint, environmentName)
    let t0 = monotonicNs()
    guard let pid = ChildProcess.spawn(path: binary, arguments: [], environment: env, outputFD: devNull) else {
        fail("cannot spawn \(binary)")
    }
    api.expectNext()
    inits.append(Double(monotonicNs() - t0))
    api.sendInvocation(event)
    let answer = api.readAnswer()
    colds.append(Double(monotonicNs() - t0))
    guard String(decoding: answer.body, as: UTF8.self).contains("\"statusCode\":200") else {
        _ = stop(pid, api)
        fail("the function did not answer GET /v1/health with 200: \(String(decoding: answer.body, as: UTF8.self))")
    }
    api.expectNext()
    if let rss = peakRSSKiB(pid) { coldRSS.append(rss) }
    let status = stop(pid, api)
    if status != 0 { fail("the function exited with \(status) after SIGTERM (expected 0)") }
}

// 2. Warm invocations in one process.
let api = DirectRuntimeAPI()
guard let pid = ChildProcess.spawn(path: binary, arguments: [], environment: environment(api.endpoint, environmentName), outputFD: devNull)
else {
    fail("cannot spawn \(binary)")
}
api.expectNext()
for _ in 0..<50 {  // warm-up
    api.sendInvocation(event)
    _ = api.readAnswer()
    api.expectNext()
}
var warm: [Double] = []
warm.reserveCapacity(invocations)
let ticksBefore = cpuTicks(pid)
let warmStart = monotonicNs()
for _ in 0..<invocations {
    let t0 = monotonicNs()
    api.sendInvocation(event)
    _ = api.readAnswer()
    warm.append(Double(monotonicNs() - t0))
    api.expectNext()
}
let warmWall = Double(monotonicNs() - warmStart)
let ticksAfter = cpuTicks(pid)
let warmRSS = peakRSSKiB(pid) ?? 0
let warmStatus = stop(pid, api)

var st = stat()
let size = stat(binary, &st) == 0 ? Int(st.st_size) : 0

colds.sort()
inits.sort()
warm.sort()
print("lambda-bench: \(binary) (ENVIRONMENT=\(environmentName))")
print("  binary size          \(String(Double(size / 10_000) / 100)) MB (\(size) bytes)")
print(
    "  cold start (median)  \(fmtMs(percentile(colds, 0.5)))   min \(fmtMs(colds[0]))  max \(fmtMs(colds[colds.count - 1]))  [\(processes) processes]"
)
print("  init (median)        \(fmtMs(percentile(inits, 0.5)))   spawn -> first GET /next")
print(
    "  warm p50             \(fmtUs(percentile(warm, 0.5)))   [\(invocations) invocations, GET /v1/health v2 event, next answer -> response POST]"
)
print("  warm p99             \(fmtUs(percentile(warm, 0.99)))")
if let a = ticksBefore, let b = ticksAfter {
    let perInvocationNs = Double(b - a) * (1e9 / Double(sysconf(Int32(_SC_CLK_TCK)))) / Double(invocations)
    print(
        "  function CPU         \(fmtUs(perInvocationNs)) per invocation (user + system, incl. next/response syscalls); \(Int(Double(invocations) / (warmWall / 1e9))) invocations/s"
    )
}
print(
    "  peak RSS             \(String(Double(warmRSS * 10 / 1024) / 10)) MiB after warm run; \(String(Double((coldRSS.max() ?? 0) * 10 / 1024) / 10)) MiB after first answer"
)
print("  SIGTERM exit status  \(warmStatus)")
