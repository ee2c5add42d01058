import AWSTestSupport
import Crypto
import FoundationEssentials
import Logging
import XCTest

@testable import AWSBackend
@testable import SigV4

#if canImport(Glibc)
    import Glibc
#endif

/// The AWS emulator (moto server with SigV4 checking on) the integration tests talk to.
/// Read from LIFESTYLE_TEST_AWS_ENDPOINT / _ACCESS_KEY_ID / _SECRET_ACCESS_KEY / _REGION.
/// Missing variables fail the test when `CI` is set, and skip it otherwise.
struct EmulatorEnvironment {
    var endpoint: AWSEndpoint
    var credentials: AWSCredentials
    var region: String

    static func load(file: StaticString = #filePath, line: UInt = #line) throws -> EmulatorEnvironment {
        let env = ProcessInfo.processInfo.environment
        let names = [
            "LIFESTYLE_TEST_AWS_ENDPOINT", "LIFESTYLE_TEST_AWS_ACCESS_KEY_ID", "LIFESTYLE_TEST_AWS_SECRET_ACCESS_KEY",
            "LIFESTYLE_TEST_AWS_REGION",
        ]
        let missing = names.filter { (env[$0] ?? "").isEmpty }
        if !missing.isEmpty {
            let message =
                "AWS emulator not configured (missing \(missing.joined(separator: ", "))); start it with backend/e2e/support/motoctl.py"
            if !(env["CI"] ?? "").isEmpty {
                XCTFail(message, file: file, line: line)
                throw XCTSkip("failed: " + message)
            }
            throw XCTSkip(message)
        }
        guard let endpoint = AWSEndpoint(url: env["LIFESTYLE_TEST_AWS_ENDPOINT"]!) else {
            XCTFail("LIFESTYLE_TEST_AWS_ENDPOINT is not a URL", file: file, line: line)
            throw XCTSkip("bad endpoint")
        }
        return EmulatorEnvironment(
            endpoint: endpoint,
            credentials: AWSCredentials(
                accessKeyId: env["LIFESTYLE_TEST_AWS_ACCESS_KEY_ID"]!, secretAccessKey: env["LIFESTYLE_TEST_AWS_SECRET_ACCESS_KEY"]!),
            region: env["LIFESTYLE_TEST_AWS_REGION"]!)
    }
}

func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UInt32.random(in: 0...UInt32.max))"
}

/// RFC 6238 TOTP (SHA-1, 30 s, 6 digits) for a base32 secret, as authenticator apps do.
func totp(secretBase32: String, at date: Date = Date()) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    var bits = 0, value = 0
    var key = [UInt8]()
    for ch in secretBase32.uppercased() where ch != "=" {
        guard let idx = alphabet.firstIndex(of: ch) else { continue }
        value = (value << 5) | idx
        bits += 5
        if bits >= 8 { key.append(UInt8((value >> (bits - 8)) & 0xFF)); bits -= 8 }
    }
    var counter = UInt64(date.timeIntervalSince1970 / 30).bigEndian
    let msg = withUnsafeBytes(of: &counter) { Array($0) }
    let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: msg, using: SymmetricKey(data: key)))
    let offset = Int(mac[mac.count - 1] & 0x0F)
    let code =
        (UInt32(mac[offset] & 0x7F) << 24 | UInt32(mac[offset + 1]) << 16 | UInt32(mac[offset + 2]) << 8 | UInt32(mac[offset + 3]))
        % 1_000_000
    let s = String(code)
    return String(repeating: "0", count: 6 - s.count) + s
}

/// Owns one HTTPClient per test, shut down in tearDown.
class EmulatorTestCase: XCTestCase {
    var http: AWSHTTPClient!

    override func setUp() async throws {
        http = AWSHTTPClientFactory.makeHTTPClient()
    }

    override func tearDown() async throws {
        await http?.shutdown()
        http = nil
    }
}

