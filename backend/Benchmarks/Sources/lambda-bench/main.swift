import AWSBackend
import LambdaEmulator
import LambdaEvents
import LambdaRuntime
import LifestyleToolkit
import Logging
import SigV4

#if canImport(Glibc)
    import Glibc
#endif

// lambda-bench BINARY [--processes N] [--invocations M] [--environment dev|local]
//                     [--floor FLOOR_BINARY] [--aws ENV_FILE] [--mixed K] [--goals G] [--journal J]
//
// Spawns BINARY as a Lambda function against a Runtime API on loopback and prints cold start,
// init time, warm round trip (GET /v1/health, API Gateway v2 event), peak RSS and binary size.
// Run via Benchmarks/bench-lambda.sh, which builds and strips the release binary.
//
// - `--floor`: the same cold and warm health measurements, interleaved, for a floor runtime (the
//   C one bench-lambda.sh builds) and the ratios BINARY / floor.
// - `--aws ENV_FILE` (KEY=VALUE lines: the function's environment against an AWS emulator, plus
//   BENCH_EMAIL / BENCH_PASSWORD of a confirmed user; Benchmarks/bench_lambda_aws.py writes it):
//   the warm authenticated GET /v1/users/profile interleaved with health, and a mixed workload of
//   K invocations (register, login, profile GET x4 and PUT, refresh) with the function's RSS at
//   1k, 2k, 5k, 10k, 20k... invocations.
// - `--goals G` (with `--aws`; default 1000, 0 skips): the bench user gets G goals (all but 100
//   archived, the per-user limit of goals in use), then the goal list (first page of 20), an
//   activity logged and a goal's progress, each with its p50 next to the profile route's and the
//   AWS calls it made (the function's request log line), and the mixed workload run again on a
//   fresh function with those three goal calls added per user: peak RSS against the plain mix.
// - `--journal J` (with `--aws`; default 2000, 0 skips): the bench user writes J entries of about
//   a hundred words, then the journal's first page (20 of J) and the statistics, each with its p50
//   next to the profile route's and the store call it makes from this process, and the AWS calls
//   it made; then 20 encrypted entries of 64 KiB of ciphertext, and the mixed workload on a fresh
//   function with the journal's first page (those 20), one of them read, and one rewritten (new
//   ciphertext, new IV) added per user: peak RSS against the plain mix.
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
    fail("usage: lambda-bench BINARY [--processes N] [--invocations M] [--environment dev|local] [--floor BIN] [--aws FILE] [--mixed K]")
}
args.removeFirst()
var processes = 15
var invocations = 2_000
var environmentName = "dev"
var floorBinary: String?
var awsFile: String?
var mixedInvocations = 20_000
var goalCount = 1_000
var journalCount = 2_000
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
    case "--mixed":
        guard let n = Int(value) else { fail("\(flag) needs a number") }
        mixedInvocations = max(0, n)
    case "--goals":
        guard let n = Int(value) else { fail("\(flag) needs a number") }
        goalCount = max(0, n)
    case "--journal":
        guard let n = Int(value) else { fail("\(flag) needs a number") }
        journalCount = max(0, n)
    case "--environment":
        guard value == "dev" || value == "local" else { fail("--environment is dev or local") }
        environmentName = value
    case "--floor": floorBinary = value
    case "--aws": awsFile = value
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

/// `--aws`: the function's environment against the emulator and the bench user.
struct AWSSettings {
    var environment: [String: String] = [:]
    var email = ""
    var password = ""

