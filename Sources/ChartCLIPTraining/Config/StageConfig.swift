import ChartCLIPNN
import Foundation

/// One stage of a schedule with several phases, inside one config (`stages:`):
///
/// ```yaml
/// stages:
///   - {name: warm, steps: 300, lr: 2.0e-3, warmup_steps: 50, lock_text: true, sampling: balanced}
///   - {name: joint, steps: 1200, lr: 1.0e-3, warmup_steps: 60, min_lr: 1.0e-5}
/// ```
///
/// Each stage has its own warm-up and decay, counted from the stage's first step; a field a
/// stage leaves out comes from the config's top level (`optimizer.lr`, `schedule`,
/// `lock_image`, `lock_text`, `sampling`, `augment`, `loss`). The run is the stages one after the
/// other, so a stage is a pure function of the global step and a resumed run continues the
/// same curve, across stage boundaries too.
public struct StageConfig: Codable, Equatable, Sendable {
    /// A name for logs and metrics (default `stage N`, counted from 1).
    public var name: String?
    /// Optimizer steps in the stage.
    public var steps: Int
    /// Peak learning rate of the stage.
    public var lr: Float?
    /// Linear warm-up steps at the stage's start.
    public var warmupSteps: Int?
    /// Final learning rate of the stage's cosine.
    public var minLr: Float?
    /// `cosine` or `constant`.
    public var kind: String?
    /// Freeze the image tower during the stage.
    public var lockImage: Bool?
    /// Freeze the text tower during the stage.
    public var lockText: Bool?
    /// How the stage draws its batches.
    public var sampling: SamplingKind?
    /// The stage's augmentation.
    public var augment: AugmentConfig?
    /// The stage's loss (`cells` for a supervised warm start, then `multi_positive`).
    public var loss: ContrastiveLossKind?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, steps, lr, warmupSteps = "warmup_steps", minLr = "min_lr", kind
        case lockImage = "lock_image", lockText = "lock_text", sampling, augment, loss
    }

    /// A stage of `steps` steps taking everything else from the config's top level.
    public init(steps: Int) { self.steps = steps }

    public init(from decoder: Decoder) throws {
        // Stages sit in a list, where the config's section check does not reach: unknown
        // fields are refused here, with the allowed ones.
        let any = try decoder.container(keyedBy: AnyCodingKey.self)
        let allowed = Set(CodingKeys.allCases.map(\.stringValue))
        if let unknown = any.allKeys.first(where: { !allowed.contains($0.stringValue) }) {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath + [unknown],
                debugDescription: "unknown stage field '\(unknown.stringValue)' (allowed: \(allowed.sorted().joined(separator: ", ")))"))
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        steps = try c.decode(Int.self, forKey: .steps)
        lr = try c.decodeIfPresent(Float.self, forKey: .lr)
        warmupSteps = try c.decodeIfPresent(Int.self, forKey: .warmupSteps)
        minLr = try c.decodeIfPresent(Float.self, forKey: .minLr)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        lockImage = try c.decodeIfPresent(Bool.self, forKey: .lockImage)
        lockText = try c.decodeIfPresent(Bool.self, forKey: .lockText)
        sampling = try c.decodeIfPresent(SamplingKind.self, forKey: .sampling)
        augment = try c.decodeIfPresent(AugmentConfig.self, forKey: .augment)
        loss = try c.decodeIfPresent(ContrastiveLossKind.self, forKey: .loss)
    }
}

/// How a run draws the pairs of each batch.
public enum SamplingKind: String, Codable, Sendable, CaseIterable {
    /// Every training pair once per epoch, in a seeded order (the labels' own frequencies).
    case natural
    /// Setup types equally often (`none` is about 70% of the charts; exhaustion under 1%):
    /// each pair picks a setup type uniformly, then a chart of that type, seeded by the step.
    /// The readout with the training prior then multiplies the class likelihoods the model
    /// learned back by the true frequencies.
    case balanced
    /// Setup types in proportion to the square root of their counts: between the two.
    case sqrtBalanced = "sqrt_balanced"
}

/// Any string key, for listing the fields a mapping really has.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}
