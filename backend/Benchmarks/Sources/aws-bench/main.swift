// aws-bench: cost of our AWS layer.
//
//   swift run -c release aws-bench [--signatures N] [--calls N] [--warmup N]
//                                  [--setup setup.json] [--boto3 boto3.json]
//
// 1. SigV4 signing cost (µs/op) for a typical DynamoDB request, N signatures.
// 2. With --setup (written by backend/Benchmarks/bench_aws_boto3.py) and the emulator in
//    LIFESTYLE_TEST_AWS_*: per-call latency of our GetItem / PutItem / InitiateAuth,
//    and with --boto3 the ratio to boto3 doing the same calls against the same emulator.
// backend/Benchmarks/bench-aws.sh runs the whole thing.
import AWSBackend
import Crypto
import FoundationEssentials
import LifestyleCore
import LifestyleToolkit
import Logging
import SigV4
import _CryptoExtras

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

// MARK: 1b. Bearer-token verification (the per-request cost of checking a Cognito token)
//
// A real RS256 access token (2048-bit key, signed by BoringSSL): p50 of verifying it in full
// (a verifier with no verified-token cache: modular exponentiation, SHA-256, two JSON decodes),
// of verifying it again through the cache (what every request after a user's first pays until the
// token expires), and, as the floor, BoringSSL checking the same signature alone. `--only-verification`
// stops after this part (Benchmarks/bench-lambda.sh uses it).

func verificationBench() async {
    let clock = ContinuousClock()
    let key = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    let p = try! key.publicKey.getKeyPrimitives()
    let jwks =
        #"{"keys":[{"kty":"RSA","kid":"bench","alg":"RS256","use":"sig","n":"\#(Base64URL.encode(p.modulus))","e":"\#(Base64URL.encode(p.publicExponent))"}]}"#
    let issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_bench"
    let exp = Int(Date().timeIntervalSince1970) + 3600
    // The claims of a real Cognito access token (same members, same sizes).
    let claims =
        #"{"sub":"0f8fad5b-d9cb-469f-a165-70867728950e","iss":"\#(issuer)","client_id":"5t2bench7clientid0000000000","#
        + #""origin_jti":"8d5a7f0e-3c11-4f0e-9b1a-6e2f4c9d7b21","event_id":"a1b2c3d4-e5f6-4789-a0b1-c2d3e4f5a6b7","#
        + #""token_use":"access","scope":"aws.cognito.signin.user.admin","auth_time":\#(exp - 3600),"exp":\#(exp),"#
        + #""iat":\#(exp - 3600),"jti":"f1e2d3c4-b5a6-4978-8a6b-5c4d3e2f1a0b","username":"0f8fad5b-d9cb-469f-a165-70867728950e"}"#
    let input = Base64URL.encode(Array(#"{"kid":"bench","alg":"RS256"}"#.utf8)) + "." + Base64URL.encode(Array(claims.utf8))
    let signature = try! key.signature(for: SHA256.hash(data: Array(input.utf8)), padding: .insecurePKCS1v1_5)
    let token = input + "." + Base64URL.encode(signature.rawRepresentation)
    func verifier(cache: Int) -> JWKSVerifier {
        JWKSVerifier(
            configuration: .init(issuer: issuer, clientIds: ["5t2bench7clientid0000000000"]), fetcher: { _ in Array(jwks.utf8) },
            verifiedTokenCapacity: cache)
    }
    let rounds = Int(argument("--verifications") ?? "") ?? 2_000
    func p50(_ body: () async -> Bool) async -> (Double, Int) {
        var samples: [Double] = []
        var failed = 0
        for _ in 0..<50 { _ = await body() }
        for _ in 0..<rounds {
            let t0 = clock.now
            if !(await body()) { failed += 1 }
            samples.append(microseconds(t0.duration(to: clock.now)))
        }
        return (Stats(samples).p50_us, failed)
    }
    let full = verifier(cache: 0)
    let cached = verifier(cache: 512)
    let (fullUs, fullFailed) = await p50 { (try? await full.verify(token, expecting: .access)) != nil }
    let (cachedUs, cachedFailed) = await p50 { (try? await cached.verify(token, expecting: .access)) != nil }
    let digest = SHA256.hash(data: Array(input.utf8))
    let (floorUs, floorFailed) = await p50 { key.publicKey.isValidSignature(signature, for: digest, padding: .insecurePKCS1v1_5) }
    guard fullFailed + cachedFailed + floorFailed == 0 else {
        print("token verification: FAILED (full \(fullFailed), cached \(cachedFailed), BoringSSL \(floorFailed) of \(rounds))")
        exit(1)
    }
    print("token verification p50 over \(rounds) (RS256 Cognito-shaped access token, \(token.utf8.count) bytes):")
    print("  full (no cache)      \(fmt(fullUs, 1)) us   ratio to BoringSSL signature check \(fmt(fullUs / floorUs, 2))")
    print("  cached (same token)  \(fmt(cachedUs, 1)) us   target <= 25 us")
    print("  BoringSSL signature  \(fmt(floorUs, 1)) us   (signature only, no claims)")
}
await verificationBench()
if CommandLine.arguments.contains("--only-verification") { exit(0) }

// MARK: 2. Calls against the emulator

struct Setup: Codable {
    var table: String
    var user_pool_id: String
    var client_id: String
    var username: String
    var password: String
}

guard let setupPath = argument("--setup") else {
    print("(no --setup: skipping emulator latency; run backend/Benchmarks/bench-aws.sh for the full comparison)")
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
let benchLogger = Logger(label: "aws-bench")
let ddb = try DynamoDBClient(credentials: credentials, region: region, httpClient: http, endpoint: endpoint, logger: benchLogger)
let idp = try CognitoIdentityProviderClient(
    credentials: credentials, region: region, httpClient: http, endpoint: endpoint, logger: benchLogger)

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
