import Synchronization

/// Runs `work` in its own task and waits for it until `deadline`. Returns nil if the deadline came
/// first; the work task is then cancelled and left to finish on its own (it may ignore
/// cancellation, and the answer must not wait for it).
func raceDeadline<T: Sendable>(
    until deadline: ContinuousClock.Instant, _ work: @escaping @Sendable () async -> T
) async -> T? {
    let box = FirstWins<T>()
    let worker = Task { box.finish(await work()) }
    let timer = Task {
        try? await Task.sleep(until: deadline, clock: .continuous)
        box.finish(nil)
    }
    let result = await withCheckedContinuation { (c: CheckedContinuation<T?, Never>) in box.wait(c) }
    timer.cancel()
    if result == nil { worker.cancel() }
    return result
}

/// A one-shot rendezvous: the first `finish` wins, whether before or after `wait`.
final class FirstWins<T: Sendable>: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<T?, Never>)
        case done(T?)
        case delivered
    }
    private let state = Mutex<State>(.idle)

    func finish(_ value: T?) {
        let c: CheckedContinuation<T?, Never>? = state.withLock { s in
            switch s {
            case .idle:
                s = .done(value)
                return nil
            case .waiting(let c):
                s = .delivered
                return c
            case .done, .delivered:
                return nil
            }
        }
        c?.resume(returning: value)
    }

    func wait(_ c: CheckedContinuation<T?, Never>) {
        let ready: T?? = state.withLock { s in
            switch s {
            case .idle:
                s = .waiting(c)
                return nil
            case .done(let v):
                s = .delivered
                return .some(v)
            case .waiting, .delivered:
                return nil
            }
        }
        if let ready { c.resume(returning: ready) }
    }
}
