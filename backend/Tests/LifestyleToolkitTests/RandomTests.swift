import Testing

@testable import LifestyleToolkit

/// A generator that replays fixed words, so the UUID's layout can be checked exactly.
struct ReplayGenerator: RandomNumberGenerator {
    var words: [UInt64]
    mutating func next() -> UInt64 { words.removeFirst() }
}

@Suite struct RandomTests {
    @Test func uuidIsCanonicalVersion4FromTheDrawnBits() {
        var g = ReplayGenerator(words: [0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210])
        // Version nibble forced to 4, variant bits to 10: "...-4def" and "bedc-...".
        #expect(Random.uuid(using: &g) == "01234567-89ab-4def-bedc-ba9876543210")
        var zeros = ReplayGenerator(words: [0, 0])
        #expect(Random.uuid(using: &zeros) == "00000000-0000-4000-8000-000000000000")
        var ones = ReplayGenerator(words: [.max, .max])
        #expect(Random.uuid(using: &ones) == "ffffffff-ffff-4fff-bfff-ffffffffffff")
    }

    @Test func systemUUIDsHaveTheShapeAndDiffer() {
        let ids = (0..<200).map { _ in Random.uuid() }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            let bytes = Array(id.utf8)
            #expect(bytes.count == 36)
            #expect([8, 13, 18, 23].allSatisfy { bytes[$0] == UInt8(ascii: "-") })
            #expect(bytes[14] == UInt8(ascii: "4"))
            #expect("89ab".utf8.contains(bytes[19]))
        }
    }
}
