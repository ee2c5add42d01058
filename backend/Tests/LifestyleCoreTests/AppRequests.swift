import Foundation

@testable import LifestyleCore
@testable import LifestyleToolkit

/// Requests and answers of the app in the core's own types, for tests that drive `LifestyleApp`.
enum AppRequests {
    static func json(_ method: String, _ path: String, _ body: String, bearer: String? = nil) -> APIRequest {
        var headers = APIHeaders([("content-type", "application/json")])
        if let bearer { headers.add("authorization", "Bearer " + bearer) }
        return APIRequest(method: method, path: path, headers: headers, body: Array(body.utf8))
    }

    /// A string member of a JSON answer.
    static func field(_ response: APIResponse, _ name: String) -> String? {
        guard case .object(let o)? = try? JSONParser.parse(response.body), case .string(let v)? = o[name] else { return nil }
        return v
    }

    /// The token of the last email the embedded backend "sent" (its outbox in `dir`).
    static func lastOutboxToken(_ dir: String) throws -> String? {
        let lines = try String(contentsOfFile: dir + "/outbox.jsonl", encoding: .utf8).split(separator: "\n")
        guard let last = lines.last, case .object(let o) = try JSONParser.parse(Array(last.utf8)), case .string(let t)? = o["token"]
        else { return nil }
        return t
    }
}
