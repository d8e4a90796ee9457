import ChartCLIPMarket

/// The volume line a chart draws (`ChartOverlays.volumeLine`): at every candle of a window, a
/// multiple of the median volume of the `lookback` candles before it (the candle itself
/// excluded), from the window's own candles only, so a candle's volume is at or above its
/// level exactly when `MarketFeatures.relativeVolume(at:)` on the chart's candles is at least
/// the multiple.
public enum VolumeLine {
    /// The local labeler's relative-volume lookback (`MarketFeatures.Periods.volume`).
    public static let lookback = MarketFeatures.Periods().volume

    /// The median volume of the `lookback` candles before each candle of `window`, inside the
    /// window (`nil` at its first candle, which has nothing before it there, and where the
    /// candles before traded nothing): the base both the line and the highlight are read off.
    public static func medians(_ candles: [Candle], lookback: Int = VolumeLine.lookback, over window: Range<Int>) -> [Double?] {
        guard lookback >= 1, !window.isEmpty else { return [] }
        let own = candles[window]
        return (0..<own.count).map { i in
            Indicators.medianVolume(own, before: i, lookback: lookback).flatMap { $0 > 0 ? $0 : nil }
        }
    }

    /// The level at every index of `window` (`nil` where `medians` has none).
    public static func levels(
        _ candles: [Candle], multiple: Double, lookback: Int = VolumeLine.lookback, over window: Range<Int>
    ) -> [Double?] {
        medians(candles, lookback: lookback, over: window).map { $0.map { multiple * $0 } }
    }

    /// Whether each candle of `window` reaches its level: its volume over its median in
    /// `medians` is at least `multiple`, the division `Indicators.relativeVolume` makes, so a
    /// highlighted candle is exactly one whose relative volume the labeler reads at or over
    /// `multiple` (a candle without a median never reaches it).
    public static func reached(_ candles: [Candle], multiple: Double, medians: [Double?], over window: Range<Int>) -> [Bool] {
        zip(candles[window], medians).map { candle, median in median.map { candle.volume / $0 >= multiple } ?? false }
    }

    /// `reached` with the medians computed here.
    public static func reached(
        _ candles: [Candle], multiple: Double, lookback: Int = VolumeLine.lookback, over window: Range<Int>
    ) -> [Bool] {
        reached(candles, multiple: multiple, medians: medians(candles, lookback: lookback, over: window), over: window)
    }
}