final class DynamoDBIntegrationTests: EmulatorTestCase {
    func testItemLifecycleConditionsQueryAndTransactions() async throws {
        let env = try EmulatorEnvironment.load()
        let http = self.http!
        let ddb = try DynamoDBClient(
            credentials: env.credentials, region: env.region, httpClient: http, endpoint: env.endpoint, logger: Logger(label: "test"))
        let table = uniqueName("aws-it")
        let deadline = ContinuousClock.now.advanced(by: .seconds(25))

        try await ddb.createTable(
            .init(
                tableName: table,
                keySchema: [.init(attributeName: "pk", keyType: .hash), .init(attributeName: "sk", keyType: .range)],
                attributeDefinitions: [.init(attributeName: "pk", attributeType: "S"), .init(attributeName: "sk", attributeType: "S")]))
        do {
            // Put + consistent Get
            let item: DynamoDBItem = [
                "pk": "USER#1", "sk": "PROFILE", "name": "Alice", "age": 30, "tags": .ss(["a", "b"]),
                "prefs": .m(["dark": true, "list": .l([.n("1"), .null])]),
            ]
            _ = try await ddb.putItem(
                .init(tableName: table, item: item, conditionExpression: "attribute_not_exists(pk)"), deadline: deadline)
            let got = try await ddb.getItem(
                .init(tableName: table, key: ["pk": "USER#1", "sk": "PROFILE"], consistentRead: true), deadline: deadline)
            XCTAssertEqual(got.item, item)
            let missing = try await ddb.getItem(.init(tableName: table, key: ["pk": "USER#404", "sk": "PROFILE"], consistentRead: true))
            XCTAssertNil(missing.item)

            // Conditional put on an existing key fails with a typed error.
            do {
                _ = try await ddb.putItem(
                    .init(
                        tableName: table, item: item, conditionExpression: "attribute_not_exists(#pk)",
                        expressionAttributeNames: ["#pk": "pk"]))
                XCTFail("conditional put should fail")
            } catch {
                XCTAssertEqual(error.code, "ConditionalCheckFailedException")
                XCTAssertEqual(error.serviceError?.statusCode, 400)
                XCTAssertFalse(error.serviceError?.isRetryable ?? true)
            }

            // UpdateItem with condition and ReturnValues
            let updated = try await ddb.updateItem(
                .init(
                    tableName: table, key: ["pk": "USER#1", "sk": "PROFILE"],
                    updateExpression: "SET #n = :n, age = age + :one", conditionExpression: "age = :old",
                    expressionAttributeNames: ["#n": "name"], expressionAttributeValues: [":n": "Alicia", ":one": 1, ":old": 30],
                    returnValues: .allNew))
            XCTAssertEqual(updated.attributes?["name"], "Alicia")
            XCTAssertEqual(updated.attributes?["age"]?.intValue, 31)
            do {
                _ = try await ddb.updateItem(
                    .init(
                        tableName: table, key: ["pk": "USER#1", "sk": "PROFILE"], updateExpression: "SET age = :v",
                        conditionExpression: "age = :old", expressionAttributeValues: [":v": 1, ":old": 30]))
                XCTFail("stale conditional update should fail")
            } catch {
                XCTAssertEqual(error.code, "ConditionalCheckFailedException")
            }

            // Query
            for i in 0..<3 {
                _ = try await ddb.putItem(.init(tableName: table, item: ["pk": "USER#1", "sk": .s("ENTRY#\(i)"), "v": .n(String(i))]))
            }
            let q = try await ddb.query(
                .init(
                    tableName: table, keyConditionExpression: "pk = :pk AND begins_with(sk, :p)",
                    expressionAttributeValues: [":pk": "USER#1", ":p": "ENTRY#"], scanIndexForward: false))
            XCTAssertEqual(q.items.map { $0["sk"]?.stringValue }, ["ENTRY#2", "ENTRY#1", "ENTRY#0"])
            let page = try await ddb.query(
                .init(tableName: table, keyConditionExpression: "pk = :pk", expressionAttributeValues: [":pk": "USER#1"], limit: 2))
            XCTAssertEqual(page.items.count, 2)
            XCTAssertNotNil(page.lastEvaluatedKey)

            // TransactWriteItems: a failing ConditionCheck cancels everything, with reasons.
            do {
                try await ddb.transactWriteItems(
                    .init(transactItems: [
                        .put(.init(tableName: table, item: ["pk": "USER#2", "sk": "PROFILE"])),
                        .conditionCheck(
                            .init(
                                tableName: table, key: ["pk": "USER#1", "sk": "PROFILE"], conditionExpression: "age = :x",
                                expressionAttributeValues: [":x": 99])),
                    ]))
                XCTFail("transaction should be cancelled")
            } catch {
                XCTAssertEqual(error.code, "TransactionCanceledException")
                XCTAssertEqual(error.serviceError?.cancellationReasons?.map(\.code), ["None", "ConditionalCheckFailed"])
            }
            let notWritten = try await ddb.getItem(.init(tableName: table, key: ["pk": "USER#2", "sk": "PROFILE"], consistentRead: true))
            XCTAssertNil(notWritten.item)
            try await ddb.transactWriteItems(
                .init(transactItems: [
                    .put(
                        .init(tableName: table, item: ["pk": "USER#2", "sk": "PROFILE"], conditionExpression: "attribute_not_exists(pk)")),
                    .update(
                        .init(
                            tableName: table, key: ["pk": "USER#1", "sk": "PROFILE"], updateExpression: "SET age = :a",
                            expressionAttributeValues: [":a": 40])),
                    .delete(.init(tableName: table, key: ["pk": "USER#1", "sk": "ENTRY#0"])),
                    .conditionCheck(
                        .init(tableName: table, key: ["pk": "USER#1", "sk": "ENTRY#1"], conditionExpression: "attribute_exists(pk)")),
                ]), deadline: deadline)
            let after = try await ddb.getItem(.init(tableName: table, key: ["pk": "USER#1", "sk": "PROFILE"], consistentRead: true))
            XCTAssertEqual(after.item?["age"]?.intValue, 40)

            // DeleteItem with condition
            do {
                _ = try await ddb.deleteItem(
                    .init(tableName: table, key: ["pk": "USER#2", "sk": "PROFILE"], conditionExpression: "attribute_exists(nope)"))
                XCTFail("conditional delete should fail")
            } catch {
                XCTAssertEqual(error.code, "ConditionalCheckFailedException")
            }
            let deleted = try await ddb.deleteItem(
                .init(
                    tableName: table, key: ["pk": "USER#1", "sk": "PROFILE"], conditionExpression: "attribute_exists(pk)",
                    returnValues: .allOld))
            XCTAssertEqual(deleted.attributes?["age"]?.intValue, 40)

            // Unknown table: typed ResourceNotFoundException.
            do {
                _ = try await ddb.getItem(.init(tableName: table + "-missing", key: ["pk": "x", "sk": "y"]))
                XCTFail("missing table should fail")
            } catch {
                XCTAssertEqual(error.code, "ResourceNotFoundException")
            }
        } catch {
            _ = try? await ddb.deleteTable(tableName: table)
            throw error
        }
        try await ddb.deleteTable(tableName: table)
    }
}

