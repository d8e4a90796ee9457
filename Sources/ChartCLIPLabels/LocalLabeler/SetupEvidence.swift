import ChartCLIPMarket

/// How far each condition of a matched setup rule is exceeded, and the confidence that
/// follows from it.
///
/// Each condition gives an *excess*: how far its value lies past the threshold, divided by a
/// *scale* that says what "clearly past" means for it, clipped to 0…1. Scales: price
/// distances 1 ATR (0.5 ATR where the rule's own tolerance is small), ratio thresholds
/// their own size (RV 1.5 → fully clear at 3), candle shares the room left to 1.
///
///     confidence = 0.5 + 0.45 · (min(excess) + mean(excess)) / 2
///
/// so a setup that barely passes every condition gets 0.5, one that clears every condition
/// by its scale gets 0.95, and the weakest condition counts as much as all the others
/// together (a breakout on huge volume but a close just over the level is still marginal).
/// `none` gets 0.5: no rule fired, so there is nothing to measure.
public struct SetupEvidence: Equatable, Sendable {
    /// One condition of a rule.
    public struct Condition: Equatable, Sendable {
        /// What was measured, e.g. `close beyond HH + δ (ATR)`.
        public var name: String
        /// Excess over the threshold in units of the condition's scale, clipped to 0…1.
        public var excess: Double
    }

    /// The conditions of the matched rule.
    public var conditions: [Condition]

    /// Lowest confidence a fired rule gets.
    public static let floor = 0.5
    /// Highest confidence a fired rule gets: rules are never certain.
    public static let ceiling = 0.95

    /// The confidence, rounded to 3 decimals (see the type's comment).
    public var confidence: Double {
        guard !conditions.isEmpty else { return Self.floor }
        let excesses = conditions.map(\.excess)
        let mean = excesses.reduce(0, +) / Double(excesses.count)
        let value = Self.floor + (Self.ceiling - Self.floor) * (excesses.min()! + mean) / 2
        return (value * 1000).rounded() / 1000
    }

    /// The evidence for `match` at bar `t` of `f`, read with `rules`. Returns no conditions
    /// for `none`.
    public init(for match: SetupMatch, in f: MarketFeatures, at t: Int, rules: SetupRules) {
        conditions = []
        guard t > 0, t < f.count else { return }
        let th = rules.thresholds
        // Fakeouts and exhaustions happen on the side opposite to the move they imply.
        let side = match.type == .fakeout || match.type == .exhaustion ? match.direction.opposite : match.direction
        let v = Oriented(f, up: side != .down)
        let atr = max(f.atr[t], .leastNonzeroMagnitude)
        switch match.type {
        case .none:
            return
        case .rangeAccumulation:
            add("channel width W below max", th.rangeMaxWidth - f.channelWidth(at: t), scale: th.rangeMaxWidth / 2)
            add("ADX below max", th.rangeMaxADX - f.adx(at: t), scale: th.rangeMaxADX / 2)
            add("|slope| below max", th.rangeMaxSlope - abs(f.slope(at: t)), scale: th.rangeMaxSlope)
        case .breakout:
            addBreakout(v, at: t, rules: rules)
        case .breakoutWithPullback:
            // The breakout the rule accepts: the newest one that was revisited and held.
            var chosen: (bar: Int, touch: Double, hold: Double)?
            for b in stride(from: t - 1, through: max(1, t - th.pullbackLookback), by: -1) {
                guard let level = rules.breakoutLevel(v, at: b) else { continue }
                let after = (b + 1)...t
                let touch = after.map { th.pullbackTouchATR - (v.low($0) - level) / f.atr[$0] }.max() ?? 0
                let hold = after.map { (v.close($0) - level) / f.atr[$0] + th.pullbackHoldATR }.min() ?? 0
                if chosen == nil || (touch >= 0 && hold >= 0) { chosen = (b, touch, hold) }
                if touch >= 0 && hold >= 0 { break }
            }
            guard let chosen else { return }
            addBreakout(v, at: chosen.bar, rules: rules)
            add("retest reached the level (ATR)", chosen.touch, scale: th.pullbackTouchATR)
            add("closes held above the level (ATR)", chosen.hold, scale: 0.5)
        case .fakeout:
            addFakeout(v, at: t, rules: rules)
        case .exhaustion:
            let range = v.high(t) - v.low(t)
            let wick = range > 0 ? (v.high(t) - max(v.open(t), v.close(t))) / range : 0
            add("extension over min (ATR)", v.meanExtension(t) - th.exhaustionMinExtension, scale: th.exhaustionMinExtension)
            add("relative volume over min", f.relativeVolume(at: t) - th.exhaustionMinRV, scale: th.exhaustionMinRV)
            add("rejection wick over min", wick - th.exhaustionMinWick, scale: 1 - th.exhaustionMinWick)
        case .trendContinuation:
            add("EMA20 over EMA50 (ATR)", (v.emaFast(t) - v.emaSlow(t)) / atr, scale: 1)
            add("slope over min", v.slope(t) - th.trendMinSlope, scale: 2 * th.trendMinSlope)
            add("ADX over min", f.adx(at: t) - th.trendMinADX, scale: th.trendMinADX)
            add("close over previous high (ATR)", (v.close(t) - v.high(t - 1)) / atr, scale: 0.5)
        }
    }

