import Crypto
import LifestyleCore
import LifestyleToolkit
import Logging
import SQLiteNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The embedded identity provider: Cognito's behaviour on the local SQLite database.
/// Passwords are scrypt hashes; verification/reset tokens, refresh tokens and MFA sessions are
/// random and stored only as SHA-256 hashes; TOTP per RFC 6238 with one step of skew and no
/// reuse of a step. TOTP secrets are sealed (AES-GCM, with the key id) under a key derived from
/// the data directory's master key ring (`master.key`, and `master.key.previous` after a
/// rotation: files beside the database, not in it) and sealed again under the current key at
/// their next use. Whether MFA is on is the stored flag, never whether the seal opens.
public struct LocalIdentityProvider: IdentityProvider {
    let db: EmbeddedDatabase
    let tokens: LocalTokens
    let hasher: PasswordHasher
    let mailer: any Mailer
    let clock: any WallClock
    let keys: KeyRing

    static let verifyTokenLifetime: Double = 24 * 3600
    static let resetTokenLifetime: Double = 3600
    static let refreshTokenLifetime: Double = 30 * 24 * 3600
    static let mfaSessionLifetime: Double = 180
    static let mfaSessionAttempts = 5

    public init(
        database: EmbeddedDatabase, tokens: LocalTokens, hasher: PasswordHasher = .standard, mailer: any Mailer,
        clock: any WallClock = SystemClock(), keys: KeyRing
    ) {
        self.db = database
        self.tokens = tokens
        self.hasher = hasher
        self.mailer = mailer
        self.clock = clock
        self.keys = keys
    }

    static let totpPurpose = "totp-secret/v1"

    /// A TOTP secret as stored: `v2.` + the sealed Base32 text (key id first), bound to the subject.
    func sealTOTP(_ base32: String, subject: String) -> String {
        "v2." + Base64URL.encode(keys.box(Self.totpPurpose).seal(Array(base32.utf8), associatedData: Array(subject.utf8)))
    }

    /// The secret's bytes and whether to seal it again (a previous key's or an older release's
    /// seal); nil when no key of the ring opens it. `v1.` is the release before key ids; a value
    /// with no prefix, a plain Base32 secret from before sealing.
    func openTOTP(_ stored: String?, subject: String) -> (key: [UInt8], stale: Bool)? {
        guard let stored else { return nil }
        let ad = Array(subject.utf8)
        let text: [UInt8]
        var stale = true
        if stored.hasPrefix("v2.") {
            guard let sealed = Base64URL.decode(stored.dropFirst(3)),
                case .plaintext(let plain, let old) = keys.box(Self.totpPurpose).open(sealed, associatedData: ad)
            else { return nil }
            text = plain
            stale = old
        } else if stored.hasPrefix("v1.") {
            guard let sealed = Base64URL.decode(stored.dropFirst(3)),
                let plain = LegacySeal.open(sealed, ring: keys, purpose: Self.totpPurpose, associatedData: ad)
            else { return nil }
            text = plain
        } else {
            text = Array(stored.utf8)
        }
        guard let key = Base32.decode(String(decoding: text, as: UTF8.self)) else { return nil }
        return (key, stale)
    }

    /// The active TOTP secret of an identity row, sealed again under the current key when a
    /// previous one sealed it; nil (logged and counted, no secret material) when no key opens it.
    func activeTOTP(_ row: SQLiteRow, subject: String) async throws -> [UInt8]? {
        guard let opened = openTOTP(row.string("totp_secret"), subject: subject) else {
            Logger(label: "mfa-secrets").error(
                "stored MFA secret cannot be opened with any master key version",
                metadata: RequestScope.metadata.merging(["user_id": .string(subject)]) { a, _ in a })
            AppMetrics.failure("sealed_secret_unreadable")
            return nil
        }
        if opened.stale {
            try await db.query(
                "UPDATE identities SET totp_secret = ? WHERE subject = ? AND totp_secret = ?",
                [.text(sealTOTP(Base32.encode(opened.key), subject: subject)), .text(subject), .optional(row.string("totp_secret"))])
        }
        return opened.key
    }

