// Generated from backend/e2e/static/fixtures/parameters.yaml by backend/scripts/gen-api.py. Do not edit: change the spec and run
// the script (e2e/static/test_generated_sources.py fails when this file is stale).

import LifestyleCore

/// The parameters of `fixtureListGoals` (GET /goals), as parameters.yaml declares them.
public struct FixtureListGoalsParameters: Sendable, Equatable {
    public var status: [String]
    public var category: [String]
    public var page: Int
    public var limit: Int
    public var sort: String

    /// Reads every parameter; throws one 400 VALIDATION_ERROR naming each bad one.
    public init(_ request: APIRequest, path: PathParameters) throws {
        var reader = ParameterReader(request, path: path)
        status = reader.query.manyOf("status", ["draft", "active", "paused", "completed", "archived"], maxItems: 50)
        category = reader.query.strings("category", maxItems: 50, maxLength: 256)
        page = reader.query.integer("page", in: 1...Int.max, default: 1)
        limit = reader.query.integer("limit", in: 1...100, default: 20)
        sort =
            reader.query.oneOf("sort", ["created_asc", "created_desc", "updated_asc", "updated_desc", "title_asc", "title_desc"])
            ?? "updated_desc"
        try reader.check()
    }
}

/// The parameters of `fixtureListActivities` (GET /goals/{goalId}/activities), as parameters.yaml declares them.
public struct FixtureListActivitiesParameters: Sendable, Equatable {
    public var goalId: String
    public var startDate: String?
    public var endDate: String?
    public var page: Int
    public var limit: Int

    /// Reads every parameter; throws one 400 VALIDATION_ERROR naming each bad one.
    public init(_ request: APIRequest, path: PathParameters) throws {
        var reader = ParameterReader(request, path: path)
        goalId = reader.path("goalId", format: .uuid, maxLength: 256)
        startDate = reader.query.string("startDate", format: .date, maxLength: 256)
        endDate = reader.query.string("endDate", format: .date, maxLength: 256)
        page = reader.query.integer("page", in: 1...Int.max, default: 1)
        limit = reader.query.integer("limit", in: 1...100, default: 20)
        try reader.check()
    }
}

/// The parameters of `fixtureListShares` (GET /shares), as parameters.yaml declares them.
public struct FixtureListSharesParameters: Sendable, Equatable {
    public var itemType: String?
    public var minAccessCount: Int?

    /// Reads every parameter; throws one 400 VALIDATION_ERROR naming each bad one.
    public init(_ request: APIRequest, path: PathParameters) throws {
        var reader = ParameterReader(request, path: path)
        itemType = reader.query.oneOf("itemType", ["journal", "goal"])
        minAccessCount = reader.query.integer("minAccessCount", in: 0...Int.max)
        try reader.check()
    }
}

/// The parameters of `fixtureGetUserByEmail` (GET /users/by-email/{email}), as parameters.yaml declares them.
public struct FixtureGetUserByEmailParameters: Sendable, Equatable {
    public var email: String

    /// Reads every parameter; throws one 400 VALIDATION_ERROR naming each bad one.
    public init(_ request: APIRequest, path: PathParameters) throws {
        var reader = ParameterReader(request, path: path)
        email = reader.path("email", format: .email, maxLength: 256)
        try reader.check()
    }
}
