import ChartCLIPMarket

/// Simple moving averages of the close, as mplfinance's `mav` draws them.
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
}
