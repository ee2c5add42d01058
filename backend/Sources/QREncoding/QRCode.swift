import LifestyleToolkit

// Dependency-free QR code generator (ISO/IEC 18004) with a PNG writer.
//
// Byte mode, error correction level M, automatic version selection 1...40,
// Reed-Solomon ECC over GF(256), block interleaving, all 8 masks with
// penalty scoring, format and version information.

/// Errors thrown by `QRCode`.
public enum QRCodeError: Error, Sendable {
    /// The UTF-8 encoded text does not fit into a version 40 symbol at level M.
    case dataTooLong
}

/// A square QR module matrix (true = dark). Does not include a quiet zone.
public struct QRMatrix: Sendable {
    /// Number of modules per side (17 + 4 * version).
    public let size: Int
    /// Row-major storage, `size * size` entries.
    let modules: [Bool]

    init(size: Int, modules: [Bool]) {
        precondition(modules.count == size * size)
        self.size = size
        self.modules = modules
    }

    /// Module at column `x`, row `y` (both 0-based, origin top-left). True = dark.
    public subscript(x: Int, y: Int) -> Bool {
        precondition(x >= 0 && x < size && y >= 0 && y < size, "QRMatrix index out of range")
        return modules[y * size + x]
    }

    /// QR version (1...40) derived from the size.
    var version: Int { (size - 17) / 4 }
}

public enum QRCode {
    /// Quiet zone width in modules used by `png` / `pngDataURL`.
    static let quietZone = 4
    /// Upper bound for the pixel scale, to keep memory use bounded.
    static let maxScale = 32

    /// Module matrix (true = dark), including no quiet zone.
    public static func encode(_ text: String) throws(QRCodeError) -> QRMatrix {
        try QREncoder.encode(bytes: Array(text.utf8))
    }

    /// PNG bytes with a 4-module quiet zone.
    ///
    /// `scale` is the number of pixels per module; values are clamped to 1...32.
    public static func png(_ text: String, scale: Int = 5) throws(QRCodeError) -> [UInt8] {
        let matrix = try encode(text)
        return PNGWriter.render(matrix, scale: min(max(scale, 1), maxScale), quietZone: quietZone)
    }

    /// "data:image/png;base64,..."
    public static func pngDataURL(_ text: String, scale: Int = 5) throws(QRCodeError) -> String {
        "data:image/png;base64," + Base64.encode(try png(text, scale: scale))
    }
}
