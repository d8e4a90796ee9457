import ChartCLIPLabels

/// How a run's charts are drawn: what a predictor exported from the run must draw again.
public struct ChartSettings: Equatable, Sendable {
    /// Candles per chart.
    public var window: Int
    /// Spans of the EMAs drawn (empty: none).
    public var ema: [Int]
    /// Length of the price channel drawn (`nil`: none).
    public var channel: Int?
    /// Period of the ADX drawn in its panel (`nil`: none).
    public var adx: Int?

    /// Settings from their parts.
    public init(window: Int, ema: [Int] = [], channel: Int? = nil, adx: Int? = nil) {
        self.window = window
        self.ema = ema
        self.channel = channel
        self.adx = adx
    }

    /// The cache-key part for the overlays: empty without them (so older caches stay
    /// valid), e.g. `_ema20-50_ch20_adx14` with EMA20, EMA50, the 20-candle channel and ADX14.
    var overlayKey: String {
        (ema.isEmpty ? "" : "_ema" + ema.map(String.init).joined(separator: "-")) + (channel.map { "_ch\($0)" } ?? "")
            + (adx.map { "_adx\($0)" } ?? "")
    }

    /// Sets `scan`'s window and overlays to these.
    func apply(to scan: inout ScanOptions) {
        scan.window = window
        scan.exponentialAverages = ema
        scan.channel = channel
        scan.adx = adx
    }
}
