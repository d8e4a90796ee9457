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
}
