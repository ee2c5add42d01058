public import CoreMetrics
import LifestyleCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A swift-metrics backend writing CloudWatch Embedded Metric Format: one JSON object per line
/// on stdout, emitted by `flush()` (the runtime calls it after each invocation). Counters are
/// summed between flushes, timers and recorders keep their samples (EMF value arrays).
public final class EMFMetricsFactory: MetricsFactory, Sendable {
    public let namespace: String
    public let service: String
    let sink: @Sendable (String) -> Void
    let storage = EMFStorage()
    let coldStart = Mutex<Double?>(nil)

    /// `namespace` is e.g. `LifestyleBackend/dev`. `sink` receives whole lines (default: stdout).
    public init(namespace: String, service: String = "api-handler", sink: @escaping @Sendable (String) -> Void = EMFMetricsFactory.stdout) {
        self.namespace = namespace
        self.service = service
        self.sink = sink
    }

    public static let stdout: @Sendable (String) -> Void = { line in
        var line = line
        line.withUTF8 { buf in
            var off = 0
            while off < buf.count {
                let n = write(1, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { break }
                off += n
            }
        }
    }

    /// Records the cold start (emitted once, with the next flush).
    public func recordColdStart(initDuration: Duration) {
        let ms = Double(initDuration.components.seconds) * 1000 + Double(initDuration.components.attoseconds) / 1e15
        coldStart.withLock { $0 = ms }
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        storage.series(label: label, dimensions: dimensions, unit: "Count", counter: true)
    }
    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        storage.series(label: label, dimensions: dimensions, unit: "None", counter: false)
    }
    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        storage.series(label: label, dimensions: dimensions, unit: "None", counter: false)
    }
    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        storage.series(label: label, dimensions: dimensions, unit: "Milliseconds", counter: false)
    }
    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyMeter(_ handler: any MeterHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}

    /// Writes one EMF line per series that changed since the last flush, then resets them.
    public func flush() {
        let timestamp = Clock.epochMs()
        if let ms = coldStart.withLock({ v -> Double? in
            defer { v = nil }; return v
        }) {
            var line = header(timestamp: timestamp, dimensions: [], metrics: [("ColdStart", "Count"), ("InitDuration", "Milliseconds")])
            line += ",\"ColdStart\":1,\"InitDuration\":" + Self.number(ms) + "}\n"
            sink(line)
        }
        for snapshot in storage.drain() {
            var line = header(timestamp: timestamp, dimensions: snapshot.dimensions.map(\.0), metrics: [(snapshot.label, snapshot.unit)])
            for (k, v) in snapshot.dimensions {
                line += ","
                JSONText.appendQuoted(k, to: &line)
                line += ":"
                JSONText.appendQuoted(v, to: &line)
            }
            line += ","
            JSONText.appendQuoted(snapshot.label, to: &line)
            line += ":"
            if snapshot.values.count == 1 {
                line += Self.number(snapshot.values[0])
            } else {
                line += "[" + snapshot.values.map(Self.number).joined(separator: ",") + "]"
            }
            line += "}\n"
            sink(line)
        }
    }

    func header(timestamp: Int64, dimensions: [String], metrics: [(String, String)]) -> String {
        var s = "{\"_aws\":{\"Timestamp\":\(timestamp),\"CloudWatchMetrics\":[{\"Namespace\":"
        JSONText.appendQuoted(namespace, to: &s)
        s += ",\"Dimensions\":[["
        for (i, d) in (["service"] + dimensions).enumerated() {
            if i > 0 { s += "," }
            JSONText.appendQuoted(d, to: &s)
        }
        s += "]],\"Metrics\":["
        for (i, m) in metrics.enumerated() {
            if i > 0 { s += "," }
            s += "{\"Name\":"
            JSONText.appendQuoted(m.0, to: &s)
            s += ",\"Unit\":"
            JSONText.appendQuoted(m.1, to: &s)
            s += "}"
        }
        s += "]}]},\"service\":"
        JSONText.appendQuoted(service, to: &s)
        return s
    }

    static func number(_ d: Double) -> String {
        if d.rounded() == d && abs(d) < 1e15 { return String(Int64(d)) }
        return String((d * 1000).rounded() / 1000)
    }
}

struct EMFSnapshot {
    var label: String
    var dimensions: [(String, String)]
    var unit: String
    var values: [Double]
}

/// All series, keyed by label and dimensions; handlers are cached so each `Counter(...)` call
/// with the same label and dimensions lands in the same series.
final class EMFStorage: Sendable {
    private let series = Mutex<[String: EMFSeries]>([:])

    func series(label: String, dimensions: [(String, String)], unit: String, counter: Bool) -> EMFSeries {
        var key = label
        for (k, v) in dimensions { key += "\u{1}" + k + "\u{2}" + v }
        return series.withLock { all in
            if let s = all[key] { return s }
            let s = EMFSeries(label: label, dimensions: dimensions, unit: unit, counter: counter)
            all[key] = s
            return s
        }
    }

    func drain() -> [EMFSnapshot] {
        let all = series.withLock { Array($0.values) }
        return all.compactMap { $0.drain() }.sorted { $0.label < $1.label }
    }
}

final class EMFSeries: CounterHandler, RecorderHandler, TimerHandler, MeterHandler, Sendable {
    let label: String
    let dimensions: [(String, String)]
    let unit: String
    let counter: Bool
    private let state = Mutex<(sum: Int64, samples: [Double], touched: Bool)>((0, [], false))

    init(label: String, dimensions: [(String, String)], unit: String, counter: Bool) {
        self.label = label
        self.dimensions = dimensions
        self.unit = unit
        self.counter = counter
    }

    func drain() -> EMFSnapshot? {
        let (sum, samples, touched) = state.withLock { s in
            defer { s = (0, [], false) }
            return s
        }
        guard touched else { return nil }
        return EMFSnapshot(label: label, dimensions: dimensions, unit: unit, values: counter ? [Double(sum)] : samples)
    }

    // Counter
    func increment(by amount: Int64) {
        state.withLock {
            $0.sum += amount; $0.touched = true
        }
    }
    func reset() { state.withLock { $0 = (0, [], false) } }
    // Recorder / Meter
    func record(_ value: Int64) { sample(Double(value)) }
    func record(_ value: Double) { sample(value) }
    func set(_ value: Int64) { sample(Double(value)) }
    func set(_ value: Double) { sample(value) }
    func increment(by amount: Double) { sample(amount) }
    func decrement(by amount: Double) { sample(-amount) }
    // Timer (milliseconds)
    func recordNanoseconds(_ duration: Int64) { sample(Double(duration) / 1e6) }

    private func sample(_ v: Double) {
        state.withLock { s in
            // EMF allows at most 100 values per metric per line.
            if s.samples.count < 100 { s.samples.append(v) }
            s.touched = true
        }
    }
}