    var now: Double { clock.now().timeIntervalSince1970 }

    static func digest(_ s: String) -> String { Hex.encode(SHA256.hash(data: Array(s.utf8))) }

    // MARK: sign-up and confirmation

    public func signUp(email: String, password: String, givenName: String, familyName: String) async throws -> String {
        if try await identity(email: email) != nil { throw IdentityError.usernameExists }
        let subject = Random.uuid()
        let hash = try await hasher.hash(password)
        let token = Base64URL.encode(Random.bytes(32))
        do {
            try await db.transaction { [now] tx in
                try await tx.query(
                    """
                    INSERT INTO identities (subject, email, password_hash, given_name, family_name, created_at)
                    VALUES (?,?,?,?,?,?)
                    """, [.text(subject), .text(email), .text(hash), .text(givenName), .text(familyName), .float(now)])
                try await tx.query(
                    "INSERT INTO one_time_tokens (hash, subject, kind, expires_at) VALUES (?,?,?,?)",
                    [.text(Self.digest(token)), .text(subject), .text("verify-email"), .float(now + Self.verifyTokenLifetime)])
            }
        } catch let e as SQLiteError where e.reason == .constraint || e.reason == .constraintUniqueFailed {
            throw IdentityError.usernameExists
        }
        try await mail(email, .verifyEmail, token)
        return subject
    }

    public func confirmSignUp(token: String) async throws -> String {
        try await db.transaction { [now] tx in
            let rows = try await tx.query(
                """
                UPDATE one_time_tokens SET used = 1 WHERE hash = ? AND kind = 'verify-email' AND used = 0 AND expires_at > ?
                RETURNING subject
                """, [.text(Self.digest(token)), .float(now)])
            guard let subject = rows.first?.string("subject") else { throw IdentityError.invalidToken }
            try await tx.query("UPDATE identities SET confirmed = 1 WHERE subject = ?", [.text(subject)])
            return subject
        }
    }

    // MARK: authentication

    public func initiateAuth(email: String, password: String) async throws -> AuthOutcome {
        guard let row = try await identity(email: email) else {
            await hasher.dummyVerify(password)
            throw IdentityError.notAuthorized
        }
        let stored = row.string("password_hash") ?? ""
        guard try await hasher.verify(password, against: stored) else {
            throw IdentityError.notAuthorized
        }
        guard row.bool("confirmed") else { throw IdentityError.userNotConfirmed }
        let subject = row.string("subject")!
        // A hash made at a lower cost is replaced at the first sign-in that proves the password.
        if hasher.needsUpgrade(stored) {
            let upgraded = try await hasher.hash(password)
            try await db.query(
                "UPDATE identities SET password_hash = ? WHERE subject = ? AND password_hash = ?",
                [.text(upgraded), .text(subject), .text(stored)])
        }
        if row.bool("mfa_enabled") {
            // Decided by the stored flag alone. Opening the secret here only seals it again under
            // the current key after a rotation (or logs that no key opens it).
            _ = try await activeTOTP(row, subject: subject)
            let session = Base64URL.encode(Random.bytes(32))
            try await db.query(
                "INSERT INTO mfa_sessions (hash, subject, expires_at) VALUES (?,?,?)",
                [.text(Self.digest(session)), .text(subject), .float(now + Self.mfaSessionLifetime)])
            return .mfaRequired(session: session)
        }
        return .authenticated(try await issue(row, refresh: true), subject: subject)
    }

