enum Health {
    struct DTO: Encodable {
        var status: String
        var timestamp: String
        var version: String
        var environment: String
    }

    @Sendable static func get(_ request: Request, _ context: RequestContext) async throws -> Response {
        let s = context.services
        return .json(
            DTO(
                status: "healthy", timestamp: Timestamp.iso8601(s.clock.now()), version: s.version,
                environment: s.config.environment.rawValue))
    }
}
