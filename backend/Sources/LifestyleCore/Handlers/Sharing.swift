import LifestyleToolkit

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Sharing journal entries. A share gives one recipient read access to one entry until it
/// expires or the owner revokes it; for an encrypted entry it carries the entry key wrapped for
/// the recipient (made on the owner's device), which the recipient's read answers in place of the
/// owner's. The entry lists its shares (`_shares`), written together with the share.
enum Sharing {
    static let maxActivePerEntry = 10

    static let notFound = APIError(status: 404, code: "SHARE_NOT_FOUND", message: "Share not found")

    @Sendable static func create(_ request: APIRequest, _ context: APIContext, _ principal: Principal) async throws -> APIResponse {
        let body = try Body.object(request).object
        var issues: [FieldIssue] = []
        let read =
            Shape.readObject(
                body,
                [
                    .init("itemType", .string(maxLength: 16, allowed: ["journal", "goal"]), required: true),
                    .init("itemId", .string(maxLength: 36, format: .uuid), required: true),
                    .init("recipientId", .string(maxLength: 36, format: .uuid), required: true),
                    .init("encryptedKey", .string(maxLength: 2048)),
                    .init("permissions", .array(.string(maxLength: 8, allowed: ["read", "write", "share"]), maxItems: 3)),
                    .init("expiresInHours", .integer(minimum: 1, maximum: 720)),
                ], issues: &issues) ?? [:]
        // (read from the body: a rule broken elsewhere leaves `read` empty, and every field is named)
        if body["itemType"] == .string("goal") {
            issues.append(FieldIssue(field: "itemType", message: "only journal entries can be shared"))
        }
        let permissions = Journal.strings(body["permissions"])
        if permissions.contains(where: { $0 == "write" || $0 == "share" }) {
            issues.append(
                FieldIssue(
                    field: "permissions", message: "only read can be granted: a recipient can never change, delete or reshare an entry"))
        }
        let recipient = Goals.string(body, "recipientId").lowercased()
        if recipient == principal.subject {
            issues.append(FieldIssue(field: "recipientId", message: "cannot share with yourself"))
        }
        if read["encryptedKey"] != nil { Journal.requireBase64(read, "encryptedKey", minBytes: 16, &issues) }
        if !issues.isEmpty { throw APIError.validation(issues) }

        let entryId = Goals.string(read, "itemId").lowercased()
        let first = try await Journal.load(context, principal, entryId)
        let encrypted = try Journal.document(first)["isEncrypted"] == .bool(true)
        if encrypted, read["encryptedKey"] == nil {
            throw APIError.validation([
                FieldIssue(
                    field: "encryptedKey",
                    message: "is required for an encrypted entry: the entry key wrapped with the recipient's public key")
            ])
        }
        if !encrypted, read["encryptedKey"] != nil {
            throw APIError.validation([FieldIssue(field: "encryptedKey", message: "is only for encrypted entries")])
        }
        let user: UserRecord?
        do {
            user = try await context.services.users.user(id: recipient)
        } catch {
            throw APIError.serviceUnavailable
        }
        guard let user, user.emailVerified else { throw APIError(status: 404, code: "USER_NOT_FOUND", message: "User not found") }
        if encrypted, try await Encryption.stored(context, recipient) == nil {
            throw APIError(
                status: 422, code: "RECIPIENT_ENCRYPTION_NOT_SET_UP",
                message: "The recipient has not set up encryption, so an encrypted entry cannot be shared with them yet")
        }

        let store = context.services.journal
        let hours = Int(Goals.number(read, "expiresInHours") == 0 ? 24 : Goals.number(read, "expiresInHours"))
        var unused: StoredEntry? = first  // the first attempt writes from the read above
        let share = try await Journal.retrying(context) { () async throws -> StoredShare in
            let stored = try await Journal.reread(&unused) { try await Journal.load(context, principal, entryId) }
            var doc = try Journal.document(stored)
            let now = context.services.clock.now()
            let existing = try await Journal.mapped(context) { try await store.share(entryId: entryId, recipientId: recipient) }
            if let existing, existing.expiresAt > now {
                throw APIError(
                    status: 409, code: "ALREADY_SHARED", message: "This entry is already shared with this user; revoke that share first")
            }
            var shares: [String: JSONValue] = if case .object(let s)? = doc["_shares"] { s } else { [:] }
            let active = Journal.activeRecipients(shares, now: now).filter { $0 != recipient }
            guard active.count < maxActivePerEntry else {
                throw APIError(
                    status: 422, code: "SHARE_LIMIT_REACHED",
                    message: "An entry has at most \(maxActivePerEntry) active shares; revoke one first")
            }
            let share = StoredShare(
                shareId: Random.uuid(), entryId: entryId, ownerId: principal.subject, recipientId: recipient, permissions: ["read"],
                encryptedKey: Goals.optionalString(read, "encryptedKey"), createdAt: now,
                expiresAt: now.addingTimeInterval(Double(hours) * 3600))
            shares[recipient] = .object(["shareId": .string(share.shareId), "expiresAt": .string(Timestamp.iso8601(share.expiresAt))])
            doc["_shares"] = .object(shares)
            var next = stored
            next.version += 1
            (next.document, next.meta) = Journal.pack(doc)
            try await Journal.mapped(context) { try await store.createShare(share, replacing: existing, entry: next) }
            return share
        }
        AppMetrics.event("journal_entry_shared")
        let answer: JSONValue = .object([
            "shareId": .string(share.shareId), "itemId": .string(entryId), "recipientId": .string(recipient),
            "permissions": .array([.string("read")]), "createdAt": .string(Timestamp.iso8601(share.createdAt)),
            "expiresAt": .string(Timestamp.iso8601(share.expiresAt)), "isEncrypted": .bool(encrypted),
        ])
        return Goals.raw(201, JSON.encode(answer))
    }

