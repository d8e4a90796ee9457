/// One OHLCV candle. Times are UTC milliseconds since the Unix epoch; `startTime` is the
/// candle's open time, as Bybit reports it.
public struct Candle: Equatable, Hashable, Sendable, Codable {
    /// Open time of the candle, UTC milliseconds since the epoch.
    public var startTime: Int64
    /// First traded price.
    public var open: Double
    /// Highest traded price.
    public var high: Double
    /// Lowest traded price.
    public var low: Double
    /// Last traded price.
    public var close: Double
    /// Base-coin volume (Bybit `volume`).
    public var volume: Double
    /// Quote (USDT) turnover (Bybit `turnover`); 0 when the source has none.
    public var turnover: Double

    /// Creates a candle.
    public init(
        startTime: Int64, open: Double, high: Double, low: Double, close: Double,
        volume: Double, turnover: Double = 0
    ) {
        self.startTime = startTime
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.turnover = turnover
    }

    /// `true` when the candle closed at or above its open (drawn green).
    public var isUp: Bool { close >= open }
}

/// A candle interval, in the units Bybit's `interval` parameter uses.
public struct CandleInterval: Equatable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// Length of one candle in milliseconds.
    public var milliseconds: Int64

    /// Creates an interval from its length in minutes.
    public init(minutes: Int) { self.milliseconds = Int64(minutes) * 60_000 }

    /// Length in minutes.
    public var minutes: Int { Int(milliseconds / 60_000) }

    /// 15-minute candles, the users' scan interval.
    public static let m15 = CandleInterval(minutes: 15)
    /// One-hour candles.
    public static let h1 = CandleInterval(minutes: 60)
    /// Four-hour candles.
    public static let h4 = CandleInterval(minutes: 240)
    /// Daily candles.
    public static let d1 = CandleInterval(minutes: 1440)

    /// `15m`, `1h`, `4h`, `1d`: the short name used in file names and JSON.
    public var description: String {
        let m = minutes
        if m % 1440 == 0 { return "\(m / 1440)d" }
        if m % 60 == 0 { return "\(m / 60)h" }
        return "\(m)m"
    }
}

/// Candles of one symbol at one interval, sorted ascending by start time.
public struct CandleSeries: Equatable, Sendable {
    /// The trading pair, e.g. `BTCUSDT`.
    public var symbol: String
    /// The candle interval.
    public var interval: CandleInterval
    /// Candles, oldest first.
    public var candles: [Candle]

    /// Creates a series. Call `validate()` to check ordering and prices.
    public init(symbol: String, interval: CandleInterval, candles: [Candle]) {
        self.symbol = symbol
        self.interval = interval
        self.candles = candles
    }

    /// UTC close time of candle `index` in milliseconds: its start plus one interval.
    public func closeTime(at index: Int) -> Int64 {
        candles[index].startTime + interval.milliseconds
    }
}
