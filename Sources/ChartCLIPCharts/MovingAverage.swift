import ChartCLIPMarket

/// Moving averages of the close: simple ones as mplfinance's `mav` draws them, exponential
/// ones as the setup rules read them.
public enum MovingAverage {
    /// The `period`-candle simple moving average of the close at every index of `window`:
    /// the mean of the closes of candles `i − period + 1 … i`, reaching back before the
    /// window when `candles` has those candles; `nil` where fewer than `period` exist.
    public static func simple(_ candles: [Candle], period: Int, over window: Range<Int>) -> [Double?] {
        guard period >= 1, !window.isEmpty else { return [] }
        var out = [Double?](repeating: nil, count: window.count)
        let start = max(0, window.lowerBound - period + 1)
        var sum = 0.0
        for i in start..<window.upperBound {
            sum += candles[i].close
            if i - start >= period { sum -= candles[i - period].close }
            if i >= window.lowerBound && i - start + 1 >= period {
                out[i - window.lowerBound] = sum / Double(period)
            }
        }
        return out
    }

    /// The `span`-candle exponential moving average of the close at every index of `window`,
    /// from the window's candles only: seeded with the first close, then
    /// `ema += 2 / (span + 1) · (close − ema)`, the same recurrence and seed as
    /// `MarketFeatures` applies to a chart's candles, so the line matches the labeler's EMA.
    public static func exponential(_ candles: [Candle], span: Int, over window: Range<Int>) -> [Double?] {
        guard span >= 1, !window.isEmpty else { return [] }
        var average = ExponentialAverage(period: span)
        return window.map { Optional(average.update(candles[$0].close)) }
    }
}
