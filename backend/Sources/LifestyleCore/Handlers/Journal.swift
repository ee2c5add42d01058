import LifestyleToolkit

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The journal operations. An entry is stored as the API answers it plus two fields of the
/// core's own (`_day`: its day in the user's time zone, for the statistics; `_shares`: who it is
/// shared with, until when). An encrypted entry's `content`, `encryptedKey` and `encryptionIv`
/// are the client's strings, stored and answered unchanged; the server never reads, logs or
/// indexes them. Every write that changes what the statistics count writes them too, in the
/// same store call, conditioned on the versions read (retried when another write got there).
enum Journal {
    /// The contract's `maxLength` for text; ciphertext (base64 of the sealed text) may be longer.
    static let maxPlain = 50_000
    static let maxCipher = 262_144

    static let templates = [
        "blank", "daily-reflection", "gratitude", "goals-progress", "emotional-checkin", "dream-journal", "creative-writing",
        "daily_reflection", "goal_progress", "mood_tracker", "habit_tracker", "creative_writing",
    ]

    static let notFound = APIError(status: 404, code: "ENTRY_NOT_FOUND", message: "Journal entry not found")

    static let goalProgressShape: Shape = .object([
        .init("goalId", .string(maxLength: 36, format: .uuid), required: true),
        .init("progressValue", .number()),
        .init("notes", .string(maxLength: 1000)),
        .init("completed", .boolean, required: true),
    ])

    static func fields(creating: Bool) -> [Shape.Property] {
        [
            .init("title", .string(minLength: 1, maxLength: 200), required: creating),
            // its length is checked before (413 ENTRY_TOO_LARGE)
            .init("content", .string(maxLength: Int.max), required: creating),
            .init("template", .string(maxLength: 40, allowed: templates)),
            .init("tags", .array(.string(minLength: 1, maxLength: 50), maxItems: 10)),
            .init("mood", .string(minLength: 1, maxLength: 50)),
            .init("linkedGoalIds", .array(.string(maxLength: 36, format: .uuid), maxItems: 20)),
            .init("goalProgress", .array(goalProgressShape, maxItems: 20)),
            .init("isEncrypted", .boolean),
            .init("encryptedKey", .string(maxLength: 2048)),
            .init("encryptionIv", .string(maxLength: 64)),
            .init("wordCount", .integer(minimum: 0, maximum: 1_000_000)),
        ]
    }

    // MARK: entries

    @Sendable static func create(_ request: APIRequest, _ context: APIContext, _ principal: Principal) async throws -> APIResponse {
        let body = try Body.object(request).object
        let encrypted = body["isEncrypted"] == .bool(true)
        try checkSize(body["content"], encrypted: encrypted)
        var issues: [FieldIssue] = []
        let read = Shape.readObject(body, fields(creating: true), issues: &issues) ?? [:]
        if encrypted {
            requireBase64(read, "encryptedKey", minBytes: 16, &issues)
            requireBase64(read, "encryptionIv", minBytes: 12, &issues)
        } else {
            for field in ["encryptedKey", "encryptionIv"] where read[field] != nil {
                issues.append(FieldIssue(field: field, message: "is only for encrypted entries (isEncrypted: true)"))
            }
        }
        try await checkGoals(read, context, principal, &issues)
        if !issues.isEmpty { throw APIError.validation(issues) }

        let (zone, zoneName) = try await Goals.userZone(context, principal)
        let now = context.services.clock.now()
        let stamp = Timestamp.iso8601(now)
        let id = Random.uuidV7(unixMilliseconds: Int64((now.timeIntervalSince1970 * 1000).rounded(.down)))
        var doc: [String: JSONValue] = [
            "entryId": .string(id), "userId": .string(principal.subject), "title": read["title"] ?? .string(""),
            "content": read["content"] ?? .string(""), "template": read["template"] ?? .string("blank"),
            "tags": read["tags"] ?? .array([]), "linkedGoalIds": lowered(read["linkedGoalIds"]) ?? .array([]),
            "goalProgress": read["goalProgress"] ?? .array([]), "createdAt": .string(stamp), "updatedAt": .string(stamp),
            "isEncrypted": .bool(encrypted), "_day": .string(zone.localDate(at: Goals.seconds(now)).iso), "_shares": .object([:]),
        ]
        if let mood = read["mood"] { doc["mood"] = mood }
        if encrypted {
            doc["encryptedKey"] = read["encryptedKey"]
            doc["encryptionIv"] = read["encryptionIv"]
        }
        doc["wordCount"] = .number(Double(words(doc, client: read["wordCount"])))
        let (document, meta) = pack(doc)
        let entry = StoredEntry(
            userId: principal.subject, entryId: id, createdAt: now, updatedAt: now, goalIds: strings(doc["linkedGoalIds"]),
            document: document, meta: meta)
        let store = context.services.journal
        try await retrying(context) {
            let stats = try await mapped(context) { try await store.stats(userId: principal.subject) }
            var counters = counters(stats)
            counters.zone = zoneName
            counters.add(contribution(doc))
            let next = StoredJournalStats(
                userId: principal.subject, version: (stats?.version ?? 0) + 1, document: JSON.encode(counters.json))
            try await mapped(context) { try await store.createEntry(entry, stats: next) }
        }
        AppMetrics.event("journal_entry_created")
        var response = Goals.raw(201, ownerView(entry, now: now))
        response.headers["location"] = context.services.config.basePath + "/journal/" + id
        return response
    }

