/// The evaluation of the charts whose setup type holds, or changes, when the thresholds move
/// by one margin (`Evaluator.sharpness`).
public struct SharpnessGroup: Codable, Equatable, Sendable {
    /// The margin, e.g. 0.15 for ±15%.
    public var margin: Double
    /// `true`: the charts whose setup type holds at ±margin; `false`: those whose type changes.
    public var holds: Bool
    /// Charts in the group.
    public var count: Int
    /// Share of `none` labels in the group.
    public var noneShare: Double
    public var zeroShotSetupType: ClassificationMetrics
    public var zeroShotSetupTypeWithPrior: ClassificationMetrics?
    public var zeroShotSetup: ClassificationMetrics
    public var linearProbeSetup: ClassificationMetrics?
    public var linearProbeSetupType: ClassificationMetrics?
    /// `true` when the group also asks of the bar counts: those whose type holds at the
    /// margin and when any one bar count moves by one bar (`holds`), or the other charts;
    /// `nil` for a group of the margin alone.
    public var barCounts: Bool?

    /// What the group holds, e.g. "type holds at ±15% and ±1 bar"; `plusMinus` spells ±
    /// and `lineBreak` follows the type's verb (plots write "+-" and break the line there).
    public func name(plusMinus: String = "±", lineBreak: String = " ") -> String {
        let margin = "at \(plusMinus)\(String(format: "%g", 100 * margin))%"
        let bars = barCounts == true ? (holds ? " and " : " or ") + "\(plusMinus)1 bar" : ""
        return "type \(holds ? "holds" : "changes")\(lineBreak)\(margin)\(bars)"
    }
}

/// The charts whose setup type one threshold decides: those whose type changes when that
/// threshold alone moves by the margin either way (the sharpness file's `deciding_at_`
/// column), scored on their own, so a report says which thresholds the model's near misses
/// hang on. The bar counts of the rules make groups of the same kind (`deciding_bar_counts`).
public struct ThresholdGroup: Codable, Equatable, Sendable {
    /// The threshold's name (`SetupThresholds.graded`), e.g. `breakout_delta_atr`, or the
    /// bar count's (`SetupThresholds.counted`), e.g. `pullback_lookback`.
    public var threshold: String
    /// The margin, e.g. 0.15 for ±15%; for a bar count, the bars it moved (1).
    public var margin: Double
    /// Charts in the group (a chart may be in several).
    public var count: Int
    /// Share of `none` labels in the group.
    public var noneShare: Double
    /// Accuracy of the zero-shot setup type, alone and with the training prior, and of the
    /// probe's answers read as types.
    public var zeroShotSetupType: Double
    public var zeroShotSetupTypeWithPrior: Double?
    public var linearProbeSetupType: Double?
}