    @Sendable static func list(_ request: APIRequest, _ context: APIContext, _ principal: Principal, _ p: ListSharesParameters)
        async throws -> APIResponse
    {
        let store = context.services.journal
        var shares: [StoredShare] = []
        if p.itemType != "goal" {
            if p.direction != "received" {
                shares += try await Journal.mapped(context) { try await store.sharesGiven(userId: principal.subject) }
            }
            if p.direction != "created" {
                shares += try await Journal.mapped(context) { try await store.sharesReceived(userId: principal.subject) }
            }
        }
        let now = context.services.clock.now()
        let rendered: [JSONValue] = shares.sorted { ($0.createdAt, $0.shareId) > ($1.createdAt, $1.shareId) }.map { s in
            var o: [String: JSONValue] = [
                // `id` too: the web client's EncryptionService.getShares reads it (and revokes by it)
                "shareId": .string(s.shareId), "id": .string(s.shareId), "ownerId": .string(s.ownerId),
                "recipientId": .string(s.recipientId),
                "itemType": .string("journal"), "itemId": .string(s.entryId), "permissions": .array(s.permissions.map { .string($0) }),
                "createdAt": .string(Timestamp.iso8601(s.createdAt)), "expiresAt": .string(Timestamp.iso8601(s.expiresAt)),
                "active": .bool(s.expiresAt > now), "accessCount": .number(Double(s.accessCount)),
            ]
            if let key = s.encryptedKey { o["encryptedKey"] = .string(key) }
            if let last = s.lastAccessed { o["lastAccessed"] = .string(Timestamp.iso8601(last)) }
            return .object(o)
        }
        return Goals.raw(200, JSON.encode(JSONValue.object(["shares": .array(rendered)])))
    }

    @Sendable static func revokeShare(_ request: APIRequest, _ context: APIContext, _ principal: Principal, _ p: RevokeShareParameters)
        async throws -> APIResponse
    {
        let id = p.shareId.lowercased()
        guard let share = try await Journal.mapped(context, { try await context.services.journal.share(id: id) }),
            share.ownerId == principal.subject
        else { throw notFound }
        try await revoke(context, share)
        AppMetrics.event("journal_share_revoked")
        return .json(MessageDTO(message: "Share revoked"))
    }

    /// Removes the share and takes it off its entry's list; 404 when it is gone meanwhile.
    static func revoke(_ context: APIContext, _ share: StoredShare) async throws {
        let store = context.services.journal
        try await Journal.retrying(context) {
            guard try await Journal.mapped(context, { try await store.share(id: share.shareId) }) != nil,
                let stored = try await Journal.mapped(context, { try await store.entry(userId: share.ownerId, entryId: share.entryId) })
            else { throw notFound }
            var doc = try Journal.document(stored)
            if case .object(var shares)? = doc["_shares"] {
                if case .object(let s)? = shares[share.recipientId], s["shareId"] == .string(share.shareId) {
                    shares[share.recipientId] = nil
                }
                doc["_shares"] = .object(shares)
            }
            var next = stored
            next.version += 1
            (next.document, next.meta) = Journal.pack(doc)
            try await Journal.mapped(context) { try await store.revokeShare(share, entry: next) }
        }
    }

    /// `POST /ai-shares`: there is no analysis service yet.
    @Sendable static func createAIShare(_ request: APIRequest, _ context: APIContext, _ principal: Principal) async throws -> APIResponse {
        throw APIError(
            status: 501, code: "NOT_IMPLEMENTED",
            message: "Sharing entries for AI analysis is not available yet: there is no analysis service. Nothing was shared.")
    }
}
