import FoundationEssentials
import LifestyleToolkit

/// A DynamoDB attribute value, coded exactly as the DynamoDB JSON wire format:
/// `{"S":"x"}`, `{"N":"1.5"}`, `{"BOOL":true}`, `{"NULL":true}`, `{"M":{...}}`, `{"L":[...]}`,
/// `{"SS":[...]}`, `{"NS":[...]}`, `{"B":"<base64>"}`, `{"BS":[...]}`.
///
/// Numbers are kept as strings (DynamoDB numbers have 38 digits of precision, more than Double).
public indirect enum AttributeValue: Sendable, Hashable, Codable {
    case s(String)
    case n(String)
    case bool(Bool)
    case null
    case m([String: AttributeValue])
    case l([AttributeValue])
    case ss([String])
    case ns([String])
    case b(Data)
    case bs([Data])

    private enum Key: String, CodingKey {
        case S, N, BOOL, NULL, M, L, SS, NS, B, BS
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        guard c.allKeys.count == 1, let key = c.allKeys.first else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "AttributeValue must have exactly one known type key, found \(c.allKeys.map(\.stringValue))"))
        }
        switch key {
        case .S: self = .s(try c.decode(String.self, forKey: .S))
        case .N: self = .n(try c.decode(String.self, forKey: .N))
        case .BOOL: self = .bool(try c.decode(Bool.self, forKey: .BOOL))
        case .NULL: _ = try c.decode(Bool.self, forKey: .NULL); self = .null
        case .M: self = .m(try c.decode([String: AttributeValue].self, forKey: .M))
        case .L: self = .l(try c.decode([AttributeValue].self, forKey: .L))
        case .SS: self = .ss(try c.decode([String].self, forKey: .SS))
        case .NS: self = .ns(try c.decode([String].self, forKey: .NS))
        case .B:
            let s = try c.decode(String.self, forKey: .B)
            guard let d = Data(base64Encoded: s) else {
                throw DecodingError.dataCorruptedError(forKey: .B, in: c, debugDescription: "invalid base64")
            }
            self = .b(d)
        case .BS:
            let list = try c.decode([String].self, forKey: .BS)
            var out: [Data] = []
            for s in list {
                guard let d = Data(base64Encoded: s) else {
                    throw DecodingError.dataCorruptedError(forKey: .BS, in: c, debugDescription: "invalid base64")
                }
                out.append(d)
            }
            self = .bs(out)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case .s(let v): try c.encode(v, forKey: .S)
        case .n(let v): try c.encode(v, forKey: .N)
        case .bool(let v): try c.encode(v, forKey: .BOOL)
        case .null: try c.encode(true, forKey: .NULL)
        case .m(let v): try c.encode(v, forKey: .M)
        case .l(let v): try c.encode(v, forKey: .L)
        case .ss(let v): try c.encode(v, forKey: .SS)
        case .ns(let v): try c.encode(v, forKey: .NS)
        case .b(let v): try c.encode(v.base64EncodedString(), forKey: .B)
        case .bs(let v): try c.encode(v.map { $0.base64EncodedString() }, forKey: .BS)
        }
    }

    // MARK: Convenience

    public static func number<I: BinaryInteger>(_ value: I) -> AttributeValue { .n(String(value)) }

    public var stringValue: String? { if case .s(let v) = self { return v } else { return nil } }
    public var numberString: String? { if case .n(let v) = self { return v } else { return nil } }
    public var intValue: Int? { numberString.flatMap { Int($0) } }
    public var int64Value: Int64? { numberString.flatMap { Int64($0) } }
    public var boolValue: Bool? { if case .bool(let v) = self { return v } else { return nil } }
    public var isNull: Bool { if case .null = self { return true } else { return false } }
    public var mapValue: [String: AttributeValue]? { if case .m(let v) = self { return v } else { return nil } }
    public var listValue: [AttributeValue]? { if case .l(let v) = self { return v } else { return nil } }
    public var stringSetValue: [String]? { if case .ss(let v) = self { return v } else { return nil } }
    public var binaryValue: Data? { if case .b(let v) = self { return v } else { return nil } }
}

extension AttributeValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral {
    public init(stringLiteral value: String) { self = .s(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .n(String(value)) }
}

/// A DynamoDB item: attribute name -> value.
public typealias DynamoDBItem = [String: AttributeValue]
