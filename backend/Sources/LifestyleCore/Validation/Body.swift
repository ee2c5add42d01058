import LifestyleToolkit

/// Reads a JSON request body: content type, presence, syntax. Field rules live in `Fields`.
public enum Body {
    /// Parses a JSON object body, or throws 415 (non-JSON content type) / 400 (missing, invalid,
    /// or not an object).
    public static func object(_ request: APIRequest) throws -> Fields {
        if let type = request.headers["content-type"] {
            let essence = type.split(separator: ";").first.map { $0.trimmingWhitespace().lowercased() } ?? ""
            guard essence == "application/json" || (essence.hasPrefix("application/") && essence.hasSuffix("+json")) else {
                throw APIError(
                    status: 415, code: "UNSUPPORTED_MEDIA_TYPE", message: "Content-Type must be application/json")
            }
        }
        let trimmed = request.body.drop(while: { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 })
        guard !trimmed.isEmpty else {
            throw APIError.validation([FieldIssue(field: "body", message: "Request body is required")], message: "Request body is required")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(request.body)
        } catch {
            throw APIError.validation([FieldIssue(field: "body", message: "Request body must be valid JSON")], message: "Invalid JSON")
        }
        guard case .object(let object) = value else {
            throw APIError.validation([FieldIssue(field: "body", message: "Request body must be a JSON object")])
        }
        return Fields(object)
    }
}

/// Field-by-field validation that collects every problem before answering.
public struct Fields {
    public let object: [String: JSONValue]
    public private(set) var issues: [FieldIssue] = []

    init(_ object: [String: JSONValue]) { self.object = object }

    public mutating func fail(_ field: String, _ message: String) {
        issues.append(FieldIssue(field: field, message: message))
    }

    public func has(_ field: String) -> Bool { object[field] != nil }

    /// A string field; records "is required" / "must be a string" and returns nil on failure.
    public mutating func string(_ field: String, required: Bool = true, allowNull: Bool = false) -> String? {
        switch object[field] {
        case nil:
            if required { fail(field, "is required") }
            return nil
        case .null?:
            if required || !allowNull { fail(field, required ? "is required" : "must not be null") }
            return nil
        case .string(let s)?:
            return s
        case let other?:
            fail(field, "must be a string, not \(other.typeName)")
            return nil
        }
    }

    /// Throws the collected issues as one 400 VALIDATION_ERROR.
    public func check() throws {
        if !issues.isEmpty { throw APIError.validation(issues) }
    }
}

/// The rules of the contract's schemas, shared by every handler.
public enum Rules {
    public static func email(_ f: inout Fields, _ field: String, _ value: String?) -> String? {
        guard let value else { return nil }
        let v = value.trimmingWhitespace()
        guard isEmail(v) else {
            f.fail(field, "must be a valid email address")
            return nil
        }
        return EmailAddress.normalize(v)
    }

    static func isEmail(_ s: String) -> Bool {
        guard s.utf8.count <= 254, s.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else { return false }
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let domain = parts[1]
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") }),
            domain.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }),
            let tld = labels.last, tld.count >= 2, tld.allSatisfy(\.isLetter)
        else { return false }
        return !parts[0].hasPrefix(".") && !parts[0].hasSuffix(".") && !parts[0].contains("..")
    }

    /// Cognito's password special characters.
    static let symbols = Set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-")

    /// Cognito's policy as configured for our pools: 8-128 characters with an upper-case letter, a
    /// lower-case letter, a digit and one of Cognito's symbols.
    public static func password(_ f: inout Fields, _ field: String, _ value: String?) -> String? {
        guard let value else { return nil }
        var problems: [String] = []
        if value.count < 8 { problems.append("at least 8 characters") }
        if value.count > 128 { problems.append("at most 128 characters") }
        if !value.contains(where: { $0.isASCII && $0.isUppercase }) { problems.append("an upper-case letter") }
        if !value.contains(where: { $0.isASCII && $0.isLowercase }) { problems.append("a lower-case letter") }
        if !value.contains(where: { $0.isASCII && $0.isNumber }) { problems.append("a digit") }
        if !value.contains(where: { symbols.contains($0) }) {
            problems.append("a symbol such as ! @ # $ % ^ & *")
        }
        guard problems.isEmpty else {
            f.fail(field, "must contain " + problems.joined(separator: ", "))
            return nil
        }
        return value
    }

    /// `^[a-zA-Z\s-]+$`, 1-50 characters.
    public static func name(_ f: inout Fields, _ field: String, _ value: String?) -> String? {
        guard let value else { return nil }
        guard (1...50).contains(value.count) else {
            f.fail(field, "must be 1 to 50 characters")
            return nil
        }
        guard value.allSatisfy({ ($0.isASCII && $0.isLetter) || $0 == "-" || $0 == " " || $0 == "\t" }),
            !value.allSatisfy({ $0 == " " || $0 == "\t" })
        else {
            f.fail(field, "may contain only letters, spaces and hyphens")
            return nil
        }
        return value
    }

    /// `^\+?[1-9]\d{1,14}$` (E.164).
    public static func phone(_ f: inout Fields, _ field: String, _ value: String?) -> String? {
        guard let value else { return nil }
        let digits = value.hasPrefix("+") ? value.dropFirst() : Substring(value)
        guard (2...15).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.first != "0" else {
            f.fail(field, "must be an E.164 phone number like +14155550123")
            return nil
        }
        return value
    }

    public static func code(_ f: inout Fields, _ field: String, _ value: String?, lengths: ClosedRange<Int>) -> String? {
        guard let value else { return nil }
        guard lengths.contains(value.count), value.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            let n = lengths.lowerBound == lengths.upperBound ? "\(lengths.lowerBound)" : "\(lengths.lowerBound) to \(lengths.upperBound)"
            f.fail(field, "must be \(n) digits")
            return nil
        }
        return value
    }

    public static func token(_ f: inout Fields, _ field: String, _ value: String?) -> String? {
        guard let value else { return nil }
        guard !value.isEmpty, value.utf8.count <= 4096 else {
            f.fail(field, "must be a non-empty token")
            return nil
        }
        return value
    }
}
