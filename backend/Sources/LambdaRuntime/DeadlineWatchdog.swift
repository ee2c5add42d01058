import LifestyleToolkit

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
    private enum State {
        /// Nothing in flight (between invocations, or the handler answered in time).
        case idle
        /// An invocation is in flight; `fire` answers for it at `deadlineNs`.
        case armed(generation: UInt64, deadlineNs: Int64, fire: @Sendable () -> Void)
        /// The deadline passed and the fallback is being posted; `disarm` waits for it.
        case firing(generation: UInt64)
    }

    private let monitor = Monitor()
    // Guarded by `monitor`.
    private var state = State.idle
    private var generation: UInt64 = 0
    private var sleepingUntilNs: Int64 = .max
    private var started = false

    /// Arms for `deadline`; `fire` runs on the watchdog thread if `disarm` comes too late.
    func arm(until deadline: ContinuousClock.Instant, fire: @escaping @Sendable () -> Void) -> UInt64 {
        let (s, atto) = ContinuousClock.now.duration(to: deadline).components
        let deadlineNs = monotonicNs() + max(0, s * 1_000_000_000 + atto / 1_000_000_000)
        return monitor.locked {
            if !started {
                started = true
                startThread { [self] in run() }
            }
            generation += 1
            state = .armed(generation: generation, deadlineNs: deadlineNs, fire: fire)
            if deadlineNs < sleepingUntilNs { monitor.broadcast() }
            return generation
        }
    }

    /// True when the caller still owns the answer; false when the fallback was (or is being)
    /// posted, in which case this returns only after it has been.
    func disarm(_ token: UInt64) -> Bool {
        monitor.locked {
            if case .armed(let armed, _, _) = state, armed == token {
                state = .idle
                return true
            }
            while case .firing(let firing) = state, firing == token { monitor.wait() }
            return false
        }
    }

    private func run() {
        monitor.locked {
            while true {
                switch state {
                case .idle, .firing:
                    sleepingUntilNs = .max
                    monitor.wait()
                case .armed(let armed, let deadlineNs, let fire):
                    guard monotonicNs() >= deadlineNs else {
                        sleepingUntilNs = deadlineNs
                        monitor.wait(untilNs: deadlineNs)
                        continue
                    }
                    state = .firing(generation: armed)
                    monitor.unlocked { fire() }
                    state = .idle
                    monitor.broadcast()
                }
            }
        }
    }
}
