import ChartCLIPMarket

/// The direction of a setup named without one, read from the chart's scoring context.
///
/// GPT is asked only for `setup_type`, `phase_type` and `confidence` (the users' wording), but
/// every label needs a `setup_direction`. The answer's own words decide when they can
/// (`bull trap`, `breakdown`, or a `setup_direction` it gave anyway); otherwise the side of
/// the price action in the context decides:
/// - `range_accumulation`, `none`: no direction;
/// - `breakout`: above the channel → up, below → down, inside → the side of EMA20;
/// - `breakout_with_pullback`, `trend_continuation`: the side of EMA20 over EMA50 (the trend
///   the retest or pullback belongs to), ties to the side of the close;
/// - `fakeout`: a last candle probing above the channel is a bull trap → down, one probing
///   below a bear trap → up (the larger probe wins); a breakout that failed over several
///   candles is judged by the channel edge the close is nearer to (upper half → down);
/// - `exhaustion`: a climax above EMA20 is a top → down, below → up.
public enum DirectionInference {
    /// The direction `setup` implies on a chart with `context`.
    public static func direction(of setup: SetupType, context: ScoringContext) -> SetupDirection {
        let aboveMean: SetupDirection = context.meanExtension >= 0 ? .up : .down
        switch setup {
        case .none, .rangeAccumulation:
            return .none
        case .breakout:
            if context.channelPosition > 1 { return .up }
            if context.channelPosition < 0 { return .down }
            return aboveMean
        case .breakoutWithPullback, .trendContinuation:
            if context.ema20 != context.ema50 { return context.ema20 > context.ema50 ? .up : .down }
            return aboveMean
        case .fakeout:
            let above = context.high - context.channelHigh
            let below = context.channelLow - context.low
            if above > 0 || below > 0 { return above >= below ? .down : .up }
            return context.channelPosition >= 0.5 ? .down : .up
        case .exhaustion:
            return aboveMean.opposite
        }
    }
}
