import ChartCLIPMarket
import Foundation

/// Hand-made candle series for labeler tests: a few deterministic building blocks (a range,
/// a steady trend, single bars given by hand), written for the upward case; `mirrored()`
/// turns any script into its downward twin (prices reflected around 200, high ↔ low).
struct CandleScript {
    private(set) var candles: [Candle] = []
    private var time: Int64 = 1_735_689_600_000  // 2025-01-01T00:00:00Z
    static let step: Int64 = 900_000

    var lastClose: Double { candles.last?.close ?? 100 }
    var lastHigh: Double { candles.last?.high ?? 100 }
    var count: Int { candles.count }

    /// The highest high of the 20 bars before the next one: the level a breakout must clear.
    var channelHigh: Double { candles.suffix(20).map(\.high).max() ?? 100 }

    /// EMA20 of the closes so far (what a trend pullback must reach).
    var ema20: Double { MarketFeatures(candles: candles).emaFast.last ?? 100 }

    mutating func bar(open: Double? = nil, high: Double, low: Double, close: Double, volume: Double = 1000) {
        let o = open ?? lastClose
        candles.append(Candle(
            startTime: time, open: o, high: max(high, o, close), low: min(low, o, close), close: close, volume: volume))
        time += Self.step
    }

    /// `bars` candles whose closes follow a sine of `amplitude` around `center` (period 10, so
    /// the directional movement cancels within ADX's 14-bar smoothing), wicks of 0.15.
    mutating func range(bars: Int, center: Double = 100, amplitude: Double = 1, volume: Double = 1000) {
        for k in 0..<bars {
            let close = center + amplitude * sin(2 * Double.pi * Double(k) / 10)
            let open = candles.isEmpty ? center : lastClose
            bar(open: open, high: max(open, close) + 0.15, low: min(open, close) - 0.15, close: close, volume: volume)
        }
    }

    /// `bars` candles advancing `step` each, every fifth giving back half a step.
    mutating func trend(bars: Int, step: Double = 0.5, volume: Double = 1000) {
        for k in 0..<bars {
            let move = k % 5 == 4 ? -step / 2 : step
            let open = lastClose
            let close = open + move
            bar(open: open, high: max(open, close) + 0.1, low: min(open, close) - 0.1, close: close, volume: volume)
        }
    }

    /// The script reflected around 200: an up move becomes a down move of the same size.
    func mirrored() -> [Candle] {
        candles.map {
            Candle(startTime: $0.startTime, open: 200 - $0.open, high: 200 - $0.low, low: 200 - $0.high,
                   close: 200 - $0.close, volume: $0.volume)
        }
    }

    /// `count` more candles continuing sideways after the script (for look-ahead tests).
    func extended(by count: Int) -> [Candle] {
        var copy = self
        copy.range(bars: count, center: lastClose, amplitude: 0.8, volume: 1300)
        return copy.candles
    }
}
