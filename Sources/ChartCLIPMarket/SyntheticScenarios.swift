import Foundation

/// The scripted scenarios that plant setups in the synthetic market.
///
/// Each script is written for the upward case in `ScenarioFrame` coordinates (x in ATRs from
/// the price where the scenario starts) and draws the downward case through the frame's
/// mirror. Sizes are chosen to clear issue 5's rule thresholds by a wide margin (breakouts
/// close 0.5–0.9 ATR beyond the level where δ is 0.1 ATR, breakout volume is ~2× the median
/// where 1.5× is needed, an exhaustion's volume ~5× where 3× is needed), and every plant is
/// checked with `SetupRules` before it is kept (see `SyntheticMarket`).
extension SyntheticBuilder {
    /// Plants one setup of `kind` and returns its label, or `nil` when the finished bars do
    /// not read as `kind` (the caller then restores its copy and tries again).
    mutating func plant(_ kind: SetupMatch) -> SyntheticMarket.PlantedSetup? {
        // The side of the price action: a bull trap and a top exhaustion happen on the upper
        // side but imply a move down.
        let impliesOpposite = kind.type == .fakeout || kind.type == .exhaustion
        let up = impliesOpposite ? kind.direction == .down : kind.direction != .down
        let frame = ScenarioFrame(anchor: lastClose, unit: atr, side: up ? 1 : -1)
        let volume = typicalVolume
        let phase: PhaseType
        switch kind.type {
        case .rangeAccumulation:
            return plantRange(frame, volume: volume)
        case .breakout:
            range(frame, bars: rng.integer(26...32), volume: volume, endHigh: true)
            breakoutBar(frame)
            phase = .breakoutContinuation
        case .breakoutWithPullback:
            range(frame, bars: rng.integer(26...32), volume: volume, endHigh: true)
            let level = breakoutBar(frame)
            retest(frame, level: level, volume: volume)
            phase = .breakoutContinuation
        case .fakeout:
            range(frame, bars: rng.integer(30...36), volume: volume, endHigh: true)
            if rng.chance(0.5) { trapBar(frame) } else { failedBreakout(frame, volume: volume) }
            phase = .range
        case .exhaustion:
            trend(frame, bars: rng.integer(26...34), volume: volume)
            climax(frame, volume: volume)
            phase = .exhaustionPullback
        case .trendContinuation:
            trend(frame, bars: rng.integer(34...42), volume: volume)
            pullbackAndResume(frame, volume: volume)
            phase = up ? .trendUp : .trendDown
        case .none:
            return nil
        }
        return label(kind, phase: phase, at: count - 1)
    }

    /// The label for bar `t` if the rules read `kind` there under the standard, tightened and
    /// loosened thresholds and the phase rules read `phase`.
    func label(_ kind: SetupMatch, phase: PhaseType, at t: Int) -> SyntheticMarket.PlantedSetup? {
        let standard = SetupThresholds()
        let margin = SyntheticMarket.verificationMargin
        for thresholds in [standard, standard.tightened(by: margin), standard.tightened(by: -margin)] {
            guard SetupRules(thresholds: thresholds).setup(in: features, at: t) == kind else { return nil }
        }
        guard SetupRules().phase(in: features, at: t) == phase else { return nil }
        let start = features.candles[t].startTime
        return SyntheticMarket.PlantedSetup(
            symbol: configuration.symbol, barIndex: t, startTimeMs: start,
            closeTimeMs: start + configuration.interval.milliseconds, setupType: kind.type,
            setupDirection: kind.direction, phaseType: phase)
    }

    /// What follows a setup: in three cases out of four, 4–8 bars moving the way the setup
    /// implies (a range goes on ranging); otherwise the market ignores it. Setups that fail
    /// are part of a realistic market: the feedback loop must measure hit rates, not assume them.
    mutating func followThrough(_ direction: SetupDirection) {
        guard rng.chance(0.75) else { return }
        let frame = ScenarioFrame(anchor: lastClose, unit: atr, side: direction == .down ? -1 : 1)
        let bars = rng.integer(4...8)
        if direction == .none {
            range(frame, bars: bars, volume: typicalVolume)
        } else {
            trend(frame, bars: bars, volume: typicalVolume)
        }
    }

    // MARK: Building blocks (upward case)

