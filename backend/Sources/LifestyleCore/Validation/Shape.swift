import LifestyleToolkit

/// The shape of a JSON request value, as the contract's schema gives it, for bodies too nested for
/// `Fields` (a goal's target, schedule, context). `read` checks a value against it, records every
/// problem under its dotted path (`target.value`, `schedule.daysOfWeek[2]`) and returns the value
/// with only the properties the shape names: what is stored is what the contract defines.
public indirect enum Shape: Sendable {
    case string(minLength: Int = 0, maxLength: Int, allowed: [String]? = nil, format: StringFormat = .plain)
    case number(minimum: Double? = nil, maximum: Double? = nil)
    case integer(minimum: Int? = nil, maximum: Int? = nil)
    case boolean
    case array(Shape, maxItems: Int)
    case object([Property])
    /// Any JSON object (`metadata`), at most `maxBytes` once encoded.
    case anyObject(maxBytes: Int)

    public struct Property: Sendable {
        public var name: String
        public var shape: Shape
        public var required: Bool

        public init(_ name: String, _ shape: Shape, required: Bool = false) {
            self.name = name
            self.shape = shape
            self.required = required
        }
    }

    /// `value` checked against this shape; nil (with the problems in `issues`) when it does not fit.
    /// A `null` counts as absent.
    public func read(_ value: JSONValue, at path: String, issues: inout [FieldIssue]) -> JSONValue? {
        func fail(_ message: String) -> JSONValue? {
            issues.append(FieldIssue(field: path, message: message))
            return nil
        }
        switch self {
        case .string(let minLength, let maxLength, let allowed, let format):
            guard case .string(let s) = value else { return fail("must be a string, not \(value.typeName)") }
            if let allowed, !allowed.contains(s) { return fail("must be one of \(allowed.joined(separator: ", "))") }
            if s.count < minLength { return fail(minLength == 1 ? "must not be empty" : "must be at least \(minLength) characters") }
            if s.count > maxLength { return fail("must be at most \(maxLength) characters") }
            if let problem = format.problem(s) { return fail(problem) }
            return value
        case .number(let minimum, let maximum):
            guard case .number(let d) = value else { return fail("must be a number, not \(value.typeName)") }
            if let minimum, d < minimum { return fail("must be at least \(Self.text(minimum))") }
            if let maximum, d > maximum { return fail("must be at most \(Self.text(maximum))") }
            return value
        case .integer(let minimum, let maximum):
            guard case .number(let d) = value, d.rounded() == d, abs(d) < 1e15 else {
                return fail("must be a whole number")
            }
            if let minimum, d < Double(minimum) { return fail("must be at least \(minimum)") }
            if let maximum, d > Double(maximum) { return fail("must be at most \(maximum)") }
            return value
        case .boolean:
            guard case .bool = value else { return fail("must be true or false, not \(value.typeName)") }
            return value
        case .array(let item, let maxItems):
            guard case .array(let items) = value else { return fail("must be an array, not \(value.typeName)") }
            if items.count > maxItems { return fail("must have at most \(maxItems) items") }
            var out: [JSONValue] = []
            var ok = true
            for (i, element) in items.enumerated() {
                if let read = item.read(element, at: "\(path)[\(i)]", issues: &issues) { out.append(read) } else { ok = false }
            }
            return ok ? .array(out) : nil
        case .object(let properties):
            guard case .object(let object) = value else { return fail("must be an object, not \(value.typeName)") }
            return Self.readObject(object, properties, prefix: path + ".", issues: &issues).map { .object($0) }
        case .anyObject(let maxBytes):
            guard case .object = value else { return fail("must be an object, not \(value.typeName)") }
            if JSON.encode(value).count > maxBytes { return fail("must be at most \(maxBytes) bytes of JSON") }
            return value
        }
    }

    /// The properties of `object` this list names, each checked; nil when any is wrong or a
    /// required one is missing (every problem recorded).
    public static func readObject(_ object: [String: JSONValue], _ properties: [Property], prefix: String = "", issues: inout [FieldIssue])
        -> [String: JSONValue]?
    {
        var out: [String: JSONValue] = [:]
        var ok = true
        for property in properties {
            let path = prefix + property.name
            guard let value = object[property.name], value != .null else {
                if property.required {
                    issues.append(FieldIssue(field: path, message: "is required"))
                    ok = false
                }
                continue
            }
            if let read = property.shape.read(value, at: path, issues: &issues) { out[property.name] = read } else { ok = false }
        }
        return ok ? out : nil
    }

    static func text(_ d: Double) -> String {
        d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }
}
