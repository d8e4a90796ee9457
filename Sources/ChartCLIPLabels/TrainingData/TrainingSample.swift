import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// The names of one training sample's files: `SYMBOL_YYYYMMDD_HHMM_chart.png`, `…_meta.json`
/// and `…_label.json`, stamped with the UTC close time of the chart's last candle (the users'
/// `JSTUSDT_chart.png`, with the time added so the next scan never overwrites it).
///
/// The label file is the sample's commit marker: it is written last, so a sample without one
/// is incomplete (a scan stopped while writing it) and is redone by the next scan.
public struct TrainingSampleName: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// `BTCUSDT_20250623_1400`.
    public let id: String

    /// The sample of `symbol` whose last candle closes at `closeTimeMs`.
    public init(symbol: String, closeTimeMs: Int64) {
        id = "\(symbol)_\(UTCTime.fileStamp(milliseconds: closeTimeMs))"
    }

    /// The sample a file of `training_data/` belongs to, or `nil` for other files.
    public init?(fileName: String) {
        for suffix in Self.suffixes where fileName.hasSuffix(suffix) && fileName.count > suffix.count {
            id = String(fileName.dropLast(suffix.count))
            return
        }
        return nil
    }

    /// File-name endings of a sample's files.
    public static let chartSuffix = "_chart.png", metaSuffix = "_meta.json", labelSuffix = "_label.json"
    static let suffixes = [chartSuffix, metaSuffix, labelSuffix]

    /// `…_chart.png`.
    public var chartFile: String { id + Self.chartSuffix }
    /// `…_meta.json`.
    public var metaFile: String { id + Self.metaSuffix }
    /// `…_label.json`.
    public var labelFile: String { id + Self.labelSuffix }

    /// The symbol: the id without its `_YYYYMMDD_HHMM` stamp.
    public var symbol: String {
        let parts = id.split(separator: "_", omittingEmptySubsequences: false)
        return parts.count > 2 ? parts.dropLast(2).joined(separator: "_") : id
    }

    /// `id`.
    public var description: String { id }

    /// Orders by id (symbol, then time: the stamp sorts chronologically).
    public static func < (a: Self, b: Self) -> Bool { a.id < b.id }
}

/// `…_meta.json`: where a chart came from, its window, how it was drawn, and its scoring
/// context; the synthetic market's planted label when the chart ends on one.
public struct TrainingSampleMeta: Equatable, Sendable, Codable {
    /// Format version of this file.
    public var formatVersion = 1
    /// Sample id, `SYMBOL_YYYYMMDD_HHMM`.
    public var sample: String
    /// Trading pair.
    public var symbol: String
    /// Candle interval, e.g. `15m`.
    public var interval: String
    /// Candles in the chart.
    public var window: Int
    /// Start time of the chart's first candle, UTC ms: the window's start (for split embargoes).
    public var windowStartMs: Int64
    /// Close time of the chart's last candle, UTC ms: the window's end and the sample's time.
    public var closeTimeMs: Int64
    /// `windowStartMs` as ISO 8601.
    public var windowStart: String
    /// `closeTimeMs` as ISO 8601.
    public var closeTime: String
    /// The chart file's name.
    public var chart: String
    /// Chart size in pixels (square training charts).
    public var chartSize: Int
    /// Moving averages drawn on the chart.
    public var movingAverages: [Int]
    /// Exponential moving averages drawn on the chart; absent when there are none. This and
    /// the next six are `ChartOverlays`, flat in the file.
    public var exponentialAverages: [Int]?
    /// Length of the price channel drawn on the chart; absent when there is none.
    public var channel: Int?
    /// Period of the ADX drawn in its panel; absent when there is none.
    public var adx: Int?
    /// Multiple of the median volume drawn as the volume line; absent when there is none.
    public var volumeLine: Double?
    /// ADX levels drawn as guides in the ADX panel; absent when there are none.
    public var adxLevels: [Double]?
    /// `true` when candles reaching the volume line are highlighted; absent when they are not.
    public var volumeHighlight: Bool?
    /// `true` when broken breakout levels are carried forward; absent when they are not.
    public var brokenLevels: Bool?
    /// Where the candles came from: a file name or `synthetic seed N`.
    public var source: String
    /// The scoring context at the last candle.
    public var features: ScoringContext
    /// The synthetic market's planted label at the last candle, when there is one.
    public var groundTruth: ChartLabel?

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", sample, symbol, interval, window
        case windowStartMs = "window_start_ms", closeTimeMs = "close_time_ms", windowStart = "window_start"
        case closeTime = "close_time", chart, chartSize = "chart_size", movingAverages = "moving_averages"
        case exponentialAverages = "exponential_averages", channel, adx, volumeLine = "volume_line", adxLevels = "adx_levels"
        case volumeHighlight = "volume_highlight", brokenLevels = "broken_levels", source, features, groundTruth = "ground_truth"
    }
}

/// `…_label.json`, and one line of `labels.jsonl`: the label with the sample it belongs to,
/// its time, the setup in the users' words, and which labeler gave it.
public struct TrainingSampleLabel: Equatable, Sendable, Codable {
    /// Sample id, `SYMBOL_YYYYMMDD_HHMM`.
    public var sample: String
    /// Trading pair.
    public var symbol: String
    /// Close time of the chart's last candle, ISO 8601 UTC.
    public var timestamp: String
    /// The same, UTC ms.
    public var timestampMs: Int64
    /// Candle interval.
    public var interval: String
    /// The label.
    public var label: ChartLabel
    /// `local` or `gpt:MODEL` (or `ground_truth` for planted synthetic labels).
    public var labeler: String
    /// The chart file's name.
    public var chart: String

    /// Creates a record.
    public init(name: TrainingSampleName, closeTimeMs: Int64, interval: String, label: ChartLabel, labeler: String) {
        sample = name.id
        symbol = name.symbol
        timestamp = UTCTime.iso(milliseconds: closeTimeMs)
        timestampMs = closeTimeMs
        self.interval = interval
        self.label = label
        self.labeler = labeler
        chart = name.chartFile
    }

    enum CodingKeys: String, CodingKey {
        case sample, symbol, timestamp, timestampMs = "timestamp_ms", interval, labeler, chart
        case setup
    }

    /// Reads a record; the label fields are read strictly (see `ChartLabel`).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sample = try c.decode(String.self, forKey: .sample)
        symbol = try c.decode(String.self, forKey: .symbol)
        timestamp = try c.decode(String.self, forKey: .timestamp)
        timestampMs = try c.decode(Int64.self, forKey: .timestampMs)
        interval = try c.decode(String.self, forKey: .interval)
        labeler = try c.decode(String.self, forKey: .labeler)
        chart = try c.decode(String.self, forKey: .chart)
        label = try ChartLabel(from: decoder)
    }

    /// Writes the label fields flat beside the sample fields, plus `setup` in the users' words.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sample, forKey: .sample)
        try c.encode(symbol, forKey: .symbol)
        try c.encode(timestamp, forKey: .timestamp)
        try c.encode(timestampMs, forKey: .timestampMs)
        try c.encode(interval, forKey: .interval)
        try c.encode(labeler, forKey: .labeler)
        try c.encode(chart, forKey: .chart)
        try c.encode(label.userSetupWord, forKey: .setup)
        try label.encode(to: encoder)
    }
}
