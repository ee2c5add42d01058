import Crypto
import LifestyleCore
import LifestyleToolkit
import SQLiteNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The embedded identity provider: Cognito's behaviour on the local SQLite database.
/// Passwords are scrypt hashes; verification/reset tokens, refresh tokens and MFA sessions are
/// random and stored only as SHA-256 hashes; TOTP per RFC 6238 with one step of skew and no
/// reuse of a step. TOTP secrets are sealed with a key derived from the data directory's master
/// key (`master.key`, a file beside the database, not in it).
public struct LocalIdentityProvider: IdentityProvider {
    let db: EmbeddedDatabase
    let tokens: LocalTokens
    let hasher: PasswordHasher
    let mailer: any Mailer
    let clock: any WallClock
    let totpBox: SecretBox

    static let verifyTokenLifetime: Double = 24 * 3600
    static let resetTokenLifetime: Double = 3600
    static let refreshTokenLifetime: Double = 30 * 24 * 3600
    static let mfaSessionLifetime: Double = 180
    static let mfaSessionAttempts = 5

    public init(
        database: EmbeddedDatabase, tokens: LocalTokens, hasher: PasswordHasher = .standard, mailer: any Mailer,
        clock: any WallClock = SystemClock(), masterKey: MasterKey
    ) {
        self.db = database
        self.tokens = tokens
        self.hasher = hasher
        self.mailer = mailer
        self.clock = clock
        self.totpBox = SecretBox(master: masterKey, purpose: "totp-secret/v1")
    }

    /// A TOTP secret as stored: `v1.` + the sealed Base32 text, bound to the subject.
    func sealTOTP(_ base32: String, subject: String) -> String {
        "v1." + Base64URL.encode(totpBox.seal(Array(base32.utf8), associatedData: Array(subject.utf8)))
    }

    /// The secret's bytes; nil when the stored value does not open under this data directory's
    /// key. A value without the `v1.` prefix is a plain Base32 secret from before sealing.
    func openTOTP(_ stored: String?, subject: String) -> [UInt8]? {
        guard let stored else { return nil }
        guard stored.hasPrefix("v1.") else { return Base32.decode(stored) }
        guard let sealed = Base64URL.decode(stored.dropFirst(3)),
            let text = totpBox.open(sealed, associatedData: Array(subject.utf8))
        else { return nil }
        return Base32.decode(String(decoding: text, as: UTF8.self))
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
        guard try await hasher.verify(password, against: row.string("password_hash") ?? "") else {
            throw IdentityError.notAuthorized
        }
        guard row.bool("confirmed") else { throw IdentityError.userNotConfirmed }
        let subject = row.string("subject")!
        if row.bool("mfa_enabled") {
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

        var accepted = false
        if code.count == 6, let secret = openTOTP(row.string("totp_secret"), subject: subject) {
            if let step = TOTP(secret: secret).validate(code, at: Int64(now)), step > Int64(row.int("last_totp_step")) {
                let updated = try await db.query(
                    "UPDATE identities SET last_totp_step = ? WHERE subject = ? AND last_totp_step < ? RETURNING subject",
                    [.integer(Int(step)), .text(subject), .integer(Int(step))])
                accepted = !updated.isEmpty
            }
        } else if code.count == 8 {
            accepted = try await consumeBackupCode(subject)
        }
        guard accepted else { throw IdentityError.codeMismatch }
        let used = try await db.query(
            "UPDATE mfa_sessions SET used = 1 WHERE hash = ? AND used = 0 RETURNING subject", [.text(hash)])
        guard !used.isEmpty else { throw IdentityError.invalidSession }
        return (try await issue(row, refresh: true), subject)
    }

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

    public func revokeRefreshToken(_ refreshToken: String) async throws {
        try await db.query("UPDATE refresh_tokens SET revoked = 1 WHERE hash = ?", [.text(Self.digest(refreshToken))])
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

    public func confirmForgotPassword(token: String, newPassword: String) async throws {
        let hash = try await hasher.hash(newPassword)
        try await db.transaction { [now] tx in
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
        guard let secret = openTOTP(row.string("pending_totp_secret"), subject: principal.subject) else {
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
            let subject = try tokens.verifyAccess(token, now: Int64(now))
            return Principal(subject: subject, accessToken: token)
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