    public func respondToMFAChallenge(
        session: String, code: String, consumeBackupCode: @Sendable (String) async throws -> Bool
    ) async throws -> (tokens: AuthTokens, subject: String) {
        let hash = Self.digest(session)
        let rows = try await db.query(
            """
            UPDATE mfa_sessions SET attempts = attempts + 1
            WHERE hash = ? AND used = 0 AND expires_at > ? AND attempts < ? RETURNING subject
            """, [.text(hash), .float(now), .integer(Self.mfaSessionAttempts)])
        guard let subject = rows.first?.string("subject"), let row = try await identity(subject: subject),
            row.bool("mfa_enabled")
        else { throw IdentityError.invalidSession }

        guard try await checkCode(code, row: row, subject: subject, consumeBackupCode: consumeBackupCode) else {
            throw IdentityError.codeMismatch
        }
        let used = try await db.query(
            "UPDATE mfa_sessions SET used = 1 WHERE hash = ? AND used = 0 RETURNING subject", [.text(hash)])
        guard !used.isEmpty else { throw IdentityError.invalidSession }
        return (try await issue(row, refresh: true), subject)
    }

    /// A TOTP code (each step accepted once) or a backup code of an identity with MFA on; 503
    /// for a TOTP code when no key opens the secret (never a pass).
    func checkCode(
        _ code: String, row: SQLiteRow, subject: String, consumeBackupCode: @Sendable (String) async throws -> Bool
    ) async throws -> Bool {
        if code.count == 8 { return try await consumeBackupCode(subject) }
        guard code.count == 6 else { return false }
        guard let secret = try await activeTOTP(row, subject: subject) else { throw IdentityError.unavailable("mfa secret unreadable") }
        guard let step = TOTP(secret: secret).validate(code, at: Int64(now)), step > Int64(row.int("last_totp_step")) else { return false }
        let updated = try await db.query(
            "UPDATE identities SET last_totp_step = ? WHERE subject = ? AND last_totp_step < ? RETURNING subject",
            [.integer(Int(step)), .text(subject), .integer(Int(step))])
        return !updated.isEmpty
    }

    public func checkSecondFactor(
        principal: Principal, code: String, consumeBackupCode: @Sendable (String) async throws -> Bool
    ) async throws -> Bool {
        guard let row = try await identity(subject: principal.subject) else { throw IdentityError.userNotFound }
        guard row.bool("mfa_enabled") else { throw IdentityError.mfaNotEnabled }
        return try await checkCode(code, row: row, subject: principal.subject, consumeBackupCode: consumeBackupCode)
    }

    /// The embedded provider's emailed tokens are 256 random bits: nothing to limit per account.
    public func emailTokenAccount(_ token: String) -> String? { nil }

    public func mfaChallengeAccount(session: String) async throws -> String? {
        try await db.query(
            "SELECT subject FROM mfa_sessions WHERE hash = ? AND used = 0 AND expires_at > ?", [.text(Self.digest(session)), .float(now)]
        ).first?.string("subject")
    }

    public func refresh(refreshToken: String) async throws -> AuthTokens {
        let rows = try await db.query(
            "SELECT subject, auth_time FROM refresh_tokens WHERE hash = ? AND revoked = 0 AND expires_at > ?",
            [.text(Self.digest(refreshToken)), .float(now)])
        guard let r = rows.first, let subject = r.string("subject"), let row = try await identity(subject: subject) else {
            throw IdentityError.notAuthorized
        }
        return try await issue(row, refresh: false, authTime: Int64(r.int("auth_time")))
    }

    @discardableResult
    public func revokeRefreshToken(_ refreshToken: String) async throws -> String? {
        try await db.query(
            "UPDATE refresh_tokens SET revoked = 1 WHERE hash = ? RETURNING subject", [.text(Self.digest(refreshToken))]
        ).first?.string("subject")
    }

