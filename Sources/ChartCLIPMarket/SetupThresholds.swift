/// The constants of the setup and phase rules. Defaults are issue 5's suggestions; prices are
/// measured in ATRs, volume in multiples of the 20-bar median, candle parts in fractions of
/// the bar's high − low.
public struct SetupThresholds: Sendable, Equatable {
    /// Range: widest channel, W = (HH − LL) / ATR.
    public var rangeMaxWidth = 6.0
    /// Range: ADX must stay below this.
    public var rangeMaxADX = 20.0
    /// Range: |EMA20 slope| must stay below this (ATRs per bar).
    public var rangeMaxSlope = 0.05
    /// Breakout: the close must clear the level by δ = this · ATR.
    public var breakoutDeltaATR = 0.1
    /// Breakout: minimum relative volume.
    public var breakoutMinRV = 1.5
    /// Breakout: minimum body as a fraction of the bar.
    public var breakoutMinBody = 0.5
    /// Breakout: the close must lie in this top fraction of the bar.
    public var breakoutCloseZone = 0.3
    /// Pullback: how many bars back the breakout may be.
    public var pullbackLookback = 12
    /// Pullback: a low within this many ATRs above the level counts as a revisit.
    public var pullbackTouchATR = 0.25
    /// Pullback: closes may dip at most this many ATRs below the level.
    public var pullbackHoldATR = 0.1
    /// Fakeout: minimum rejection wick as a fraction of the bar.
    public var fakeoutMinWick = 0.5
    /// Fakeout: a breakout that closes back inside within this many bars failed.
    public var fakeoutReturnBars = 4
    /// Exhaustion: minimum extension (close − EMA20) / ATR.
    public var exhaustionMinExtension = 3.0
    /// Exhaustion: minimum relative volume.
    public var exhaustionMinRV = 3.0
    /// Exhaustion: minimum rejection wick as a fraction of the bar.
    public var exhaustionMinWick = 0.4
    /// Trend: minimum EMA20 slope (ATRs per bar).
    public var trendMinSlope = 0.05
    /// Trend: minimum ADX.
    public var trendMinADX = 25.0
    /// Trend continuation: how many bars back the pullback to EMA20 may be.
    public var trendPullbackBars = 5
    /// Trend continuation: a low within this many ATRs of EMA20 counts as a pullback to it.
    public var trendPullbackATR = 0.2
    /// Phases: how many bars (current included) a breakout or exhaustion keeps its phase.
    public var phaseLookback = 10

    /// Issue 5's suggested thresholds.
    public init() {}

    /// Thresholds made harder to meet by `fraction` (0.15 = 15%): minimums raised, maximums
    /// and tolerances lowered. A negative fraction loosens them. Bar counts are unchanged.
    ///
    /// The synthetic market requires each planted setup to be read the same under the
    /// standard, tightened and loosened thresholds, so a labeler that words a rule slightly
    /// differently (the median including the current bar, ATR of the previous bar) agrees.
    public func tightened(by fraction: Double) -> SetupThresholds {
        let up = 1 + fraction
        let down = 1 - fraction
        var t = self
        t.rangeMaxWidth *= down
        t.rangeMaxADX *= down
        t.rangeMaxSlope *= down
        t.breakoutDeltaATR *= up
        t.breakoutMinRV *= up
        t.breakoutMinBody *= up
        t.breakoutCloseZone *= down
        t.pullbackTouchATR *= down
        t.pullbackHoldATR *= down
        t.fakeoutMinWick *= up
        t.exhaustionMinExtension *= up
        t.exhaustionMinRV *= up
        t.exhaustionMinWick *= up
        t.trendMinSlope *= up
        t.trendMinADX *= up
        t.trendPullbackATR *= down
        return t
    }
}