    init(file: String) {
        guard let f = fopen(file, "r") else { fail("cannot read \(file)") }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 8192)
        while fgets(&line, Int32(line.count), f) != nil {
            let text = String(decoding: line.prefix(while: { $0 != 0 && $0 != 10 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard let eq = text.firstIndex(of: "=") else { continue }
            let key = String(text[..<eq]), value = String(text[text.index(after: eq)...])
            switch key {
            case "BENCH_EMAIL": email = value
            case "BENCH_PASSWORD": password = value
            default: environment[key] = value
            }
        }
        guard !email.isEmpty, !password.isEmpty, environment["USERS_TABLE"] != nil else {
            fail("\(file) needs BENCH_EMAIL, BENCH_PASSWORD and the function's AWS settings")
        }
    }
}

let awsSettings = awsFile.map(AWSSettings.init(file:))

func tempDir() -> String {
    var template = Array("/tmp/lambda-bench-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
}

/// What Lambda gives a function, plus the app's settings. `dev` points the AWS adapters at a
/// closed loopback port: GET /v1/health never calls AWS, and nothing else is invoked.
@MainActor func environment(_ endpoint: String, _ environmentName: String) -> [String: String] {
    if let aws = awsSettings {
        var env = aws.environment
        env["AWS_LAMBDA_RUNTIME_API"] = endpoint
        env["LOG_LEVEL"] = "info"
        env["AWS_LAMBDA_FUNCTION_NAME"] = "api-handler-bench"
        env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "512"
        return env
    }
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

/// A `VmXXX:` figure of `/proc/<pid>/status` in KiB: `VmHWM` (peak RSS) or `VmRSS` (current).
func procStatusKiB(_ pid: pid_t, _ field: String) -> Int? {
    guard let f = fopen("/proc/\(pid)/status", "r") else { return nil }
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 512)
    while fgets(&line, Int32(line.count), f) != nil {
        let s = String(decoding: line.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if s.hasPrefix(field + ":") { return Int(s.dropFirst(field.count + 1).filter { $0.isNumber }) }
    }
    return nil
}

func peakRSSKiB(_ pid: pid_t) -> Int? { procStatusKiB(pid, "VmHWM") }

func rssKiB(_ pid: pid_t) -> Int? { procStatusKiB(pid, "VmRSS") }

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
            ("lambda-runtime-deadline-ms", String(UnixClock.epochMilliseconds() + 30_000)),
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

func mib(_ kib: Int) -> String { String(Double(kib * 10 / 1024) / 10) + " MiB" }

/// One function process and its Runtime API.
@MainActor final class Function {
    let api = DirectRuntimeAPI()
    let pid: pid_t
    var status: Int32?

    convenience init(_ binary: String) { self.init(binary, outputFD: devNull) }

    init(_ binary: String, outputFD: Int32) {
        guard
            let pid = ChildProcess.spawn(
                path: binary, arguments: [], environment: environment(api.endpoint, environmentName), outputFD: outputFD)
        else { fail("cannot spawn \(binary)") }
        self.pid = pid
        api.expectNext()
    }

    /// One invocation: its round trip in ns and the function's answer (the API Gateway v2 result).
    func invoke(_ event: [UInt8]) -> (Double, String) {
        let t0 = monotonicNs()
        api.sendInvocation(event)
        let answer = api.readAnswer()
        let elapsed = Double(monotonicNs() - t0)
        api.expectNext()
        return (elapsed, String(decoding: answer.body, as: UTF8.self))
    }

    func stop() -> Int32 {
        if let status { return status }
        let s = lambdaBenchStop(pid, api)
        status = s
        return s
    }
}

func lambdaBenchStop(_ pid: pid_t, _ api: DirectRuntimeAPI) -> Int32 { stop(pid, api) }

struct Cold {
    var colds: [Double] = []
    var inits: [Double] = []
    var rss: [Int] = []
}

/// Spawn → answer to the first invocation, for one process of `binary`.
@MainActor func coldStart(_ binary: String, into c: inout Cold) {
    let api = DirectRuntimeAPI()
    let env = environment(api.endpoint, environmentName)
    let t0 = monotonicNs()
    guard let pid = ChildProcess.spawn(path: binary, arguments: [], environment: env, outputFD: devNull) else {
        fail("cannot spawn \(binary)")
    }
    api.expectNext()
    c.inits.append(Double(monotonicNs() - t0))
    api.sendInvocation(event)
    let answer = api.readAnswer()
    c.colds.append(Double(monotonicNs() - t0))
    guard String(decoding: answer.body, as: UTF8.self).contains("\"statusCode\":200") else {
        _ = stop(pid, api)
        fail("\(binary) did not answer GET /v1/health with 200: \(String(decoding: answer.body, as: UTF8.self))")
    }
    api.expectNext()
    if let rss = peakRSSKiB(pid) { c.rss.append(rss) }
    let status = stop(pid, api)
    if status != 0 { fail("\(binary) exited with \(status) after SIGTERM (expected 0)") }
}

func median(_ xs: [Double]) -> Double { percentile(xs.sorted(), 0.5) }
func ratio(_ a: Double, _ b: Double) -> String { String(Double(Int(a / b * 100)) / 100) }

// With --aws only part 3 runs (the cold start and health figures are against no AWS at all).
if awsSettings == nil {
    // 1. Cold starts: spawn → answer to the first invocation (alternating with the floor, if any).
    var cold = Cold()
    var floorCold = Cold()
    for _ in 0..<processes {
        coldStart(binary, into: &cold)
        if let floorBinary { coldStart(floorBinary, into: &floorCold) }
    }

    // 2. Warm invocations in one process (blocks of 100, alternating with the floor's process).
    let function = Function(binary)
    let floorFunction = floorBinary.map(Function.init)
    for _ in 0..<50 {  // warm-up
        _ = function.invoke(event)
        _ = floorFunction?.invoke(event)
    }
    var warm: [Double] = []
    var floorWarm: [Double] = []
    warm.reserveCapacity(invocations)
    let ticksBefore = cpuTicks(function.pid)
    var warmWall = 0.0
    while warm.count < invocations {
        let block = min(100, invocations - warm.count)
        let start = monotonicNs()
        for _ in 0..<block { warm.append(function.invoke(event).0) }
        warmWall += Double(monotonicNs() - start)
        if let floorFunction { for _ in 0..<block { floorWarm.append(floorFunction.invoke(event).0) } }
    }
    let ticksAfter = cpuTicks(function.pid)
    let warmRSS = peakRSSKiB(function.pid) ?? 0
    let warmStatus = function.stop()
    if let floorFunction { _ = floorFunction.stop() }

    var st = stat()
    let size = stat(binary, &st) == 0 ? Int(st.st_size) : 0

    let colds = cold.colds.sorted()
    warm.sort()
    print("lambda-bench: \(binary) (ENVIRONMENT=\(awsSettings == nil ? environmentName : "dev, AWS emulator"))")
    print("  binary size          \(String(Double(size / 10_000) / 100)) MB (\(size) bytes)")
    print(
        "  cold start (median)  \(fmtMs(percentile(colds, 0.5)))   min \(fmtMs(colds[0]))  max \(fmtMs(colds[colds.count - 1]))  [\(processes) processes]"
    )
    print("  init (median)        \(fmtMs(median(cold.inits)))   spawn -> first GET /next")
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
    print("  peak RSS             \(mib(warmRSS)) after warm run; \(mib(cold.rss.max() ?? 0)) after first answer")
    print("  SIGTERM exit status  \(warmStatus)")
    if let floorBinary {
        let floorCold = median(floorCold.colds), floorP50 = median(floorWarm)
        print("floor: \(floorBinary)")
        print(
            "  cold start (median)  \(fmtMs(floorCold))   ratio api-handler / floor \(ratio(percentile(colds, 0.5), floorCold))   (target <= 2.5)"
        )
        print(
            "  warm p50             \(fmtUs(floorP50))   ratio api-handler / floor \(ratio(percentile(warm, 0.5), floorP50))   (target <= 2)"
        )
    }
}

// 3. Against the emulator: the authenticated route, then the mixed workload.
guard let aws = awsSettings else { exit(0) }

/// A field of the JSON body inside an API Gateway v2 answer (the body is an escaped JSON string).
func bodyField(_ name: String, _ answer: String) -> String? {
    let marker = "\\\"\(name)\\\":\\\""
    guard let r = answer.range(of: marker) else { return nil }
    let rest = answer[r.upperBound...]
    guard let end = rest.firstIndex(of: "\\") else { return nil }
    return String(rest[..<end])
}

func status(_ answer: String) -> Int {
    guard let r = answer.range(of: "\"statusCode\":") else { return 0 }
    return Int(answer[r.upperBound...].prefix(while: { $0.isNumber })) ?? 0
}

var addressCounter = 0
/// An API Gateway v2 event from a different client address each time (the per-address limits
/// are the function's business, not this benchmark's).
@MainActor func apiEvent(_ method: String, _ path: String, query: String = "", bearer: String? = nil, json: String? = nil) -> [UInt8] {
    addressCounter += 1
    var headers: [(String, String)] = [
        ("accept", "application/json"), ("host", "api.ailifestyle.app"), ("user-agent", "Mozilla/5.0 (bench)"),
    ]
    if let bearer { headers.append(("authorization", "Bearer \(bearer)")) }
    if json != nil { headers.append(("content-type", "application/json")) }
    return APIGatewayFront.event(
        method: method, path: path, query: query, headers: headers, body: Array((json ?? "").utf8),
        sourceIP: "198.18.\(addressCounter / 250 % 250).\(addressCounter % 250 + 1)")
}

// BENCH_FUNCTION_LOG=FILE keeps the bench function's own output (its request log lines) there
let fn: Function = {
    guard let raw = getenv("BENCH_FUNCTION_LOG") else { return Function(binary) }
    let path = String(cString: raw)
    return Function(binary, outputFD: open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600))
}()
@MainActor func login() -> (access: String, refresh: String) {
    let (_, answer) = fn.invoke(
        apiEvent("POST", "/v1/auth/login", json: #"{"email":"\#(aws.email)","password":"\#(aws.password)"}"#))
    guard status(answer) == 200, let access = bodyField("accessToken", answer), let refresh = bodyField("refreshToken", answer) else {
        fail("login of the bench user failed: \(answer.prefix(300))")
    }
    return (access, refresh)
}
var session = login()
let profileEvent = apiEvent("GET", "/v1/users/profile", bearer: session.access)
for _ in 0..<50 {
    guard status(fn.invoke(profileEvent).1) == 200 else { fail("GET /v1/users/profile did not answer 200") }
    _ = fn.invoke(event)
}
// The store call the profile route makes, made by this process with the same AWS client code
// against the same emulator and table: one consistent GetItem.
let e = aws.environment
guard let keyId = e["AWS_ACCESS_KEY_ID"], let secretKey = e["AWS_SECRET_ACCESS_KEY"], let region = e["AWS_REGION"],
    let table = e["USERS_TABLE"]
else { fail("the --aws file needs AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION and USERS_TABLE") }
let http = AWSHTTPClientFactory.makeHTTPClient()
let dynamo: DynamoDBClient
do {
    dynamo = try DynamoDBClient(
        credentials: AWSCredentials(accessKeyId: keyId, secretAccessKey: secretKey, sessionToken: e["AWS_SESSION_TOKEN"]), region: region,
        httpClient: http, environment: e, logger: Logger(label: "lambda-bench"))
} catch {
    fail("no DynamoDB endpoint: \(error)")
}
func getItem() async -> Double {
    let t0 = monotonicNs()
    do {
        _ = try await dynamo.getItem(.init(tableName: table, key: ["pk": "USER#lambda-bench", "sk": "PROFILE"], consistentRead: true))
    } catch {
        fail("GetItem against the emulator failed: \(error)")
    }
    return Double(monotonicNs() - t0)
}
for _ in 0..<20 { _ = await getItem() }
var profile: [Double] = []
var health: [Double] = []
var store: [Double] = []
let authenticated = max(200, invocations / 4)
while profile.count < authenticated {
    for _ in 0..<50 { profile.append(fn.invoke(profileEvent).0) }
    for _ in 0..<50 { health.append(fn.invoke(event).0) }
    for _ in 0..<50 { store.append(await getItem()) }
}
let profileP50 = median(profile), healthP50 = median(health), storeP50 = median(store)
print("authenticated route (same process, blocks of 50 alternating with health and with the store call alone, AWS emulator):")
print("  GET /v1/users/profile p50 \(fmtUs(profileP50))  p99 \(fmtUs(percentile(profile.sorted(), 0.99)))  [\(profile.count) invocations]")
print("  GET /v1/health p50        \(fmtUs(healthP50))")
print("  DynamoDB GetItem p50      \(fmtUs(storeP50))  (the one store call the route makes, from this process)")
print(
    "  profile / (health + GetItem) \(ratio(profileP50, healthP50 + storeP50))   (target <= 1.5); the route's own cost \(fmtUs(profileP50 - storeP50)) p50"
)

// 4. Goals: the bench user's goals (all but the last 100 archived), then the goal screen's list,
// a logged activity and a goal's progress, in blocks of 50 alternating with the profile route
// and with the store calls the goal routes make beyond the profile's, made from this process.
/// The `aws_calls` of the last request log line with `method` whose path starts with `pathPrefix`
/// and ends with `pathSuffix` (the log line's path has no query string).
func awsCalls(_ logFile: String, method: String, pathPrefix: String, pathSuffix: String = "") -> Int? {
    guard let text = try? String(contentsOfFile: logFile, encoding: .utf8) else { return nil }
    var last: Int?
    for line in text.split(separator: "\n") where line.contains("\"request\"") && line.contains("\"method\":\"\(method)\"") {
        guard let p = line.range(of: "\"path\":\""), line[p.upperBound...].hasPrefix(pathPrefix),
            let end = line[p.upperBound...].firstIndex(of: "\""), line[p.upperBound..<end].hasSuffix(pathSuffix),
            let c = line.range(of: "\"aws_calls\":")
        else { continue }
        last = Int(line[c.upperBound...].drop(while: { $0 == "\"" }).prefix(while: { $0.isNumber }))
    }
    return last
}

struct GoalEvents {
    var list: [UInt8]
    var logs: [[UInt8]]
    var progress: [[UInt8]]
}
var goalEvents: GoalEvents?
if goalCount > 0 {
    func goalBody(_ n: Int) -> String {
        ##"{"title":"Bench goal \##(n)","description":"","category":"fitness","icon":"🚶","color":"#22AA88","goalPattern":"recurring","##
            + #""target":{"metric":"count","value":10000,"unit":"steps","period":"day","direction":"increase","targetType":"minimum"},"#
            + #""schedule":{"frequency":"daily","checkInFrequency":"daily","catchUpAllowed":true}}"#
    }
    var live: [String] = []
    var userId = ""
    let seedStart = monotonicNs()
    for n in 0..<goalCount {
        let (_, answer) = fn.invoke(apiEvent("POST", "/v1/goals", bearer: session.access, json: goalBody(n)))
        guard status(answer) == 201, let id = bodyField("goalId", answer), let user = bodyField("userId", answer) else {
            fail("POST /v1/goals failed: \(answer.prefix(300))")
        }
        userId = user
        if n < goalCount - 100 {
            let archived = fn.invoke(apiEvent("DELETE", "/v1/goals/\(id)", bearer: session.access)).1
            guard status(archived) == 200 else { fail("DELETE /v1/goals/{id} failed: \(archived.prefix(300))") }
        } else {
            live.append(id)
        }
    }
    let seedSeconds = Double(monotonicNs() - seedStart) / 1e9
    let events = GoalEvents(
        list: apiEvent("GET", "/v1/goals", query: "limit=20", bearer: session.access),
        logs: live.map {
            apiEvent(
                "POST", "/v1/goals/\($0)/activities", bearer: session.access, json: #"{"value":1,"unit":"steps","activityType":"progress"}"#
            )
        },
        progress: live.map { apiEvent("GET", "/v1/goals/\($0)/progress", bearer: session.access) })
    goalEvents = events
    guard status(fn.invoke(events.list).1) == 200, status(fn.invoke(events.logs[0]).1) == 201,
        status(fn.invoke(events.progress[0]).1) == 200
    else { fail("a goal route did not answer as expected") }

    // The store calls beyond the profile's GetItem, from this process: the list's Query of the
    // goals in use (instead of a GetItem), the goal's GetItem, and a two-Put transaction the size of
    // an activity log's.
    let livePK: DynamoDBItem = [":pk": .s("USER#" + userId), ":prefix": .s("GOAL#")]
    let goalKey: DynamoDBItem = ["pk": .s("USER#" + userId), "sk": .s("GOAL#" + live[0])]
    func timed(_ body: () async throws -> Void) async -> Double {
        let t0 = monotonicNs()
        do { try await body() } catch { fail("a store call against the emulator failed: \(error)") }
        return Double(monotonicNs() - t0)
    }
    func query() async -> Double {
        await timed {
            _ = try await dynamo.query(
                .init(
                    tableName: table, keyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
                    filterExpression: "#status IN (:s0, :s1, :s2, :s3)",
                    projectionExpression: "userId, goalId, #status, pattern, category, title, createdAt, updatedAt, version, #document",
                    expressionAttributeNames: ["#status": "status", "#document": "document"],
                    expressionAttributeValues: livePK.merging([
                        ":s0": .s("draft"), ":s1": .s("active"), ":s2": .s("paused"), ":s3": .s("completed"),
                    ]) { a, _ in a }, consistentRead: true))
        }
    }
    var goalItem: DynamoDBItem = [:]
    do {
        goalItem = try await dynamo.getItem(.init(tableName: table, key: goalKey, consistentRead: true)).item ?? [:]
    } catch { fail("GetItem of a goal failed: \(error)") }
    func goalGet() async -> Double {
        await timed { _ = try await dynamo.getItem(.init(tableName: table, key: goalKey, consistentRead: true)) }
    }
    var puts = 0
    func transact() async -> Double {
        puts += 1
        var copy = goalItem
        copy["pk"] = .s("BENCH#goal")
        let activity: DynamoDBItem = [
            "pk": .s("BENCH#activities"), "sk": .s("ACT#\(puts)"),
            "document": .s(#"{"value":1,"unit":"steps","activityType":"progress","activityId":"00000000-0000-4000-8000-000000000000"}"#),
        ]
        return await timed {
            try await dynamo.transactWriteItems(
                .init(transactItems: [.put(.init(tableName: table, item: copy)), .put(.init(tableName: table, item: activity))]))
        }
    }
    var list: [Double] = [], log: [Double] = [], progress: [Double] = [], profile2: [Double] = []
    var getItems: [Double] = [], queries: [Double] = [], goalGets: [Double] = [], transacts: [Double] = []
    var k = 0
    while list.count < authenticated {
        for _ in 0..<50 { profile2.append(fn.invoke(profileEvent).0) }
        for _ in 0..<50 { list.append(fn.invoke(events.list).0) }
        for _ in 0..<50 {
            log.append(fn.invoke(events.logs[k % events.logs.count]).0)
            progress.append(fn.invoke(events.progress[k % events.progress.count]).0)
            k += 1
        }
        for _ in 0..<50 {
            getItems.append(await getItem())
            queries.append(await query())
            goalGets.append(await goalGet())
            transacts.append(await transact())
        }
    }
    // The calls each route made, from the request log line of a function that writes its log.
    let logPath = tempDir() + "/goal-calls.log"
    let logFD = open(logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let counter = Function(binary, outputFD: logFD)
    for _ in 0..<3 {
        _ = counter.invoke(profileEvent)
        _ = counter.invoke(events.list)
        _ = counter.invoke(events.logs[1])
        _ = counter.invoke(events.progress[1])
    }
    _ = counter.stop()
    close(logFD)
    func calls(_ method: String, _ path: String, _ suffix: String = "") -> String {
        awsCalls(logPath, method: method, pathPrefix: path, pathSuffix: suffix).map(String.init) ?? "?"
    }

    let p = median(profile2), g = median(getItems), q = median(queries), gg = median(goalGets), t = median(transacts)
    let listP50 = median(list), logP50 = median(log), progressP50 = median(progress)
    print(
        "goals (\(goalCount) goals of the bench user, \(goalCount - live.count) archived, seeded in \(Int(seedSeconds)) s; blocks of 50, AWS emulator):"
    )
    print("  GET /v1/users/profile p50             \(fmtUs(p))   AWS calls \(calls("GET", "/v1/users/profile"))")
    print(
        "  store calls from this process p50: GetItem \(fmtUs(g)), Query of the goals in use \(fmtUs(q)), GetItem of a goal \(fmtUs(gg)), TransactWriteItems (2 Puts) \(fmtUs(t))"
    )
    print(
        "  GET /v1/goals?limit=20 p50            \(fmtUs(listP50))   AWS calls \(calls("GET", "/v1/goals", "/v1/goals"))   ratio to profile + (Query - GetItem) \(ratio(listP50, p + q - g))   (target <= 1.5)"
    )
    print(
        "  POST /v1/goals/{id}/activities p50    \(fmtUs(logP50))   AWS calls \(calls("POST", "/v1/goals/", "/activities"))   ratio to profile + GetItem + TransactWriteItems \(ratio(logP50, p + gg + t))   (target <= 1.5)"
    )
    print(
        "  GET /v1/goals/{id}/progress p50       \(fmtUs(progressP50))   AWS calls \(calls("GET", "/v1/goals/", "/progress"))   ratio to profile + GetItem \(ratio(progressP50, p + gg))   (target <= 1.5)"
    )
}

// 5. The journal: J entries of the bench user (the 20 oldest encrypted, 64 KiB of ciphertext
// each), the first page and the statistics in blocks of 50 alternating with the profile route and
// with the one store call each makes, from this process.
struct JournalEvents {
    /// the list the mix reads: the first page (20 small entries), or the page of the 64 KiB ones
    var list: [UInt8]
    var read: [UInt8]
    var rewrite: [[UInt8]]
    /// tells the mixes apart (their users' emails, their rewrites' IVs)
    var tag: Int
}
var journalEvents: [JournalEvents] = []
if journalCount > 20 {
    func cipher(_ n: Int) -> String { Base64.encode(Array(repeating: UInt8(truncatingIfNeeded: n &* 37), count: 48 * 1024)) }
    let key = Base64.encode(Array(repeating: 7, count: 256))
    var big: [String] = []
    let seedStart = monotonicNs()
    for n in 0..<20 {
        let iv = Base64.encode(Array(repeating: UInt8(200), count: 12))
        let (_, answer) = fn.invoke(
            apiEvent(
                "POST", "/v1/journal", bearer: session.access,
                json:
                    #"{"title":"Sealed \#(n)","content":"\#(cipher(n))","isEncrypted":true,"encryptedKey":"\#(key)","encryptionIv":"\#(iv)","wordCount":9000}"#
            ))
        guard status(answer) == 201, let id = bodyField("entryId", answer) else {
            fail("POST /v1/journal (64 KiB) failed: \(answer.prefix(300))")
        }
        big.append(id)
    }
    let words = (0..<100).map { ["morning", "walk", "coffee", "call", "garden", "rain", "book", "friend"][$0 % 8] }.joined(separator: " ")
    for n in 20..<journalCount {
        let (_, answer) = fn.invoke(
            apiEvent(
                "POST", "/v1/journal", bearer: session.access,
                json:
                    #"{"title":"Day \#(n)","content":"\#(words)","template":"daily_reflection","mood":"calm","tags":["bench","t\#(n % 7)"]}"#
            ))
        guard status(answer) == 201 else { fail("POST /v1/journal failed: \(answer.prefix(300))") }
    }
    let seedSeconds = Double(monotonicNs() - seedStart) / 1e9
    guard let userId = bodyField("userId", fn.invoke(profileEvent).1) else { fail("no userId in the profile") }
    let listEvent = apiEvent("GET", "/v1/journal", query: "limit=20", bearer: session.access)
    let bigPageEvent = apiEvent("GET", "/v1/journal", query: "limit=20&page=\(journalCount / 20)", bearer: session.access)
    let statsEvent = apiEvent("GET", "/v1/journal/stats", bearer: session.access)
    let listed = fn.invoke(listEvent).1
    guard status(listed) == 200, listed.contains(#"total\":\#(journalCount),"#) else { fail("GET /v1/journal: \(listed.prefix(300))") }
    guard fn.invoke(bigPageEvent).1.contains(big[0]) else { fail("the last page does not hold the 64 KiB entries") }
    guard status(fn.invoke(statsEvent).1) == 200 else { fail("GET /v1/journal/stats failed") }
    func timed(_ body: () async throws -> Void) async -> Double {
        let t0 = monotonicNs()
        do { try await body() } catch { fail("a store call against the emulator failed: \(error)") }
        return Double(monotonicNs() - t0)
    }
    func pageQuery() async -> Double {
        await timed {
            _ = try await dynamo.query(
                .init(
                    tableName: table, keyConditionExpression: "pk = :pk AND sk BETWEEN :first AND :stats",
                    expressionAttributeValues: [":pk": .s("USER#" + userId), ":first": .s("JOURNAL#"), ":stats": .s("JOURNAL_STATS")],
                    limit: 21, scanIndexForward: false, consistentRead: true))
        }
    }
    func statsGet() async -> Double {
        await timed {
            _ = try await dynamo.getItem(
                .init(tableName: table, key: ["pk": .s("USER#" + userId), "sk": .s("JOURNAL_STATS")], consistentRead: true))
        }
    }
    var list: [Double] = [], stats: [Double] = [], profile3: [Double] = [], queries: [Double] = [], statsGets: [Double] = []
    var profileGets: [Double] = []
    while list.count < authenticated {
        for _ in 0..<50 { profile3.append(fn.invoke(profileEvent).0) }
        for _ in 0..<50 {
            list.append(fn.invoke(listEvent).0)
            stats.append(fn.invoke(statsEvent).0)
        }
        for _ in 0..<50 {
            profileGets.append(await getItem())
            queries.append(await pageQuery())
            statsGets.append(await statsGet())
        }
    }
    let logPath = tempDir() + "/journal-calls.log"
    let logFD = open(logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let counter = Function(binary, outputFD: logFD)
    for _ in 0..<3 {
        _ = counter.invoke(profileEvent)
        _ = counter.invoke(listEvent)
        _ = counter.invoke(statsEvent)
    }
    _ = counter.stop()
    close(logFD)
    func calls(_ path: String) -> String {
        awsCalls(logPath, method: "GET", pathPrefix: path, pathSuffix: path).map(String.init) ?? "?"
    }
    let p = median(profile3), g = median(profileGets), q = median(queries), sg = median(statsGets)
    let listP50 = median(list), statsP50 = median(stats)
    print(
        "journal (\(journalCount) entries of the bench user, the 20 oldest of 64 KiB, seeded in \(Int(seedSeconds)) s; blocks of 50, AWS emulator):"
    )
    print("  GET /v1/users/profile p50        \(fmtUs(p))")
    print(
        "  store calls from this process p50: GetItem (profile) \(fmtUs(g)), Query of the first page (21 items) \(fmtUs(q)), GetItem of the statistics \(fmtUs(sg))"
    )
    print(
        "  GET /v1/journal?limit=20 p50     \(fmtUs(listP50))   AWS calls \(calls("/v1/journal"))   ratio to profile + (Query - GetItem) \(ratio(listP50, p + q - g))   (target <= 1.5)"
    )
    print(
        "  GET /v1/journal/stats p50        \(fmtUs(statsP50))   AWS calls \(calls("/v1/journal/stats"))   ratio to profile + (stats GetItem - GetItem) \(ratio(statsP50, p + sg - g))   (target <= 1.5)"
    )
    let read = apiEvent("GET", "/v1/journal/\(big[0])", bearer: session.access)
    // each mix rewrites with IVs of its own (an IV is never accepted twice in a row)
    func rewrite(_ tag: Int) -> [[UInt8]] {
        (0..<8).map { n in
            apiEvent(
                "PUT", "/v1/journal/\(big[1])", bearer: session.access,
                json:
                    #"{"content":"\#(cipher(n + 100))","encryptionIv":"\#(Base64.encode(Array(repeating: UInt8(tag * 16 + n), count: 12)))"}"#
            )
        }
    }
    journalEvents = [
        JournalEvents(list: listEvent, read: read, rewrite: rewrite(1), tag: 1),
        JournalEvents(list: bigPageEvent, read: read, rewrite: rewrite(2), tag: 2),
    ]
}

await http.shutdown()

// The mixed workload: what a container serves over its life, on a fresh function each time;
// with goals, the same mix plus the goal screen's list, a log and a progress per user.
@MainActor func mixedWorkload(_ fn: Function, goals: GoalEvents?, journal: JournalEvents? = nil) -> Int {
    var checkpoints: [Int] = []
    var c = 1_000
    while c < mixedInvocations {
        checkpoints.append(c)
        c = c == 1_000 ? 2_000 : (c == 2_000 ? 5_000 : c * 2)
    }
    checkpoints.append(mixedInvocations)
    var done = 0
    var non2xx = 0
    var user = 0
    var samples: [(Int, Int, Int)] = []
    var unexpected: [String: Int] = [:]
    func count(_ r: (Double, String), _ expected: Int = 200, _ route: String) {
        done += 1
        if status(r.1) != expected {
            non2xx += 1
            unexpected["\(route) \(status(r.1))", default: 0] += 1
        }
    }
    while done < mixedInvocations {
        user += 1
        let email = "mixed-\(getpid())-\(goals == nil ? "" : "g")\(journal.map { "j\($0.tag)-" } ?? "")\(user)@example.com"
        // Names are letters only (the contract's name rule): a letter per user, cycling.
        let letter = String(UnicodeScalar(UInt8(97 + user % 26)))
        count(
            fn.invoke(
                apiEvent(
                    "POST", "/v1/auth/register",
                    json: #"{"email":"\#(email)","password":"SecureP@ss123","firstName":"Mixed","lastName":"User\#(letter)"}"#)), 201,
            "POST /v1/auth/register")
        let (_, answer) = fn.invoke(
            apiEvent("POST", "/v1/auth/login", json: #"{"email":"\#(aws.email)","password":"\#(aws.password)"}"#))
        done += 1
        if status(answer) == 200, let a = bodyField("accessToken", answer), let r = bodyField("refreshToken", answer) {
            session = (a, r)
        } else {
            non2xx += 1
            unexpected["POST /v1/auth/login \(status(answer))", default: 0] += 1
        }
        for _ in 0..<4 { count(fn.invoke(apiEvent("GET", "/v1/users/profile", bearer: session.access)), 200, "GET /v1/users/profile") }
        count(
            fn.invoke(apiEvent("PUT", "/v1/users/profile", bearer: session.access, json: #"{"firstName":"Mixed\#(letter)"}"#)), 200,
            "PUT /v1/users/profile")
        count(
            fn.invoke(apiEvent("POST", "/v1/auth/refresh", json: #"{"refreshToken":"\#(session.refresh)"}"#)), 200, "POST /v1/auth/refresh")
        if let goals {
            // the bench user's goals, with the token of this round's login
            let n = user % goals.logs.count
            count(fn.invoke(withBearer(goals.list, session.access)), 200, "GET /v1/goals")
            count(fn.invoke(withBearer(goals.logs[n], session.access)), 201, "POST /v1/goals/{id}/activities")
            count(fn.invoke(withBearer(goals.progress[n], session.access)), 200, "GET /v1/goals/{id}/progress")
        }
        if let journal {
            // the bench user's journal: a page of 20 entries, a 64 KiB entry read and one rewritten
            count(fn.invoke(withBearer(journal.list, session.access)), 200, "GET /v1/journal")
            count(fn.invoke(withBearer(journal.read, session.access)), 200, "GET /v1/journal/{id}")
            count(fn.invoke(withBearer(journal.rewrite[user % journal.rewrite.count], session.access)), 200, "PUT /v1/journal/{id}")
        }
        while let next = checkpoints.first, done >= next {
            checkpoints.removeFirst()
            samples.append((done, rssKiB(fn.pid) ?? 0, peakRSSKiB(fn.pid) ?? 0))
        }
    }
    print(
        journal != nil
            ? "mixed workload with the journal (the plain mix, plus a page of 20 entries (\(journal?.tag == 1 ? "the first, of small entries" : "the page of the twenty 64 KiB entries")), a 64 KiB entry read and one rewritten; a fresh function):"
            : goals == nil
                ? "mixed workload (per user: register, login, profile GET x4, PUT, refresh; AWS emulator; a fresh function):"
                : "mixed workload with goals (the same, plus the goal list, an activity logged and a goal's progress; a fresh function):")
    for (n, rss, peak) in samples {
        print("  after \(n) invocations   RSS \(mib(rss))   peak \(mib(peak))")
    }
    if let first = samples.first, let last = samples.last, samples.count > 1 {
        print(
            "  RSS growth \(first.0) -> \(last.0): \(mib(last.1 - first.1)) (\(last.1 - first.1) KiB); peak \(mib(last.2)) (target <= 14 MiB)"
        )
    }
    print(
        "  \(done) invocations, \(user) registrations, \(non2xx) not as expected\(unexpected.isEmpty ? "" : ": ")\(unexpected.sorted { $0.key < $1.key }.map { "\($0.key) x\($0.value)" }.joined(separator: ", "))"
    )
    return samples.last?.2 ?? 0
}

/// The same event with another bearer token (the events' bytes are built once).
func withBearer(_ event: [UInt8], _ token: String) -> [UInt8] {
    let text = String(decoding: event, as: UTF8.self)
    guard let r = text.range(of: "Bearer ") else { return event }
    let end = text[r.upperBound...].firstIndex(where: { $0 == "\"" || $0 == "\\" }) ?? text.endIndex
    return Array((text[..<r.upperBound] + token + text[end...]).utf8)
}

if mixedInvocations > 0 {
    let plainFn = Function(binary)
    let plainPeak = mixedWorkload(plainFn, goals: nil)
    if plainFn.stop() != 0 { fail("the function exited badly after SIGTERM") }
    if let goalEvents {
        let goalsFn = Function(binary)
        let goalsPeak = mixedWorkload(goalsFn, goals: goalEvents)
        if goalsFn.stop() != 0 { fail("the function exited badly after SIGTERM") }
        print("  peak RSS with goals / without: \(ratio(Double(goalsPeak), Double(plainPeak)))   (target <= 1.10)")
    }
    for (n, events) in journalEvents.enumerated() {
        let journalFn = Function(binary)
        let journalPeak = mixedWorkload(journalFn, goals: nil, journal: events)
        if journalFn.stop() != 0 { fail("the function exited badly after SIGTERM") }
        print(
            "  peak RSS with the journal (\(n == 0 ? "64 KiB entries read and written" : "and the page of twenty 64 KiB entries")) / without: \(ratio(Double(journalPeak), Double(plainPeak)))   (target <= 1.10)"
        )
    }
}
let fnStatus = fn.stop()
if fnStatus != 0 { fail("the function exited with \(fnStatus) after SIGTERM") }
