import ChartCLIPMarket

/// The broken levels a chart draws (`ChartOverlays.brokenLevels`): for every candle of a
/// window that the setup rules read as a breakout (`SetupRules.breakoutLevel`, up or down,
/// on the window's own candles, as the local labeler reads them), the channel edge it closed
/// beyond, carried forward as a horizontal line over the breakout candle and the
/// `pullbackLookback` candles after it: the bars over which the rules still look back to
/// that breakout for a retest (`isPullback`) or a failure (`isFakeout`). Whether a later low
/// came back to the level and every close since held beyond it is then read where the
/// candles meet one line, instead of against a channel edge that has since moved on to the
/// breakout candle's own high.
public enum BrokenLevels {
    /// One broken level: the breakout candle's index inside the window, the last index the
    /// line reaches, the level, and the side it was broken on (`true` upward).
    public struct Segment: Equatable, Sendable {
        /// Index of the breakout candle, counted from the window's first candle.
        public var breakout: Int
        /// Index of the last candle the line is drawn across.
        public var last: Int
        /// The broken channel edge (the highest high, or lowest low, of the candles before).
        public var level: Double
        /// `true` for a breakout upward (the level is the channel's high), `false` downward.
        public var up: Bool

        /// A segment from its parts.
        public init(breakout: Int, last: Int, level: Double, up: Bool) {
            self.breakout = breakout
            self.last = last
            self.level = level
            self.up = up
        }
    }

    /// The broken levels of `window`, oldest breakout first (up before down at one candle).
    public static func segments(
        _ candles: [Candle], over window: Range<Int>, rules: SetupRules = SetupRules()
    ) -> [Segment] {
        guard !window.isEmpty else { return [] }
        let f = MarketFeatures(candles: Array(candles[window]))
        let reach = max(rules.thresholds.pullbackLookback, 0)
        var found: [Segment] = []
        for b in 0..<f.count {
            for up in [true, false] {
                guard let level = rules.breakoutLevel(Oriented(f, up: up), at: b) else { continue }
                // The mirrored view reads prices negated; the line is drawn at the real price.
                found.append(Segment(breakout: b, last: min(b + reach, f.count - 1), level: up ? level : -level, up: up))
            }
        }
        return found
    }
}
