import ChartCLIPNN
import ChartCLIPTensor
import ChartCLIPText
import Foundation

/// CLIP (Radford et al., 2021): an image tower and a text tower mapping into one
/// embedding space, trained so matching pairs have the highest cosine similarity.
///
/// Parameter paths: `visual.…`, `text.…`, `logit_scale`.
public final class CLIPModel: Module {
    /// The shapes.
    public let config: CLIPConfig
    /// The ViT image encoder.
    public let visual: VisionTransformer
    /// The text encoder.
    public let text: TextTransformer
    /// ln of the softmax temperature's inverse; clamped to ln 100 after every step.
    public let logitScale: Tensor

    /// Upper bound of `logitScale` (ln 100), as in CLIP.
    public static let maxLogitScale = Float(Foundation.log(100.0))

    /// A randomly initialised model; the same seed gives the same weights.
    public init(config: CLIPConfig, seed: UInt64 = 0) {
        self.config = config
        let rng = RandomGenerator(seed: seed)
        visual = VisionTransformer(config: config.visionConfig, embedDim: config.embedDim, activation: config.activation, rng: rng)
        text = TextTransformer(config: config.textConfig, embedDim: config.embedDim, activation: config.activation, rng: rng)
        logitScale = parameter(Tensor(scalar: config.initLogitScale))
    }

    public override var ownParameters: [(String, Tensor)] { [("logit_scale", logitScale)] }
    public override var children: [(String, Module)] { [("visual", visual), ("text", text)] }

    /// Image features `[B, E]` of preprocessed images `[B, 3, S, S]`; L2-normalised when
    /// `normalized`.
    public func encodeImage(_ images: Tensor, normalized: Bool = false) -> Tensor {
        let features = visual(images)
        return normalized ? features.l2Normalized() : features
    }

    /// Text features `[B, E]` of a tokenized batch; L2-normalised when `normalized`.
    public func encodeText(_ tokens: TokenBatch, normalized: Bool = false) -> Tensor {
        let ids = Self.foldTokenIDs(tokens.ids, vocabularySize: config.textConfig.vocabSize)
        let features = text(ids: ids, batch: tokens.batchSize, endIndices: tokens.endIndices)
        return normalized ? features.l2Normalized() : features
    }

    /// Maps CLIP tokenizer ids into a smaller embedding table: start/end of text go to the
    /// last two rows (the end token keeps the largest id, as CLIP's pooling assumes),
    /// padding stays 0, and other ids are folded as `1 + id mod (V − 3)`. With the full
    /// 49,408-row table ids are unchanged.
    public static func foldTokenIDs(_ ids: [Int32], vocabularySize v: Int) -> [Int] {
        if v >= CLIPTokenizerVocabulary.size { return ids.map(Int.init) }
        return ids.map { id in
            switch Int(id) {
            case 0: return 0
            case CLIPTokenizerVocabulary.startOfText: return v - 2
            case CLIPTokenizerVocabulary.endOfText: return v - 1
            default: return 1 + Int(id) % (v - 3)
            }
        }
    }

    /// The cosine-similarity logits `exp(logit_scale) · Î Tᵀ`, `[B, B]`, of normalised
    /// features.
    public func logits(imageFeatures: Tensor, textFeatures: Tensor) -> Tensor {
        let similarity = Tensor.matmul(imageFeatures, textFeatures, transposeB: true)
        return logitScale.exp() * similarity
    }

    /// Clamps `logit_scale` to at most ln 100; call after every optimizer step.
    public func clampLogitScale() {
        let p = logitScale.storage.pointer
        p[0] = min(p[0], Self.maxLogitScale)
    }

    /// Number of parameters of the image tower alone.
    public var visualParameterCount: Int { visual.parameterCount }
}

/// Ids of CLIP's byte-level BPE vocabulary.
public enum CLIPTokenizerVocabulary {
    /// Rows in CLIP's token embedding.
    public static let size = 49408
    /// `<|startoftext|>`.
    public static let startOfText = 49406
    /// `<|endoftext|>`.
    public static let endOfText = 49407
}
