import XCTest

@testable import LifestyleCore

/// Query parameters as the app's list operations declare them (GET /goals: `status`,
/// `goalPattern`, `category` as exploded arrays, `page`/`limit`, `sort`), and the one paging
/// implementation.
final class QueryTests: XCTestCase {
    func testExplodedArraysBoundedIntegersEnumsAndDecoding() throws {
        var q = QueryParameters("status=active&status=paused&goalPattern=streak&category=health+%26+fitness&page=2&limit=50&sort=title")
        XCTAssertEqual(q.manyOf("status", ["draft", "active", "paused", "completed", "archived"]), ["active", "paused"])
        XCTAssertEqual(q.manyOf("goalPattern", ["recurring", "milestone", "target", "streak", "limit"]), ["streak"])
        XCTAssertEqual(q.all("category"), ["health & fitness"])
        XCTAssertEqual(Page.read(&q), Page(page: 2, limit: 50))
        XCTAssertEqual(q.oneOf("sort", ["created_desc", "title"]), "title")
        XCTAssertNil(q.date("startDate"))
        XCTAssertNoThrow(try q.check())
    }

    func testArraysAlsoComeAsAxiosSendsThem() throws {
        var q = QueryParameters("status[]=paused&status=active&status%5B%5D=draft&sort[]=title")
        XCTAssertEqual(q.manyOf("status", ["draft", "active", "paused"], maxItems: 3), ["active", "paused", "draft"])
        XCTAssertNil(q.oneOf("sort", ["title"]), "a single-valued parameter has no array form")
        XCTAssertEqual(q.manyOf("status", ["draft", "active", "paused"], maxItems: 2), [])
        XCTAssertThrowsError(try q.check())
    }

    func testEveryBadParameterIsNamedInOneValidationError() {
        var q = QueryParameters("status=active&status=nope&page=0&limit=101&sort=x&startDate=2024-02-30&page2=1")
        _ = q.manyOf("status", ["active", "paused"])
        _ = Page.read(&q)
        _ = q.oneOf("sort", ["created_desc", "title"])
        _ = q.date("startDate")
        XCTAssertEqual(q.issues.map(\.field), ["status", "page", "limit", "sort", "startDate"])
        XCTAssertThrowsError(try q.check()) { error in
            let api = (error as? APIError)
            XCTAssertEqual(api?.status, 400)
            XCTAssertEqual(api?.code, "VALIDATION_ERROR")
            XCTAssertEqual(api?.validationErrors.count, 5)
        }
    }

    func testAScalarGivenTwiceOrEmptyOrNotANumberIsRefused() {
        var q = QueryParameters("limit=10&limit=20&page=&sort=")
        XCTAssertEqual(Page.read(&q), Page(page: 1, limit: 20), "defaults stand in for what was refused")
        _ = q.oneOf("sort", ["a"])
        XCTAssertEqual(q.issues.map(\.message), ["must not be empty", "must be given once", "must not be empty"])
        var n = QueryParameters("page=1e3&limit=%2B5")
        _ = Page.read(&n)
        XCTAssertEqual(n.issues.map(\.field), ["page", "limit"])
    }

    func testPaginationSlicesAndDescribesThePage() {
        let items = Array(1...45)
        let second = Page(page: 2, limit: 20)
        XCTAssertEqual(Array(second.slice(items)), Array(21...40))
        XCTAssertEqual(second.info(total: 45), PaginationInfo(page: 2, limit: 20, total: 45, pages: 3))
        XCTAssertEqual(Array(Page(page: 3, limit: 20).slice(items)), Array(41...45))
        XCTAssertEqual(Array(Page(page: 4, limit: 20).slice(items)), [])
        XCTAssertEqual(Page().info(total: 0), PaginationInfo(page: 1, limit: 20, total: 0, pages: 0))
    }
}
