import LifestyleToolkit

enum Health {
    /// `{"environment":…,"status":"healthy","timestamp":…,"version":…}` (sorted keys, like every
    /// body). Written with literal chunks (not `JSONWriter`, one append per token): load
    /// balancers and warmers call it often, and it must stay the cheapest route.
    @Sendable static func get(_ request: APIRequest, _ context: APIContext) async throws -> APIResponse {
        let s = context.services
        var body = "{\"environment\":"
        JSONText.appendQuoted(s.config.environment.rawValue, to: &body)
        body += ",\"status\":\"healthy\",\"timestamp\":"
        JSONText.appendQuoted(Timestamp.iso8601(s.clock.now()), to: &body)
        body += ",\"version\":"
        JSONText.appendQuoted(s.version, to: &body)
        body += "}"
        var r = APIResponse(status: 200, body: Array(body.utf8))
        r.headers["content-type"] = "application/json"
        return r
    }
}
