#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One OS thread that answers for the invocation in flight when its deadline passes first.
///
/// The runtime loop runs each handler inline, in its own task, with no per-invocation task,
/// timer or thread hop. Before the handler starts the loop `arm`s the watchdog with the
/// invocation's answer-by instant and a fallback (for HTTP events the contract's 504); after
/// the handler returns it `disarm`s. Exactly one of them posts the answer: if the watchdog fired,
/// `disarm` waits until the fallback is posted and tells the loop to drop the late result.
///
/// The thread starts on the first `arm` and sleeps until the earliest armed deadline; arming a
/// later deadline does not wake it, so in steady state it wakes about once per deadline, not once
/// per invocation.
final class DeadlineWatchdog: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var cond = pthread_cond_t()
    // Guarded by `mutex`.
    private var generation: UInt64 = 0
    private var armed: (generation: UInt64, deadlineNs: Int64, fire: @Sendable () -> Void)?
    private var firing: UInt64?
    private var sleepingUntilNs: Int64 = .max
    private var started = false

    init() {
        pthread_mutex_init(&mutex, nil)
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        pthread_cond_init(&cond, &attr)
        pthread_condattr_destroy(&attr)
    }

    /// CLOCK_MONOTONIC nanoseconds.
    static func nowNs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Arms for `deadline`; `fire` runs on the watchdog thread if `disarm` comes too late.
    func arm(until deadline: ContinuousClock.Instant, fire: @escaping @Sendable () -> Void) -> UInt64 {
        let left = ContinuousClock.now.duration(to: deadline)
        let (s, atto) = left.components
        let deadlineNs = Self.nowNs() + max(0, s * 1_000_000_000 + atto / 1_000_000_000)
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        if !started {
            started = true
            let box = Unmanaged.passRetained(self)
            var thread = pthread_t()
            pthread_create(
                &thread, nil,
                { raw in
                    Unmanaged<DeadlineWatchdog>.fromOpaque(raw!).takeRetainedValue().run()
                    return nil
                }, box.toOpaque())
            pthread_detach(thread)
        }
        generation += 1
        armed = (generation, deadlineNs, fire)
        if deadlineNs < sleepingUntilNs { pthread_cond_broadcast(&cond) }
        return generation
    }

    /// True when the caller still owns the answer; false when the fallback was (or is being)
    /// posted, in which case this returns only after it has been.
    func disarm(_ token: UInt64) -> Bool {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        if let a = armed, a.generation == token {
            armed = nil
            return true
        }
        while firing == token { pthread_cond_wait(&cond, &mutex) }
        return false
    }

    private func run() {
        pthread_mutex_lock(&mutex)
        while true {
            guard let a = armed else {
                sleepingUntilNs = .max
                pthread_cond_wait(&cond, &mutex)
                continue
            }
            let now = Self.nowNs()
            if now >= a.deadlineNs {
                armed = nil
                firing = a.generation
                pthread_mutex_unlock(&mutex)
                a.fire()
                pthread_mutex_lock(&mutex)
                firing = nil
                pthread_cond_broadcast(&cond)
                continue
            }
            sleepingUntilNs = a.deadlineNs
            var ts = timespec(tv_sec: Int(a.deadlineNs / 1_000_000_000), tv_nsec: Int(a.deadlineNs % 1_000_000_000))
            pthread_cond_timedwait(&cond, &mutex, &ts)
        }
    }
}
