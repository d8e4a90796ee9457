import ChartCLIPCharts
import ChartCLIPLabels

/// How a run's charts are drawn: what a predictor exported from the run must draw again.
public struct ChartSettings: Equatable, Sendable {
    /// Candles per chart.
    public var window: Int
    /// What is drawn over the candles.
    public var overlays: ChartOverlays

    /// Settings from their parts.
    public init(window: Int, overlays: ChartOverlays = .none) {
        self.window = window
        self.overlays = overlays
    }

    /// Sets `scan`'s window and overlays to these.
    func apply(to scan: inout ScanOptions) {
        scan.window = window
        scan.overlays = overlays
    }
}

extension ChartOverlays {
    /// The overlay fields of a config's `synthetic:` or `recorded:` section, flat beside the
    /// section's other fields.
    enum ConfigKey: String, CodingKey, CaseIterable {
        case ema, channel, adx, volumeLine = "volume_line"
    }

    /// The overlays a config section names (none when it names none).
    init(configSection decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: ConfigKey.self)
        self.init(
            exponentialAverages: try c.decodeIfPresent([Int].self, forKey: .ema) ?? [],
            channel: try c.decodeIfPresent(Int.self, forKey: .channel), adx: try c.decodeIfPresent(Int.self, forKey: .adx),
            volumeLine: try c.decodeIfPresent(Double.self, forKey: .volumeLine))
    }

    /// Writes the overlays into a config section (absent ones are left out).
    func encodeConfigSection(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: ConfigKey.self)
        if !exponentialAverages.isEmpty { try c.encode(exponentialAverages, forKey: .ema) }
        try c.encodeIfPresent(channel, forKey: .channel)
        try c.encodeIfPresent(adx, forKey: .adx)
        try c.encodeIfPresent(volumeLine, forKey: .volumeLine)
    }
}
