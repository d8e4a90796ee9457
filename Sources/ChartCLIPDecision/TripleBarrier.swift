import ChartCLIPMarket
import Foundation

/// The target and stop of a trade, as fractions of the entry price: fixed (2% and 1% by
/// default) or, when the ATR multiples are set, scaled by the ATR of the candle before the
/// entry (the last one closed when the prediction was made).
public struct BarrierSpec: Codable, Equatable, Sendable {
    /// Target as a fraction of the entry price (0.02 = 2%); used when `targetATR` is `nil`.
    public var target: Double
    /// Stop as a fraction of the entry price (0.01 = 1%); used when `stopATR` is `nil`.
    public var stop: Double
    /// When set, the target is this many ATRs.
    public var targetATR: Double?
    /// When set, the stop is this many ATRs.
    public var stopATR: Double?

    /// A 2% target and a 1% stop unless told otherwise.
    public init(target: Double = 0.02, stop: Double = 0.01, targetATR: Double? = nil, stopATR: Double? = nil) {
        self.target = target
        self.stop = stop
        self.targetATR = targetATR
        self.stopATR = stopATR
    }

    enum CodingKeys: String, CodingKey {
        case target, stop
        case targetATR = "target_atr"
        case stopATR = "stop_atr"
    }

    /// `+2%/-1%` or `+1.5ATR/-1%`: names the barrier in log keys and summaries, so outcomes
    /// measured with different barriers are never mixed.
    public var label: String {
        let up = targetATR.map { "+\(String(format: "%g", $0))ATR" } ?? "+\(String(format: "%g", target * 100))%"
        let down = stopATR.map { "-\(String(format: "%g", $0))ATR" } ?? "-\(String(format: "%g", stop * 100))%"
        return "\(up)/\(down)"
    }

    /// The target and stop fractions for an entry at `price` with `atr` the ATR of the candle
    /// before it; `nil` when an ATR multiple is set but the ATR is unknown or zero.
    public func fractions(entryPrice price: Double, atr: Double?) -> (target: Double, stop: Double)? {
        func scaled(_ multiple: Double?, _ fixed: Double) -> Double? {
            guard let multiple else { return fixed }
            guard let atr, atr > 0, price > 0 else { return nil }
            return multiple * atr / price
        }
        guard let t = scaled(targetATR, target), let s = scaled(stopATR, stop), t > 0, s > 0 else { return nil }
        return (t, s)
    }
}

/// How a trade ended.
public enum BarrierExit: String, Codable, Equatable, Sendable {
    /// The target was reached first.
    case target
    /// The stop was reached first, or in the same candle as the target.
    case stop
    /// Neither before the horizon.
    case horizon
}

/// The outcome of one entry under the triple barrier.
public struct BarrierResult: Equatable, Sendable {
    /// How the trade ended.
    public var exit: BarrierExit
    /// Index of the candle in which it ended (the horizon's last candle for `.horizon`).
    public var exitIndex: Int
    /// The entry price: the open of the entry candle.
    public var entryPrice: Double
    /// The target used, as a fraction of the entry price.
    public var targetFraction: Double
    /// The stop used, as a fraction of the entry price.
    public var stopFraction: Double
    /// Close of the horizon's last candle over the entry, minus 1, in the trade's direction
    /// (positive = the predicted move).
    public var returnAtHorizon: Double
    /// The same as a long would see it (positive = price rose).
    public var rawReturn: Double
    /// What the trade made: `+target`, `−stop`, or `returnAtHorizon` (gross, no fees).
    public var tradeReturn: Double
    /// Largest move in the trade's favour within the horizon, as a fraction (≥ 0).
    public var maxFavourableExcursion: Double
    /// Largest move against the trade within the horizon, as a fraction (≥ 0).
    public var maxAdverseExcursion: Double

    /// `true` when the target was reached before the stop and the horizon.
    public var success: Bool { exit == .target }
}

