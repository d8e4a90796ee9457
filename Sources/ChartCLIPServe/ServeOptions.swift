import ChartCLIPDecision
import ChartCLIPSupport
import Foundation

/// How `chartclip serve` listens, batches and bounds the work one request may ask for.
public struct ServeOptions: Sendable {
    /// Address to bind (`127.0.0.1`: this machine only; `0.0.0.0`: every interface).
    public var host = "127.0.0.1"
    /// Port; 0 picks a free one (the server prints it).
    public var port = 8080
    /// Largest batch of charts through the image tower.
    public var maxBatch = 16
    /// Longest a chart waits for others to join its batch, in milliseconds. 0: none; a batch
    /// is then every chart that queued while the tower ran the previous one (continuous
    /// batching), which measured fastest on 2 cores (docs/serving.md).
    public var maxWaitMilliseconds = 0.0
    /// Largest request body, in bytes.
    public var maxBodyBytes = 1 << 20
    /// Most candles one JSON request may carry.
    public var maxCandles = 5000
    /// Longest a request may take before it is answered 503, in seconds.
    public var requestTimeoutSeconds = 30.0
    /// The decision engine's settings for `/v1/decide`.
    public var decision = DecisionConfig()

    /// The defaults.
    public init() {}

    /// Checks every bound before the server starts.
    ///
    /// - Throws: `ChartCLIPError` naming the option and what it allows.
    public func validate() throws {
        guard (0...65_535).contains(port) else {
            throw ChartCLIPError("--port \(port) is not a TCP port", hint: "use 0–65535 (0 picks a free port)")
        }
        guard (1...1024).contains(maxBatch) else {
            throw ChartCLIPError("--max-batch \(maxBatch) is outside 1–1024")
        }
        guard maxWaitMilliseconds.isFinite, (0...10_000).contains(maxWaitMilliseconds) else {
            throw ChartCLIPError("--max-wait-ms \(maxWaitMilliseconds) is outside 0–10000")
        }
        guard (1024...(256 << 20)).contains(maxBodyBytes) else {
            throw ChartCLIPError("--max-body-bytes \(maxBodyBytes) is outside 1 KiB–256 MiB")
        }
        guard (1...1_000_000).contains(maxCandles) else {
            throw ChartCLIPError("--max-candles \(maxCandles) is outside 1–1000000")
        }
        guard requestTimeoutSeconds.isFinite, requestTimeoutSeconds > 0, requestTimeoutSeconds <= 3600 else {
            throw ChartCLIPError("--request-timeout \(requestTimeoutSeconds) is outside (0, 3600] seconds")
        }
    }
}
