import LifestyleToolkit

// Minimal PNG writer: 1-bit grayscale, zlib stream compressed with a single
// fixed-Huffman deflate block (greedy LZ77), CRC32 and Adler32 checksums.

enum PNGWriter {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Renders `matrix` with a quiet zone of `quietZone` modules, `scale` pixels per module.
    static func render(_ matrix: QRMatrix, scale: Int, quietZone: Int) -> [UInt8] {
        precondition(scale >= 1 && quietZone >= 0)
        let modulesPerSide = matrix.size + 2 * quietZone
        let width = modulesPerSide * scale
        let rowBytes = (width + 7) / 8

        // Raw scanlines: filter byte 0 + packed bits, MSB first, 1 = white, 0 = black.
        var raw: [UInt8] = []
        raw.reserveCapacity((rowBytes + 1) * width)
        var line = [UInt8](repeating: 0, count: rowBytes)
        for my in 0..<modulesPerSide {
            for i in 0..<rowBytes { line[i] = 0xFF }
            let y = my - quietZone
            if y >= 0 && y < matrix.size {
                for x in 0..<matrix.size where matrix[x, y] {
                    let startPx = (x + quietZone) * scale
                    for px in startPx..<(startPx + scale) {
                        line[px >> 3] &= ~UInt8(0x80 >> (px & 7))
                    }
                }
            }
            for _ in 0..<scale {
                raw.append(0)  // filter type: None
                raw.append(contentsOf: line)
            }
        }

        var ihdr: [UInt8] = []
        ihdr.appendBigEndian(UInt32(width))
        ihdr.appendBigEndian(UInt32(width))
        ihdr += [
            1,  // bit depth
            0,  // colour type: grayscale
            0,  // compression: deflate
            0,  // filter method
            0,  // no interlace
        ]

        var png = signature
        appendChunk(&png, type: "IHDR", data: ihdr)
        appendChunk(&png, type: "IDAT", data: Zlib.compress(raw))
        appendChunk(&png, type: "IEND", data: [])
        return png
    }

    static func appendChunk(_ out: inout [UInt8], type: String, data: [UInt8]) {
        let typeBytes = Array(type.utf8)
        precondition(typeBytes.count == 4)
        out.appendBigEndian(UInt32(data.count))
        var crc = CRC32()
        crc.update(typeBytes)
        crc.update(data)
        out += typeBytes
        out += data
        out.appendBigEndian(crc.value)
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ v: UInt32) {
        append(UInt8(truncatingIfNeeded: v >> 24))
        append(UInt8(truncatingIfNeeded: v >> 16))
        append(UInt8(truncatingIfNeeded: v >> 8))
        append(UInt8(truncatingIfNeeded: v))
    }
}

// MARK: - Checksums

/// CRC-32 (ISO 3309 / ITU-T V.42, polynomial 0xEDB88320 reflected), as used by PNG.
struct CRC32 {
    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 {
            c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1
        }
        return c
    }

    private var crc: UInt32 = 0xFFFF_FFFF

    mutating func update(_ bytes: [UInt8]) {
        let table = CRC32.table
        var c = crc
        for b in bytes {
            c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8)
        }
        crc = c
    }

    var value: UInt32 { crc ^ 0xFFFF_FFFF }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c = CRC32()
        c.update(bytes)
        return c.value
    }
}

/// Adler-32 checksum (RFC 1950), as used by zlib.
enum Adler32 {
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        let mod: UInt32 = 65521
        var a: UInt32 = 1
        var b: UInt32 = 0
        var i = 0
        while i < bytes.count {
            // 5552 is the largest n such that sums cannot overflow UInt32.
            let end = Swift.min(i + 5552, bytes.count)
            while i < end {
                a &+= UInt32(bytes[i])
                b &+= a
                i += 1
            }
            a %= mod
            b %= mod
        }
        return (b << 16) | a
    }
}

// MARK: - zlib / deflate

enum Zlib {
    /// zlib stream (RFC 1950) with one fixed-Huffman deflate block (RFC 1951).
    static func compress(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]  // CM=8, CINFO=7 (32K window), FLEVEL=0, FCHECK ok
        out += Deflate.compressFixed(data)
        out.appendBigEndian(Adler32.checksum(data))
        return out
    }
}

