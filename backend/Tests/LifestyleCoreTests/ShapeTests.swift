import LifestyleToolkit
import XCTest

@testable import LifestyleCore

/// `Shape`: nested values checked with every problem named by its path, unknown properties
/// dropped, `null` as absent.
final class ShapeTests: XCTestCase {
    func testNestedPathsAndSanitising() throws {
        let shape: [Shape.Property] = [
            .init("name", .string(minLength: 1, maxLength: 5), required: true),
            .init("tags", .array(.string(maxLength: 3, allowed: ["a", "b"]), maxItems: 2)),
            .init("inner", .object([.init("n", .integer(minimum: 0, maximum: 9), required: true), .init("ok", .boolean)])),
            .init("free", .anyObject(maxBytes: 20)),
        ]
        var issues: [FieldIssue] = []
        guard
            case .object(let body) = try JSONParser.parse(
                Array(#"{"name":"abc","tags":["a"],"inner":{"n":3,"x":1},"extra":true,"free":null}"#.utf8))
        else { return XCTFail() }
        let read = Shape.readObject(body, shape, issues: &issues)
        XCTAssertEqual(issues, [])
        XCTAssertEqual(read, ["name": .string("abc"), "tags": .array([.string("a")]), "inner": .object(["n": .number(3)])])

        guard
            case .object(let bad) = try JSONParser.parse(
                Array(#"{"tags":["a","c","b"],"inner":{"n":2.5,"ok":"yes"},"free":{"k":"0123456789012345"}}"#.utf8))
        else { return XCTFail() }
        XCTAssertNil(Shape.readObject(bad, shape, issues: &issues))
        XCTAssertEqual(issues.map(\.field), ["name", "tags", "inner.n", "inner.ok", "free"])
        XCTAssertEqual(issues.map(\.message)[1], "must have at most 2 items")
    }
}