    /// A sideways range around the current price: closes swing on a sine of period 8–12 bars
    /// (so ±DM cancel within ADX's 14-bar smoothing) plus noise, inside ±1–1.3 ATR, on volume
    /// drying up from 1.0× to ~0.85× of `volume`. With `endHigh` the last two bars lean to
    /// the upper half, pressing on the level a breakout or trap will test.
    mutating func range(_ frame: ScenarioFrame, bars: Int, volume: Double, endHigh: Bool = false) {
        let half = rng.uniform(1.0...1.3)
        let amplitude = half * rng.uniform(0.7...0.9)
        let period = rng.uniform(8...12)
        let phase = rng.uniform(0...(2 * Double.pi))
        for k in 0..<bars {
            let open = lastX(frame)
            var close = amplitude * sin(2 * Double.pi * Double(k) / period + phase) + 0.2 * rng.normal()
            if endHigh && k >= bars - 2 { close = half * rng.uniform(0.25...0.6) }
            close = min(max(close, -half), half)
            let top = min(max(open, close) + 0.08 + 0.2 * abs(rng.normal()), half + 0.35)
            let bottom = max(min(open, close) - 0.08 - 0.2 * abs(rng.normal()), -half - 0.35)
            let dryness = 1 - 0.15 * Double(k) / Double(bars)
            append(
                frame, open: open, top: max(top, open, close), bottom: min(bottom, open, close), close: close,
                volume: volume * dryness * rng.uniform(0.88...1.12))
        }
    }

    /// A range whose label goes on the first bar, after 30, where the range rules hold with
    /// margin (the range "completes" once it is narrow and trendless enough).
    mutating func plantRange(_ frame: ScenarioFrame, volume: Double) -> SyntheticMarket.PlantedSetup? {
        range(frame, bars: 30, volume: volume)
        for _ in 0..<16 {
            if let label = label(SetupMatch(.rangeAccumulation, .none), phase: .range, at: count - 1) {
                return label
            }
            range(frame, bars: 1, volume: volume)
        }
        return nil
    }

    /// A strong candle closing 0.55–0.9 ATR beyond the channel top, body most of the bar,
    /// on ~2× the median volume. Returns the broken level (x).
    @discardableResult
    mutating func breakoutBar(_ frame: ScenarioFrame) -> Double {
        let level = channelTop(frame)
        let open = lastX(frame)
        let close = level + rng.uniform(0.55...0.9)
        append(
            frame, open: open, top: close + rng.uniform(0.02...0.12), bottom: open - rng.uniform(0.02...0.12),
            close: close, volume: typicalVolume * rng.uniform(1.9...2.3))
        return level
    }

    /// After a breakout at `level`: 1–2 bars of follow-through on ordinary volume, 1–2 bars
    /// drifting back that stay clear of the level, then the retest bar whose low touches the
    /// level and which closes well above it on light volume.
    mutating func retest(_ frame: ScenarioFrame, level: Double, volume: Double) {
        for _ in 0..<rng.integer(1...2) {
            let open = lastX(frame)
            let close = open + rng.uniform(0.3...0.6)
            append(
                frame, open: open, top: close + rng.uniform(0.05...0.25), bottom: open - rng.uniform(0.05...0.2),
                close: close, volume: typicalVolume * rng.uniform(0.95...1.15))
        }
        for _ in 0..<rng.integer(1...2) {
            let open = lastX(frame)
            let close = max(open - rng.uniform(0.3...0.6), level + 0.8)
            append(
                frame, open: open, top: open + rng.uniform(0.03...0.15),
                bottom: max(close - rng.uniform(0.05...0.2), level + 0.6), close: close,
                volume: volume * rng.uniform(0.7...0.9))
        }
        let open = lastX(frame)
        let close = level + rng.uniform(0.4...0.6)
        append(
            frame, open: open, top: max(open, close) + rng.uniform(0.03...0.15),
            bottom: level + rng.uniform(-0.15...0.05), close: close, volume: volume * rng.uniform(0.65...0.85))
    }

    /// A bull trap in one bar: spikes 0.5–0.8 ATR above the channel top and closes back inside
    /// below its open, leaving an upper wick of most of the bar, on ~1.8× volume.
    mutating func trapBar(_ frame: ScenarioFrame) {
        let level = channelTop(frame)
        let open = lastX(frame)
        let close = min(open, level) - rng.uniform(0.15...0.4)
        append(
            frame, open: open, top: level + rng.uniform(0.5...0.8), bottom: close - rng.uniform(0.05...0.2),
            close: close, volume: typicalVolume * rng.uniform(1.6...2.0))
    }

