import LifestyleToolkit
import Synchronization

#if os(Linux)
    import Glibc
#else
    #error("Linux only: this file calls Glibc directly (the Lambda runtime and the local server run on Linux)")
#endif

private let terminationFlag = Atomic<Bool>(false)
private let pollingSocket = Atomic<Int32>(-1)

/// SIGTERM handling for the runtime loop. The handler only touches atomics and calls
/// `shutdown(2)` (async-signal-safe): while the loop is blocked waiting for the next invocation
/// that wait ends at once; during an invocation the flag is seen after the answer is posted.
public enum Termination {
    public static var requested: Bool { terminationFlag.load(ordering: .acquiring) }

    /// Installs the SIGTERM handler (idempotent).
    public static func install() {
        signal(SIGTERM) { _ in
            terminationFlag.store(true, ordering: .releasing)
            let fd = pollingSocket.load(ordering: .acquiring)
            if fd >= 0 { _ = shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    /// For tests: forget an earlier request.
    public static func reset() { terminationFlag.store(false, ordering: .releasing) }

    /// For tests and embedders: behave as if SIGTERM had arrived.
    public static func request() {
        terminationFlag.store(true, ordering: .releasing)
        let fd = pollingSocket.load(ordering: .acquiring)
        if fd >= 0 { _ = shutdown(fd, Int32(SHUT_RDWR)) }
    }

    static func beginPolling(_ fd: Int32) { pollingSocket.store(fd, ordering: .releasing) }
    static func endPolling() { pollingSocket.store(-1, ordering: .releasing) }
}
