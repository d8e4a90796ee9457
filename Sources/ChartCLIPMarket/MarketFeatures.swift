/// The indicators the setup rules read, for every candle of a series, built one candle at a
/// time so a generator can extend it (and roll it back by keeping a copy: it is a value).
///
/// Per-candle values: ATR14 (Wilder), EMA20, EMA50 of closes, ADX14 with ±DI. Derived values
/// (channel, width, relative volume, slope, extension) are computed on demand from those.
/// Everything at index `t` depends on candles `0...t` only.
public struct MarketFeatures: Sendable {
    /// Lengths of the indicators (issue 5's suggested definitions by default).
    public struct Periods: Sendable, Equatable {
        /// ATR smoothing length.
        public var atr = 14
        /// Fast EMA span.
        public var fastEMA = 20
        /// Slow EMA span.
        public var slowEMA = 50
        /// ADX smoothing length.
        public var adx = 14
        /// Channel length (highest high / lowest low before the current bar).
        public var channel = 20
        /// Relative-volume lookback (median of the volumes before the current bar).
        public var volume = 20
        /// Bars over which the EMA20 slope is measured.
        public var slope = 5

        /// The standard lengths: ATR14, EMA20/50, ADX14, 20-bar channel and volume, 5-bar slope.
        public init() {}
    }

    /// The lengths used.
    public let periods: Periods
    /// The candles, oldest first.
    public private(set) var candles: [Candle] = []
    /// ATR per candle.
    public private(set) var atr: [Double] = []
    /// EMA20 of closes per candle.
    public private(set) var emaFast: [Double] = []
    /// EMA50 of closes per candle.
    public private(set) var emaSlow: [Double] = []
    /// ADX with ±DI per candle.
    public private(set) var directional: [DirectionalMovement.Reading] = []

    private var atrState: WilderAverage
    private var fastState: ExponentialAverage
    private var slowState: ExponentialAverage
    private var dmState: DirectionalMovement

    /// Creates empty features.
    public init(periods: Periods = Periods()) {
        self.periods = periods
        atrState = WilderAverage(period: periods.atr)
        fastState = ExponentialAverage(period: periods.fastEMA)
        slowState = ExponentialAverage(period: periods.slowEMA)
        dmState = DirectionalMovement(period: periods.adx)
    }

    /// Features of `candles` (oldest first).
    public init(candles: [Candle], periods: Periods = Periods()) {
        self.init(periods: periods)
        self.candles.reserveCapacity(candles.count)
        for c in candles { append(c) }
    }

    /// Number of candles.
    public var count: Int { candles.count }

    /// Adds the next candle and updates every indicator.
    public mutating func append(_ candle: Candle) {
        let previousClose = candles.last?.close
        atr.append(atrState.update(Indicators.trueRange(candle, previousClose: previousClose)))
        emaFast.append(fastState.update(candle.close))
        emaSlow.append(slowState.update(candle.close))
        directional.append(dmState.update(candle))
        candles.append(candle)
    }

    /// ADX at `t`.
    public func adx(at t: Int) -> Double { directional[t].adx }

    /// Highest high and lowest low of the channel before `t` (current bar excluded).
    public func channel(at t: Int) -> (high: Double, low: Double)? {
        Indicators.channel(candles, at: t, length: periods.channel)
    }

    /// Channel width in ATRs, W = (HH − LL) / ATR; infinity when undefined.
    public func channelWidth(at t: Int) -> Double {
        guard let ch = channel(at: t), atr[t] > 0 else { return .infinity }
        return (ch.high - ch.low) / atr[t]
    }

    /// Relative volume: volume over the median of the previous bars' volumes.
    public func relativeVolume(at t: Int) -> Double {
        Indicators.relativeVolume(candles, at: t, lookback: periods.volume)
    }

    /// EMA20 slope per bar in ATRs, (EMA20ₜ − EMA20ₜ₋₅) / (5 · ATRₜ); 0 before five bars exist.
    public func slope(at t: Int) -> Double {
        let k = periods.slope
        guard t >= k, atr[t] > 0 else { return 0 }
        return (emaFast[t] - emaFast[t - k]) / (Double(k) * atr[t])
    }

    /// Extension from the mean in ATRs, ext = (close − EMA20) / ATR.
    public func meanExtension(at t: Int) -> Double {
        atr[t] > 0 ? (candles[t].close - emaFast[t]) / atr[t] : 0
    }
}
