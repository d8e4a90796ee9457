/// A setup found at a bar: its type and the direction of the move it implies.
public struct SetupMatch: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The setup.
    public var type: SetupType
    /// The implied direction (`none` for ranges and `none`).
    public var direction: SetupDirection

    /// Creates a match.
    public init(_ type: SetupType, _ direction: SetupDirection) {
        self.type = type
        self.direction = direction
    }

    /// No setup.
    public static let none = SetupMatch(.none, .none)

    /// `fakeout/down`.
    public var description: String { "\(type.rawValue)/\(direction.rawValue)" }
}

/// Issue 5's rule definitions of the setups and phases, read from `MarketFeatures` at one bar
/// with no look-ahead.
///
/// The synthetic market plants setups that these rules detect (and checks every planted bar
/// with them, with thresholds tightened and loosened, so small changes of definition do not
/// flip a label); the local labeler reuses them and adds confidence and phase hysteresis.
/// Every rule is written once for the upward case and applied to a mirrored view of the
/// prices for the downward case.
public struct SetupRules: Sendable {
    /// The thresholds of the rules.
    public var thresholds: SetupThresholds

    /// Rules with the given thresholds (issue 5's suggestions by default).
    public init(thresholds: SetupThresholds = SetupThresholds()) { self.thresholds = thresholds }

    /// The setup at bar `t`, by priority exhaustion > fakeout > breakout with pullback >
    /// breakout > trend continuation > range accumulation > none. When both directions match
    /// the same rule (rare), the upward reading wins.
    public func setup(in f: MarketFeatures, at t: Int) -> SetupMatch {
        guard t > 0, t < f.count else { return .none }
        let views = [Oriented(f, up: true), Oriented(f, up: false)]
        for v in views where isExhaustion(v, at: t) { return SetupMatch(.exhaustion, v.direction.opposite) }
        for v in views where isFakeout(v, at: t) { return SetupMatch(.fakeout, v.direction.opposite) }
        for v in views where isPullback(v, at: t) { return SetupMatch(.breakoutWithPullback, v.direction) }
        for v in views where breakoutLevel(v, at: t) != nil { return SetupMatch(.breakout, v.direction) }
        for v in views where isTrendContinuation(v, at: t) { return SetupMatch(.trendContinuation, v.direction) }
        if isRange(f, at: t) { return SetupMatch(.rangeAccumulation, .none) }
        return .none
    }

    /// The phase at bar `t` without hysteresis, or `nil` when no phase rule holds (the
    /// labeler then keeps the previous phase). Priority: exhaustion-pullback (an exhaustion
    /// within the phase lookback) > breakout-continuation (a breakout within the lookback whose
    /// level still holds) > trend up/down (EMA order, slope, ADX) > range (weak ADX, narrow
    /// channel).
    public func phase(in f: MarketFeatures, at t: Int) -> PhaseType? {
        guard t > 0, t < f.count else { return nil }
        let th = thresholds
        let views = [Oriented(f, up: true), Oriented(f, up: false)]
        let recent = max(1, t - th.phaseLookback + 1)...t
        for v in views {
            if recent.contains(where: { isExhaustion(v, at: $0) }) { return .exhaustionPullback }
        }
        for v in views {
            for b in recent.reversed() {
                guard let level = breakoutLevel(v, at: b) else { continue }
                if v.close(t) >= level - th.pullbackHoldATR * f.atr[t] { return .breakoutContinuation }
            }
        }
        for v in views where isTrend(v, at: t) { return v.up ? .trendUp : .trendDown }
        if f.adx(at: t) < th.rangeMaxADX && f.channelWidth(at: t) <= th.rangeMaxWidth { return .range }
        return nil
    }

    // MARK: The rules, written for the upward case

    /// W ≤ 6, ADX < 20, |slope| < 0.05.
    public func isRange(_ f: MarketFeatures, at t: Int) -> Bool {
        let th = thresholds
        return f.channelWidth(at: t) <= th.rangeMaxWidth && f.adx(at: t) < th.rangeMaxADX
            && abs(f.slope(at: t)) < th.rangeMaxSlope
    }

    /// The broken level (HH) when bar `t` is a breakout: close > HH + δ, RV ≥ 1.5, body ≥ half
    /// the bar, close in the top 30% of the bar.
    public func breakoutLevel(_ v: Oriented, at t: Int) -> Double? {
        let th = thresholds
        guard t > 0, let hh = v.channelHigh(t) else { return nil }
        let range = v.high(t) - v.low(t)
        guard range > 0 else { return nil }
        let delta = th.breakoutDeltaATR * v.f.atr[t]
        let body = abs(v.close(t) - v.open(t))
        guard v.close(t) > hh + delta, v.f.relativeVolume(at: t) >= th.breakoutMinRV,
            body >= th.breakoutMinBody * range,
            v.close(t) - v.low(t) >= (1 - th.breakoutCloseZone) * range
        else { return nil }
        return hh
    }

