import ChartCLIPNN
import Foundation

/// A run's stages resolved against the config's top level: which stage, learning rate,
/// frozen towers, sampling and augmentation hold at each global step. A config without
/// `stages:` is one stage of `steps` (or `epochs`) steps.
public struct TrainingPlan: Equatable, Sendable {
    /// One stage, with every field resolved.
    public struct Stage: Equatable, Sendable {
        /// Position in the plan (0-based).
        public var index: Int
        /// Name for logs and metrics.
        public var name: String
        /// Global step of the stage's first step (0-based).
        public var start: Int
        /// Steps in the stage.
        public var steps: Int
        /// The stage's rate as a function of the step counted from `start`.
        public var schedule: LearningRateSchedule
        /// Frozen towers.
        public var lockImage: Bool, lockText: Bool
        /// How batches are drawn.
        public var sampling: SamplingKind
        /// The stage's augmentation.
        public var augment: AugmentConfig
        /// The stage's loss.
        public var loss: ContrastiveLossKind

        /// One past the stage's last global step.
        public var end: Int { start + steps }
    }

    /// The stages in order, back to back from step 0.
    public var stages: [Stage]

    /// Optimizer steps in the whole run.
    public var totalSteps: Int { stages.last?.end ?? 0 }

    /// The stage that (0-based) global step `step` belongs to; the last one past the end.
    public func stage(at step: Int) -> Stage {
        stages.first { step < $0.end } ?? stages[stages.count - 1]
    }

    /// The learning rate at (0-based) global step `step`.
    public func rate(at step: Int) -> Float {
        let s = stage(at: step)
        return s.schedule.rate(at: step - s.start)
    }

    /// The plan of `config`; `batchesPerEpoch` turns `epochs` into steps.
    public init(config: ExperimentConfig, batchesPerEpoch: Int) {
        func schedule(kind: String, lr: Float, warmup: Int, minLr: Float, steps: Int) -> LearningRateSchedule {
            kind == "constant"
                ? .constant(rate: lr)
                : .warmupCosine(rate: lr, warmupSteps: warmup, totalSteps: steps, minimumRate: minLr)
        }
        let top = config.schedule
        if config.stages.isEmpty {
            let steps = config.steps ?? (config.epochs ?? 1) * batchesPerEpoch
            stages = [Stage(
                index: 0, name: "stage 1", start: 0, steps: steps,
                schedule: schedule(kind: top.kind, lr: config.optimizer.lr, warmup: top.warmupSteps, minLr: top.minLr, steps: steps),
                lockImage: config.lockImage, lockText: config.lockText, sampling: config.sampling, augment: config.augment,
                loss: config.loss)]
            return
        }
        var start = 0
        stages = config.stages.enumerated().map { index, s in
            defer { start += s.steps }
            return Stage(
                index: index, name: s.name ?? "stage \(index + 1)", start: start, steps: s.steps,
                schedule: schedule(
                    kind: s.kind ?? top.kind, lr: s.lr ?? config.optimizer.lr, warmup: s.warmupSteps ?? top.warmupSteps,
                    minLr: s.minLr ?? top.minLr, steps: s.steps),
                lockImage: s.lockImage ?? config.lockImage, lockText: s.lockText ?? config.lockText,
                sampling: s.sampling ?? config.sampling, augment: s.augment ?? config.augment, loss: s.loss ?? config.loss)
        }
    }
}
