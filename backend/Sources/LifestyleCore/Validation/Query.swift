import LifestyleToolkit

/// A request's query string, read the way the contract's parameters are declared: `style: form`,
/// arrays with `explode: true` as repeated keys (`status=active&status=paused`), `+` as a space,
/// percent-decoded. Each reader records what is wrong instead of stopping at the first problem;
/// `check()` throws one 400 VALIDATION_ERROR listing every bad parameter, as bodies do.
public struct QueryParameters: Sendable {
    private var values: [String: [String]] = [:]
    public private(set) var issues: [FieldIssue] = []

    public init(_ raw: String) {
        for pair in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentEncoding.decode(String(kv[0]), plusAsSpace: true)
            guard !name.isEmpty else { continue }
            let value = kv.count > 1 ? PercentEncoding.decode(String(kv[1]), plusAsSpace: true) : ""
            values[name, default: []].append(value)
        }
    }

    public mutating func fail(_ name: String, _ message: String) {
        issues.append(FieldIssue(field: name, message: message))
    }

    /// Every value given for `name`, in order (an array parameter), those given as `name[]` after
    /// them: axios, which the web client uses, sends arrays as `name[]=a&name[]=b` by default.
    public func all(_ name: String) -> [String] { (values[name] ?? []) + (values[name + "[]"] ?? []) }

    /// A single-valued parameter: nil when absent; recorded when given more than once or empty.
    public mutating func string(_ name: String, maxLength: Int = 256) -> String? {
        guard let given = values[name] else { return nil }
        guard given.count == 1 else {
            fail(name, "must be given once")
            return nil
        }
        let value = given[0]
        if value.isEmpty {
            fail(name, "must not be empty")
            return nil
        }
        if value.count > maxLength {
            fail(name, "must be at most \(maxLength) characters")
            return nil
        }
        return value
    }

    /// A whole number within `range`; `fallback` when absent (and when invalid, with the problem recorded).
    public mutating func integer(_ name: String, in range: ClosedRange<Int>, default fallback: Int) -> Int {
        integer(name, in: range) ?? fallback
    }

    /// A whole number within `range`, or nil when absent (or invalid, recorded).
    public mutating func integer(_ name: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = string(name, maxLength: 20) else { return nil }
        guard let value = Int(text), text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }) else {
            fail(name, "must be a whole number")
            return nil
        }
        guard range.contains(value) else {
            fail(name, Self.describe(range))
            return nil
        }
        return value
    }

    static func describe(_ range: ClosedRange<Int>) -> String {
        switch (range.lowerBound == .min, range.upperBound == .max) {
        case (true, true): "must be a whole number"
        case (false, true): "must be at least \(range.lowerBound)"
        case (true, false): "must be at most \(range.upperBound)"
        case (false, false): "must be between \(range.lowerBound) and \(range.upperBound)"
        }
    }

    /// A single string in `format`, or nil when absent (or invalid, recorded).
    public mutating func string(_ name: String, format: StringFormat, maxLength: Int) -> String? {
        guard let value = string(name, maxLength: maxLength) else { return nil }
        if let problem = format.problem(value) {
            fail(name, problem)
            return nil
        }
        return value
    }

    /// An exploded array of free strings (empty when absent): at most `maxItems` values, each
    /// non-empty and at most `maxLength` characters; duplicates dropped.
    public mutating func strings(_ name: String, maxItems: Int, maxLength: Int) -> [String] {
        let given = all(name)
        guard given.count <= maxItems else {
            fail(name, "must be given at most \(maxItems) times")
            return []
        }
        var out: [String] = []
        for value in given {
            if value.isEmpty || value.count > maxLength {
                fail(name, "each value must be 1 to \(maxLength) characters")
                return []
            }
            if !out.contains(value) { out.append(value) }
        }
        return out
    }

    /// `manyOf` with at most `maxItems` values.
    public mutating func manyOf(_ name: String, _ allowed: [String], maxItems: Int) -> [String] {
        guard all(name).count <= maxItems else {
            fail(name, "must be given at most \(maxItems) times")
            return []
        }
        return manyOf(name, allowed)
    }

    /// One of `allowed`, or nil when absent (or invalid, recorded).
    public mutating func oneOf(_ name: String, _ allowed: [String]) -> String? {
        guard let value = string(name) else { return nil }
        guard allowed.contains(value) else {
            fail(name, "must be one of \(allowed.joined(separator: ", "))")
            return nil
        }
        return value
    }

    /// An exploded array whose items are each one of `allowed` (empty when absent); each bad
    /// item is recorded, naming it.
    public mutating func manyOf(_ name: String, _ allowed: [String]) -> [String] {
        var out: [String] = []
        for value in all(name) {
            if allowed.contains(value) {
                if !out.contains(value) { out.append(value) }
            } else {
                fail(name, "'\(value.prefix(64))' is not one of \(allowed.joined(separator: ", "))")
            }
        }
        return out
    }

    /// A calendar date (`YYYY-MM-DD`), or nil when absent (or invalid, recorded).
    public mutating func date(_ name: String) -> String? {
        guard let value = string(name, maxLength: 10) else { return nil }
        guard Timestamp.parseDate(value) != nil else {
            fail(name, "must be a date (YYYY-MM-DD)")
            return nil
        }
        return value
    }

    /// Throws the collected issues as one 400 VALIDATION_ERROR.
    public func check() throws {
        if !issues.isEmpty { throw APIError.validation(issues, message: "Invalid query parameters") }
    }
}

