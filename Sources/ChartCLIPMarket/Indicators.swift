/// Wilder's running average (RMA), the smoothing behind ATR and ADX.
///
/// For the first `period` values it is the plain mean of the values so far (Wilder's seed is
/// the mean of the first `period` values, so from then on it equals the textbook series);
/// after that `average = (average · (period − 1) + x) / period`.
public struct WilderAverage: Sendable, Equatable {
    /// Smoothing length (14 for ATR14 and ADX14).
    public let period: Int
    /// Values seen so far.
    public private(set) var count = 0
    /// The current average (0 before the first value).
    public private(set) var value = 0.0

    /// Creates an empty average.
    public init(period: Int) { self.period = max(period, 1) }

    /// Adds `x` and returns the new average.
    @discardableResult
    public mutating func update(_ x: Double) -> Double {
        count += 1
        let n = Double(min(count, period))
        value += (x - value) / n
        return value
    }
}

/// An exponential moving average with `α = 2 / (period + 1)`, seeded with the first value
/// (as pandas' `ewm(span:, adjust: false)`); the seed's weight after `k` values is `(1 − α)^k`,
/// under 3% for EMA50 after 96 bars.
public struct ExponentialAverage: Sendable, Equatable {
    /// Span of the average (20 for EMA20).
    public let period: Int
    /// The current value, `nil` before the first update.
    public private(set) var value: Double?

    /// Creates an empty average.
    public init(period: Int) { self.period = max(period, 1) }

    /// Adds `x` and returns the new average.
    @discardableResult
    public mutating func update(_ x: Double) -> Double {
        let alpha = 2 / Double(period + 1)
        let next = value.map { $0 + alpha * (x - $0) } ?? x
        value = next
        return next
    }
}

/// Welles Wilder's directional movement system (+DI, −DI, ADX), updated one candle at a time.
///
/// +DM = high − previous high and −DM = previous low − low, each kept only when it is the
/// larger and positive; both and the true range are Wilder-smoothed; DI = 100 · DM / TR;
/// DX = 100 · |+DI − −DI| / (+DI + −DI); ADX is the Wilder average of DX. The first candle
/// only seeds the state (ADX 0), and the seed phase lasts about `2 · period` candles.
public struct DirectionalMovement: Sendable, Equatable {
    /// One reading of the system.
    public struct Reading: Sendable, Equatable {
        /// +DI, 0–100.
        public var plusDI: Double
        /// −DI, 0–100.
        public var minusDI: Double
        /// ADX, 0–100: trend strength regardless of direction.
        public var adx: Double
    }

    private var previous: Candle?
    private var trueRange: WilderAverage
    private var plusDM: WilderAverage
    private var minusDM: WilderAverage
    private var dx: WilderAverage

    /// Creates the system with Wilder's smoothing length (14 for ADX14).
    public init(period: Int = 14) {
        trueRange = WilderAverage(period: period)
        plusDM = WilderAverage(period: period)
        minusDM = WilderAverage(period: period)
        dx = WilderAverage(period: period)
    }

    /// Adds the next candle and returns the new reading.
    public mutating func update(_ candle: Candle) -> Reading {
        defer { previous = candle }
        guard let previous else { return Reading(plusDI: 0, minusDI: 0, adx: 0) }
        let up = candle.high - previous.high
        let down = previous.low - candle.low
        let tr = trueRange.update(Indicators.trueRange(candle, previousClose: previous.close))
        let pdm = plusDM.update(up > down && up > 0 ? up : 0)
        let mdm = minusDM.update(down > up && down > 0 ? down : 0)
        let plus = tr > 0 ? 100 * pdm / tr : 0
        let minus = tr > 0 ? 100 * mdm / tr : 0
        let sum = plus + minus
        let adx = dx.update(sum > 0 ? 100 * abs(plus - minus) / sum : 0)
        return Reading(plusDI: plus, minusDI: minus, adx: adx)
    }
}

/// Technical indicators on candles, shared by the synthetic market (which plants setups that
/// must satisfy them) and the local labeler (which reads setups with them).
///
/// Conventions: a value at index `t` uses candles `0...t` only (no look-ahead); windows that
/// "exclude the current bar" (channel, relative volume) use `t − n ..< t`.
public enum Indicators {
    /// True range: the largest of high − low, |high − previous close|, |low − previous close|;
    /// just high − low for the first candle.
    @inlinable
    public static func trueRange(_ candle: Candle, previousClose: Double?) -> Double {
        guard let pc = previousClose else { return candle.high - candle.low }
        return max(candle.high - candle.low, abs(candle.high - pc), abs(candle.low - pc))
    }

    /// Average true range with Wilder's smoothing (ATR14 for `period` 14), one value per candle.
    public static func atr(_ candles: [Candle], period: Int = 14) -> [Double] {
        var average = WilderAverage(period: period)
        var previousClose: Double?
        return candles.map { c in
            defer { previousClose = c.close }
            return average.update(trueRange(c, previousClose: previousClose))
        }
    }

    /// Exponential moving average of `values`, one value per input.
    public static func ema(_ values: [Double], period: Int) -> [Double] {
        var average = ExponentialAverage(period: period)
        return values.map { average.update($0) }
    }

    /// ADX with +DI and −DI (Wilder), one reading per candle.
    public static func directionalMovement(_ candles: [Candle], period: Int = 14) -> [DirectionalMovement.Reading] {
        var system = DirectionalMovement(period: period)
        return candles.map { system.update($0) }
    }

    /// Highest high and lowest low of the `length` candles before `index` (the current candle
    /// excluded, so a breakout is measured against the range it breaks). Uses the candles
    /// available when fewer precede it; `nil` at index 0.
    public static func channel(_ candles: [Candle], at index: Int, length: Int = 20) -> (high: Double, low: Double)? {
        guard index > 0, index < candles.count else { return nil }
        var high = -Double.infinity
        var low = Double.infinity
        for c in candles[max(0, index - length)..<index] {
            high = max(high, c.high)
            low = min(low, c.low)
        }
        return (high, low)
    }

    /// Relative volume: this candle's volume over the median volume of the `lookback` candles
    /// before it (the current candle excluded, so a spike is not diluted by itself). The
    /// median, not the mean, so one earlier spike does not hide the next. 1 at index 0 or
    /// when the median is 0.
    public static func relativeVolume(_ candles: [Candle], at index: Int, lookback: Int = 20) -> Double {
        guard index < candles.count, let m = medianVolume(candles, before: index, lookback: lookback), m > 0
        else { return 1 }
        return candles[index].volume / m
    }

    /// The median volume of the `lookback` candles before `index` (fewer near the start);
    /// `nil` at index 0, where there are none. The base of `relativeVolume` and of a chart's
    /// volume line.
    public static func medianVolume(_ candles: some RandomAccessCollection<Candle>, before index: Int, lookback: Int) -> Double? {
        guard index > 0, lookback >= 1 else { return nil }
        let start = candles.index(candles.startIndex, offsetBy: max(0, index - lookback))
        let end = candles.index(candles.startIndex, offsetBy: index)
        return median(candles[start..<end].map(\.volume))
    }

    /// The median of `values` (mean of the two middle values for an even count; 0 if empty).
    public static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
