import ChartCLIPModels
import ChartCLIPNN
import ChartCLIPSupport
import ChartCLIPTensor
import Foundation

/// One batch of image-caption pairs, ready for the model.
public struct TrainingBatch {
    /// Preprocessed images `[B, 3, S, S]`.
    public var images: Tensor
    /// Token ids `[B·T]`, row-major, already folded into the model's vocabulary.
    public var tokenIDs: [Int]
    /// `[B]`: each row's end-of-text position.
    public var endIndices: [Int]
    /// `[B]` positive groups for the multi-positive loss (equal caption or label).
    public var groups: [Int]
    /// For the `cells` loss: one caption of every (setup, phase) cell, `[C·T]` token ids and
    /// `[C]` end positions, and `[B]` each pair's cell.
    public var cells: (tokenIDs: [Int], endIndices: [Int], targets: [Int])?

    /// Creates a batch.
    public init(images: Tensor, tokenIDs: [Int], endIndices: [Int], groups: [Int]) {
        self.images = images
        self.tokenIDs = tokenIDs
        self.endIndices = endIndices
        self.groups = groups
    }

    /// B.
    public var count: Int { images.shape[0] }

    /// Rows `range` of the batch.
    func slice(_ range: Range<Int>, contextLength t: Int) -> TrainingBatch {
        TrainingBatch(
            images: images.sliced(axis: 0, range).detached(),
            tokenIDs: Array(tokenIDs[(range.lowerBound * t)..<(range.upperBound * t)]),
            endIndices: Array(endIndices[range]), groups: Array(groups[range]))
    }
}

/// Which contrastive loss to train with.
public enum ContrastiveLossKind: String, Codable, Sendable {
    /// CLIP's symmetric InfoNCE: only the pair itself is a positive.
    case plain
    /// Every pair in the same group (caption or label) is a positive.
    case multiPositive = "multi_positive"
    /// Supervised: each image against one caption of every (setup, phase) cell of the
    /// training labels, cross-entropy on its own cell. The zero-shot readout's classifier,
    /// trained directly: every image sees every class, and no caption is a false negative.
    case cells
}

/// A training step that produced a non-finite loss or gradient; nothing was updated.
public struct NonFiniteLossError: Error, CustomStringConvertible {
    /// The step that failed (0-based).
    public var step: Int
    /// The loss value seen.
    public var loss: Float
    /// The gradient norm seen.
    public var gradientNorm: Float

    public var description: String {
        "step \(step): the loss is \(loss) (gradient norm \(gradientNorm)); the model was not updated. "
            + "Lower the learning rate or enable gradient clipping, then resume from the last good checkpoint."
    }
}

/// Trains a CLIP model with AdamW on contrastive batches, with optional frozen towers,
/// gradient clipping and open_clip-style gradient accumulation.
public final class ContrastiveTrainer {
    /// What one step measured.
    public struct StepResult: Sendable {
        /// The loss of the whole (accumulated) batch.
        public var loss: Float
        /// The learning rate used.
        public var learningRate: Float
        /// Global gradient norm before clipping.
        public var gradientNorm: Float
        /// `logit_scale` after the step (after the clamp).
        public var logitScale: Float
    }

    /// The model being trained.
    public let model: CLIPModel
    /// The optimizer over the trainable parameters.
    public let optimizer: AdamW
    /// The learning rate as a function of the step counted from `scheduleStart`.
    public var schedule: LearningRateSchedule
    /// The step the schedule counts from (a stage's first step; 0 for a run of one stage).
    public var scheduleStart = 0
    /// Maximum global gradient norm, or `nil` for none.
    public var gradientClip: Float?
    /// Sub-batches per optimizer step (open_clip's `accum_freq`).
    public var accumulationSteps: Int
    /// The loss.
    public var lossKind: ContrastiveLossKind
    /// Optimizer steps taken.
    public var step: Int
    /// Whether each tower is frozen.
    public let lockImage: Bool, lockText: Bool

    /// A trainer. Frozen towers get no gradients and are left out of the optimizer.
    public init(
        model: CLIPModel, settings: AdamW.Settings, schedule: LearningRateSchedule, gradientClip: Float? = nil,
        accumulationSteps: Int = 1, lossKind: ContrastiveLossKind = .plain, lockImage: Bool = false,
        lockText: Bool = false, step: Int = 0
    ) {
        self.model = model
        self.lockImage = lockImage
        self.lockText = lockText
        model.visual.setTrainable(!lockImage)
        model.text.setTrainable(!lockText)
        model.logitScale.requiresGrad = true
        let trainable = model.namedParameters().filter { $0.tensor.requiresGrad }
        optimizer = AdamW(parameters: trainable, settings: settings)
        self.schedule = schedule
        self.gradientClip = gradientClip
        self.accumulationSteps = max(1, accumulationSteps)
        self.lossKind = lossKind
        self.step = step
    }