/// The triple barrier of López de Prado ("Advances in Financial Machine Learning", 2018,
/// ch. 3): a target, a stop and a time limit; the first one touched decides.
///
/// Entry is at the open of the entry candle; the horizon is that candle and the following
/// ones, `bars` in all. Within a candle the order of high and low is unknown, so a candle
/// touching both barriers counts as a stop: the cautious reading. Excursions and the return
/// at the horizon are measured over the whole horizon whatever the exit, so they describe
/// the move itself, not only the trade.
public enum TripleBarrier {
    /// The outcome of entering at `candles[entry].open` in `direction` (`up` or `down`).
    ///
    /// - Returns: `nil` when the horizon runs past the candles, crosses a gap (the candles
    ///   must be consecutive at `interval`), or `direction` is `none`.
    public static func evaluate(
        _ candles: [Candle], interval: CandleInterval, entry: Int, bars: Int, direction: SetupDirection,
        target: Double, stop: Double
    ) -> BarrierResult? {
        guard direction != .none, let last = window(candles, interval: interval, entry: entry, bars: bars)?.upperBound
        else { return nil }
        let up = direction == .up
        let price = candles[entry].open
        // Barrier prices: above the entry for a long's target and a short's stop.
        let targetPrice = up ? price * (1 + target) : price * (1 - target)
        let stopPrice = up ? price * (1 - stop) : price * (1 + stop)
        var exit = BarrierExit.horizon
        var exitIndex = last
        var highest = price, lowest = price
        for k in entry...last {
            let c = candles[k]
            highest = max(highest, c.high)
            lowest = min(lowest, c.low)
            guard exit == .horizon else { continue }
            let stopped = up ? c.low <= stopPrice : c.high >= stopPrice
            let reached = up ? c.high >= targetPrice : c.low <= targetPrice
            if stopped {
                (exit, exitIndex) = (.stop, k)
            } else if reached {
                (exit, exitIndex) = (.target, k)
            }
        }
        let raw = candles[last].close / price - 1
        let directional = up ? raw : -raw
        let rise = highest / price - 1, fall = 1 - lowest / price
        let trade: Double
        switch exit {
        case .target: trade = target
        case .stop: trade = -stop
        case .horizon: trade = directional
        }
        return BarrierResult(
            exit: exit, exitIndex: exitIndex, entryPrice: price, targetFraction: target, stopFraction: stop,
            returnAtHorizon: directional, rawReturn: raw, tradeReturn: trade,
            maxFavourableExcursion: up ? rise : fall, maxAdverseExcursion: up ? fall : rise)
    }

    /// The outcome of an entry at candle `entry` of `series` with `barrier` resolved against
    /// the ATR of the candle before it (`atr` holds one value per candle, as
    /// `Indicators.atr` returns). The one place predictions and base rates are measured, so
    /// both follow the same rules.
    public static func evaluate(
        _ series: CandleSeries, atr: [Double], entry: Int, bars: Int, direction: SetupDirection,
        barrier: BarrierSpec
    ) -> BarrierResult? {
        guard entry >= 1, entry < series.candles.count,
            let f = barrier.fractions(entryPrice: series.candles[entry].open, atr: atr[entry - 1])
        else { return nil }
        return evaluate(
            series.candles, interval: series.interval, entry: entry, bars: bars, direction: direction,
            target: f.target, stop: f.stop)
    }

    /// The indices `entry...entry + bars - 1` of a horizon, or `nil` when they run past the
    /// candles or are not consecutive at `interval` (a gap).
    public static func window(_ candles: [Candle], interval: CandleInterval, entry: Int, bars: Int) -> ClosedRange<Int>? {
        let last = entry + bars - 1
        guard bars >= 1, entry >= 0, last < candles.count,
            candles[last].startTime - candles[entry].startTime == Int64(bars - 1) * interval.milliseconds
        else { return nil }
        return entry...last
    }

    /// Candles in a horizon: `horizon / interval`, or `nil` when the horizon is shorter than
    /// a candle or not a whole number of them.
    public static func bars(horizon: CandleInterval, interval: CandleInterval) -> Int? {
        let h = horizon.milliseconds, i = interval.milliseconds
        guard i > 0, h >= i, h % i == 0 else { return nil }
        return Int(h / i)
    }
}
