import ChartCLIPMarket

/// The price channel a chart draws: at every candle of a window, the highest high and lowest
/// low of the `length` candles before it (the candle itself excluded), from the window's own
/// candles only, the same levels `MarketFeatures.channel(at:)` gives the local labeler on a
/// chart's candles.
public enum PriceChannel {
    /// The channel at every index of `window` (`nil` at its first candle, which has nothing
    /// before it inside the window).
    public static func levels(_ candles: [Candle], length: Int, over window: Range<Int>) -> [(high: Double, low: Double)?] {
        guard length >= 1, !window.isEmpty else { return [] }
        let own = Array(candles[window])
        return own.indices.map { Indicators.channel(own, at: $0, length: length) }
    }
}
