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
        moving(Self.graded, by: fraction)
    }

    /// The thresholds made harder to meet by `fraction` with only the one named `name` (one of
    /// `graded`'s names) moved; `nil` for an unknown name.
    public func tightened(by fraction: Double, only name: String) -> SetupThresholds? {
        guard let threshold = Self.graded.first(where: { $0.name == name }) else { return nil }
        return moving([threshold], by: fraction)
    }

    /// These thresholds with `moved` made harder to meet by `fraction`.
    private func moving(_ moved: [Graded], by fraction: Double) -> SetupThresholds {
        var t = self
        for threshold in moved { t[keyPath: threshold.keyPath] *= 1 + threshold.tightening * fraction }
        return t
    }

    /// One threshold `tightened(by:)` moves: its name in files and reports, where it is, and
    /// which way makes it harder to meet (+1 for a minimum, −1 for a maximum or tolerance).
    public struct Graded: Sendable {
        public let name: String
        public let keyPath: WritableKeyPath<SetupThresholds, Double> & Sendable
        public let tightening: Double
    }

    /// One bar count of the setup rules: its name in files and reports, and where it is.
    public struct Counted: Sendable {
        public let name: String
        public let keyPath: WritableKeyPath<SetupThresholds, Int> & Sendable
    }

    /// The bar counts the setup rules read, in declaration order (the phase lookback decides
    /// phases, not setups).
    public static let counted: [Counted] = [
        Counted(name: "pullback_lookback", keyPath: \.pullbackLookback),
        Counted(name: "fakeout_return_bars", keyPath: \.fakeoutReturnBars),
        Counted(name: "trend_pullback_bars", keyPath: \.trendPullbackBars),
    ]

    /// These thresholds with the bar count `name` (one of `counted`'s names) moved by `bars`;
    /// `nil` for an unknown name or a count that would fall below 1.
    public func shifted(_ name: String, by bars: Int) -> SetupThresholds? {
        guard let count = Self.counted.first(where: { $0.name == name }) else { return nil }
        var t = self
        t[keyPath: count.keyPath] += bars
        return t[keyPath: count.keyPath] >= 1 ? t : nil
    }

    /// Every threshold that is a level rather than a bar count, in declaration order.
    public static let graded: [Graded] = [
        Graded(name: "range_max_width", keyPath: \.rangeMaxWidth, tightening: -1),
        Graded(name: "range_max_adx", keyPath: \.rangeMaxADX, tightening: -1),
        Graded(name: "range_max_slope", keyPath: \.rangeMaxSlope, tightening: -1),
        Graded(name: "breakout_delta_atr", keyPath: \.breakoutDeltaATR, tightening: 1),
        Graded(name: "breakout_min_rv", keyPath: \.breakoutMinRV, tightening: 1),
        Graded(name: "breakout_min_body", keyPath: \.breakoutMinBody, tightening: 1),
        Graded(name: "breakout_close_zone", keyPath: \.breakoutCloseZone, tightening: -1),
        Graded(name: "pullback_touch_atr", keyPath: \.pullbackTouchATR, tightening: -1),
        Graded(name: "pullback_hold_atr", keyPath: \.pullbackHoldATR, tightening: -1),
        Graded(name: "fakeout_min_wick", keyPath: \.fakeoutMinWick, tightening: 1),
        Graded(name: "exhaustion_min_extension", keyPath: \.exhaustionMinExtension, tightening: 1),
        Graded(name: "exhaustion_min_rv", keyPath: \.exhaustionMinRV, tightening: 1),
        Graded(name: "exhaustion_min_wick", keyPath: \.exhaustionMinWick, tightening: 1),
        Graded(name: "trend_min_slope", keyPath: \.trendMinSlope, tightening: 1),
        Graded(name: "trend_min_adx", keyPath: \.trendMinADX, tightening: 1),
        Graded(name: "trend_pullback_atr", keyPath: \.trendPullbackATR, tightening: -1),
    ]
}
