import Foundation
import Prometheus

/// The server's counters and histograms, exposed at `GET /metrics` in the Prometheus text
/// format: requests and errors per route and status, request latency per route, batch sizes
/// and forward-pass time through the image tower, queued charts, reloads and resident memory.
public final class ServeMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry = PrometheusCollectorRegistry()
    private let batchSizes: ValueHistogram
    private let batchSeconds: DurationHistogram
    private let queued: Gauge
    private let memory: Gauge
    private let reloads: Counter
    private let reloadFailures: Counter

    /// Seconds: from a millisecond to ten seconds, roughly doubling.
    static let latencyBuckets: [Duration] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000].map { .milliseconds($0) }

    /// The metrics, registered in a fresh registry.
    public init(maxBatch: Int) {
        let sizes = [1, 2, 4, 8, 16, 32, 64, 128, 256].filter { $0 <= max(1, maxBatch) }.map(Double.init)
        batchSizes = registry.makeValueHistogram(
            descriptor: Self.name("batch_size", help: "Charts per forward pass through the image tower"), buckets: sizes)
        batchSeconds = registry.makeDurationHistogram(
            descriptor: Self.name("batch_duration", unit: "seconds", help: "Forward pass time of one batch"),
            buckets: Self.latencyBuckets)
        queued = registry.makeGauge(descriptor: Self.name("queued_charts", help: "Charts waiting for the image tower"))
        memory = registry.makeGauge(descriptor: Self.name("resident_memory", unit: "bytes", help: "Resident set size of the server"))
        reloads = registry.makeCounter(descriptor: Self.name("predictor_reloads", unit: "total", help: "Predictor versions loaded after start"))
        reloadFailures = registry.makeCounter(
            descriptor: Self.name("predictor_reload_failures", unit: "total", help: "Reloads refused (the old predictor kept serving)"))
    }

    static func name(_ metric: String, unit: String? = nil, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "chartclip", metricName: metric, unitName: unit, helpText: help)
    }

    /// Counts one answered request and its latency.
    public func request(route: String, status: Int, seconds: Double) {
        let labels = [("route", route), ("status", String(status))]
        registry.makeCounter(descriptor: Self.name("requests", unit: "total", help: "Requests answered"), labels: labels).increment()
        if status >= 400 {
            registry.makeCounter(
                descriptor: Self.name("request_errors", unit: "total", help: "Requests answered with 4xx or 5xx"),
                labels: labels
            ).increment()
        }
        registry.makeDurationHistogram(
            descriptor: Self.name("request_duration", unit: "seconds", help: "Time from the request to its answer"),
            labels: [("route", route)], buckets: Self.latencyBuckets
        ).record(.nanoseconds(Int64(seconds * 1e9)))
    }

    /// Records one batch through the image tower.
    public func batch(_ report: PredictionBatcher.BatchReport) {
        batchSizes.record(Double(report.size))
        batchSeconds.record(.nanoseconds(Int64(report.seconds * 1e9)))
    }

    /// Counts a reload that took (`true`) or was refused.
    public func reload(succeeded: Bool) {
        (succeeded ? reloads : reloadFailures).increment()
    }

    /// The exposition text, with the gauges read now.
    public func render(queuedCharts: Int) -> String {
        queued.set(Double(queuedCharts))
        memory.set(Double(ResidentMemory.bytes() ?? 0))
        return registry.emitToString()
    }
}

/// This process's resident set size.
public enum ResidentMemory {
    /// Bytes resident now (Linux: `/proc/self/statm`), or `nil` where that cannot be read.
    public static func bytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
