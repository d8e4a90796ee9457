import Foundation

/// A learning rate as a pure function of the step, so a resumed run continues the same
/// curve from any step.
public enum LearningRateSchedule: Codable, Equatable, Sendable {
    /// The same rate at every step.
    case constant(rate: Float)
    /// Linear warm-up from rate/warmup to `rate` over `warmupSteps`, then a cosine decay to
    /// `minimumRate` at `totalSteps` (open_clip's `cosine_lr`).
    case warmupCosine(rate: Float, warmupSteps: Int, totalSteps: Int, minimumRate: Float)

    /// The rate for the (0-based) optimizer step `step`.
    public func rate(at step: Int) -> Float {
        switch self {
        case .constant(let rate):
            return rate
        case .warmupCosine(let rate, let warmup, let total, let minimum):
            if step < warmup { return rate * Float(step + 1) / Float(warmup) }
            let decaySteps = Swift.max(total - warmup, 1)
            let progress = Swift.min(Double(step - warmup) / Double(decaySteps), 1)
            let cosine = 0.5 * (1 + Foundation.cos(Double.pi * progress))
            return minimum + Float(cosine) * (rate - minimum)
        }
    }
}
