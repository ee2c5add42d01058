import LifestyleCore
import LifestyleToolkit
import SQLiteNIO

/// `TokenRevocations` on the embedded database: one row per account (`token_revocations`), kept
/// apart from the identity so that a deleted account's tokens stay refused.
public struct SQLiteTokenRevocations: TokenRevocations {
    let db: EmbeddedDatabase

    public init(database: EmbeddedDatabase) { self.db = database }

    public func validFrom(subject: String) async throws -> Int64? {
        try await db.query("SELECT valid_from FROM token_revocations WHERE subject = ?", [.text(subject)]).first
            .map { Int64($0.int("valid_from")) }
    }

    public func revokeTokens(subject: String, validFrom: Int64) async throws {
        try await db.query(
            """
            INSERT INTO token_revocations (subject, valid_from) VALUES (?, ?)
            ON CONFLICT (subject) DO UPDATE SET valid_from = max(valid_from, excluded.valid_from)
            """, [.text(subject), .integer(Int(validFrom))])
    }
}