    @Sendable static func list(_ request: APIRequest, _ context: APIContext, _ principal: Principal, _ p: ListJournalEntriesParameters)
        async throws -> APIResponse
    {
        let store = context.services.journal
        let me = principal.subject
        let now = context.services.clock.now()
        let page = Page(page: p.page, limit: p.limit)
        var items: [[UInt8]] = []
        var total = 0
        if let goalId = p.goalId?.lowercased() {
            let linked = try await mapped(context) { try await store.entries(userId: me, linking: goalId) }
            total = linked.count
            items = page.slice(linked).map { ownerView($0, now: now) }
        } else {
            switch p.filter {
            case "shared-with-me":
                let received = try await activeReceived(context, me, now: now)
                total = received.count
                items = try await incoming(context, Array(page.slice(received)), now: now).map { JSON.encode($0.item) }
            case "shared-by-me":
                let given = try await mapped(context) { try await store.sharesGiven(userId: me) }
                    .filter { $0.expiresAt > now }.sorted { ($0.createdAt, $0.shareId) > ($1.createdAt, $1.shareId) }
                total = given.count
                items = try await outgoing(context, Array(page.slice(given)), now: now).map { JSON.encode($0) }
            case "all":
                // the caller's newest entries up to this page's end, merged with what others share
                let (owned, stats) = try await mapped(context) {
                    try await store.entries(userId: me, offset: 0, limit: page.offset + page.limit)
                }
                let received = try await activeReceived(context, me, now: now)
                total = counters(stats).entries + received.count
                var merged: [(Date, String, [UInt8]?, StoredShare?)] = owned.map {
                    ($0.createdAt, $0.entryId, ownerView($0, now: now), nil)
                }
                merged += received.map { ($0.createdAt, $0.entryId, nil, $0) }
                merged.sort { ($0.0, $0.1) > ($1.0, $1.1) }
                let slice = Array(page.slice(merged))
                let shared = try await incoming(context, slice.compactMap(\.3), now: now)
                items = slice.compactMap { row in row.2 ?? shared.first { $0.shareId == row.3?.shareId }.map { JSON.encode($0.item) } }
            default:
                let (entries, stats) = try await mapped(context) {
                    try await store.entries(userId: me, offset: page.offset, limit: page.limit)
                }
                total = counters(stats).entries
                items = entries.map { ownerView($0, now: now) }
            }
        }
        // the entries' stored bytes as they are (a page of 64 KiB entries is not parsed again)
        var body = Array(#"{"entries":["#.utf8)
        for (i, item) in items.enumerated() {
            if i > 0 { body.append(UInt8(ascii: ",")) }
            body += item
        }
        body += Array(
            #"],"total":\#(total),"page":\#(page.page),"limit":\#(page.limit),"hasMore":\#(page.offset + page.limit < total),"filter":"#
                .utf8)
        body += JSON.encode(JSONValue.string(p.filter)) + [UInt8(ascii: "}")]
        return Goals.raw(200, body)
    }

    @Sendable static func get(_ request: APIRequest, _ context: APIContext, _ principal: Principal, _ p: GetJournalEntryParameters)
        async throws -> APIResponse
    {
        let store = context.services.journal
        let id = p.entryId.lowercased()
        let now = context.services.clock.now()
        if let own = try await mapped(context, { try await store.entry(userId: principal.subject, entryId: id) }) {
            return Goals.raw(200, ownerView(own, now: now))
        }
        // someone else's: readable only through an active, unexpired share to the caller
        guard let owner = try await mapped(context, { try await store.entryOwner(entryId: id) }), owner != principal.subject,
            let share = try await mapped(context, { try await store.share(entryId: id, recipientId: principal.subject) }),
            share.expiresAt > now,
            let entry = try await mapped(context, { try await store.entry(userId: owner, entryId: id) })
        else { throw notFound }
        do {
            try await store.recordAccess(share, at: now)
        } catch {
            context.logger.warning("share access not counted", metadata: ["share_id": .string(share.shareId)])
        }
        return Goals.raw(200, JSON.encode(render(try document(entry), now: now, share: share)))
    }

    @Sendable static func update(_ request: APIRequest, _ context: APIContext, _ principal: Principal, _ p: UpdateJournalEntryParameters)
        async throws -> APIResponse
    {
        let body = try Body.object(request).object
        let first = try await load(context, principal, p.entryId)
        let encrypted = try document(first)["isEncrypted"] == .bool(true)
        try checkSize(body["content"], encrypted: encrypted)
        var issues: [FieldIssue] = []
        let allowed = fields(creating: false).filter { !["isEncrypted", "encryptedKey"].contains($0.name) }
        var read = Shape.readObject(body, allowed, issues: &issues) ?? [:]
        if body["mood"] == .null { read["mood"] = .null }
        for field in ["isEncrypted", "encryptedKey"] where body[field] != nil {
            issues.append(
                FieldIssue(field: field, message: "cannot be changed (the entry key stays; new ciphertext needs a new encryptionIv)"))
        }
        if encrypted {
            if read["content"] != nil { requireBase64(read, "encryptionIv", minBytes: 12, &issues) }
            if read["encryptionIv"] != nil, read["content"] == nil {
                issues.append(FieldIssue(field: "encryptionIv", message: "changes only with new content"))
            }
        } else if read["encryptionIv"] != nil {
            issues.append(FieldIssue(field: "encryptionIv", message: "is only for encrypted entries"))
        }
        try await checkGoals(read, context, principal, &issues)
        if !issues.isEmpty { throw APIError.validation(issues) }

        let store = context.services.journal
        var unused: StoredEntry? = first  // the first attempt writes from the read above
        let updated: StoredEntry = try await retrying(context) {
            let stored = try await reread(&unused) { try await load(context, principal, p.entryId) }
            let old = try document(stored)
            if encrypted, read["content"] != nil, read["encryptionIv"] == old["encryptionIv"] {
                throw APIError.validation([
                    FieldIssue(field: "encryptionIv", message: "must be new: an IV is never used twice with the entry key")
                ])
            }
            var doc = old
            for (key, value) in read where key != "wordCount" {
                doc[key] = key == "linkedGoalIds" ? lowered(value) : (value == .null ? nil : value)
            }
            let now = context.services.clock.now()
            doc["updatedAt"] = .string(Timestamp.iso8601(now))
            doc["wordCount"] = .number(Double(words(doc, client: read["wordCount"] ?? (encrypted ? old["wordCount"] : nil))))
            var next = stored
            next.version += 1
            next.updatedAt = now
            next.goalIds = strings(doc["linkedGoalIds"])
            (next.document, next.meta) = pack(doc)
            var stats: StoredJournalStats?
            if contribution(old) != contribution(doc) {
                let current = try await mapped(context) { try await store.stats(userId: principal.subject) }
                var c = counters(current)
                c.zone = try await Goals.userZone(context, principal).1
                c.remove(contribution(old))
                c.add(contribution(doc))
                stats = StoredJournalStats(userId: principal.subject, version: (current?.version ?? 0) + 1, document: JSON.encode(c.json))
            }
            try await mapped(context) { try await store.updateEntry(next, stats: stats) }
            return next
        }
        return Goals.raw(200, ownerView(updated, now: context.services.clock.now()))
    }

    @Sendable static func delete(_ request: APIRequest, _ context: APIContext, _ principal: Principal, _ p: DeleteJournalEntryParameters)
        async throws -> APIResponse
    {
        let store = context.services.journal
        try await retrying(context) {
            let stored = try await load(context, principal, p.entryId)
            let current = try await mapped(context) { try await store.stats(userId: principal.subject) }
            var c = counters(current)
            c.remove(contribution(try document(stored)))
            let stats = StoredJournalStats(userId: principal.subject, version: (current?.version ?? 0) + 1, document: JSON.encode(c.json))
            try await mapped(context) { try await store.deleteEntry(stored, stats: stats) }
        }
        AppMetrics.event("journal_entry_deleted")
        return .json(MessageDTO(message: "Journal entry deleted"))
    }

    @Sendable static func stats(_ request: APIRequest, _ context: APIContext, _ principal: Principal) async throws -> APIResponse {
        let stored = try await mapped(context) { try await context.services.journal.stats(userId: principal.subject) }
        let c = counters(stored)
        let zone = ZoneRule.named(c.zone) ?? ZoneRule(posix: "UTC0")!
        return Goals.raw(200, JSON.encode(c.render(today: zone.localDate(at: Goals.seconds(context.services.clock.now())))))
    }

    // MARK: account deletion

    /// Removes the user's journal: the shares others gave them are revoked on the owners' entries,
    /// then the user's entries, their shares and the statistics go. Safe to repeat.
    static func deleteAll(_ context: APIContext, userId: String) async throws {
        let store = context.services.journal
        for share in try await store.sharesReceived(userId: userId) {
            do {
                try await Sharing.revoke(context, share)
            } catch let e as APIError where e.status == 404 {
                continue  // gone meanwhile (the store removes what is left below)
            }
        }
        try await store.deleteJournal(userId: userId)
    }

    // MARK: helpers

    /// `read` while it holds the entry the handler has just read (the first attempt of a write),
    /// emptied; a read from the store for each later attempt.
    static func reread(_ read: inout StoredEntry?, _ load: () async throws -> StoredEntry) async throws -> StoredEntry {
        if let entry = read {
            read = nil
            return entry
        }
        return try await load()
    }

    /// The caller's own entry, or 404 (another user's entry is not found either).
    static func load(_ context: APIContext, _ principal: Principal, _ entryId: String) async throws -> StoredEntry {
        let id = entryId.lowercased()
        guard let entry = try await mapped(context, { try await context.services.journal.entry(userId: principal.subject, entryId: id) })
        else { throw notFound }
        return entry
    }

    /// The entry as the API answers it: the core's own fields dropped, `isShared`/`sharedWith`
    /// from its active shares; for a recipient (`share`), the entry key wrapped for them, only
    /// themselves in `sharedWith`, and `shareAccess`.
    static func render(_ stored: [String: JSONValue], now: Date, share: StoredShare? = nil) -> JSONValue {
        var doc = stored
        let shares: [String: JSONValue] = if case .object(let s)? = doc["_shares"] { s } else { [:] }
        doc["_day"] = nil
        doc["_shares"] = nil
        if let share {
            if doc["isEncrypted"] == .bool(true) { doc["encryptedKey"] = share.encryptedKey.map { .string($0) } }
            doc["isShared"] = .bool(true)
            doc["sharedWith"] = .array([.string(share.recipientId)])
            doc["shareAccess"] = .object([
                "shareId": .string(share.shareId), "permissions": .array(share.permissions.map { .string($0) }),
                "expiresAt": .string(Timestamp.iso8601(share.expiresAt)),
            ])
        } else {
            let active = activeRecipients(shares, now: now)
            doc["isShared"] = .bool(!active.isEmpty)
            doc["sharedWith"] = .array(active.map { .string($0) })
        }
        return .object(doc)
    }

    /// The recipients of an entry's shares (`_shares`) that have not expired at `now`, sorted.
    static func activeRecipients(_ shares: [String: JSONValue], now: Date) -> [String] {
        let stamp = Timestamp.iso8601(now)
        return shares.compactMap { recipient, share in
            guard case .object(let s) = share, case .string(let expires)? = s["expiresAt"], expires > stamp else { return nil }
            return recipient
        }.sorted()
    }

    /// The entry with the core's own fields (`_day`, `_shares`), from its two stored parts.
    static func document(_ stored: StoredEntry) throws -> [String: JSONValue] {
        guard case .object(var o) = try JSONParser.parse(stored.document) else { throw APIError.internalError }
        let meta = self.meta(stored)
        o["_day"] = meta["day"]
        o["_shares"] = meta["shares"] ?? .object([:])
        return o
    }

    static func meta(_ stored: StoredEntry) -> [String: JSONValue] {
        if case .object(let m)? = try? JSONParser.parse(stored.meta) { return m }
        return [:]
    }

    /// The stored parts of an entry: the entry as the API answers it (without what its shares
    /// decide), and the core's own fields (its day, its shares), small and read on their own.
    static func pack(_ doc: [String: JSONValue]) -> (document: [UInt8], meta: [UInt8]) {
        var answer = doc
        answer["_day"] = nil
        answer["_shares"] = nil
        answer["isShared"] = nil
        answer["sharedWith"] = nil
        answer["shareAccess"] = nil
        let meta: JSONValue = .object(["day": doc["_day"] ?? .null, "shares": doc["_shares"] ?? .object([:])])
        return (JSON.encode(JSONValue.object(answer)), JSON.encode(meta))
    }

    /// The owner's answer from the stored bytes: `isShared` and `sharedWith` (from the small
    /// `meta`) spliced in before the closing brace, the entry itself not parsed again.
    static func ownerView(_ stored: StoredEntry, now: Date) -> [UInt8] {
        let shares: [String: JSONValue] = if case .object(let s)? = meta(stored)["shares"] { s } else { [:] }
        let active = activeRecipients(shares, now: now)
        var out = stored.document
        guard out.last == UInt8(ascii: "}"), out.count > 2 else { return out }
        out.removeLast()
        out += Array(#","isShared":\#(!active.isEmpty),"sharedWith":"#.utf8)
        out += JSON.encode(JSONValue.array(active.map { .string($0) }))
        out.append(UInt8(ascii: "}"))
        return out
    }

    static func counters(_ stored: StoredJournalStats?) -> JournalCounters {
        stored.map { JournalCounters(json: (try? JSONParser.parse($0.document)) ?? .null) } ?? JournalCounters()
    }

    static func contribution(_ doc: [String: JSONValue]) -> EntryContribution {
        let completed: Int =
            if case .array(let items)? = doc["goalProgress"] {
                items.filter { if case .object(let o) = $0 { o["completed"] == .bool(true) } else { false } }.count
            } else { 0 }
        let mood: String? = if case .string(let m)? = doc["mood"] { m } else { nil }
        return EntryContribution(
            day: Goals.string(doc, "_day"), words: Int(Goals.number(doc, "wordCount")), mood: mood, tags: strings(doc["tags"]),
            template: Goals.string(doc, "template"), goalIds: strings(doc["linkedGoalIds"]), goalsCompleted: completed,
            createdAt: Goals.string(doc, "createdAt"))
    }

    /// A plain entry's words are counted here; an encrypted entry's come from the client.
    static func words(_ doc: [String: JSONValue], client: JSONValue?) -> Int {
        if doc["isEncrypted"] == .bool(true) {
            if case .number(let n)? = client { return Int(n) }
            return 0
        }
        guard case .string(let text)? = doc["content"] else { return 0 }
        return text.split(whereSeparator: { $0.isWhitespace }).count
    }

    static func checkSize(_ content: JSONValue?, encrypted: Bool) throws {
        guard case .string(let text)? = content else { return }
        let (size, limit) = encrypted ? (text.utf8.count, maxCipher) : (text.count, maxPlain)
        if size > limit {
            throw APIError(
                status: 413, code: "ENTRY_TOO_LARGE",
                message: encrypted
                    ? "Encrypted content is at most \(maxCipher) characters (256 KiB of ciphertext)"
                    : "Content is at most \(maxPlain) characters")
        }
    }

    static func requireBase64(_ read: [String: JSONValue], _ field: String, minBytes: Int, _ issues: inout [FieldIssue]) {
        guard case .string(let s)? = read[field] else {
            if !issues.contains(where: { $0.field == field }) { issues.append(FieldIssue(field: field, message: "is required")) }
            return
        }
        guard let bytes = Base64.decode(s), bytes.count >= minBytes else {
            issues.append(FieldIssue(field: field, message: "must be base64 of at least \(minBytes) bytes"))
            return
        }
    }

    /// `linkedGoalIds` and `goalProgress` name the caller's own goals (archived ones included).
    static func checkGoals(_ read: [String: JSONValue], _ context: APIContext, _ principal: Principal, _ issues: inout [FieldIssue])
        async throws
    {
        var named: [(String, String)] = strings(read["linkedGoalIds"]).enumerated().map { ("linkedGoalIds[\($0.offset)]", $0.element) }
        if case .array(let items)? = read["goalProgress"] {
            for (i, item) in items.enumerated() {
                if case .object(let o) = item, case .string(let id)? = o["goalId"] { named.append(("goalProgress[\(i)].goalId", id)) }
            }
        }
        var known: [String: Bool] = [:]
        for (field, raw) in named {
            let id = raw.lowercased()
            if known[id] == nil {
                known[id] =
                    try await Goals.mapped(context) { try await context.services.goals.goal(userId: principal.subject, goalId: id) }
                    != nil
            }
            if known[id] == false { issues.append(FieldIssue(field: field, message: "is not one of your goals")) }
        }
    }

    static func lowered(_ value: JSONValue?) -> JSONValue? {
        guard case .array(let items)? = value else { return value }
        return .array(items.map { if case .string(let s) = $0 { .string(s.lowercased()) } else { $0 } })
    }

    static func strings(_ value: JSONValue?) -> [String] {
        guard case .array(let items)? = value else { return [] }
        return items.compactMap { if case .string(let s) = $0 { s } else { nil } }
    }

    /// The shares others gave the caller that are active now, newest first.
    static func activeReceived(_ context: APIContext, _ me: String, now: Date) async throws -> [StoredShare] {
        try await mapped(context) { try await context.services.journal.sharesReceived(userId: me) }
            .filter { $0.expiresAt > now }.sorted { ($0.createdAt, $0.shareId) > ($1.createdAt, $1.shareId) }
    }

    /// `SharedJournalItem`s for shares the caller received (entries gone meanwhile are left out).
    static func incoming(_ context: APIContext, _ shares: [StoredShare], now: Date) async throws -> [(shareId: String, item: JSONValue)] {
        var emails: [String: String] = [:]
        var out: [(shareId: String, item: JSONValue)] = []
        for share in shares {
            guard
                let entry = try await mapped(
                    context, { try await context.services.journal.entry(userId: share.ownerId, entryId: share.entryId) })
            else { continue }
            if emails[share.ownerId] == nil { emails[share.ownerId] = try await email(context, share.ownerId) }
            var info = shareInfo(share)
            info["sharedBy"] = .string(emails[share.ownerId] ?? "")
            out.append(
                (
                    share.shareId,
                    .object([
                        "entry": render(try document(entry), now: now, share: share), "shareInfo": .object(info), "isIncoming": .bool(true),
                    ])
                ))
        }
        return out
    }

    /// `SharedJournalItem`s for shares the caller gave, one per share.
    static func outgoing(_ context: APIContext, _ shares: [StoredShare], now: Date) async throws -> [JSONValue] {
        var out: [JSONValue] = []
        for share in shares {
            guard
                let entry = try await mapped(
                    context, { try await context.services.journal.entry(userId: share.ownerId, entryId: share.entryId) })
            else { continue }
            var info = shareInfo(share)
            info["sharedWith"] = .string(try await email(context, share.recipientId))
            out.append(.object(["entry": render(try document(entry), now: now), "shareInfo": .object(info), "isIncoming": .bool(false)]))
        }
        return out
    }

    static func shareInfo(_ share: StoredShare) -> [String: JSONValue] {
        [
            "shareId": .string(share.shareId), "sharedAt": .string(Timestamp.iso8601(share.createdAt)),
            "permissions": .array(share.permissions.map { .string($0) }), "expiresAt": .string(Timestamp.iso8601(share.expiresAt)),
        ]
    }

    static func email(_ context: APIContext, _ userId: String) async throws -> String {
        do {
            return try await context.services.users.user(id: userId)?.email ?? ""
        } catch {
            throw APIError.serviceUnavailable
        }
    }

    /// Store failures answer 503 (logged with the store's error code); conflicts go back to `retrying`.
    static func mapped<T>(_ context: APIContext, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch JournalStoreError.unavailable(let code) {
            context.logger.warning("journal store unavailable", metadata: ["error_code": .string(code)])
            throw APIError.serviceUnavailable
        }
    }

    /// Runs a read-compute-write `body` again after a pause each time its write lost to another.
    static func retrying<T>(_ context: APIContext, _ body: () async throws -> T) async throws -> T {
        try await Goals.retrying(context, "journal", isConflict: { ($0 as? JournalStoreError) == .conflict }, body)
    }
}
