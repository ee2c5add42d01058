import LifestyleToolkit

#if os(Linux)
    import Glibc
#else
    #error("Linux only: this file calls Glibc directly (the Lambda runtime and the local server run on Linux)")
#endif

/// Thin, blocking POSIX TCP helpers shared by the Runtime API client (and the emulators).
public enum TCP {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
        public init(_ description: String) { self.description = description }
        static func errno(_ what: String) -> Failure {
            Failure("\(what): \(String(cString: strerror(Glibc.errno)))")
        }
    }

    /// Splits `host:port` (the form of `AWS_LAMBDA_RUNTIME_API`).
    public static func parseEndpoint(_ s: String) -> (host: String, port: UInt16)? {
        guard let colon = s.lastIndex(of: ":"), let port = UInt16(s[s.index(after: colon)...]), port > 0 else { return nil }
        let host = String(s[..<colon])
        return host.isEmpty ? nil : (host, port)
    }

    /// Opens a blocking TCP connection with Nagle off.
    public static func connect(host: String, port: UInt16) throws(Failure) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw Failure("cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = 0
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let ai = cursor {
            let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), ai.pointee.ai_protocol)
            if fd >= 0 {
                if Glibc.connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 {
                    var one: Int32 = 1
                    _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                    return fd
                }
                lastError = Glibc.errno
                close(fd)
            } else {
                lastError = Glibc.errno
            }
            cursor = ai.pointee.ai_next
        }
        throw Failure("cannot connect to \(host):\(port): \(String(cString: strerror(lastError)))")
    }

    /// A listening socket on 127.0.0.1:`port` (0 picks a free port) and the port it got.
    public static func listenLoopback(port: UInt16 = 0, backlog: Int32 = 64) throws(Failure) -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket failed") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, backlog) == 0 else {
            let reason = String(cString: strerror(Glibc.errno))
            close(fd)
            throw Failure("cannot listen on 127.0.0.1:\(port): \(reason)")
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return (fd, UInt16(bigEndian: addr.sin_port))
    }

    /// Writes all bytes; fails on any error (EPIPE is reported, never raised as a signal).
    public static func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws(Failure) {
        let failed: Int32 = bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0 {
                    if Glibc.errno == EINTR { continue }
                    return Glibc.errno
                }
                offset += n
            }
            return 0
        }
        if failed != 0 { throw Failure("send: \(String(cString: strerror(failed)))") }
    }
}

/// A buffered reader for one HTTP/1.1 connection.
public struct ByteReader {
    public let fd: Int32
    var buffer: [UInt8] = []
    var start = 0
    /// recv() target, reused for every read (no zero-filling of the message buffer).
    let scratch = Scratch(capacity: 16 * 1024)

    final class Scratch {
        let bytes: UnsafeMutableRawBufferPointer
        init(capacity: Int) { bytes = .allocate(byteCount: capacity, alignment: 16) }
        deinit { bytes.deallocate() }
    }

    public init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(16 * 1024)
    }

    /// Whether bytes already received are waiting to be parsed.
    var hasBuffered: Bool { start < buffer.count }

    /// Reads more bytes; returns false at end of stream. A receive timeout on the socket
    /// (SO_RCVTIMEO) only slices the wait: it reads on until data or the end comes.
    mutating func fill() throws(TCP.Failure) -> Bool {
        while true {
            if let got = try receive() { return got }
        }
    }

    /// One recv(2): true with data, false at end of stream, nil when the socket's receive
    /// timeout passed with nothing to read.
    mutating func receive() throws(TCP.Failure) -> Bool? {
        if start > 0 && (start == buffer.count || start >= 64 * 1024) {
            buffer.removeFirst(start)
            start = 0
        }
        let raw = scratch.bytes
        var n: Int
        repeat {
            n = recv(fd, raw.baseAddress!, raw.count, 0)
        } while n < 0 && Glibc.errno == EINTR
        if n < 0 && (Glibc.errno == EAGAIN || Glibc.errno == EWOULDBLOCK) { return nil }
        if n < 0 { throw TCP.Failure("recv: \(String(cString: strerror(Glibc.errno)))") }
        if n > 0 { buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[0..<n])) }
        return n > 0
    }

    var available: Int { buffer.count - start }

    /// One line without its CRLF, or nil at end of stream.
    mutating func line() throws(TCP.Failure) -> [UInt8]? {
        while true {
            if let i = buffer[start...].firstIndex(of: 0x0A) {
                var end = i
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                let line = Array(buffer[start..<end])
                start = i + 1
                return line
            }
            if available > 64 * 1024 { throw TCP.Failure("header line too long") }
            guard try fill() else { return nil }
        }
    }

    mutating func bytes(_ count: Int) throws(TCP.Failure) -> [UInt8] {
        while available < count {
            guard try fill() else { throw TCP.Failure("connection closed mid-body") }
        }
        let out = Array(buffer[start..<(start + count)])
        start += count
        return out
    }
}