enum Deflate {
    static let lengthBase: [Int] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
        35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
    ]
    static let lengthExtra: [Int] = [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
        3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ]
    static let distBase: [Int] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
        257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
    ]
    static let distExtra: [Int] = [
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
        7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
    ]

    static let windowSize = 32768
    static let minMatch = 3
    static let maxMatch = 258
    static let maxChain = 64
    static let hashBits = 15

    /// Raw deflate data: a single final block with fixed Huffman codes and greedy LZ77.
    static func compressFixed(_ data: [UInt8]) -> [UInt8] {
        var w = BitWriter()
        w.write(1, 1)  // BFINAL
        w.write(1, 2)  // BTYPE = 01 (fixed Huffman)

        let n = data.count
        let hashSize = 1 << hashBits
        var head = [Int](repeating: -1, count: hashSize)
        var prev = [Int](repeating: -1, count: max(n, 1))

        func hash(_ i: Int) -> Int {
            let v = Int(data[i]) << 10 ^ Int(data[i + 1]) << 5 ^ Int(data[i + 2])
            return v & (hashSize - 1)
        }
        func insert(_ i: Int) {
            guard i + minMatch <= n else { return }
            let h = hash(i)
            prev[i] = head[h]
            head[h] = i
        }

        var i = 0
        while i < n {
            var bestLen = 0
            var bestDist = 0
            if i + minMatch <= n {
                var candidate = head[hash(i)]
                var chain = 0
                let maxLen = min(maxMatch, n - i)
                while candidate >= 0 && i - candidate <= windowSize && chain < maxChain {
                    var len = 0
                    while len < maxLen && data[candidate + len] == data[i + len] { len += 1 }
                    if len > bestLen {
                        bestLen = len
                        bestDist = i - candidate
                        if len == maxLen { break }
                    }
                    candidate = prev[candidate]
                    chain += 1
                }
            }
            if bestLen >= minMatch {
                writeLength(&w, bestLen)
                writeDistance(&w, bestDist)
                for k in i..<(i + bestLen) { insert(k) }
                i += bestLen
            } else {
                writeLiteral(&w, Int(data[i]))
                insert(i)
                i += 1
            }
        }
        writeLiteral(&w, 256)  // end of block
        w.flush()
        return w.bytes
    }

    /// Fixed Huffman code for literal/length symbol 0...287.
    static func writeLiteral(_ w: inout BitWriter, _ sym: Int) {
        switch sym {
        case 0...143: w.writeHuffman(0x30 + sym, 8)
        case 144...255: w.writeHuffman(0x190 + sym - 144, 9)
        case 256...279: w.writeHuffman(sym - 256, 7)
        default: w.writeHuffman(0xC0 + sym - 280, 8)
        }
    }

    static func writeLength(_ w: inout BitWriter, _ length: Int) {
        var code = lengthBase.count - 1
        while lengthBase[code] > length { code -= 1 }
        // Length 258 must use code 285 (not 284 + extra bits).
        writeLiteral(&w, 257 + code)
        let extra = lengthExtra[code]
        if extra > 0 { w.write(UInt32(length - lengthBase[code]), extra) }
    }

    static func writeDistance(_ w: inout BitWriter, _ dist: Int) {
        var code = distBase.count - 1
        while distBase[code] > dist { code -= 1 }
        w.writeHuffman(code, 5)
        let extra = distExtra[code]
        if extra > 0 { w.write(UInt32(dist - distBase[code]), extra) }
    }
}

/// LSB-first bit writer as required by deflate.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var acc: UInt32 = 0
    private var nbits = 0

    /// Writes the low `count` bits of `value`, least significant bit first.
    mutating func write(_ value: UInt32, _ count: Int) {
        precondition(count <= 16)
        acc |= value << UInt32(nbits)
        nbits += count
        while nbits >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: acc))
            acc >>= 8
            nbits -= 8
        }
    }

    /// Writes a Huffman code, most significant bit first.
    mutating func writeHuffman(_ code: Int, _ length: Int) {
        var reversed: UInt32 = 0
        for k in 0..<length {
            reversed = (reversed << 1) | UInt32((code >> k) & 1)
        }
        write(reversed, length)
    }

    mutating func flush() {
        if nbits > 0 {
            bytes.append(UInt8(truncatingIfNeeded: acc))
            acc = 0
            nbits = 0
        }
    }
}
