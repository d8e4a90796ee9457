import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// The scoring context of a chart: issue 5's features at the chart's last candle, computed
/// from the chart's own candles only. It is what `_meta.json` stores, what the GPT labeler
/// sends beside the image, and what the GPT labeler reads a direction from when an answer
/// names none.
///
/// JSON keys are snake_case; prices keep their full precision, derived ratios are rounded to
/// six significant digits so the files stay readable.
public struct ScoringContext: Equatable, Sendable, Codable {
    /// Trading pair.
    public var symbol: String
    /// Candle interval, e.g. `15m`.
    public var interval: String
    /// Candles in the chart.
    public var bars: Int
    /// Close time of the chart's last candle, ISO 8601 UTC.
    public var closeTime: String
    /// Close time of the chart's last candle, UTC ms.
    public var closeTimeMs: Int64
    /// Last candle's open.
    public var open: Double
    /// Last candle's high.
    public var high: Double
    /// Last candle's low.
    public var low: Double
    /// Last close.
    public var close: Double
    /// ATR14 (Wilder).
    public var atr: Double
    /// EMA20 of closes.
    public var ema20: Double
    /// EMA50 of closes.
    public var ema50: Double
    /// EMA20 slope, (EMA20ₜ − EMA20ₜ₋₅) / (5·ATR).
    public var slope: Double
    /// ADX14.
    public var adx: Double
    /// +DI14.
    public var plusDI: Double
    /// −DI14.
    public var minusDI: Double
    /// Highest high of the 20 bars before the last (HH).
    public var channelHigh: Double
    /// Lowest low of the 20 bars before the last (LL).
    public var channelLow: Double
    /// W = (HH − LL) / ATR.
    public var channelWidth: Double
    /// Where the close sits in the channel: 0 at LL, 1 at HH, beyond outside it.
    public var channelPosition: Double
    /// RV = volume / median volume of the 20 bars before.
    public var relativeVolume: Double
    /// ext = (close − EMA20) / ATR.
    public var meanExtension: Double
    /// Last candle's body / (high − low).
    public var bodyFraction: Double
    /// Last candle's upper wick / (high − low).
    public var upperWickFraction: Double
    /// Last candle's lower wick / (high − low).
    public var lowerWickFraction: Double
    /// Change from the chart's first open to its last close, in percent.
    public var windowChangePercent: Double

    enum CodingKeys: String, CodingKey {
        case symbol, interval, bars, open, high, low, close, atr, ema20, ema50, slope, adx
        case closeTime = "close_time", closeTimeMs = "close_time_ms"
        case plusDI = "plus_di", minusDI = "minus_di", channelHigh = "channel_high", channelLow = "channel_low"
        case channelWidth = "channel_width_atr", channelPosition = "channel_position"
        case relativeVolume = "relative_volume", meanExtension = "extension_atr"
        case bodyFraction = "body_fraction", upperWickFraction = "upper_wick_fraction"
        case lowerWickFraction = "lower_wick_fraction", windowChangePercent = "window_change_pct"
    }

    /// The context of the chart that ends with the last of `features`' candles.
    ///
    /// - Throws: when there are fewer than two candles (no channel to measure against).
    public init(features f: MarketFeatures, symbol: String, interval: CandleInterval) throws {
        guard f.count >= 2 else {
            throw ChartCLIPError(
                "a scoring context needs at least 2 candles, got \(f.count)", at: symbol,
                hint: "use a chart window of 30 candles or more")
        }
        let t = f.count - 1
        let c = f.candles[t]
        let channel = f.channel(at: t) ?? (c.high, c.low)
        let range = c.high - c.low
        func share(_ x: Double) -> Double { range > 0 ? Self.round(x / range) : 0 }
        let channelSpan = channel.high - channel.low
        self.symbol = symbol
        self.interval = interval.description
        bars = f.count
        closeTimeMs = c.startTime + interval.milliseconds
        closeTime = UTCTime.iso(milliseconds: closeTimeMs)
        open = c.open
        high = c.high
        low = c.low
        close = c.close
        atr = Self.round(f.atr[t])
        ema20 = Self.round(f.emaFast[t])
        ema50 = Self.round(f.emaSlow[t])
        slope = Self.round(f.slope(at: t))
        adx = Self.round(f.directional[t].adx)
        plusDI = Self.round(f.directional[t].plusDI)
        minusDI = Self.round(f.directional[t].minusDI)
        channelHigh = channel.high
        channelLow = channel.low
        let width = f.channelWidth(at: t)
        channelWidth = width.isFinite ? Self.round(width) : 0
        channelPosition = channelSpan > 0 ? Self.round((c.close - channel.low) / channelSpan) : 0.5
        relativeVolume = Self.round(f.relativeVolume(at: t))
        meanExtension = Self.round(f.meanExtension(at: t))
        bodyFraction = share(abs(c.close - c.open))
        upperWickFraction = share(c.high - max(c.open, c.close))
        lowerWickFraction = share(min(c.open, c.close) - c.low)
        let firstOpen = f.candles[0].open
        windowChangePercent = firstOpen > 0 ? Self.round(100 * (c.close / firstOpen - 1)) : 0
    }

    /// The context of the chart showing `candles` (oldest first) of `symbol`.
    public init(candles: some Sequence<Candle>, symbol: String, interval: CandleInterval) throws {
        try self.init(features: MarketFeatures(candles: Array(candles)), symbol: symbol, interval: interval)
    }

    /// The context as one line of JSON with sorted keys (what the GPT prompt carries).
    public func jsonString() throws -> String {
        String(decoding: try LabelJSON.encoder(pretty: false).encode(self), as: UTF8.self)
    }

    /// `x` rounded to six significant digits (0 stays 0; non-finite becomes 0, which JSON
    /// could not hold anyway).
    static func round(_ x: Double) -> Double {
        guard x.isFinite, x != 0 else { return 0 }
        let digits = 6 - Int(log10(abs(x)).rounded(.up))
        let scale = pow(10, Double(max(min(digits, 15), -15)))
        return (x * scale).rounded() / scale
    }
}

/// The JSON settings every file of the labels module uses: sorted keys and no escaped slashes,
/// so the same record always gives the same bytes.
enum LabelJSON {
    static func encoder(pretty: Bool) -> JSONEncoder {
        let e = JSONEncoder.chartCLIP()
        e.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    static func line<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder(pretty: false).encode(value), as: UTF8.self)
    }

    static func pretty<T: Encodable>(_ value: T) throws -> Data {
        var data = try encoder(pretty: true).encode(value)
        data.append(0x0A)
        return data
    }
}
