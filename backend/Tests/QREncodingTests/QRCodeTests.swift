import Foundation
import LifestyleToolkit
import XCTest

@testable import QREncoding

final class QRCodeTests: XCTestCase {
    static let otpauthURI =
        "otpauth://totp/AI%20Lifestyle:jane%40example.com?secret=JBSWY3DPEHPK3PXP"
        + "&issuer=AI%20Lifestyle&algorithm=SHA1&digits=6&period=30"

    // MARK: - Checksums

    func testCRC32KnownValues() {
        XCTAssertEqual(CRC32.checksum([]), 0x0000_0000)
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)), 0x414F_A339)
        XCTAssertEqual(CRC32.checksum(Array("IEND".utf8)), 0xAE42_6082)
    }

    func testAdler32KnownValues() {
        XCTAssertEqual(Adler32.checksum([]), 0x0000_0001)
        XCTAssertEqual(Adler32.checksum(Array("Wikipedia".utf8)), 0x11E6_0398)
        XCTAssertEqual(Adler32.checksum(Array("123456789".utf8)), 0x091E_01DE)
        // Long input exercises the deferred modulo reduction.
        XCTAssertEqual(Adler32.checksum([UInt8](repeating: 0xFF, count: 100_000)), 0x149A_302C)
    }

    func testBase64() {
        XCTAssertEqual(Base64.encode([]), "")
        XCTAssertEqual(Base64.encode(Array("f".utf8)), "Zg==")
        XCTAssertEqual(Base64.encode(Array("fo".utf8)), "Zm8=")
        XCTAssertEqual(Base64.encode(Array("foo".utf8)), "Zm9v")
        XCTAssertEqual(Base64.encode(Array("foobar".utf8)), "Zm9vYmFy")
        let bytes = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        XCTAssertEqual(Base64.encode(bytes), Data(bytes).base64EncodedString())
    }

    // MARK: - QR building blocks

    func testReedSolomonISOExample() {
        // ISO/IEC 18004 Annex I example "01234567", version 1-M.
        let data: [UInt8] = [
            0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11,
            0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11,
        ]
        let ecc = ReedSolomon.remainder(data, generator: ReedSolomon.generator(degree: 10))
        XCTAssertEqual(ecc, [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55])
    }

    func testFormatAndVersionBits() {
        let expectedM: [Int] = [
            0b101010000010010, 0b101000100100101, 0b101111001111100, 0b101101101001011,
            0b100010111111001, 0b100000011001110, 0b100111110010111, 0b100101010100000,
        ]
        for mask in 0..<8 {
            XCTAssertEqual(QREncoder.formatBits(mask: mask), expectedM[mask], "mask \(mask)")
        }
        XCTAssertEqual(QREncoder.versionBits(7), 0x07C94)
        XCTAssertEqual(QREncoder.versionBits(10), 0x0A4D3)
        XCTAssertEqual(QREncoder.versionBits(40), 0x28C69)
    }

    func testCapacityTableByteModeM() {
        // Byte-mode capacities at level M from ISO/IEC 18004 Table 7.
        let capacities = [
            14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504, 560, 624, 666,
            711, 779, 857, 911, 997, 1059, 1125, 1190, 1264, 1370, 1452, 1538, 1628, 1722, 1809, 1911,
            1989, 2099, 2213, 2331,
        ]
        for (index, capacity) in capacities.enumerated() {
            let version = index + 1
            XCTAssertEqual(QREncoder.selectVersion(byteCount: capacity), version, "capacity of v\(version)")
            XCTAssertEqual(
                QREncoder.selectVersion(byteCount: capacity + 1), version < 40 ? version + 1 : nil,
                "capacity + 1 of v\(version)")
        }
    }

    func testAlignmentPositions() {
        XCTAssertEqual(QREncoder.alignmentPatternPositions(1), [])
        XCTAssertEqual(QREncoder.alignmentPatternPositions(2), [6, 18])
        XCTAssertEqual(QREncoder.alignmentPatternPositions(7), [6, 22, 38])
        XCTAssertEqual(QREncoder.alignmentPatternPositions(32), [6, 34, 60, 86, 112, 138])
        XCTAssertEqual(QREncoder.alignmentPatternPositions(40), [6, 30, 58, 86, 114, 142, 170])
    }

    func testMatrixSizeAndFinderPatterns() throws {
        let m = try QRCode.encode("Hello")
        XCTAssertEqual(m.size, 21)
        let otp = try QRCode.encode(Self.otpauthURI)
        XCTAssertEqual(otp.size, 17 + 4 * 8)  // 129 bytes -> version 8
        for matrix in [m, otp] {
            let n = matrix.size
            for (ox, oy) in [(0, 0), (n - 7, 0), (0, n - 7)] {
                for dy in 0..<7 {
                    for dx in 0..<7 {
                        let ring = max(abs(dx - 3), abs(dy - 3))
                        XCTAssertEqual(matrix[ox + dx, oy + dy], ring != 2, "finder at (\(ox),\(oy))")
                    }
                }
            }
            XCTAssertTrue(matrix[8, n - 8], "dark module")
        }
    }

    func testDataTooLong() {
        XCTAssertThrowsError(try QRCode.encode(String(repeating: "a", count: 2332))) { error in
            XCTAssertEqual(error as? QRCodeError, .dataTooLong)
        }
        XCTAssertNoThrow(try QRCode.encode(String(repeating: "a", count: 2331)))
    }

    // MARK: - PNG

    func testPNGSignatureAndIHDR() throws {
        let matrix = try QRCode.encode(Self.otpauthURI)
        let png = try QRCode.png(Self.otpauthURI, scale: 5)
        XCTAssertEqual(Array(png[0..<8]), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])

        func be32(_ offset: Int) -> UInt32 {
            png[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
        }
        XCTAssertEqual(be32(8), 13)  // IHDR length
        XCTAssertEqual(String(decoding: png[12..<16], as: UTF8.self), "IHDR")
        let expectedSide = UInt32((matrix.size + 8) * 5)
        XCTAssertEqual(be32(16), expectedSide)  // width
        XCTAssertEqual(be32(20), expectedSide)  // height
        XCTAssertEqual(Array(png[24..<29]), [1, 0, 0, 0, 0])  // 1-bit grayscale, deflate, no interlace
        XCTAssertEqual(be32(29), CRC32.checksum(Array(png[12..<29])))

        // Walk all chunks and verify CRCs; must end with IEND.
        var offset = 8
        var types: [String] = []
        while offset < png.count {
            let length = Int(be32(offset))
            let type = String(decoding: png[(offset + 4)..<(offset + 8)], as: UTF8.self)
            types.append(type)
            let crc = be32(offset + 8 + length)
            XCTAssertEqual(crc, CRC32.checksum(Array(png[(offset + 4)..<(offset + 8 + length)])), type)
            offset += 12 + length
        }
        XCTAssertEqual(offset, png.count)
        XCTAssertEqual(types, ["IHDR", "IDAT", "IEND"])
    }

    func testDataURL() throws {
        let url = try QRCode.pngDataURL(Self.otpauthURI)
        let prefix = "data:image/png;base64,"
        XCTAssertTrue(url.hasPrefix(prefix))
        let decoded = Data(base64Encoded: String(url.dropFirst(prefix.count)))
        XCTAssertEqual(decoded.map { [UInt8]($0) }, try QRCode.png(Self.otpauthURI))
    }

    // MARK: - Round trip through a real decoder (zbarimg)

    func testDecodeWithZbarimg() throws {
        let long150 =
            "otpauth://totp/AI%20Lifestyle:a.very.long.address%2Bqr-test@subdomain.example.com"
            + "?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=AI%20Lifestyle&digits=6&period=30"
        XCTAssertGreaterThanOrEqual(long150.utf8.count, 150)

        let cases: [(text: String, version: Int)] = [
            ("A", 1),
            ("Hello, World!", 1),
            (String(repeating: "x", count: 14), 1),  // v1 full
            (String(repeating: "y", count: 15), 2),  // crosses into v2
            ("otpauth://totp/Test:bob?secret=ABC", 3),
            (String(repeating: "z", count: 106), 6),  // v6 full
            (String(repeating: "q", count: 107), 7),  // v7: version information
            (Self.otpauthURI, 8),
            (long150, 9),
            (String(repeating: "0123456789", count: 20), 10),  // 200 bytes
            (String(repeating: "k", count: 213), 10),  // v10 full (16-bit count)
            ("Zürich ✓ 日本", 2),
        ]
        guard let zbarimg = Self.findZbarimg() else {
            XCTFail("zbarimg not found on PATH or at /usr/bin/zbarimg: install zbar-tools (apt-get install -y zbar-tools)")
            return
        }
        for (text, version) in cases {
            let matrix = try QRCode.encode(text)
            XCTAssertEqual(matrix.size, 17 + 4 * version, "version for \(text.utf8.count) bytes")
            for scale in [2, 5] {
                let decoded = try Self.decode(try QRCode.png(text, scale: scale), zbarimg: zbarimg)
                XCTAssertEqual(decoded, text, "zbarimg round trip, \(text.utf8.count) bytes, scale \(scale)")
            }
        }
    }

    // MARK: - Helpers

    static func findZbarimg() -> String? {
        let fm = FileManager.default
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map { "\($0)/zbarimg" } + ["/usr/bin/zbarimg"]
        return candidates.first { fm.isExecutableFile(atPath: $0) }
    }

    static func decode(_ png: [UInt8], zbarimg: String) throws -> String {
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("qrcode-test-\(UUID().uuidString).png")
        try Data(png).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: zbarimg)
        process.arguments = ["--raw", "-q", file.path]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var text = String(decoding: output, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