/// The formats the spec gives string parameters (`format:`), checked as they are read.
public enum StringFormat: Sendable {
    case plain, uuid, date, email
    /// `#1a2B3c`
    case hexColor
    /// `7:05`, `23:59`
    case hourMinute

    /// What is wrong with `value` in this format, or nil.
    func problem(_ value: String) -> String? {
        switch self {
        case .plain: nil
        case .uuid: Self.isUUID(value) ? nil : "must be a UUID"
        case .date: Timestamp.parseDate(value) != nil && value.utf8.count == 10 ? nil : "must be a date (YYYY-MM-DD)"
        case .email: Rules.isEmail(value) ? nil : "must be an email address"
        case .hexColor: Self.isHexColor(value) ? nil : "must be a colour like #1A2B3C"
        case .hourMinute: Self.isHourMinute(value) ? nil : "must be a time like 07:30"
        }
    }

    static func isHexColor(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        return bytes.count == 7 && bytes[0] == UInt8(ascii: "#") && bytes.dropFirst().allSatisfy(isHexDigit)
    }

    static func isHourMinute(_ value: String) -> Bool {
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
            parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }), let h = Int(parts[0]), let m = Int(parts[1])
        else { return false }
        return h < 24 && m < 60
    }

    static func isHexDigit(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || (b >= 65 && b <= 70) || (b >= 97 && b <= 102) }

    /// 8-4-4-4-12 hexadecimal digits, either case.
    static func isUUID(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard bytes.count == 36 else { return false }
        for (i, b) in bytes.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard b == UInt8(ascii: "-") else { return false }
            } else {
                guard isHexDigit(b) else { return false }
            }
        }
        return true
    }
}

/// Reads an operation's parameters, path and query, as its generated `<Operation>Parameters`
/// struct declares them, recording every problem; `check()` throws them as one 400.
public struct ParameterReader: Sendable {
    public var query: QueryParameters
    let pathValues: PathParameters
    var pathIssues: [FieldIssue] = []

    public init(_ request: APIRequest, path: PathParameters) {
        query = QueryParameters(request.query)
        pathValues = path
    }

    /// A path parameter (the router guarantees it is present and decoded); "" when it is not
    /// in `format` or too long, with the problem recorded.
    public mutating func path(_ name: String, format: StringFormat, maxLength: Int) -> String {
        let value = pathValues[name] ?? ""
        if value.count > maxLength {
            pathIssues.append(FieldIssue(field: name, message: "must be at most \(maxLength) characters"))
            return ""
        }
        if let problem = format.problem(value) {
            pathIssues.append(FieldIssue(field: name, message: problem))
            return ""
        }
        return value
    }

    /// Throws one 400 VALIDATION_ERROR listing every bad parameter, path ones first.
    public func check() throws {
        let issues = pathIssues + query.issues
        if !issues.isEmpty { throw APIError.validation(issues, message: "Invalid parameters") }
    }
}

/// The contract's paging: `page` (1-based, default 1) and `limit` (1...100, default 20) in the
/// query, and the `pagination` object (`PaginationInfo`) in list answers. One implementation for
/// every list operation.
public struct Page: Sendable, Equatable {
    public var page: Int
    public var limit: Int

    public init(page: Int = 1, limit: Int = 20) {
        self.page = page
        self.limit = limit
    }

    /// Reads `page` and `limit` (problems recorded in `query`).
    public static func read(_ query: inout QueryParameters, defaultLimit: Int = 20, maxLimit: Int = 100) -> Page {
        let page = query.integer("page", in: 1...1_000_000, default: 1)
        let limit = query.integer("limit", in: 1...maxLimit, default: defaultLimit)
        return Page(page: page, limit: limit)
    }

    /// The index of this page's first item.
    public var offset: Int { (page - 1) * limit }

    /// This page of `items` (all matching items, already in order).
    public func slice<T>(_ items: [T]) -> ArraySlice<T> {
        let start = min(offset, items.count)
        return items[start..<min(start + limit, items.count)]
    }

    /// The `pagination` object for `total` matching items.
    public func info(total: Int) -> PaginationInfo {
        PaginationInfo(page: page, limit: limit, total: total, pages: total == 0 ? 0 : (total + limit - 1) / limit)
    }
}

/// The contract's `PaginationInfo`.
public struct PaginationInfo: Sendable, Codable, Equatable {
    public var page: Int
    public var limit: Int
    public var total: Int
    public var pages: Int
}
