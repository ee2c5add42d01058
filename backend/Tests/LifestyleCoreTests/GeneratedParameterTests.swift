import XCTest

@testable import LifestyleCore

/// The parameter structs backend/scripts/gen-api.py writes, on the app contract's goal, activity,
/// share and user-lookup parameters (e2e/static/fixtures/parameters.yaml): defaults, bounds, enums,
/// formats, exploded arrays, and one 400 naming every bad parameter, path ones first.
final class GeneratedParameterTests: XCTestCase {
    private func request(_ query: String) -> APIRequest {
        APIRequest(method: "GET", path: "/v1/x", query: query)
    }

    private func path(_ template: String, _ actual: String) -> PathParameters {
        let router = APIRouter(basePath: "/v1", routes: [Route("GET", template, .open) { _, _ in APIResponse(status: 204) }])
        guard case .found(_, let parameters) = router.match(method: "GET", path: "/v1" + actual) else {
            XCTFail("no match for \(actual)")
            return PathParameters()
        }
        return parameters
    }

    private func fields(_ make: () throws -> some Any) -> [String] {
        do {
            _ = try make()
            return []
        } catch let error as APIError {
            XCTAssertEqual(error.status, 400)
            XCTAssertEqual(error.code, "VALIDATION_ERROR")
            return error.validationErrors.map(\.field)
        } catch {
            XCTFail("unexpected \(error)")
            return []
        }
    }

    func testDefaultsWhenNothingIsGiven() throws {
        let p = try FixtureListGoalsParameters(request(""), path: PathParameters())
        XCTAssertEqual(p.status, [])
        XCTAssertEqual(p.category, [])
        XCTAssertEqual(p.page, 1)
        XCTAssertEqual(p.limit, 20)
        XCTAssertEqual(p.sort, "updated_desc")
        let s = try FixtureListSharesParameters(request(""), path: PathParameters())
        XCTAssertNil(s.itemType)
        XCTAssertNil(s.minAccessCount)
    }

    func testWhatTheWebClientSends() throws {
        // axios with the default serializer repeats the key; a category may hold any text
        let p = try FixtureListGoalsParameters(
            request("status=active&status=paused&category=health+%26+fitness&category=sleep&page=3&limit=100&sort=title_asc"),
            path: PathParameters())
        XCTAssertEqual(p, FixtureListGoalsParameters.expected(["active", "paused"], ["health & fitness", "sleep"], 3, 100, "title_asc"))
        let id = "6F9619FF-8B86-D011-B42D-00C04FC964FF"
        let a = try FixtureListActivitiesParameters(
            request("startDate=2026-01-31&endDate=2026-02-28"), path: path("/goals/{goalId}/activities", "/goals/\(id)/activities"))
        XCTAssertEqual(a.goalId, id)
        XCTAssertEqual(a.startDate, "2026-01-31")
        XCTAssertEqual(a.endDate, "2026-02-28")
        let u = try FixtureGetUserByEmailParameters(
            request(""), path: path("/users/by-email/{email}", "/users/by-email/ana%2Bnews%40example.com"))
        XCTAssertEqual(u.email, "ana+news@example.com")
    }

    func testEveryBadParameterIsNamedPathFirst() {
        XCTAssertEqual(
            fields {
                try FixtureListActivitiesParameters(
                    request("startDate=2026-02-30&endDate=tomorrow&page=0&limit=101"),
                    path: path("/goals/{goalId}/activities", "/goals/not-a-uuid/activities"))
            }, ["goalId", "startDate", "endDate", "page", "limit"])
        XCTAssertEqual(
            fields { try FixtureListGoalsParameters(request("status=done&sort=newest&page=x&category="), path: PathParameters()) },
            ["status", "category", "page", "sort"])
        XCTAssertEqual(
            fields { try FixtureListSharesParameters(request("itemType=photo&minAccessCount=-1"), path: PathParameters()) },
            ["itemType", "minAccessCount"])
        XCTAssertEqual(
            fields { try FixtureGetUserByEmailParameters(request(""), path: path("/users/by-email/{email}", "/users/by-email/nobody")) },
            ["email"])
    }

    func testBoundsAreWordedFromTheSpec() {
        var q = QueryParameters("page=0&minAccessCount=-1&limit=101")
        _ = q.integer("page", in: 1...Int.max, default: 1)
        _ = q.integer("minAccessCount", in: 0...Int.max)
        _ = q.integer("limit", in: 1...100, default: 20)
        XCTAssertEqual(q.issues.map(\.message), ["must be at least 1", "must be at least 0", "must be between 1 and 100"])
    }

    func testAnArrayGivenTooOftenIsRefusedNotTruncated() {
        let many = (0..<51).map { "category=c\($0)" }.joined(separator: "&")
        XCTAssertEqual(fields { try FixtureListGoalsParameters(request(many), path: PathParameters()) }, ["category"])
        let statuses = (0..<51).map { _ in "status=active" }.joined(separator: "&")
        XCTAssertEqual(fields { try FixtureListGoalsParameters(request(statuses), path: PathParameters()) }, ["status"])
    }

    func testUUIDFormat() {
        XCTAssertTrue(StringFormat.isUUID("6f9619ff-8b86-d011-b42d-00c04fc964ff"))
        XCTAssertFalse(StringFormat.isUUID("6f9619ff-8b86-d011-b42d-00c04fc964f"))
        XCTAssertFalse(StringFormat.isUUID("6f9619ff08b86-d011-b42d-00c04fc964ff"))
        XCTAssertFalse(StringFormat.isUUID("6f9619ff-8b86-d011-b42d-00c04fc964fg"))
    }
}

extension FixtureListGoalsParameters {
    fileprivate static func expected(_ status: [String], _ category: [String], _ page: Int, _ limit: Int, _ sort: String) -> Self {
        var p = try! FixtureListGoalsParameters(APIRequest(method: "GET", path: "/"), path: PathParameters())
        p.status = status
        p.category = category
        p.page = page
        p.limit = limit
        p.sort = sort
        return p
    }
}
