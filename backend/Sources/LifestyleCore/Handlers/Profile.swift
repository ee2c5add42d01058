import LifestyleToolkit

/// GET and PUT /users/profile.
enum Profile {
    static let units: Set<String> = ["metric", "imperial"]
    static let diets: Set<String> = ["vegan", "vegetarian", "gluten-free", "dairy-free", "nut-free", "halal", "kosher"]
    static let goals: Set<String> = ["weight-loss", "muscle-gain", "endurance", "flexibility", "general-health"]

    @Sendable static func get(_ request: APIRequest, _ context: APIContext, _ principal: Principal) async throws -> APIResponse {
        return .json(UserProfileDTO(try await Profiles.ensure(principal, context)))
    }

    @Sendable static func update(_ request: APIRequest, _ context: APIContext, _ principal: Principal) async throws -> APIResponse {
        var f = try Body.object(request)
        let s = context.services
        var profile = try await Profiles.ensure(principal, context)

        if f.has("firstName"), let v = Rules.name(&f, "firstName", f.string("firstName")) { profile.firstName = v }
        if f.has("lastName"), let v = Rules.name(&f, "lastName", f.string("lastName")) { profile.lastName = v }
        if f.has("phoneNumber") {
            let v = f.string("phoneNumber", required: false, allowNull: true)
            if let v {
                if let p = Rules.phone(&f, "phoneNumber", v) { profile.phoneNumber = p }
            } else if f.object["phoneNumber"] == .null {
                profile.phoneNumber = nil
            }
        }
        if f.has("dateOfBirth") {
            let v = f.string("dateOfBirth", required: false, allowNull: true)
            if let v {
                if let (y, _, _) = Timestamp.parseDate(v), y >= 1900, v <= String(Timestamp.iso8601(s.clock.now()).prefix(10)) {
                    profile.dateOfBirth = v
                } else {
                    f.fail("dateOfBirth", "must be a past date in the form YYYY-MM-DD")
                }
            } else if f.object["dateOfBirth"] == .null {
                profile.dateOfBirth = nil
            }
        }
        if f.has("timezone") {
            let v = f.string("timezone", required: false, allowNull: true)
            if let v {
                if isTimezone(v) { profile.timezone = v } else { f.fail("timezone", "must be an IANA time zone like America/New_York") }
            } else if f.object["timezone"] == .null {
                profile.timezone = nil
            }
        }
        if let raw = f.object["preferences"] {
            if case .object(let p) = raw {
                profile.preferences = mergePreferences(profile.preferences, p, &f)
            } else {
                f.fail("preferences", "must be an object")
            }
        }
        if f.has("email") { f.fail("email", "cannot be changed through the profile") }
        try f.check()
        profile.updatedAt = s.clock.now()
        try await s.users.updateUser(profile)
        context.logger.info("profile updated", metadata: ["user_id": .string(principal.subject)])
        return .json(UserProfileDTO(profile))
    }

    /// Applies the given preference fields over the stored ones; absent fields keep their value.
    static func mergePreferences(_ current: Preferences, _ p: [String: JSONValue], _ f: inout Fields) -> Preferences {
        var out = current
        if let v = p["units"] {
            if case .string(let s) = v, units.contains(s) {
                out.units = s
            } else {
                f.fail("preferences.units", "must be one of metric, imperial")
            }
        }
        if let v = p["language"] {
            if case .string(let s) = v, isLanguage(s) {
                out.language = s
            } else {
                f.fail("preferences.language", "must look like en or en-US")
            }
        }
        if let v = p["notifications"] {
            if case .object(let n) = v {
                for (key, value) in n {
                    guard case .bool(let b) = value, ["email", "push", "sms"].contains(key) else {
                        f.fail(
                            "preferences.notifications.\(key)",
                            ["email", "push", "sms"].contains(key) ? "must be a boolean" : "is not a known channel")
                        continue
                    }
                    switch key {
                    case "email": out.notifications.email = b
                    case "push": out.notifications.push = b
                    default: out.notifications.sms = b
                    }
                }
            } else {
                f.fail("preferences.notifications", "must be an object")
            }
        }
        if let v = p["dietaryRestrictions"] {
            out.dietaryRestrictions = enumList(v, diets, "preferences.dietaryRestrictions", &f) ?? out.dietaryRestrictions
        }
        if let v = p["fitnessGoals"] { out.fitnessGoals = enumList(v, goals, "preferences.fitnessGoals", &f) ?? out.fitnessGoals }
        return out
    }

    static func enumList(_ v: JSONValue, _ allowed: Set<String>, _ field: String, _ f: inout Fields) -> [String]? {
        guard case .array(let items) = v else {
            f.fail(field, "must be an array")
            return nil
        }
        var out: [String] = []
        for item in items {
            guard case .string(let s) = item, allowed.contains(s) else {
                f.fail(field, "items must be one of " + allowed.sorted().joined(separator: ", "))
                return nil
            }
            if !out.contains(s) { out.append(s) }
        }
        return out
    }

    /// `^[a-z]{2}(-[A-Z]{2})?$`
    static func isLanguage(_ s: String) -> Bool {
        let c = Array(s.utf8)
        let lower = { (b: UInt8) in b >= 0x61 && b <= 0x7A }
        let upper = { (b: UInt8) in b >= 0x41 && b <= 0x5A }
        if c.count == 2 { return lower(c[0]) && lower(c[1]) }
        return c.count == 5 && lower(c[0]) && lower(c[1]) && c[2] == 0x2D && upper(c[3]) && upper(c[4])
    }

    /// A name from the IANA time zone database, e.g. `America/New_York` or `UTC`.
    static func isTimezone(_ s: String) -> Bool {
        TimeZones.rules[s] != nil
    }
}