    func issue(_ row: SQLiteRow, refresh: Bool, authTime: Int64? = nil) async throws -> AuthTokens {
        let subject = row.string("subject")!
        let t = Int64(now)
        let auth = authTime ?? t
        var refreshToken: String?
        if refresh {
            let token = Base64URL.encode(Random.bytes(48))
            try await db.query(
                "INSERT INTO refresh_tokens (hash, subject, expires_at, auth_time) VALUES (?,?,?,?)",
                [.text(Self.digest(token)), .text(subject), .float(now + Self.refreshTokenLifetime), .integer(Int(auth))])
            refreshToken = token
        }
        return AuthTokens(
            accessToken: tokens.accessToken(subject: subject, authTime: auth, now: t),
            idToken: tokens.idToken(
                subject: subject, email: row.string("email") ?? "", verified: row.bool("confirmed"),
                givenName: row.string("given_name") ?? "", familyName: row.string("family_name") ?? "", authTime: auth, now: t),
            refreshToken: refreshToken, expiresIn: tokens.accessTokenLifetime)
    }

    // MARK: password reset

    public func forgotPassword(email: String) async throws {
        guard let row = try await identity(email: email), let subject = row.string("subject") else { return }
        let token = Base64URL.encode(Random.bytes(32))
        try await db.query(
            "INSERT INTO one_time_tokens (hash, subject, kind, expires_at) VALUES (?,?,?,?)",
            [.text(Self.digest(token)), .text(subject), .text("reset-password"), .float(now + Self.resetTokenLifetime)])
        try await mail(email, .resetPassword, token)
    }

    @discardableResult
    public func confirmForgotPassword(token: String, newPassword: String) async throws -> String {
        let hash = try await hasher.hash(newPassword)
        return try await db.transaction { [now] tx in
            let rows = try await tx.query(
                """
                UPDATE one_time_tokens SET used = 1 WHERE hash = ? AND kind = 'reset-password' AND used = 0 AND expires_at > ?
                RETURNING subject
                """, [.text(Self.digest(token)), .float(now)])
            guard let subject = rows.first?.string("subject") else { throw IdentityError.invalidToken }
            // Cognito confirms the email as part of a successful reset (the code proved ownership).
            try await tx.query("UPDATE identities SET password_hash = ?, confirmed = 1 WHERE subject = ?", [.text(hash), .text(subject)])
            try await tx.query("UPDATE refresh_tokens SET revoked = 1 WHERE subject = ?", [.text(subject)])
            try await tx.query(
                "UPDATE one_time_tokens SET used = 1 WHERE subject = ? AND kind = 'reset-password'", [.text(subject)])
            return subject
        }
    }

    // MARK: the signed-in account

    /// The principal's identity row, after checking `password` against it.
    @discardableResult
    func checkPassword(_ principal: Principal, _ password: String) async throws -> SQLiteRow {
        guard let row = try await identity(subject: principal.subject) else { throw IdentityError.userNotFound }
        guard try await hasher.verify(password, against: row.string("password_hash") ?? "") else {
            throw IdentityError.notAuthorized
        }
        return row
    }

    public func verifyPassword(principal: Principal, password: String) async throws {
        try await checkPassword(principal, password)
    }

    public func changePassword(principal: Principal, currentPassword: String, newPassword: String) async throws {
        try await checkPassword(principal, currentPassword)
        let hash = try await hasher.hash(newPassword)
        try await db.transaction { tx in
            try await tx.query("UPDATE identities SET password_hash = ? WHERE subject = ?", [.text(hash), .text(principal.subject)])
            try await tx.query("UPDATE refresh_tokens SET revoked = 1 WHERE subject = ?", [.text(principal.subject)])
        }
    }

    /// Like Cognito's ResendConfirmationCode: a new link, and the earlier ones stop working.
    public func resendConfirmation(email: String) async throws {
        guard let row = try await identity(email: email), !row.bool("confirmed"), let subject = row.string("subject") else { return }
        let token = Base64URL.encode(Random.bytes(32))
        try await db.transaction { [now] tx in
            try await tx.query(
                "UPDATE one_time_tokens SET used = 1 WHERE subject = ? AND kind = 'verify-email'", [.text(subject)])
            try await tx.query(
                "INSERT INTO one_time_tokens (hash, subject, kind, expires_at) VALUES (?,?,?,?)",
                [.text(Self.digest(token)), .text(subject), .text("verify-email"), .float(now + Self.verifyTokenLifetime)])
        }
        try await mail(email, .verifyEmail, token)
    }

