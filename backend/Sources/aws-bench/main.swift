// aws-bench: cost of our AWS layer.
//
//   swift run -c release aws-bench [--signatures N] [--calls N] [--warmup N]
//                                  [--setup setup.json] [--boto3 boto3.json]
//
// 1. SigV4 signing cost (µs/op) for a typical DynamoDB request, N signatures.
// 2. With --setup (written by backend/scripts/bench_aws_boto3.py) and the emulator in
//    LIFESTYLE_TEST_AWS_*: per-call latency of our GetItem / PutItem / InitiateAuth,
//    and with --boto3 the ratio to boto3 doing the same calls against the same emulator.
// backend/scripts/bench-aws.sh runs the whole thing.
import AWSBackend
import FoundationEssentials
import LifestyleCore

#if canImport(Glibc)
    import Glibc
#endif

func argument(_ name: String) -> String? {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

func microseconds(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12
}

struct Stats: Codable {
    var p50_us: Double
    var p90_us: Double
    var p99_us: Double
    var n: Int

    init(_ samples: [Double]) {
        let s = samples.sorted()
        func pick(_ p: Double) -> Double { s[min(s.count - 1, Int(p * Double(s.count)))] }
        p50_us = pick(0.5); p90_us = pick(0.9); p99_us = pick(0.99); n = s.count
    }
}

func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
func fmt(_ v: Double, _ decimals: Int = 0) -> String {
    if decimals == 0 { return String(Int(v.rounded())) }
    let scale = pow10(decimals)
    let r = (v * scale).rounded() / scale
    return String(r)
}
func pow10(_ n: Int) -> Double { var x = 1.0; for _ in 0..<n { x *= 10 }; return x }

// MARK: 1. SigV4 signing

let signatures = Int(argument("--signatures") ?? "") ?? 100_000
let signer = SigV4Signer(
    credentials: AWSCredentials(
        accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        sessionToken: "IQoJb3JpZ2luX2VjEXAMPLETOKEN"),
    region: "eu-west-1", service: "dynamodb")
let body = Array(
    #"{"TableName":"lifestyle","Key":{"pk":{"S":"USER#0f8fad5b-d9cb-469f-a165-70867728950e"},"sk":{"S":"PROFILE"}},"ConsistentRead":true}"#
        .utf8)
let headers: [(name: String, value: String)] = [
    ("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", "DynamoDB_20120810.GetItem"),
]
let clock = ContinuousClock()
var sink = 0
let now = Date()
for _ in 0..<1000 {  // warm-up
    sink &+=
        signer.sign(method: "POST", host: "dynamodb.eu-west-1.amazonaws.com", path: "/", headers: headers, body: body, date: now).signature
        .utf8.count
}
let signStart = clock.now
for _ in 0..<signatures {
    sink &+=
        signer.sign(method: "POST", host: "dynamodb.eu-west-1.amazonaws.com", path: "/", headers: headers, body: body, date: now).signature
        .utf8.count
}
let signElapsed = signStart.duration(to: clock.now)
let signUs = microseconds(signElapsed) / Double(signatures)
print(
    "SigV4 signing: \(fmt(signUs, 2)) us/op over \(signatures) signatures (DynamoDB GetItem, \(body.count)-byte body, session token) [sink \(sink % 10)]"
)

// MARK: 1b. RS256 verification (the per-request cost of checking a Cognito token)

do {
    var rng = SystemRandomNumberGenerator()
    var n = (0..<256).map { _ in UInt8.random(in: 0...255, using: &rng) }
    n[0] |= 0x80
    n[255] |= 0x01
    var signature = (0..<256).map { _ in UInt8.random(in: 0...255, using: &rng) }
    signature[0] = n[0] >> 1
    let jwks = #"{"keys":[{"kty":"RSA","kid":"bench","alg":"RS256","use":"sig","n":"\#(Base64URL.encode(n))","e":"AQAB"}]}"#
    let verifier = JWKSVerifier(
        configuration: .cognito(region: "eu-west-1", userPoolId: "eu-west-1_bench", clientIds: ["c"], endpoint: nil),
        fetcher: { _ in Array(jwks.utf8) })
    let token =
        Base64URL.encode(Array(#"{"alg":"RS256","kid":"bench"}"#.utf8)) + "."
        + Base64URL.encode(Array(#"{"sub":"u","token_use":"access"}"#.utf8)) + "." + Base64URL.encode(signature)
    let rounds = Int(argument("--verifications") ?? "") ?? 2_000
    var rejected = 0
    for _ in 0..<50 { if (try? await verifier.verify(token, expecting: .access)) == nil { rejected += 1 } }
    let start = clock.now
    for _ in 0..<rounds { if (try? await verifier.verify(token, expecting: .access)) == nil { rejected += 1 } }
    let us = microseconds(start.duration(to: clock.now)) / Double(rounds)
    print(
        "RS256 verification: \(fmt(us, 1)) us/op over \(rounds) tokens (2048-bit key, full modular exponentiation) [rejected \(rejected)]")
}

// MARK: 2. Calls against the emulator

struct Setup: Codable {
    var table: String
    var user_pool_id: String
    var client_id: String
    var username: String
    var password: String
}

guard let setupPath = argument("--setup") else {
    print("(no --setup: skipping emulator latency; run backend/scripts/bench-aws.sh for the full comparison)")
    exit(0)
}

let env = ProcessInfo.processInfo.environment
guard let endpointString = env["LIFESTYLE_TEST_AWS_ENDPOINT"], let endpoint = AWSEndpoint(url: endpointString),
    let keyId = env["LIFESTYLE_TEST_AWS_ACCESS_KEY_ID"], let secret = env["LIFESTYLE_TEST_AWS_SECRET_ACCESS_KEY"],
    let region = env["LIFESTYLE_TEST_AWS_REGION"]
else {
    print("LIFESTYLE_TEST_AWS_ENDPOINT/_ACCESS_KEY_ID/_SECRET_ACCESS_KEY/_REGION must be set")
    exit(2)
}
let setup = try JSONDecoder().decode(Setup.self, from: Data(contentsOf: URL(fileURLWithPath: setupPath)))
let calls = Int(argument("--calls") ?? "") ?? 200
let warmup = Int(argument("--warmup") ?? "") ?? 20
let credentials = AWSCredentials(accessKeyId: keyId, secretAccessKey: secret)
let http = AWSHTTPClientFactory.makeHTTPClient()
let ddb = try DynamoDBClient(credentials: credentials, region: region, httpClient: http, endpoint: endpoint)
let idp = try CognitoIdentityProviderClient(credentials: credentials, region: region, httpClient: http, endpoint: endpoint)

func measure(_ op: @Sendable () async throws -> Void) async throws -> Stats {
    for _ in 0..<warmup { try await op() }
    var samples: [Double] = []
    samples.reserveCapacity(calls)
    for _ in 0..<calls {
        let t0 = clock.now
        try await op()
        samples.append(microseconds(t0.duration(to: clock.now)))
    }
    return Stats(samples)
}

let key: DynamoDBItem = ["pk": "USER#bench", "sk": "PROFILE"]
let baseItem: DynamoDBItem = [
    "pk": "USER#bench", "sk": "PROFILE", "name": "Bench", "age": 42, "tags": .ss(["a", "b"]), "prefs": .m(["dark": true]),
]
let putCounter = Counter()
final class Counter: @unchecked Sendable {  // only used sequentially
    var value = 0
    func next() -> Int { value += 1; return value }
}

var ours: [String: Stats] = [:]
do {
    let table = setup.table
    ours["GetItem"] = try await measure {
        let out = try await ddb.getItem(.init(tableName: table, key: key, consistentRead: true))
        precondition(out.item != nil)
    }
    ours["PutItem"] = try await measure {
        var item = baseItem
        item["sk"] = .s("SWIFT#\(putCounter.next())")
        _ = try await ddb.putItem(.init(tableName: table, item: item, conditionExpression: "attribute_not_exists(pk)"))
    }
    let (clientId, username, password) = (setup.client_id, setup.username, setup.password)
    ours["InitiateAuth"] = try await measure {
        let out = try await idp.initiateAuth(.userPassword(clientId: clientId, username: username, password: password))
        precondition(out.authenticationResult?.accessToken != nil)
    }
} catch {
    print("emulator calls failed: \(error)")
    await http.shutdown()
    exit(1)
}
await http.shutdown()

var boto: [String: Stats] = [:]
if let botoPath = argument("--boto3") {
    boto = try JSONDecoder().decode([String: Stats].self, from: Data(contentsOf: URL(fileURLWithPath: botoPath)))
}

print("")
print("Per-call latency against the emulator at \(endpoint) (\(calls) calls each after \(warmup) warm-up, sequential):")
print(pad("operation", 14) + pad("ours p50", 12) + pad("ours p90", 12) + pad("boto3 p50", 12) + pad("boto3 p90", 12) + "ours/boto3 (p50)")
for op in ["GetItem", "PutItem", "InitiateAuth"] {
    guard let o = ours[op] else { continue }
    var line = pad(op, 14) + pad("\(fmt(o.p50_us)) us", 12) + pad("\(fmt(o.p90_us)) us", 12)
    if let b = boto[op] {
        line += pad("\(fmt(b.p50_us)) us", 12) + pad("\(fmt(b.p90_us)) us", 12) + fmt(o.p50_us / b.p50_us, 2)
    }
    print(line)
}