    /// A breakout within the lookback whose level was revisited (low ≤ level + 0.25·ATR) and
    /// held (every close since ≥ level − 0.1·ATR).
    public func isPullback(_ v: Oriented, at t: Int) -> Bool {
        let th = thresholds
        for b in stride(from: t - 1, through: max(1, t - th.pullbackLookback), by: -1) {
            guard let level = breakoutLevel(v, at: b) else { continue }
            let after = (b + 1)...t
            let revisited = after.contains { v.low($0) <= level + th.pullbackTouchATR * v.f.atr[$0] }
            let held = after.allSatisfy { v.close($0) >= level - th.pullbackHoldATR * v.f.atr[$0] }
            if revisited && held { return true }
        }
        return false
    }

    /// A bull trap: high > HH + δ but close ≤ HH with an upper wick ≥ half the bar, or a
    /// breakout within the last 4 bars that closed back inside by more than δ.
    public func isFakeout(_ v: Oriented, at t: Int) -> Bool {
        let th = thresholds
        let delta = th.breakoutDeltaATR * v.f.atr[t]
        if let hh = v.channelHigh(t) {
            let range = v.high(t) - v.low(t)
            let upperWick = v.high(t) - max(v.open(t), v.close(t))
            if range > 0, v.high(t) > hh + delta, v.close(t) <= hh, upperWick >= th.fakeoutMinWick * range {
                return true
            }
        }
        for b in stride(from: t - 1, through: max(1, t - th.fakeoutReturnBars), by: -1) {
            if let level = breakoutLevel(v, at: b), v.close(t) < level - delta { return true }
        }
        return false
    }

    /// A top exhaustion: ext ≥ 3, RV ≥ 3, upper wick ≥ 0.4 of the bar.
    public func isExhaustion(_ v: Oriented, at t: Int) -> Bool {
        let th = thresholds
        let range = v.high(t) - v.low(t)
        guard range > 0 else { return false }
        let upperWick = v.high(t) - max(v.open(t), v.close(t))
        return v.meanExtension(t) >= th.exhaustionMinExtension
            && v.f.relativeVolume(at: t) >= th.exhaustionMinRV
            && upperWick >= th.exhaustionMinWick * range
    }

    /// EMA20 above EMA50, slope above the minimum, ADX strong.
    public func isTrend(_ v: Oriented, at t: Int) -> Bool {
        let th = thresholds
        return v.emaFast(t) > v.emaSlow(t) && v.slope(t) > th.trendMinSlope
            && v.f.adx(at: t) >= th.trendMinADX
    }

    /// A strong up trend, a pullback to EMA20 (a low within `trendPullbackATR` ATRs of it in
    /// the last few bars) and a close above the previous bar's high.
    public func isTrendContinuation(_ v: Oriented, at t: Int) -> Bool {
        let th = thresholds
        guard isTrend(v, at: t), v.close(t) > v.high(t - 1) else { return false }
        let recent = max(0, t - th.trendPullbackBars)...t
        return recent.contains { v.low($0) <= v.emaFast($0) + th.trendPullbackATR * v.f.atr[$0] }
    }
}

/// Prices seen from one side: as they are (`up`), or negated (`down`), so a rule written for
/// an upward breakout reads a downward one: high ↔ −low, channel high ↔ −channel low, and
/// EMAs, slope and extension change sign. ATR, ADX and volume do not depend on the side.
///
/// Public so the local labeler (ChartCLIPLabels) measures how far a rule's conditions are
/// exceeded on the same mirrored view the rules decide on.
public struct Oriented: Sendable {
    /// The features seen.
    public let f: MarketFeatures
    /// `true` for prices as they are, `false` for the mirrored (downward) view.
    public let up: Bool

    /// The view of `f` from the upper (`up: true`) or lower side.
    public init(_ f: MarketFeatures, up: Bool) {
        self.f = f
        self.up = up
    }

    /// The side this view reads: `up` or `down`.
    public var direction: SetupDirection { up ? .up : .down }
    private var sign: Double { up ? 1 : -1 }

    /// Open of candle `t`, mirrored.
    public func open(_ t: Int) -> Double { sign * f.candles[t].open }
    /// Close of candle `t`, mirrored.
    public func close(_ t: Int) -> Double { sign * f.candles[t].close }
    /// The extreme on this side (the high, or −low when mirrored).
    public func high(_ t: Int) -> Double { up ? f.candles[t].high : -f.candles[t].low }
    /// The extreme against this side (the low, or −high when mirrored).
    public func low(_ t: Int) -> Double { up ? f.candles[t].low : -f.candles[t].high }
    /// EMA20, mirrored.
    public func emaFast(_ t: Int) -> Double { sign * f.emaFast[t] }
    /// EMA50, mirrored.
    public func emaSlow(_ t: Int) -> Double { sign * f.emaSlow[t] }
    /// EMA20 slope in ATRs per bar, mirrored.
    public func slope(_ t: Int) -> Double { sign * f.slope(at: t) }
    /// (close − EMA20) / ATR, mirrored.
    public func meanExtension(_ t: Int) -> Double { sign * f.meanExtension(at: t) }
    /// The channel's edge on this side (HH, or −LL when mirrored), current bar excluded.
    public func channelHigh(_ t: Int) -> Double? {
        guard let ch = f.channel(at: t) else { return nil }
        return up ? ch.high : -ch.low
    }
}
