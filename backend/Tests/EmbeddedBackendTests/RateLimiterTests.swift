import EmbeddedBackend
import Foundation
import XCTest

@testable import LifestyleCore
@testable import LifestyleToolkit

final class RateLimiterTests: XCTestCase {
    /// Two databases on one file stand for two server processes on one data directory.
    func testSQLiteLimiterIsAtomicAndSharedByEveryProcessOnTheFile() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("limits-\(UUID().uuidString)").path
        let one = try await EmbeddedAdapters.open(dataDirectory: dir, hasher: PasswordHasher(logN: 10, r: 8, p: 1))
        let two = try await EmbeddedAdapters.open(dataDirectory: dir, hasher: PasswordHasher(logN: 10, r: 8, p: 1))
        let limiters = [one.rateLimiter, two.rateLimiter]
        let results = try await withThrowingTaskGroup(of: Int?.self) { group in
            for i in 0..<20 { group.addTask { try await limiters[i % 2].acquire(key: "login:x", limit: 5, window: .seconds(900)) } }
            var out: [Int?] = []
            for try await r in group { out.append(r) }
            return out
        }
        XCTAssertEqual(results.filter { $0 == nil }.count, 5, "\(results)")
        XCTAssertTrue(results.compactMap { $0 }.allSatisfy { $0 > 0 && $0 <= 901 }, "\(results)")
        try await limiters[1].reset(key: "login:x")
        let afterReset = try await limiters[0].acquire(key: "login:x", limit: 5, window: .seconds(900))
        XCTAssertNil(afterReset)
    }

    func testReleaseGivesOneAttemptBackNeverMore() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("limits-\(UUID().uuidString)").path
        let sqlite = try await EmbeddedAdapters.open(dataDirectory: dir, hasher: PasswordHasher(logN: 10, r: 8, p: 1)).rateLimiter
        let limiters: [any RateLimiter] = [sqlite, InMemoryRateLimiter()]
        for limiter in limiters {
            for _ in 0..<2 { _ = try await limiter.acquire(key: "a", limit: 2, window: .seconds(900)) }
            let full = try await limiter.acquire(key: "a", limit: 2, window: .seconds(900))
            XCTAssertNotNil(full, "\(limiter)")
            for _ in 0..<3 { try await limiter.release(key: "a") }  // two taken: count stops at zero
            for _ in 0..<2 {
                let again = try await limiter.acquire(key: "a", limit: 2, window: .seconds(900))
                XCTAssertNil(again, "\(limiter)")
            }
            let fullAgain = try await limiter.acquire(key: "a", limit: 2, window: .seconds(900))
            XCTAssertNotNil(fullAgain, "\(limiter): released more than was taken")
        }
    }

    func testInMemoryLimiterWindowStartsAtTheFirstAttempt() async throws {
        let limiter = InMemoryRateLimiter()
        for _ in 0..<3 {
            let taken = await limiter.acquire(key: "k", limit: 3, window: .milliseconds(300))
            XCTAssertNil(taken)
        }
        let wait = await limiter.acquire(key: "k", limit: 3, window: .milliseconds(300))
        XCTAssertEqual(wait, 1)
        try await Task.sleep(for: .milliseconds(350))
        let again = await limiter.acquire(key: "k", limit: 3, window: .milliseconds(300))
        XCTAssertNil(again)
    }
}
