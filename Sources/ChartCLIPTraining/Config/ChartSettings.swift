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
        case ema, channel, adx, volumeLine = "volume_line", adxLevels = "adx_levels"
        case volumeHighlight = "volume_highlight", brokenLevels = "broken_levels"
    }

    /// The overlays a config section names (none when it names none).
    init(configSection decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: ConfigKey.self)
        self.init(
            exponentialAverages: try c.decodeIfPresent([Int].self, forKey: .ema) ?? [],
            channel: try c.decodeIfPresent(Int.self, forKey: .channel), adx: try c.decodeIfPresent(Int.self, forKey: .adx),
            volumeLine: try c.decodeIfPresent(Double.self, forKey: .volumeLine),
            adxLevels: try c.decodeIfPresent([Double].self, forKey: .adxLevels) ?? [],
            volumeHighlight: try c.decodeIfPresent(Bool.self, forKey: .volumeHighlight) ?? false,
            brokenLevels: try c.decodeIfPresent(Bool.self, forKey: .brokenLevels) ?? false)
    }

    /// Writes the overlays into a config section (absent ones are left out).
    func encodeConfigSection(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: ConfigKey.self)
        if !exponentialAverages.isEmpty { try c.encode(exponentialAverages, forKey: .ema) }
        try c.encodeIfPresent(channel, forKey: .channel)
        try c.encodeIfPresent(adx, forKey: .adx)
        try c.encodeIfPresent(volumeLine, forKey: .volumeLine)
        if !adxLevels.isEmpty { try c.encode(adxLevels, forKey: .adxLevels) }
        if volumeHighlight { try c.encode(true, forKey: .volumeHighlight) }
        if brokenLevels { try c.encode(true, forKey: .brokenLevels) }
    }
}

/// What a config's `synthetic:` and `recorded:` sections share: the chart window and stride,
/// what the charts draw over the candles, and the time splits. Each section reads and writes
/// its own fields, then these through `decodeSharedFields` and `encodeSharedFields`.
public protocol ChartDataSection {
    /// Candles per chart.
    var window: Int { get set }
    /// Candles between consecutive charts.
    var stride: Int { get set }
    /// What the charts draw over the candles.
    var overlays: ChartOverlays { get set }
    /// Validation and test fractions of each symbol's time line.
    var valFraction: Double { get set }
    var testFraction: Double { get set }
}

/// The names of `ChartDataSection`'s fields other than the overlays (`ChartOverlays.ConfigKey`).
enum ChartDataSectionKey: String, CodingKey, CaseIterable {
    case window, stride, valFraction = "val_fraction", testFraction = "test_fraction"
}

extension ChartDataSection {
    /// How the charts are drawn.
    public var chart: ChartSettings { ChartSettings(window: window, overlays: overlays) }

    /// The names of the shared fields, overlays included.
    static var sharedFieldNames: [String] {
        ChartDataSectionKey.allCases.map(\.stringValue) + ChartOverlays.ConfigKey.allCases.map(\.stringValue)
    }

    /// Reads the shared fields a section names; the others keep their current values (the
    /// section's defaults).
    mutating func decodeSharedFields(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: ChartDataSectionKey.self)
        window = try c.decodeIfPresent(Int.self, forKey: .window) ?? window
        stride = try c.decodeIfPresent(Int.self, forKey: .stride) ?? stride
        overlays = try ChartOverlays(configSection: decoder)
        valFraction = try c.decodeIfPresent(Double.self, forKey: .valFraction) ?? valFraction
        testFraction = try c.decodeIfPresent(Double.self, forKey: .testFraction) ?? testFraction
    }

    /// Writes the shared fields into a section.
    func encodeSharedFields(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: ChartDataSectionKey.self)
        try c.encode(window, forKey: .window)
        try c.encode(stride, forKey: .stride)
        try overlays.encodeConfigSection(to: encoder)
        try c.encode(valFraction, forKey: .valFraction)
        try c.encode(testFraction, forKey: .testFraction)
    }
}