/// A parsed HTTP/1.1 message head plus body.
public struct HTTPMessage: Sendable {
    /// Request: method and target; response: status code in `status`.
    public var method = ""
    public var target = ""
    public var status = 0
    public var headers: [(name: String, value: String)] = []
    public var body: [UInt8] = []

    public init() {}

    /// The first value of header `name` (names are stored lower-cased; pass a lower-case name).
    public func header(_ name: String) -> String? {
        headers.first(where: { $0.name == name })?.value
    }

    /// Reads one message. Returns nil on a clean end of stream before the first byte.
    public static func read(from reader: inout ByteReader, isResponse: Bool) throws(TCP.Failure) -> HTTPMessage? {
        guard let first = try reader.line() else { return nil }
        var message = HTTPMessage()
        let parts = first.split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2 else { throw TCP.Failure("malformed HTTP start line") }
        if isResponse {
            guard let code = Int(String(decoding: parts[1], as: UTF8.self)) else { throw TCP.Failure("malformed status line") }
            message.status = code
        } else {
            message.method = String(decoding: parts[0], as: UTF8.self)
            message.target = String(decoding: parts[1], as: UTF8.self)
        }
        message.headers.reserveCapacity(8)
        while true {
            guard var line = try reader.line() else { throw TCP.Failure("connection closed in headers") }
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: 0x3A) else { continue }
            for k in 0..<colon where (0x41...0x5A).contains(line[k]) { line[k] |= 0x20 }  // ASCII lower-case
            let name = String(decoding: line[..<colon], as: UTF8.self)
            var value = line[(colon + 1)...]
            while let f = value.first, f == 0x20 || f == 0x09 { value = value.dropFirst() }
            while let l = value.last, l == 0x20 || l == 0x09 { value = value.dropLast() }
            message.headers.append((name, String(decoding: value, as: UTF8.self)))
        }
        if let te = message.header("transfer-encoding"), te.lowercased().contains("chunked") {
            var body: [UInt8] = []
            while true {
                guard let sizeLine = try reader.line() else { throw TCP.Failure("connection closed in chunk") }
                let hex = String(decoding: sizeLine.prefix(while: { $0 != 0x3B }), as: UTF8.self)
                guard let size = Int(hex.trimmingSpaces, radix: 16) else { throw TCP.Failure("bad chunk size") }
                if size == 0 {
                    while let trailer = try reader.line(), !trailer.isEmpty {}
                    break
                }
                body += try reader.bytes(size)
                _ = try reader.line()
            }
            message.body = body
        } else if let cl = message.header("content-length") {
            guard let n = Int(cl), n >= 0 else { throw TCP.Failure("bad content-length") }
            message.body = try reader.bytes(n)
        }
        return message
    }

    /// Serialises a request (`method`/`target`) or, when `status` is set, a response.
    public func serialized(host: String? = nil) -> [UInt8] {
        var head: String
        if status != 0 {
            head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        } else {
            head = "\(method) \(target) HTTP/1.1\r\n"
            if let host { head += "host: \(host)\r\n" }
        }
        for (n, v) in headers { head += "\(n): \(v)\r\n" }
        head += "content-length: \(body.count)\r\n\r\n"
        var out = Array(head.utf8)
        out.reserveCapacity(out.count + body.count)
        out += body
        return out
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 202: "Accepted"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 413: "Payload Too Large"
        case 500: "Internal Server Error"
        default: "Status"
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