    // MARK: MFA enrolment

    public func associateSoftwareToken(principal: Principal) async throws -> String {
        guard let row = try await identity(subject: principal.subject) else { throw IdentityError.userNotFound }
        if row.bool("mfa_enabled") { throw IdentityError.mfaAlreadyEnabled }
        let secret = Base32.encode(Random.bytes(20))
        try await db.query(
            "UPDATE identities SET pending_totp_secret = ? WHERE subject = ?",
            [.text(sealTOTP(secret, subject: principal.subject)), .text(principal.subject)])
        return secret
    }

    public func verifySoftwareToken(principal: Principal, code: String) async throws {
        guard let row = try await identity(subject: principal.subject) else { throw IdentityError.userNotFound }
        if row.bool("mfa_enabled") { throw IdentityError.mfaAlreadyEnabled }
        guard let secret = openTOTP(row.string("pending_totp_secret"), subject: principal.subject)?.key else {
            throw IdentityError.codeMismatch
        }
        guard let step = TOTP(secret: secret).validate(code, at: Int64(now)) else { throw IdentityError.codeMismatch }
        try await db.query(
            """
            UPDATE identities SET totp_secret = pending_totp_secret, pending_totp_secret = NULL, mfa_enabled = 1,
              last_totp_step = ? WHERE subject = ?
            """, [.integer(Int(step)), .text(principal.subject)])
    }

    public func disableMFA(principal: Principal, password: String) async throws {
        let row = try await checkPassword(principal, password)
        guard row.bool("mfa_enabled") else { throw IdentityError.mfaNotEnabled }
        try await db.query(
            "UPDATE identities SET mfa_enabled = 0, totp_secret = NULL, pending_totp_secret = NULL WHERE subject = ?",
            [.text(principal.subject)])
    }

    // MARK: admin

    public func adminGetUser(username: String) async throws -> IdentityUser? {
        let row: SQLiteRow?
        if username.contains("@") { row = try await identity(email: username) } else { row = try await identity(subject: username) }
        guard let row else { return nil }
        return IdentityUser(
            subject: row.string("subject")!, email: row.string("email") ?? "", confirmed: row.bool("confirmed"),
            mfaEnabled: row.bool("mfa_enabled"), givenName: row.string("given_name") ?? "",
            familyName: row.string("family_name") ?? "", createdAt: Date(timeIntervalSince1970: row.double("created_at")))
    }

    /// One statement: the tokens, MFA sessions and TOTP secret go with the identity (ON DELETE CASCADE).
    public func adminDeleteUser(subject: String) async throws {
        try await db.query("DELETE FROM identities WHERE subject = ?", [.text(subject)])
    }

    public func verifyAccessToken(_ token: String) async throws -> Principal {
        do {
            let (subject, issuedAt) = try tokens.verifyAccess(token, now: Int64(now))
            return Principal(subject: subject, accessToken: token, issuedAt: issuedAt)
        } catch {
            throw IdentityError.invalidAccessToken("\(error)")
        }
    }

    // MARK: helpers

    func identity(email: String) async throws -> SQLiteRow? {
        try await db.query("SELECT * FROM identities WHERE email = ?", [.text(email)]).first
    }

    func identity(subject: String) async throws -> SQLiteRow? {
        try await db.query("SELECT * FROM identities WHERE subject = ?", [.text(subject)]).first
    }

    func mail(_ to: String, _ kind: OutboundEmail.Kind, _ token: String) async throws {
        try await mailer.send(OutboundEmail(to: to, kind: kind, token: token, sentAt: Timestamp.iso8601(clock.now())))
    }
}
