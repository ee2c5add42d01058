import LifestyleToolkit
import Metrics

/// Business events and request measurements through swift-metrics. Without a bootstrapped
/// metrics backend these are no-ops; the Lambda transport installs a CloudWatch EMF backend.
public enum AppMetrics {
    public static func event(_ name: String) {
        Counter(label: "business_events", dimensions: [("event", name)]).increment()
    }

    /// Requests per API key, by the key's name (API keys on).
    public static func apiKeyUsed(_ name: String) {
        Counter(label: "api_key_requests", dimensions: [("key", name)]).increment()
    }

    public static func failure(_ kind: String) {
        Counter(label: "failures", dimensions: [("kind", kind)]).increment()
    }
}