extension DynamoDBIntegrationTests {
    /// A wrong secret is rejected by the emulator (auth really on), and the error message
    /// carries neither the secret we used nor the real one.
    func testWrongSecretIsRejected() async throws {
        let env = try EmulatorEnvironment.load()
        let http = self.http!
        let wrongSecret = String(env.credentials.secretAccessKey.reversed())
        let bad = try DynamoDBClient(
            credentials: AWSCredentials(accessKeyId: env.credentials.accessKeyId, secretAccessKey: wrongSecret),
            region: env.region, httpClient: http, endpoint: env.endpoint, retryPolicy: .none, logger: Logger(label: "test"))
        let good = try DynamoDBClient(
            credentials: env.credentials, region: env.region, httpClient: http, endpoint: env.endpoint, logger: Logger(label: "test"))
        do {
            _ = try await bad.getItem(.init(tableName: "any", key: ["pk": "x"]))
            XCTFail("a wrong secret must be rejected")
        } catch {
            let e = try XCTUnwrap(error.serviceError, "\(error)")
            XCTAssertTrue(["InvalidSignatureException", "SignatureDoesNotMatch", "UnrecognizedClientException"].contains(e.code), e.code)
            print("wrong secret rejected by emulator: \(e)")
            XCTAssertTrue((400..<500).contains(e.statusCode))
            XCTAssertFalse(e.message.contains(wrongSecret))
            XCTAssertFalse("\(error)".contains(env.credentials.secretAccessKey))
        }
        let cognitoBad = try CognitoIdentityProviderClient(
            credentials: AWSCredentials(accessKeyId: env.credentials.accessKeyId, secretAccessKey: wrongSecret),
            region: env.region, httpClient: http, endpoint: env.endpoint, retryPolicy: .none, logger: Logger(label: "test"))
        do {
            _ = try await cognitoBad.adminGetUser(userPoolId: "us-east-1_nope", username: "x")
            XCTFail("a wrong secret must be rejected by cognito-idp too")
        } catch {
            XCTAssertNotEqual(error.code, "ResourceNotFoundException", "request reached the handler: auth not checked")
        }
        // Correct signature accepted: the request reaches the service (ResourceNotFound, not an auth error).
        do {
            _ = try await good.getItem(.init(tableName: uniqueName("absent"), key: ["pk": "x"]))
            XCTFail("expected ResourceNotFoundException")
        } catch {
            XCTAssertEqual(error.code, "ResourceNotFoundException")
        }
    }

