import LifestyleToolkit

// QR symbol construction: data encoding, Reed-Solomon ECC, interleaving,
// module placement, masking and format/version information.

enum QREncoder {
    static let minVersion = 1
    static let maxVersion = 40

    /// Error correction codewords per block, level M, indexed by version (index 0 unused).
    static let eccCodewordsPerBlockM: [Int] = [
        -1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
        26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
    ]

    /// Number of error correction blocks, level M, indexed by version (index 0 unused).
    static let numBlocksM: [Int] = [
        -1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
        17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
    ]

    /// Format information EC level bits for M.
    static let eclFormatBitsM = 0b00

    // MARK: - Capacity

    /// Number of modules available for data + ECC (including remainder bits).
    static func numRawDataModules(_ version: Int) -> Int {
        var result = (16 * version + 128) * version + 64
        if version >= 2 {
            let numAlign = version / 7 + 2
            result -= (25 * numAlign - 10) * numAlign - 55
            if version >= 7 { result -= 36 }
        }
        return result
    }

    /// Number of 8-bit data codewords (excluding ECC) at level M.
    static func numDataCodewords(_ version: Int) -> Int {
        numRawDataModules(version) / 8 - eccCodewordsPerBlockM[version] * numBlocksM[version]
    }

    /// Bits of the character count indicator for byte mode.
    static func charCountBits(_ version: Int) -> Int {
        version <= 9 ? 8 : 16
    }

    /// Smallest version whose byte-mode capacity at level M holds `byteCount` bytes.
    static func selectVersion(byteCount: Int) -> Int? {
        for version in minVersion...maxVersion {
            let ccBits = charCountBits(version)
            guard byteCount < (1 << ccBits) else { continue }
            let needed = 4 + ccBits + 8 * byteCount
            if needed <= numDataCodewords(version) * 8 { return version }
        }
        return nil
    }

    // MARK: - Encoding

    static func encode(bytes: [UInt8]) throws(QRCodeError) -> QRMatrix {
        guard let version = selectVersion(byteCount: bytes.count) else { throw .dataTooLong }
        let data = dataCodewords(bytes, version: version)
        let codewords = addECCAndInterleave(data, version: version)

        var builder = MatrixBuilder(version: version)
        builder.drawFunctionPatterns()
        builder.drawCodewords(codewords)

        // Choose the mask with the lowest penalty.
        var bestMask = 0
        var bestPenalty = Int.max
        for mask in 0..<8 {
            builder.applyMask(mask)
            builder.drawFormatBits(mask: mask)
            let penalty = builder.penaltyScore()
            if penalty < bestPenalty {
                bestPenalty = penalty
                bestMask = mask
            }
            builder.applyMask(mask)  // XOR again to undo
        }
        builder.applyMask(bestMask)
        builder.drawFormatBits(mask: bestMask)
        return QRMatrix(size: builder.size, modules: builder.modules)
    }

    /// Mode indicator, count, payload, terminator and padding as data codewords.
    static func dataCodewords(_ bytes: [UInt8], version: Int) -> [UInt8] {
        let capacityBits = numDataCodewords(version) * 8
        var bits = BitBuffer()
        bits.append(0b0100, count: 4)  // byte mode
        bits.append(bytes.count, count: charCountBits(version))
        for b in bytes { bits.append(Int(b), count: 8) }
        precondition(bits.count <= capacityBits)

        bits.append(0, count: min(4, capacityBits - bits.count))  // terminator
        bits.append(0, count: (8 - bits.count % 8) % 8)  // byte align
        var pad = 0xEC
        while bits.count < capacityBits {
            bits.append(pad, count: 8)
            pad ^= 0xEC ^ 0x11
        }
        return bits.bytes
    }

    /// Splits data into blocks, appends Reed-Solomon ECC to each and interleaves.
    static func addECCAndInterleave(_ data: [UInt8], version: Int) -> [UInt8] {
        let numBlocks = numBlocksM[version]
        let eccLen = eccCodewordsPerBlockM[version]
        let rawCodewords = numRawDataModules(version) / 8
        precondition(data.count == numDataCodewords(version))

        let numShortBlocks = numBlocks - rawCodewords % numBlocks
        let shortBlockLen = rawCodewords / numBlocks
        let divisor = ReedSolomon.generator(degree: eccLen)

        var blocks: [[UInt8]] = []
        blocks.reserveCapacity(numBlocks)
        var offset = 0
        for i in 0..<numBlocks {
            let dataLen = shortBlockLen - eccLen + (i < numShortBlocks ? 0 : 1)
            let dat = Array(data[offset..<(offset + dataLen)])
            offset += dataLen
            let ecc = ReedSolomon.remainder(dat, generator: divisor)
            var block = dat
            if i < numShortBlocks { block.append(0) }  // placeholder, skipped below
            block += ecc
            blocks.append(block)
        }

        var result: [UInt8] = []
        result.reserveCapacity(rawCodewords)
        for i in 0..<blocks[0].count {
            for (j, block) in blocks.enumerated() where i != shortBlockLen - eccLen || j >= numShortBlocks {
                result.append(block[i])
            }
        }
        precondition(result.count == rawCodewords)
        return result
    }

