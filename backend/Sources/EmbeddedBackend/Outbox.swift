import LifestyleCore
import LifestyleToolkit
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The embedded mailer: every email is one JSON line in `<data-dir>/outbox.jsonl`.
public final class OutboxMailer: Mailer {
    let path: String
    private let writeLock = Mutex(())

    public init(path: String) { self.path = path }

    public func send(_ message: OutboundEmail) async throws {
        var line = JSON.encode(message)
        line.append(0x0A)
        try writeLock.withLock { _ in
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw OutboxError.cannotOpen }
            defer { close(fd) }
            let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written == line.count else { throw OutboxError.shortWrite }
        }
    }

    enum OutboxError: Error { case cannotOpen, shortWrite }
}