    /// Unknown access key id: rejected too.
    func testUnknownAccessKeyIsRejected() async throws {
        let env = try EmulatorEnvironment.load()
        let http = self.http!
        let bad = try DynamoDBClient(
            credentials: AWSCredentials(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: env.credentials.secretAccessKey),
            region: env.region, httpClient: http, endpoint: env.endpoint, retryPolicy: .none, logger: Logger(label: "test"))
        do {
            _ = try await bad.getItem(.init(tableName: "any", key: ["pk": "x"]))
            XCTFail("unknown key must be rejected")
        } catch {
            XCTAssertNotEqual(error.code, "ResourceNotFoundException")
            XCTAssertNotNil(error.serviceError)
        }
    }

    /// Connection refused is a transport error, retried (connect errors are safe) and bounded by the deadline.
    func testTransportErrorAndDeadline() async throws {
        let http = self.http!
        let ddb = try DynamoDBClient(
            credentials: .init(accessKeyId: "a", secretAccessKey: "b"), region: "us-east-1", httpClient: http,
            endpoint: AWSEndpoint(url: "http://127.0.0.1:9"), logger: Logger(label: "test"))
        let start = ContinuousClock.now
        do {
            _ = try await ddb.getItem(.init(tableName: "t", key: ["pk": "x"]), deadline: start.advanced(by: .milliseconds(1500)))
            XCTFail("expected a transport error")
        } catch {
            switch error {
            case .transport, .deadlineExceeded: break
            default: XCTFail("unexpected \(error)")
            }
        }
        XCTAssertLessThan(start.duration(to: .now), .seconds(3))
    }
}