    /// Alignment pattern centre coordinates (same list for rows and columns).
    static func alignmentPatternPositions(_ version: Int) -> [Int] {
        if version == 1 { return [] }
        let numAlign = version / 7 + 2
        let step = (version * 8 + numAlign * 3 + 5) / (numAlign * 4 - 4) * 2
        var result = [6]
        var positions: [Int] = []
        var pos = version * 4 + 17 - 7
        for _ in 0..<(numAlign - 1) {
            positions.insert(pos, at: 0)
            pos -= step
        }
        result += positions
        return result
    }

    /// 15-bit format information (already XOR-masked with 0x5412).
    static func formatBits(mask: Int) -> Int {
        let data = eclFormatBitsM << 3 | mask
        var rem = data
        for _ in 0..<10 { rem = (rem << 1) ^ ((rem >> 9) * 0x537) }
        return (data << 10 | rem) ^ 0x5412
    }

    /// 18-bit version information (versions >= 7).
    static func versionBits(_ version: Int) -> Int {
        var rem = version
        for _ in 0..<12 { rem = (rem << 1) ^ ((rem >> 11) * 0x1F25) }
        return version << 12 | rem
    }
}

// MARK: - Bit buffer

struct BitBuffer {
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0

    /// Appends the low `count` bits of `value`, most significant first.
    mutating func append(_ value: Int, count n: Int) {
        precondition(n >= 0 && n <= 31 && value >> n == 0)
        var i = n - 1
        while i >= 0 {
            if count % 8 == 0 { bytes.append(0) }
            if (value >> i) & 1 != 0 {
                bytes[count / 8] |= UInt8(0x80 >> (count % 8))
            }
            count += 1
            i -= 1
        }
    }
}

// MARK: - Reed-Solomon over GF(256), primitive polynomial 0x11D

enum ReedSolomon {
    static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var z = 0
        let xi = Int(x), yi = Int(y)
        for i in stride(from: 7, through: 0, by: -1) {
            z = (z << 1) ^ ((z >> 7) * 0x11D)
            z ^= ((yi >> i) & 1) * xi
        }
        return UInt8(z)
    }

    /// Generator polynomial coefficients (highest degree first, leading 1 omitted).
    static func generator(degree: Int) -> [UInt8] {
        precondition(degree >= 1 && degree <= 255)
        var result = [UInt8](repeating: 0, count: degree)
        result[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in 0..<degree {
                result[j] = multiply(result[j], root)
                if j + 1 < degree { result[j] ^= result[j + 1] }
            }
            root = multiply(root, 0x02)
        }
        return result
    }

    /// Remainder of data(x) * x^degree divided by the generator polynomial.
    static func remainder(_ data: [UInt8], generator: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: generator.count)
        for b in data {
            let factor = b ^ result[0]
            result.removeFirst()
            result.append(0)
            for i in 0..<result.count {
                result[i] ^= multiply(generator[i], factor)
            }
        }
        return result
    }
}

// MARK: - Matrix construction

struct MatrixBuilder {
    let version: Int
    let size: Int
    var modules: [Bool]
    var isFunction: [Bool]

    init(version: Int) {
        self.version = version
        size = version * 4 + 17
        modules = [Bool](repeating: false, count: size * size)
        isFunction = [Bool](repeating: false, count: size * size)
    }

    subscript(x: Int, y: Int) -> Bool {
        modules[y * size + x]
    }

    mutating func setFunction(_ x: Int, _ y: Int, _ dark: Bool) {
        modules[y * size + x] = dark
        isFunction[y * size + x] = true
    }

    mutating func drawFunctionPatterns() {
        // Timing patterns
        for i in 0..<size {
            setFunction(6, i, i % 2 == 0)
            setFunction(i, 6, i % 2 == 0)
        }
        // Finder patterns with separators
        drawFinder(3, 3)
        drawFinder(size - 4, 3)
        drawFinder(3, size - 4)
        // Alignment patterns, except where they would overlap finders
        let positions = QREncoder.alignmentPatternPositions(version)
        let n = positions.count
        for i in 0..<n {
            for j in 0..<n {
                let corner = (i == 0 && j == 0) || (i == 0 && j == n - 1) || (i == n - 1 && j == 0)
                if !corner { drawAlignment(positions[i], positions[j]) }
            }
        }
        // Reserve format areas (real bits drawn after masking) and draw version info.
        drawFormatBits(mask: 0)
        drawVersion()
    }

    private mutating func drawFinder(_ cx: Int, _ cy: Int) {
        for dy in -4...4 {
            for dx in -4...4 {
                let x = cx + dx, y = cy + dy
                guard x >= 0, x < size, y >= 0, y < size else { continue }
                let dist = max(abs(dx), abs(dy))
                setFunction(x, y, dist != 2 && dist != 4)
            }
        }
    }

    private mutating func drawAlignment(_ cx: Int, _ cy: Int) {
        for dy in -2...2 {
            for dx in -2...2 {
                setFunction(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1)
            }
        }
    }

