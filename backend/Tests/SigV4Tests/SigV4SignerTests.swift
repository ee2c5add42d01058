import FoundationEssentials
import LifestyleToolkit
import XCTest

@testable import SigV4

/// Vectors from AWS's published SigV4 test suite ("aws-sig-v4-test-suite", 2015-08-30,
/// credentials AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, us-east-1, service
/// "service"). Each case is named after its folder in the suite; the expected strings are
/// copied from the suite's `.creq` / `.sts` / `.authz` files.
final class SigV4SignerTests: XCTestCase {
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
    static let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let stsToken =
        "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="

    struct Vector {
        var name: String
        var method: String
        var path: String
        var query: String = ""
        var headers: [(name: String, value: String)] = []
        var body: String = ""
        var token: String? = nil
        var creq: String? = nil
        var stsHash: String? = nil
        var signature: String
        var signedHeaders: String = "host;x-amz-date"
    }

    static let vectors: [Vector] = [
        Vector(
            name: "get-vanilla", method: "GET", path: "/",
            creq:
                "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            stsHash: "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(
            name: "get-vanilla-query-order-key-case", method: "GET", path: "/", query: "Param2=value2&Param1=value1",
            creq:
                "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            stsHash: "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
            signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        Vector(
            name: "get-vanilla-query-order-value", method: "GET", path: "/", query: "Param1=value2&Param1=value1",
            signature: "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"),
        Vector(
            name: "get-vanilla-query-unreserved", method: "GET", path: "/",
            query:
                "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            stsHash: "c30d4703d9f799439be92736156d47ccfb2d879ddf56f5befa6d1d6aab979177",
            signature: "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
        Vector(
            name: "get-vanilla-utf8-query", method: "GET", path: "/", query: "\u{1234}=bar",
            creq:
                "GET\n/\n%E1%88%B4=bar\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        Vector(
            name: "get-utf8", method: "GET", path: "/\u{1234}",
            creq:
                "GET\n/%E1%88%B4\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            stsHash: "2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102",
            signature: "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        Vector(
            name: "get-unreserved", method: "GET", path: "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            signature: "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
        Vector(
            name: "normalize-path/get-space", method: "GET", path: "/example space/",
            creq:
                "GET\n/example%20space/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            signature: "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"),
        Vector(
            name: "get-header-value-trim", method: "GET", path: "/",
            headers: [("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")],
            creq:
                "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            stsHash: "a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7",
            signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
            signedHeaders: "host;my-header1;my-header2;x-amz-date"),
        Vector(
            name: "get-header-key-duplicate", method: "GET", path: "/",
            headers: [("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")],
            creq:
                "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value2,value2,value1\nx-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            signature: "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
            signedHeaders: "host;my-header1;x-amz-date"),
        Vector(
            name: "post-header-key-sort", method: "POST", path: "/", headers: [("My-Header1", "value1")],
            signature: "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c",
            signedHeaders: "host;my-header1;x-amz-date"),
        Vector(
            name: "post-header-value-case", method: "POST", path: "/", headers: [("My-Header1", "VALUE1")],
            signature: "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d",
            signedHeaders: "host;my-header1;x-amz-date"),
        Vector(
            name: "post-vanilla", method: "POST", path: "/",
            stsHash: "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
            signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        Vector(
            name: "post-vanilla-query", method: "POST", path: "/", query: "Param1=value1",
            creq:
                "POST\n/\nParam1=value1\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            signature: "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
        // The suite's .creq for this case lists content-length, but its .authz (and .sts) sign
        // only content-type;host;x-amz-date; we reproduce the .authz.
        Vector(
            name: "post-x-www-form-urlencoded", method: "POST", path: "/",
            headers: [("Content-Type", "application/x-www-form-urlencoded")], body: "Param1=value1",
            stsHash: "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281",
            signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
            signedHeaders: "content-type;host;x-amz-date"),
        Vector(
            name: "normalize-path/get-slashes", method: "GET", path: "//example//",
            signature: "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"),
        Vector(
            name: "normalize-path/get-slash", method: "GET", path: "//",
            signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(
            name: "normalize-path/get-slash-dot-slash", method: "GET", path: "/./",
            signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(
            name: "normalize-path/get-slash-pointless-dot", method: "GET", path: "/./example",
            signature: "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"),
        Vector(
            name: "normalize-path/get-relative", method: "GET", path: "/example/..",
            signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(
            name: "normalize-path/get-relative-relative", method: "GET", path: "/example1/example2/../..",
            signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(
            name: "post-sts-token/post-sts-header-before", method: "POST", path: "/", token: stsToken,
            creq:
                "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\nx-amz-security-token:\(stsToken)\n\nhost;x-amz-date;x-amz-security-token\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            stsHash: "c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6",
            signature: "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead",
            signedHeaders: "host;x-amz-date;x-amz-security-token"),
    ]

    func testAWSTestSuiteVectors() {
        for v in Self.vectors {
            var creds = Self.credentials
            creds.sessionToken = v.token
            let signer = SigV4Signer(credentials: creds, region: "us-east-1", service: "service")
            let sig = signer.sign(
                method: v.method, host: "example.amazonaws.com", path: v.path, query: v.query,
                headers: v.headers, body: Array(v.body.utf8), date: Self.date)
            if let creq = v.creq { XCTAssertEqual(sig.canonicalRequest, creq, v.name) }
            if let h = v.stsHash {
                XCTAssertEqual(
                    sig.stringToSign, "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n\(h)", v.name)
            }
            XCTAssertEqual(
                sig.authorization,
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=\(v.signedHeaders), Signature=\(v.signature)",
                v.name)
            XCTAssertEqual(sig.headersToAdd.first { $0.name == "X-Amz-Date" }?.value, "20150830T123600Z", v.name)
            XCTAssertEqual(sig.headersToAdd.first { $0.name == "X-Amz-Security-Token" }?.value, v.token, v.name)
        }
    }

    func testContentSha256HeaderIsAddedAndSigned() {
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "service")
        let sig = signer.sign(
            method: "POST", host: "example.amazonaws.com", path: "/", body: Array("{}".utf8), date: Self.date, addContentSha256: true)
        let hash = SigV4Signer.hexSHA256(Array("{}".utf8))
        XCTAssertEqual(sig.headersToAdd.first { $0.name == "X-Amz-Content-Sha256" }?.value, hash)
        XCTAssertEqual(sig.signedHeaders, "host;x-amz-content-sha256;x-amz-date")
        XCTAssertTrue(sig.canonicalRequest.hasSuffix("\n" + hash))
    }

    func testSigningKeyDerivationMatchesAWSDocumentationExample() {
        // AWS General Reference "Examples of how to derive a signing key for SigV4":
        // secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20120215, us-east-1, iam.
        let key = SigV4Signer.deriveSigningKey(
            secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", day: "20120215", region: "us-east-1", service: "iam")
        XCTAssertEqual(key.withUnsafeBytes { SigV4Signer.hex($0) }, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
    }

    func testSigningKeyIsCachedPerDayAndRederivedOnDayChange() {
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "service")
        let a = signer.sign(method: "GET", host: "example.amazonaws.com", path: "/", body: [UInt8](), date: Self.date)
        let b = signer.sign(method: "GET", host: "example.amazonaws.com", path: "/", body: [UInt8](), date: Self.date)
        XCTAssertEqual(a.signature, b.signature)
        let nextDay = signer.sign(
            method: "GET", host: "example.amazonaws.com", path: "/", body: [UInt8](), date: Self.date.addingTimeInterval(86_400))
        XCTAssertTrue(nextDay.authorization.contains("/20150831/us-east-1/service/aws4_request"))
        let fresh = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "service")
            .sign(method: "GET", host: "example.amazonaws.com", path: "/", body: [UInt8](), date: Self.date.addingTimeInterval(86_400))
        XCTAssertEqual(nextDay.signature, fresh.signature)
    }

    func testAmzDateFormatting() {
        XCTAssertEqual(AmzDate(Date(timeIntervalSince1970: 0)).dateTime, "19700101T000000Z")
        XCTAssertEqual(AmzDate(Date(timeIntervalSince1970: 951_782_400)).day, "20000229")  // leap day
        XCTAssertEqual(AmzDate(Date(timeIntervalSince1970: 4_102_444_799)).dateTime, "20991231T235959Z")
        XCTAssertEqual(AmzDate(Date(timeIntervalSince1970: 1_440_938_160.999)).dateTime, "20150830T123600Z")
    }

    func testCanonicalQueryEncodesReservedCharacters() {
        XCTAssertEqual(SigV4Signer.canonicalQuery("b=a%20b&a=x+y&c"), "a=x%2By&b=a%20b&c=")
        XCTAssertEqual(SigV4Signer.canonicalQuery("k=%2F%3d"), "k=%2F%3D")
    }

    func testCredentialsDescriptionRedactsSecrets() {
        let c = AWSCredentials(accessKeyId: "AKID", secretAccessKey: "SECRETSECRET", sessionToken: "TOKENTOKEN")
        XCTAssertFalse(c.description.contains("SECRETSECRET"))
        XCTAssertFalse("\(c)".contains("TOKENTOKEN"))
        XCTAssertEqual(c.redact("x SECRETSECRET y TOKENTOKEN"), "x <redacted> y <redacted>")
    }

    func testCredentialsFromEnvironment() {
        XCTAssertNil(AWSCredentials.fromEnvironment([:]))
        XCTAssertNil(AWSCredentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": ""]))
        XCTAssertEqual(
            AWSCredentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"]),
            AWSCredentials(accessKeyId: "a", secretAccessKey: "b"))
        XCTAssertEqual(
            AWSCredentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "AWS_SESSION_TOKEN": "t"])?
                .sessionToken, "t")
    }
}
