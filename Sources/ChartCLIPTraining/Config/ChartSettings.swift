import ChartCLIPLabels

/// How a run's charts are drawn: what a predictor exported from the run must draw again.
public struct ChartSettings: Equatable, Sendable {
    /// Candles per chart.
    public var window: Int
    /// Spans of the EMAs drawn (empty: none).
    public var ema: [Int]
    /// Length of the price channel drawn (`nil`: none).
    public var channel: Int?

    /// Settings from their parts.
    public init(window: Int, ema: [Int] = [], channel: Int? = nil) {
        self.window = window
        self.ema = ema
        self.channel = channel
    }

    /// The cache-key part for the overlays: empty without them (so older caches stay
    /// valid), e.g. `_ema20-50_ch20` with EMA20, EMA50 and the 20-candle channel.
    var overlayKey: String {
        (ema.isEmpty ? "" : "_ema" + ema.map(String.init).joined(separator: "-")) + (channel.map { "_ch\($0)" } ?? "")
    }

    /// Sets `scan`'s window and overlays to these.
    func apply(to scan: inout ScanOptions) {
        scan.window = window
        scan.exponentialAverages = ema
        scan.channel = channel
    }
}
