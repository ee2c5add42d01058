import LifestyleToolkit

/// The end-to-end encryption keys: the server keeps what the client made (a public key, a private
/// key sealed with a key derived from the user's password, the derivation's salt, recovery material
/// sealed the same way) and cannot read any secret of it. None of it reaches a log line.
enum Encryption {
    /// Sizes well above what the web client makes (RSA-OAEP 4096: a 550-byte SPKI public key, a
    /// 2.4 KiB PKCS#8 private key sealed with AES-GCM; a 32-byte salt), in base64 characters.
    static let maxPublicKey = 4096
    static let maxPrivateKey = 16384
    static let maxRecoveryKey = 16384

    struct EncryptionInfoDTO: Encodable {
        var userId: String
        var publicKey: String
        var publicKeyId: String
        var salt: String?
        var encryptedPrivateKey: String?
    }

    static let notSetUp = APIError(status: 404, code: "ENCRYPTION_NOT_SET_UP", message: "User not found or encryption not set up")

    @Sendable static func setup(_ request: APIRequest, _ context: APIContext, _ principal: Principal) async throws -> APIResponse {
        var f = try Body.object(request)
        let salt = base64(&f, "salt", maxLength: 128, minBytes: 16)
        let privateKey = base64(&f, "encryptedPrivateKey", maxLength: maxPrivateKey, minBytes: 16)
        let publicKey = base64(&f, "publicKey", maxLength: maxPublicKey, minBytes: 32)
        let keyId = keyId(&f, "publicKeyId")
        try f.check()
        let keys = StoredKeys(
            userId: principal.subject, publicKey: publicKey!, publicKeyId: keyId!, salt: salt!, encryptedPrivateKey: privateKey!,
            createdAt: context.services.clock.now())
        do {
            try await keyStore { try await context.services.encryptionKeys.createKeys(keys) }
        } catch EncryptionKeyStoreError.alreadyExists {
            throw APIError(
                status: 409, code: "ENCRYPTION_ALREADY_SET_UP",
                message: "Encryption is already set up for this account; its keys are kept (reset them first to replace them)")
        }
        AppMetrics.event("encryption_set_up")
        return .json(201, MessageDTO(message: "Encryption set up"))
    }

    @Sendable static func check(_ request: APIRequest, _ context: APIContext, _ principal: Principal, _ p: CheckUserEncryptionParameters)
        async throws -> APIResponse
    {
        struct CheckDTO: Encodable { var hasEncryption: Bool }
        return .json(CheckDTO(hasEncryption: try await stored(context, p.userId) != nil))
    }

    /// Another user's public key; for the caller's own id also the sealed private key and salt,
    /// which a second device needs to unlock.
    @Sendable static func user(_ request: APIRequest, _ context: APIContext, _ principal: Principal, _ p: GetUserEncryptionParameters)
        async throws -> APIResponse
    {
        guard let keys = try await stored(context, p.userId) else { throw notSetUp }
        let own = keys.userId == principal.subject
        return .json(
            EncryptionInfoDTO(
                userId: keys.userId, publicKey: keys.publicKey, publicKeyId: keys.publicKeyId, salt: own ? keys.salt : nil,
                encryptedPrivateKey: own ? keys.encryptedPrivateKey : nil))
    }

    /// Recovery material, sealed on the client: the recovery key encrypted with what the method
    /// derives it from. Whatever would let the server open it (a mnemonic, answers) is refused.
    @Sendable static func recovery(_ request: APIRequest, _ context: APIContext, _ principal: Principal) async throws -> APIResponse {
        var f = try Body.object(request)
        for secret in ["mnemonicPhrase", "securityAnswers", "answers", "password", "privateKey"] where f.has(secret) {
            f.fail(secret, "must never be sent to the server: seal the recovery key on the device")
        }
        var issues: [FieldIssue] = []
        let material = Shape.readObject(
            f.object,
            [
                .init("method", .string(maxLength: 16, allowed: ["mnemonic", "social", "questions"]), required: true),
                .init("encryptedRecoveryKey", .string(minLength: 16, maxLength: maxRecoveryKey), required: true),
                .init("socialGuardians", .array(.string(maxLength: 36, format: .uuid), maxItems: 10)),
                .init("socialThreshold", .integer(minimum: 1, maximum: 10)),
                .init(
                    "securityQuestions",
                    .array(.object([.init("question", .string(minLength: 1, maxLength: 200), required: true)]), maxItems: 10)),
            ], issues: &issues)
        for issue in issues { f.fail(issue.field, issue.message) }
        if case .string(let key)? = f.object["encryptedRecoveryKey"], Base64.decode(key) == nil {
            f.fail("encryptedRecoveryKey", "must be base64")
        }
        if case .string("social")? = f.object["method"] {
            let guardians: Int = if case .array(let g)? = f.object["socialGuardians"] { g.count } else { 0 }
            let threshold: Int = if case .number(let t)? = f.object["socialThreshold"] { Int(t) } else { 0 }
            if guardians == 0 || threshold == 0 || threshold > guardians {
                f.fail("socialThreshold", "social recovery needs guardians and a threshold of at most their number")
            }
        }
        try f.check()
        do {
            try await context.services.encryptionKeys.setRecovery(
                userId: principal.subject, material: JSON.encode(JSONValue.object(material ?? [:])))
        } catch EncryptionKeyStoreError.notFound {
            throw notSetUp
        } catch {
            throw APIError.serviceUnavailable
        }
        return .json(MessageDTO(message: "Recovery material stored"))
    }

    /// A key reset: the keys and recovery material are removed, and a new setup may follow.
    /// Entries sealed to the old key stay as they are: nobody can read them any more.
    @Sendable static func reset(_ request: APIRequest, _ context: APIContext, _ principal: Principal) async throws -> APIResponse {
        guard try await stored(context, principal.subject) != nil else { throw notSetUp }
        try await keyStore { try await context.services.encryptionKeys.deleteKeys(userId: principal.subject) }
        AppMetrics.event("encryption_reset")
        return .json(
            MessageDTO(
                message:
                    "Encryption keys deleted. Entries encrypted with the old keys stay stored but can no longer be decrypted; set up new keys to write new ones."
            ))
    }

    // MARK: helpers

    static func stored(_ context: APIContext, _ userId: String) async throws -> StoredKeys? {
        try await keyStore { try await context.services.encryptionKeys.keys(userId: userId.lowercased()) }
    }

    /// Runs a key-store call: its answers (`alreadyExists`, `notFound`) pass through for the
    /// handler to word; anything else is the store being unavailable (503).
    static func keyStore<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let answer as EncryptionKeyStoreError where answer == .alreadyExists || answer == .notFound {
            throw answer
        } catch {
            throw APIError.serviceUnavailable
        }
    }

    static func base64(_ f: inout Fields, _ field: String, maxLength: Int, minBytes: Int) -> String? {
        guard let value = f.string(field) else { return nil }
        guard value.utf8.count <= maxLength else {
            f.fail(field, "must be at most \(maxLength) characters")
            return nil
        }
        guard let bytes = Base64.decode(value), bytes.count >= minBytes else {
            f.fail(field, "must be base64 of at least \(minBytes) bytes")
            return nil
        }
        return value
    }

    static func keyId(_ f: inout Fields, _ field: String) -> String? {
        guard let value = f.string(field) else { return nil }
        guard (1...128).contains(value.utf8.count),
            value.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || "-_.:".utf8.contains($0) })
        else {
            f.fail(field, "must be 1 to 128 letters, digits or - _ . :")
            return nil
        }
        return value
    }
}
