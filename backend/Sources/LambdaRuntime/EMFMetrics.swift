public import CoreMetrics
import LifestyleToolkit
import Synchronization

#if os(Linux)
    import Glibc
#else
    #error("Linux only: this file calls Glibc directly (the Lambda runtime and the local server run on Linux)")
#endif

/// A swift-metrics backend writing CloudWatch Embedded Metric Format: one JSON object per line
/// on stdout, emitted by `flush()` (the runtime calls it after each invocation). Counters are
/// summed between flushes, timers and recorders keep their samples (EMF value arrays).
public final class EMFMetricsFactory: MetricsFactory, Sendable {
    public let namespace: String
    public let service: String
    let sink: @Sendable (String) -> Void
    let storage: EMFStorage
    let coldStart = Mutex<Double?>(nil)

    /// `namespace` is e.g. `LifestyleBackend/dev`. `sink` receives one or more whole lines per
    /// flush (default: stdout, one write per flush).
    public init(namespace: String, service: String = "api-handler", sink: @escaping @Sendable (String) -> Void = EMFMetricsFactory.stdout) {
        self.namespace = namespace
        self.service = service
        self.sink = sink
        self.storage = EMFStorage(namespace: namespace, service: service)
    }

    public static let stdout: @Sendable (String) -> Void = { lines in StandardStream.write(lines, to: 1) }

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
        let timestamp = UnixClock.epochMilliseconds()
        if let ms = coldStart.withLock({ v -> Double? in
            defer { v = nil }; return v
        }) {
            var line = header(timestamp: timestamp, dimensions: [], metrics: [("ColdStart", "Count"), ("InitDuration", "Milliseconds")])
            line += ",\"ColdStart\":1,\"InitDuration\":" + Self.number(ms) + "}\n"
            sink(line)
        }
        // One write for all series: each line is the cached part of its series plus the values.
        var out = ""
        for snapshot in storage.drain() {
            out += "{\"_aws\":{\"Timestamp\":"
            out += String(timestamp)
            out += snapshot.cachedLine
            if snapshot.values.count == 1 {
                out += Self.number(snapshot.values[0])
            } else {
                out += "[" + snapshot.values.map(Self.number).joined(separator: ",") + "]"
            }
            out += "}\n"
        }
        if !out.isEmpty { sink(out) }
    }

    /// Everything of a series' EMF line after the timestamp, up to its value.
    static func cachedLine(namespace: String, service: String, label: String, unit: String, dimensions: [(String, String)]) -> String {
        var line = EMFMetricsFactory.header(
            namespace: namespace, service: service, timestamp: nil, dimensions: dimensions.map(\.0), metrics: [(label, unit)])
        for (k, v) in dimensions {
            line += ","
            JSONText.appendQuoted(k, to: &line)
            line += ":"
            JSONText.appendQuoted(v, to: &line)
        }
        line += ","
        JSONText.appendQuoted(label, to: &line)
        line += ":"
        return line
    }

    func header(timestamp: Int64, dimensions: [String], metrics: [(String, String)]) -> String {
        Self.header(namespace: namespace, service: service, timestamp: timestamp, dimensions: dimensions, metrics: metrics)
    }

    /// `{"_aws":{"Timestamp":…,"CloudWatchMetrics":[…]},"service":…` (without the opening and
    /// the timestamp when `timestamp` is nil).
    static func header(namespace: String, service: String, timestamp: Int64?, dimensions: [String], metrics: [(String, String)]) -> String {
        var s = timestamp.map { "{\"_aws\":{\"Timestamp\":\($0)" } ?? ""
        s += ",\"CloudWatchMetrics\":[{\"Namespace\":"
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
    var cachedLine: String
    var values: [Double]
}

/// All series, keyed by label and dimensions; handlers are cached so each `Counter(...)` call
/// with the same label and dimensions lands in the same series.
final class EMFStorage: Sendable {
    private let series = Mutex<[String: EMFSeries]>([:])
    let namespace: String
    let service: String

    init(namespace: String, service: String) {
        self.namespace = namespace
        self.service = service
    }

    func series(label: String, dimensions: [(String, String)], unit: String, counter: Bool) -> EMFSeries {
        var key = label
        for (k, v) in dimensions { key += "\u{1}" + k + "\u{2}" + v }
        return series.withLock { all in
            if let s = all[key] { return s }
            let s = EMFSeries(
                label: label, unit: unit, counter: counter,
                cachedLine: EMFMetricsFactory.cachedLine(
                    namespace: namespace, service: service, label: label, unit: unit, dimensions: dimensions))
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
    let unit: String
    let counter: Bool
    let cachedLine: String
    private let state = Mutex<(sum: Int64, samples: [Double], touched: Bool)>((0, [], false))

    init(label: String, unit: String, counter: Bool, cachedLine: String) {
        self.label = label
        self.unit = unit
        self.counter = counter
        self.cachedLine = cachedLine
    }

    func drain() -> EMFSnapshot? {
        let (sum, samples, touched) = state.withLock { s in
            defer { s = (0, [], false) }
            return s
        }
        guard touched else { return nil }
        return EMFSnapshot(label: label, cachedLine: cachedLine, values: counter ? [Double(sum)] : samples)
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
