import ChartCLIPMarket

/// The volume line a chart draws (`ChartOverlays.volumeLine`): at every candle of a window, a
/// multiple of the median volume of the `lookback` candles before it (the candle itself
/// excluded), from the window's own candles only, so a candle's volume is at or above its
/// level exactly when `MarketFeatures.relativeVolume(at:)` on the chart's candles is at least
/// the multiple.
public enum VolumeLine {
    /// The local labeler's relative-volume lookback (`MarketFeatures.Periods.volume`).
    public static let lookback = MarketFeatures.Periods().volume

    /// The level at every index of `window` (`nil` at its first candle, which has nothing
    /// before it inside the window, and where the candles before traded nothing).
    public static func levels(
        _ candles: [Candle], multiple: Double, lookback: Int = VolumeLine.lookback, over window: Range<Int>
    ) -> [Double?] {
        guard lookback >= 1, !window.isEmpty else { return [] }
        let own = candles[window]
        return (0..<own.count).map { i in
            guard let median = Indicators.medianVolume(own, before: i, lookback: lookback), median > 0 else { return nil }
            return multiple * median
        }
    }

    /// Whether each candle of `window` reaches its level: its volume over the median of the
    /// `lookback` candles before it inside the window is at least `multiple`, the division
    /// `Indicators.relativeVolume` makes, so a highlighted candle is exactly one whose relative
    /// volume the labeler reads at or over `multiple` (the first candle, and candles after
    /// candles that traded nothing, never reach it).
    public static func reached(
        _ candles: [Candle], multiple: Double, lookback: Int = VolumeLine.lookback, over window: Range<Int>
    ) -> [Bool] {
        guard lookback >= 1, !window.isEmpty else { return [] }
        let own = candles[window]
        return own.indices.map { i in
            let k = i - own.startIndex
            guard let median = Indicators.medianVolume(own, before: k, lookback: lookback), median > 0 else { return false }
            return own[i].volume / median >= multiple
        }
    }
}