    /// The trainable parameters.
    public var trainableParameters: [Tensor] { model.parameters.filter(\.requiresGrad) }

    func features(_ batch: TrainingBatch) -> (Tensor, Tensor) {
        let image = model.encodeImage(batch.images, normalized: true)  // [b, E]
        if let cells = batch.cells {
            let text = model.text(ids: cells.tokenIDs, batch: cells.endIndices.count, endIndices: cells.endIndices).l2Normalized()
            return (image, text)  // [b, E], [C, E]
        }
        let text = model.text(ids: batch.tokenIDs, batch: batch.count, endIndices: batch.endIndices).l2Normalized()
        return (image, text)
    }

    func loss(image: Tensor, text: Tensor, groups: [Int], scale: Tensor, cellTargets: [Int]? = nil) -> Tensor {
        let similarity = Tensor.matmul(image, text, transposeB: true)  // [B, B], or [B, C] for cells
        let logits = scale.exp() * similarity
        switch lossKind {
        case .plain: return ContrastiveLoss.symmetric(logits: logits)
        case .multiPositive: return ContrastiveLoss.multiPositive(logits: logits, groups: groups)
        case .cells: return Tensor.crossEntropy(logits: logits, targets: cellTargets ?? [])
        }
    }

    /// One optimizer step on `batch`. Throws `NonFiniteLossError` (and changes nothing) if
    /// the loss or the gradient is not finite.
    @discardableResult
    public func trainStep(_ batch: TrainingBatch) throws -> StepResult {
        let rate = schedule.rate(at: step - scheduleStart)
        optimizer.settings.learningRate = rate
        OpProfiler.shared.mark()
        let lossValue = computeGradients(batch)
        let parameters = trainableParameters
        let norm = gradientClip.map { clipGradientNorm(parameters, maxNorm: $0) } ?? gradientNorm(parameters)
        OpProfiler.shared.record("(gradient norm)")
        guard lossValue.isFinite, norm.isFinite else {
            model.zeroGradients()
            throw NonFiniteLossError(step: step, loss: lossValue, gradientNorm: norm)
        }
        optimizer.step()
        model.clampLogitScale()
        OpProfiler.shared.record("(adamw)")
        step += 1
        return StepResult(loss: lossValue, learningRate: rate, gradientNorm: norm, logitScale: model.logitScale.item)
    }

    /// Clears the gradients and back-propagates the batch's loss (with accumulation when
    /// configured); returns the loss. Gradients are left in the parameters.
    public func computeGradients(_ batch: TrainingBatch) -> Float {
        model.train()
        model.zeroGradients()
        // The cells loss has no in-batch negatives to keep whole, so it never accumulates.
        if accumulationSteps == 1 || batch.count < accumulationSteps || lossKind == .cells {
            let (image, text) = features(batch)
            let l = loss(image: image, text: text, groups: batch.groups, scale: model.logitScale, cellTargets: batch.cells?.targets)
            let value = l.item
            if value.isFinite { l.backward() }
            return value
        }
        return accumulate(batch)
    }

    /// open_clip's gradient accumulation: features of every sub-batch are computed first
    /// without gradients; then each sub-batch is run again with gradients and its live
    /// features replace its cached ones in the full feature matrices, so every backward pass
    /// sees the whole batch as negatives. The sum of the sub-batch backward passes is the
    /// exact gradient of the full-batch loss. `logit_scale` is live in the first pass only,
    /// so its gradient is counted once (open_clip counts it k times).
    func accumulate(_ batch: TrainingBatch) -> Float {
        let k = accumulationSteps, t = model.config.textConfig.contextLength
        let ranges = (0..<k).map { ComputeThreads.splitRange(batch.count, chunks: k, index: $0) }
        let parts = ranges.map { batch.slice($0, contextLength: t) }
        let cached = withoutGradients { parts.map { features($0) } }
        var value: Float = 0
        for (j, part) in parts.enumerated() {
            let (liveImage, liveText) = features(part)
            let images = Tensor.concatenate(cached.enumerated().map { $0.offset == j ? liveImage : $0.element.0 }, axis: 0)
            let texts = Tensor.concatenate(cached.enumerated().map { $0.offset == j ? liveText : $0.element.1 }, axis: 0)
            let scale = j == 0 ? model.logitScale : model.logitScale.detached()
            let l = loss(image: images, text: texts, groups: batch.groups, scale: scale)
            value = l.item
            if !value.isFinite { return value }
            l.backward()
        }
        return value
    }
}