    private mutating func add(_ name: String, _ margin: Double, scale: Double) {
        let excess = scale > 0 && margin.isFinite ? min(max(margin / scale, 0), 1) : 0
        conditions.append(Condition(name: name, excess: excess))
    }

    private mutating func addBreakout(_ v: Oriented, at t: Int, rules: SetupRules) {
        let th = rules.thresholds
        guard let hh = v.channelHigh(t) else { return }
        let atr = max(v.f.atr[t], .leastNonzeroMagnitude)
        let range = v.high(t) - v.low(t)
        let body = range > 0 ? abs(v.close(t) - v.open(t)) / range : 0
        let closeZone = range > 0 ? (v.close(t) - v.low(t)) / range : 0
        add("close beyond HH + δ (ATR)", (v.close(t) - hh) / atr - th.breakoutDeltaATR, scale: 1)
        add("relative volume over min", v.f.relativeVolume(at: t) - th.breakoutMinRV, scale: th.breakoutMinRV)
        add("body share over min", body - th.breakoutMinBody, scale: 1 - th.breakoutMinBody)
        add("close inside the top zone", closeZone - (1 - th.breakoutCloseZone), scale: th.breakoutCloseZone)
    }

    private mutating func addFakeout(_ v: Oriented, at t: Int, rules: SetupRules) {
        let th = rules.thresholds
        let atr = max(v.f.atr[t], .leastNonzeroMagnitude)
        let delta = th.breakoutDeltaATR
        if let b = recentBreakout(v, before: t, within: th.fakeoutReturnBars, rules: rules),
            v.close(t) < b.level - delta * atr
        {
            // A breakout that closed back inside: how deep back, and how convincing it looked.
            add("close back inside by more than δ (ATR)", (b.level - v.close(t)) / atr - delta, scale: 0.5)
            add("failed breakout volume", v.f.relativeVolume(at: b.bar) - th.breakoutMinRV, scale: th.breakoutMinRV)
            return
        }
        guard let hh = v.channelHigh(t) else { return }
        let range = v.high(t) - v.low(t)
        let wick = range > 0 ? (v.high(t) - max(v.open(t), v.close(t))) / range : 0
        add("probe beyond HH + δ (ATR)", (v.high(t) - hh) / atr - delta, scale: 0.5)
        add("close back at or under HH (ATR)", (hh - v.close(t)) / atr, scale: 0.5)
        add("rejection wick over min", wick - th.fakeoutMinWick, scale: 1 - th.fakeoutMinWick)
    }

    /// The newest breakout on `v`'s side in the `within` bars before `t`.
    private func recentBreakout(_ v: Oriented, before t: Int, within: Int, rules: SetupRules) -> (bar: Int, level: Double)? {
        for b in stride(from: t - 1, through: max(1, t - within), by: -1) {
            if let level = rules.breakoutLevel(v, at: b) { return (b, level) }
        }
        return nil
    }
}
