public import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if os(Linux)
    import Glibc
#else
    #error("Linux only: this file calls Glibc directly (the Lambda runtime and the local server run on Linux)")
#endif

/// One JSON object per line on stdout: `{"timestamp","level","message","logger",...metadata}`.
/// Metadata never carries secrets: handlers only log ids, routes, statuses and error kinds.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    let label: String

    public init(label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let level = event.level, message = event.message, explicit = event.metadata
        var line = ""
        line.reserveCapacity(512)
        line += "{\"timestamp\":\""
        line += Timestamp.iso8601(Date())
        line += "\",\"level\":\""
        line += level.rawValue
        line += "\",\"message\":"
        Self.appendQuoted(message.description, to: &line)
        line += ",\"logger\":"
        Self.appendQuoted(label, to: &line)
        var merged = self.metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { a, _ in a } }
        if let explicit { merged.merge(explicit) { _, b in b } }
        for key in merged.keys.sorted() {
            line += ","
            Self.appendQuoted(key, to: &line)
            line += ":"
            Self.append(merged[key]!, to: &line)
        }
        line += "}\n"
        StandardStream.write(line, to: 1)
    }

    static func append(_ value: Logger.Metadata.Value, to out: inout String) {
        switch value {
        case .string(let s): appendQuoted(s, to: &out)
        case .stringConvertible(let c):
            let s = c.description
            if c is any BinaryInteger || c is Double, !s.isEmpty { out += s } else { appendQuoted(s, to: &out) }
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                append(v, to: &out)
            }
            out += "]"
        case .dictionary(let d):
            out += "{"
            for (i, k) in d.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                appendQuoted(k, to: &out)
                out += ":"
                append(d[k]!, to: &out)
            }
            out += "}"
        }
    }

    static func appendQuoted(_ s: String, to out: inout String) {
        JSONText.appendQuoted(s, to: &out)
    }

}
