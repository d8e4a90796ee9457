/// The setups a chart can show (issue 5's vocabulary; raw values are the JSON spellings).
public enum SetupType: String, Sendable, Codable, CaseIterable, Hashable {
    /// Price leaves a range with a strong candle on high volume.
    case breakout
    /// A breakout whose level was retested and held.
    case breakoutWithPullback = "breakout_with_pullback"
    /// A break of a level that failed (a trap); it implies the opposite move.
    case fakeout
    /// A climactic, over-extended move on huge volume with a long rejection wick.
    case exhaustion
    /// A narrow, trendless range.
    case rangeAccumulation = "range_accumulation"
    /// A pullback inside a strong trend that resumes.
    case trendContinuation = "trend_continuation"
    /// Nothing recognisable.
    case none
}

/// The direction of the move a setup implies: a bull trap implies `down`, an exhaustion at a
/// top implies `down`, a breakout up implies `up`.
public enum SetupDirection: String, Sendable, Codable, CaseIterable, Hashable {
    /// An upward move is implied.
    case up
    /// A downward move is implied.
    case down
    /// No direction is implied (ranges, `none`).
    case none

    /// The other direction (`none` stays `none`).
    public var opposite: SetupDirection {
        switch self {
        case .up: .down
        case .down: .up
        case .none: .none
        }
    }
}

/// The market phase a chart is in (issue 5's vocabulary; raw values are the JSON spellings).
public enum PhaseType: String, Sendable, Codable, CaseIterable, Hashable {
    /// Rising EMAs, positive slope, strong ADX.
    case trendUp = "trend_up"
    /// Falling EMAs, negative slope, strong ADX.
    case trendDown = "trend_down"
    /// Weak ADX in a narrow channel.
    case range
    /// A recent breakout that still holds.
    case breakoutContinuation = "breakout-continuation"
    /// A recent exhaustion, or a deep retrace after an extension.
    case exhaustionPullback = "exhaustion-pullback"
}