final class CognitoIntegrationTests: EmulatorTestCase {
    func testSignUpConfirmSignInVerifyMFAAndSignOut() async throws {
        let env = try EmulatorEnvironment.load()
        let http = self.http!
        let idp = try CognitoIdentityProviderClient(
            credentials: env.credentials, region: env.region, httpClient: http, endpoint: env.endpoint, logger: Logger(label: "test"))

        let pool = try await idp.createUserPool(.init(poolName: uniqueName("it-pool"), autoVerifiedAttributes: ["email"])).userPool
        defer { let id = pool.id; Task { try? await idp.deleteUserPool(userPoolId: id) } }
        let appClient = try await idp.createUserPoolClient(
            .init(userPoolId: pool.id, clientName: "web", readAttributes: ["email", "name"])
        ).userPoolClient
        let clientId = appClient.clientId
        let username = "user-\(UInt16.random(in: 0...UInt16.max))@example.com"
        let password = "Str0ng!Passw0rd"

        let signUp = try await idp.signUp(
            .init(
                clientId: clientId, username: username, password: password,
                userAttributes: [.init(name: "email", value: username)], clientMetadata: ["source": "it"]))
        XCTAssertFalse(signUp.userConfirmed)
        XCTAssertFalse(signUp.userSub.isEmpty)

        do {
            _ = try await idp.signUp(.init(clientId: clientId, username: username, password: password))
            XCTFail("duplicate sign-up must fail")
        } catch {
            XCTAssertEqual(error.code, "UsernameExistsException")
        }

        do {
            _ = try await idp.initiateAuth(.userPassword(clientId: clientId, username: username, password: password))
            XCTFail("unconfirmed user must not sign in")
        } catch {
            XCTAssertEqual(error.code, "UserNotConfirmedException")
        }

        try await idp.adminConfirmSignUp(userPoolId: pool.id, username: username)
        let user = try await idp.adminGetUser(userPoolId: pool.id, username: username)
        XCTAssertEqual(user.userStatus, "CONFIRMED")
        XCTAssertEqual(user.attribute("email"), username)
        XCTAssertEqual(user.attribute("sub"), signUp.userSub)

        do {
            _ = try await idp.initiateAuth(.userPassword(clientId: clientId, username: username, password: "wrong-Passw0rd!"))
            XCTFail("wrong password must fail")
        } catch {
            XCTAssertEqual(error.code, "NotAuthorizedException")
        }

        let auth = try await idp.initiateAuth(.userPassword(clientId: clientId, username: username, password: password))
        let tokens = try XCTUnwrap(auth.authenticationResult)
        let accessToken = try XCTUnwrap(tokens.accessToken)
        let idToken = try XCTUnwrap(tokens.idToken)
        XCTAssertNotNil(tokens.refreshToken)

        // JWKS verification of moto's tokens: JWKS served under the emulator endpoint, iss in AWS form.
        let verifier = JWKSVerifier(
            configuration: .cognito(region: env.region, userPoolId: pool.id, clientIds: [clientId], endpoint: env.endpoint),
            httpClient: http)
        let access = try await verifier.verify(accessToken, expecting: .access)
        XCTAssertEqual(access.subject, signUp.userSub)
        XCTAssertEqual(access.clientId, clientId)
        let id = try await verifier.verify(idToken, expecting: .id)
        XCTAssertEqual(id.email, username)
        do {
            _ = try await verifier.verify(idToken, expecting: .access)
            XCTFail("id token accepted as access token")
        } catch {
            XCTAssertEqual(error, .wrongTokenUse("id"))
        }
        let otherClientVerifier = JWKSVerifier(
            configuration: .cognito(region: env.region, userPoolId: pool.id, clientIds: ["other"], endpoint: env.endpoint), httpClient: http
        )
        do {
            _ = try await otherClientVerifier.verify(accessToken, expecting: .access)
            XCTFail("token for another client accepted")
        } catch {
            XCTAssertEqual(error, .wrongClient(clientId))
        }

        // Refresh
        let refreshed = try await idp.initiateAuth(.refreshToken(clientId: clientId, refreshToken: tokens.refreshToken!))
        XCTAssertNotNil(refreshed.authenticationResult?.accessToken)

        // TOTP MFA: associate, verify, prefer, then sign-in yields a SOFTWARE_TOKEN_MFA challenge.
        let assoc = try await idp.associateSoftwareToken(.init(accessToken: accessToken))
        let secret = try XCTUnwrap(assoc.secretCode)
        let verified = try await idp.verifySoftwareToken(
            .init(accessToken: accessToken, userCode: totp(secretBase32: secret), friendlyDeviceName: "phone"))
        XCTAssertEqual(verified.status, "SUCCESS")
        try await idp.setUserMFAPreference(
            .init(accessToken: accessToken, softwareTokenMfaSettings: .init(enabled: true, preferredMfa: true)))
        let challenge = try await idp.initiateAuth(.userPassword(clientId: clientId, username: username, password: password))
        XCTAssertEqual(challenge.challengeName, "SOFTWARE_TOKEN_MFA")
        let session = try XCTUnwrap(challenge.session)
        let mfa = try await idp.respondToAuthChallenge(
            .softwareTokenMFA(clientId: clientId, session: session, username: username, code: totp(secretBase32: secret)))
        let mfaAccess = try XCTUnwrap(mfa.authenticationResult?.accessToken)
        _ = try await verifier.verify(mfaAccess, expecting: .access)
        try await idp.adminSetUserMFAPreference(
            .init(userPoolId: pool.id, username: username, softwareTokenMfaSettings: .init(enabled: false, preferredMfa: false)))
        let noMFA = try await idp.initiateAuth(.userPassword(clientId: clientId, username: username, password: password))
        XCTAssertNotNil(noMFA.authenticationResult)

        // Forgot password (moto accepts any code not starting with "moto-confirmation-code:").
        _ = try await idp.forgotPassword(.init(clientId: clientId, username: username))
        let newPassword = "N3w!Passw0rd"
        try await idp.confirmForgotPassword(
            .init(clientId: clientId, username: username, confirmationCode: "123456", password: newPassword))
        let afterReset = try await idp.initiateAuth(.userPassword(clientId: clientId, username: username, password: newPassword))
        let latest = try XCTUnwrap(afterReset.authenticationResult?.accessToken)

        try await idp.adminUpdateUserAttributes(
            .init(userPoolId: pool.id, username: username, userAttributes: [.init(name: "name", value: "Alice")]))
        let renamed = try await idp.adminGetUser(userPoolId: pool.id, username: username)
        XCTAssertEqual(renamed.attribute("name"), "Alice")

        let adminAuth = try await idp.adminInitiateAuth(
            .init(
                userPoolId: pool.id, authFlow: .adminUserPasswordAuth, clientId: clientId,
                authParameters: ["USERNAME": username, "PASSWORD": newPassword]))
        XCTAssertNotNil(adminAuth.authenticationResult?.accessToken)

        try await idp.globalSignOut(accessToken: latest)
        try await idp.adminUserGlobalSignOut(userPoolId: pool.id, username: username)
        do {
            try await idp.globalSignOut(accessToken: latest)
            XCTFail("signed-out token still accepted")
        } catch {
            XCTAssertEqual(error.code, "NotAuthorizedException")
            XCTAssertFalse("\(error)".contains(latest), "tokens are scrubbed from messages")
        }

        try await idp.adminDeleteUser(userPoolId: pool.id, username: username)
        do {
            _ = try await idp.adminGetUser(userPoolId: pool.id, username: username)
            XCTFail("deleted user still there")
        } catch {
            XCTAssertEqual(error.code, "UserNotFoundException")
        }
    }

