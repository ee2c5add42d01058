// The Swift floor for Benchmarks/bench-lambda.sh: Benchmarks/floor/floor-runtime.c written in Swift,
// built with the bootstrap's flags (static Swift stdlib, -Osize). One keep-alive connection to
// AWS_LAMBDA_RUNTIME_API; every invocation's event is read and ignored and a fixed health answer
// posted. Between the C floor and the api-handler it tells the language runtime's share of a cold
// start (Swift runtime start-up, a static 20 MB-class binary) from ours. Not shipped.
#if os(Linux)
    import Glibc
#else
    #error("Linux only")
#endif

signal(SIGTERM) { _ in _exit(0) }

func die(_ what: String) -> Never {
    perror(what)
    exit(1)
}

guard let apiC = getenv("AWS_LAMBDA_RUNTIME_API") else { die("AWS_LAMBDA_RUNTIME_API") }
let api = String(cString: apiC)
guard let colon = api.lastIndex(of: ":") else { die("AWS_LAMBDA_RUNTIME_API") }
var hints = addrinfo()
hints.ai_family = AF_UNSPEC
hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
var info: UnsafeMutablePointer<addrinfo>?
guard getaddrinfo(String(api[..<colon]), String(api[api.index(after: colon)...]), &hints, &info) == 0,
    let ai = info
else { die("getaddrinfo") }
let fd = socket(ai.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
guard fd >= 0, connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 else { die("connect") }
var one: Int32 = 1
setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))

struct Connection {
    let fd: Int32
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var have = 0
    func sendAll(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let w = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, 0) }
            if w <= 0 { die("send") }
            sent += w
        }
    }

    mutating func receive() {
        let r = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + have, $0.count - have, 0) }
        if r <= 0 { die("recv") }
        have += r
    }

    /// Reads one HTTP response; returns the request id header's value, if any.
    mutating func readResponse() -> String? {
        var end = -1
        while end < 0 {
            if have >= 4 {
                for i in 0...(have - 4)
                where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
                    end = i
                    break
                }
            }
            if end < 0 { receive() }
        }
        let head = String(decoding: buffer[0..<end], as: UTF8.self)
        var length = 0
        var id: String?
        for line in head.split(separator: "\r\n").dropFirst() {
            guard let c = line.firstIndex(of: ":") else { continue }
            let name = line[..<c].lowercased()
            let value = line[line.index(after: c)...].drop(while: { $0 == " " })
            if name == "content-length" { length = Int(value) ?? 0 }
            if name == "lambda-runtime-aws-request-id" { id = String(value) }
        }
        let total = end + 4 + length
        while have < total { receive() }
        let left = have - total
        buffer.withUnsafeMutableBytes { _ = memmove($0.baseAddress!, $0.baseAddress! + total, left) }
        have = left
        return id
    }
}

var connection = Connection(fd: fd)
let next = Array("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: runtime\r\n\r\n".utf8)
let answer =
    #"{"statusCode":200,"headers":{"content-type":"application/json"},"body":"{\"status\":\"healthy\"}","isBase64Encoded":false}"#
while true {
    connection.sendAll(next)
    let id = connection.readResponse() ?? ""
    connection.sendAll(
        Array(
            ("POST /2018-06-01/runtime/invocation/\(id)/response HTTP/1.1\r\nHost: runtime\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(answer.utf8.count)\r\n\r\n\(answer)").utf8))
    _ = connection.readResponse()
}
