import LifestyleToolkit

enum Health {
    /// `{"environment":…,"status":"healthy","timestamp":…,"version":…}` (sorted keys, like every
    /// body). Written straight into a string: load balancers and warmers call it often, and it must stay the
    /// cheapest route.
    @Sendable static func get(_ request: APIRequest, _ context: APIContext) async throws -> APIResponse {
        let s = context.services
        var json = JSONWriter(capacity: 128)
        json.beginObject()
        json.field("environment", s.config.environment.rawValue)
        json.field("status", "healthy")
        json.field("timestamp", Timestamp.iso8601(s.clock.now()))
        json.field("version", s.version)
        json.endObject()
        var r = APIResponse(status: 200, body: json.bytes)
        r.headers["content-type"] = "application/json"
        return r
    }
}