    /// A breakout that fails: the breakout bar, sometimes one stalling bar just above the
    /// level, then a bar closing 0.5–0.9 ATR back inside the range.
    mutating func failedBreakout(_ frame: ScenarioFrame, volume: Double) {
        let level = breakoutBar(frame)
        if rng.chance(0.5) {
            let open = lastX(frame)
            let close = max(open - rng.uniform(0.1...0.3), level + 0.2)
            append(
                frame, open: open, top: max(open, close) + rng.uniform(0.05...0.2),
                bottom: min(open, close) - rng.uniform(0.05...0.2), close: close,
                volume: volume * rng.uniform(0.9...1.1))
        }
        let open = lastX(frame)
        let close = level - rng.uniform(0.5...0.9)
        append(
            frame, open: open, top: open + rng.uniform(0.03...0.15), bottom: close - rng.uniform(0.05...0.2),
            close: close, volume: typicalVolume * rng.uniform(1.2...1.5))
    }

    /// A steady up trend: 80% of bars advance 0.15–0.55 ATR, the rest give back 0.1–0.35, on
    /// even volume (never 1.3× the median, so no bar of it reads as a breakout).
    mutating func trend(_ frame: ScenarioFrame, bars: Int, volume: Double) {
        for _ in 0..<bars {
            let open = lastX(frame)
            let step = rng.chance(0.8) ? rng.uniform(0.15...0.55) : -rng.uniform(0.1...0.35)
            let close = open + step
            append(
                frame, open: open, top: max(open, close) + rng.uniform(0.03...0.25),
                bottom: min(open, close) - rng.uniform(0.03...0.25), close: close,
                volume: volume * rng.uniform(0.9...1.1))
        }
    }

    /// The end of a trend: 4–5 accelerating bars on rising volume, then the climax bar that
    /// spikes 2–2.6 ATR, closes in its lower half and leaves a long upper wick, on ~5× the
    /// median volume.
    mutating func climax(_ frame: ScenarioFrame, volume: Double) {
        var step = rng.uniform(0.7...0.9)
        for _ in 0..<rng.integer(4...5) {
            let open = lastX(frame)
            let close = open + step
            append(
                frame, open: open, top: close + rng.uniform(0.03...0.15), bottom: open - rng.uniform(0.03...0.15),
                close: close, volume: volume * rng.uniform(1.3...1.7))
            step *= rng.uniform(1.1...1.25)
        }
        let open = lastX(frame)
        append(
            frame, open: open, top: open + rng.uniform(2.0...2.6), bottom: open - rng.uniform(0.05...0.2),
            close: open + rng.uniform(0.6...0.9), volume: typicalVolume * rng.uniform(4.8...5.6))
    }

    /// Inside a trend: 2–3 bars pulling back to EMA20 (the last one's low a little under it),
    /// then a bar closing above the previous high.
    mutating func pullbackAndResume(_ frame: ScenarioFrame, volume: Double) {
        let bars = rng.integer(2...3)
        let alpha = 2 / Double(features.periods.fastEMA + 1)
        for k in 1...bars {
            let open = lastX(frame)
            let ema = frame.x(features.emaFast[count - 1])
            let close: Double
            let bottom: Double
            if k < bars {
                close = open - (open - ema) / Double(bars) * rng.uniform(0.8...1.0)
                bottom = close - rng.uniform(0.05...0.2)
            } else {
                close = ema + rng.uniform(0.1...0.35)
                let emaAfter = ema + alpha * (close - ema)
                bottom = min(close, emaAfter) - rng.uniform(0.05...0.2)
            }
            append(
                frame, open: open, top: max(open, close) + rng.uniform(0.02...0.12), bottom: min(bottom, close),
                close: close, volume: volume * rng.uniform(0.8...1.0))
        }
        let previousTop = frame.top(features.candles[count - 1])
        let open = lastX(frame)
        let close = max(previousTop + rng.uniform(0.15...0.35), open + 0.3)
        append(
            frame, open: open, top: close + rng.uniform(0.03...0.15), bottom: open - rng.uniform(0.03...0.15),
            close: close, volume: volume * rng.uniform(1.0...1.15))
    }
}