    mutating func drawFormatBits(mask: Int) {
        let bits = QREncoder.formatBits(mask: mask)
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 != 0 }

        // First copy, around the top-left finder
        for i in 0...5 { setFunction(8, i, bit(i)) }
        setFunction(8, 7, bit(6))
        setFunction(8, 8, bit(7))
        setFunction(7, 8, bit(8))
        for i in 9..<15 { setFunction(14 - i, 8, bit(i)) }

        // Second copy, split between top-right and bottom-left finders
        for i in 0..<8 { setFunction(size - 1 - i, 8, bit(i)) }
        for i in 8..<15 { setFunction(8, size - 15 + i, bit(i)) }
        setFunction(8, size - 8, true)  // dark module
    }

    private mutating func drawVersion() {
        guard version >= 7 else { return }
        let bits = QREncoder.versionBits(version)
        for i in 0..<18 {
            let dark = (bits >> i) & 1 != 0
            let a = size - 11 + i % 3
            let b = i / 3
            setFunction(a, b, dark)
            setFunction(b, a, dark)
        }
    }

    /// Places codewords in the zigzag order, skipping function modules.
    mutating func drawCodewords(_ data: [UInt8]) {
        let totalBits = data.count * 8
        var i = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }  // skip vertical timing column
            let upward = (right + 1) & 2 == 0
            for vert in 0..<size {
                let y = upward ? size - 1 - vert : vert
                for j in 0..<2 {
                    let x = right - j
                    let idx = y * size + x
                    if !isFunction[idx] && i < totalBits {
                        modules[idx] = (data[i >> 3] >> (7 - (i & 7))) & 1 != 0
                        i += 1
                    }
                    // Remaining modules (remainder bits) stay light.
                }
            }
            right -= 2
        }
        precondition(i == totalBits)
    }

    /// XORs all non-function modules with the given mask pattern.
    mutating func applyMask(_ mask: Int) {
        for y in 0..<size {
            for x in 0..<size {
                let idx = y * size + x
                if isFunction[idx] { continue }
                let invert: Bool
                switch mask {
                case 0: invert = (x + y) % 2 == 0
                case 1: invert = y % 2 == 0
                case 2: invert = x % 3 == 0
                case 3: invert = (x + y) % 3 == 0
                case 4: invert = (x / 3 + y / 2) % 2 == 0
                case 5: invert = x * y % 2 + x * y % 3 == 0
                case 6: invert = (x * y % 2 + x * y % 3) % 2 == 0
                case 7: invert = ((x + y) % 2 + x * y % 3) % 2 == 0
                default: preconditionFailure("invalid mask \(mask)")
                }
                if invert { modules[idx].toggle() }
            }
        }
    }

    /// Penalty score per ISO/IEC 18004 section 7.8.3 (N1=3, N2=3, N3=40, N4=10).
    func penaltyScore() -> Int {
        var result = 0
        let n = size

        // Rule 1: runs of 5+ same-colour modules in rows and columns.
        for horizontal in [true, false] {
            for a in 0..<n {
                var runColor = false
                var runLen = 0
                for b in 0..<n {
                    let c = horizontal ? self[b, a] : self[a, b]
                    if b > 0 && c == runColor {
                        runLen += 1
                    } else {
                        if runLen >= 5 { result += 3 + (runLen - 5) }
                        runColor = c
                        runLen = 1
                    }
                }
                if runLen >= 5 { result += 3 + (runLen - 5) }
            }
        }

        // Rule 2: 2x2 blocks of the same colour.
        for y in 0..<(n - 1) {
            for x in 0..<(n - 1) {
                let c = self[x, y]
                if c == self[x + 1, y] && c == self[x, y + 1] && c == self[x + 1, y + 1] {
                    result += 3
                }
            }
        }

        // Rule 3: finder-like patterns 1:1:3:1:1 with 4 light modules on either side.
        let patternA: [Bool] = [true, false, true, true, true, false, true, false, false, false, false]
        let patternB: [Bool] = patternA.reversed()
        if n >= 11 {
            for a in 0..<n {
                for b in 0...(n - 11) {
                    var matchAH = true, matchBH = true, matchAV = true, matchBV = true
                    for k in 0..<11 {
                        let h = self[b + k, a]
                        let v = self[a, b + k]
                        if h != patternA[k] { matchAH = false }
                        if h != patternB[k] { matchBH = false }
                        if v != patternA[k] { matchAV = false }
                        if v != patternB[k] { matchBV = false }
                        if !(matchAH || matchBH || matchAV || matchBV) { break }
                    }
                    if matchAH { result += 40 }
                    if matchBH { result += 40 }
                    if matchAV { result += 40 }
                    if matchBV { result += 40 }
                }
            }
        }

        // Rule 4: dark/light balance, 10 points per 5% deviation from 50%.
        var dark = 0
        for m in modules where m { dark += 1 }
        let total = n * n
        let k = (abs(dark * 20 - total * 10) + total - 1) / total - 1
        result += max(0, k) * 10

        return result
    }
}