    /// RevokeToken: moto 5.x does not implement it; record what it answers so adapters know.
    func testRevokeTokenBehaviour() async throws {
        let env = try EmulatorEnvironment.load()
        let http = self.http!
        let idp = try CognitoIdentityProviderClient(
            credentials: env.credentials, region: env.region, httpClient: http, endpoint: env.endpoint, retryPolicy: .none,
            logger: Logger(label: "test"))
        let pool = try await idp.createUserPool(.init(poolName: uniqueName("it-revoke"))).userPool
        let client = try await idp.createUserPoolClient(.init(userPoolId: pool.id, clientName: "web")).userPoolClient
        do {
            try await idp.revokeToken(.init(token: "not-a-token", clientId: client.clientId))
        } catch {
            // AWS answers UnsupportedTokenTypeException / NotAuthorized; moto may not implement the op.
            print("RevokeToken on emulator: \(error)")
        }
        try await idp.deleteUserPool(userPoolId: pool.id)
    }
}

final class DynamoDBRateLimiterTests: EmulatorTestCase {
    /// The counter is one conditional write per attempt: 20 concurrent attempts take exactly 5
    /// slots; two limiters (two instances) share them; reset frees the key.
    func testConcurrentAttemptsNeverTakeMoreThanTheLimit() async throws {
        let env = try EmulatorEnvironment.load()
        let ddb = try DynamoDBClient(
            credentials: env.credentials, region: env.region, httpClient: http!, endpoint: env.endpoint, logger: Logger(label: "test"))
        let table = uniqueName("limits")
        try await ddb.createTable(
            .init(
                tableName: table,
                keySchema: [.init(attributeName: "pk", keyType: .hash), .init(attributeName: "sk", keyType: .range)],
                attributeDefinitions: [.init(attributeName: "pk", attributeType: "S"), .init(attributeName: "sk", attributeType: "S")]))
        let a = DynamoDBRateLimiter(client: ddb, table: table)
        let b = DynamoDBRateLimiter(client: ddb, table: table)
        let results = try await withThrowingTaskGroup(of: Int?.self) { group in
            for i in 0..<20 { group.addTask { try await (i % 2 == 0 ? a : b).acquire(key: "login:x", limit: 5, window: .seconds(900)) } }
            var out: [Int?] = []
            for try await r in group { out.append(r) }
            return out
        }
        XCTAssertEqual(results.filter { $0 == nil }.count, 5, "\(results)")
        XCTAssertTrue(results.compactMap { $0 }.allSatisfy { $0 > 0 && $0 <= 901 }, "\(results)")
        let other = try await a.acquire(key: "login:y", limit: 5, window: .seconds(900))
        XCTAssertNil(other, "keys are independent")
        try await b.reset(key: "login:x")
        let afterReset = try await a.acquire(key: "login:x", limit: 5, window: .seconds(900))
        XCTAssertNil(afterReset)

        // An ended window starts again.
        for _ in 0..<2 { _ = try await a.acquire(key: "short", limit: 2, window: .seconds(1)) }
        let blocked = try await a.acquire(key: "short", limit: 2, window: .seconds(1))
        XCTAssertNotNil(blocked)
        try await Task.sleep(for: .milliseconds(1100))
        let reopened = try await a.acquire(key: "short", limit: 2, window: .seconds(1))
        XCTAssertNil(reopened)

        // A released attempt can be taken again, by either instance; never below zero.
        for _ in 0..<3 { _ = try await a.acquire(key: "address", limit: 3, window: .seconds(900)) }
        let full = try await b.acquire(key: "address", limit: 3, window: .seconds(900))
        XCTAssertNotNil(full)
        try await b.release(key: "address")
        let regained = try await a.acquire(key: "address", limit: 3, window: .seconds(900))
        XCTAssertNil(regained)
        let fullAgain = try await a.acquire(key: "address", limit: 3, window: .seconds(900))
        XCTAssertNotNil(fullAgain)
        try await a.release(key: "never-taken")
        for _ in 0..<5 { try await a.release(key: "once") }
        _ = try await a.acquire(key: "once", limit: 1, window: .seconds(900))
        let overReleased = try await a.acquire(key: "once", limit: 1, window: .seconds(900))
        XCTAssertNotNil(overReleased, "releases before a window exists give nothing in advance")
    }
}
