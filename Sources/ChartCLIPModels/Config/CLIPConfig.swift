import ChartCLIPNN
import ChartCLIPSupport
import Foundation

/// A CLIP model's shape, shaped like open_clip's model configs
/// (`{"embed_dim", "vision_cfg", "text_cfg"}`), plus the MLP activation, which is part of
/// the config and of every checkpoint.
public struct CLIPConfig: Codable, Equatable, Sendable {
    /// Width E of the shared embedding space.
    public var embedDim: Int
    /// The image tower.
    public var visionConfig: VisionConfig
    /// The text tower.
    public var textConfig: TextConfig
    /// `quick_gelu` (OpenAI CLIP) or `gelu`.
    public var activation: Activation
    /// Initial value of the learnable temperature's logarithm (ln(1/0.07) by default).
    public var initLogitScale: Float

    enum CodingKeys: String, CodingKey {
        case embedDim = "embed_dim", visionConfig = "vision_cfg", textConfig = "text_cfg", activation
        case initLogitScale = "init_logit_scale"
    }

    /// Creates a config.
    public init(embedDim: Int, visionConfig: VisionConfig, textConfig: TextConfig, activation: Activation, initLogitScale: Float = Float(Foundation.log(1 / 0.07))) {
        self.embedDim = embedDim
        self.visionConfig = visionConfig
        self.textConfig = textConfig
        self.activation = activation
        self.initLogitScale = initLogitScale
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        embedDim = try c.decode(Int.self, forKey: .embedDim)
        visionConfig = try c.decode(VisionConfig.self, forKey: .visionConfig)
        textConfig = try c.decode(TextConfig.self, forKey: .textConfig)
        activation = try c.decodeIfPresent(Activation.self, forKey: .activation) ?? .quickGELU
        initLogitScale = try c.decodeIfPresent(Float.self, forKey: .initLogitScale) ?? Float(Foundation.log(1 / 0.07))
    }
}

/// The ViT image encoder's shape.
public struct VisionConfig: Codable, Equatable, Sendable {
    /// Input side in pixels (square images).
    public var imageSize: Int
    /// Patch side in pixels; `imageSize` must be a multiple.
    public var patchSize: Int
    /// Transformer width D.
    public var width: Int
    /// Number of transformer blocks.
    public var layers: Int
    /// Attention heads H.
    public var heads: Int
    /// MLP width as a multiple of D.
    public var mlpRatio: Float
    /// Width of a per-patch MLP stem: each patch goes through `3·p² → stem_width`, the
    /// tower's activation, then the patch embedding `stem_width → D`, a nonlinear reading of
    /// the pixels before the blocks. `nil`: ViT's linear patch embedding `3·p² → D`.
    public var stemWidth: Int?

    enum CodingKeys: String, CodingKey {
        case imageSize = "image_size", patchSize = "patch_size", width, layers, heads, mlpRatio = "mlp_ratio"
        case stemWidth = "stem_width"
    }

    /// Creates a vision config.
    public init(imageSize: Int, patchSize: Int, width: Int, layers: Int, heads: Int, mlpRatio: Float = 4, stemWidth: Int? = nil) {
        self.imageSize = imageSize
        self.patchSize = patchSize
        self.width = width
        self.layers = layers
        self.heads = heads
        self.mlpRatio = mlpRatio
        self.stemWidth = stemWidth
    }

    /// Inputs of the patch embedding: the stem's width, or the patch's `3·p²` pixels.
    public var patchEmbedInputs: Int { stemWidth ?? 3 * patchSize * patchSize }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        imageSize = try c.decode(Int.self, forKey: .imageSize)
        patchSize = try c.decode(Int.self, forKey: .patchSize)
        width = try c.decode(Int.self, forKey: .width)
        layers = try c.decode(Int.self, forKey: .layers)
        heads = try c.decode(Int.self, forKey: .heads)
        mlpRatio = try c.decodeIfPresent(Float.self, forKey: .mlpRatio) ?? 4
        stemWidth = try c.decodeIfPresent(Int.self, forKey: .stemWidth)
    }

    /// Patches per image P = (imageSize / patchSize)².
    public var patchCount: Int { (imageSize / patchSize) * (imageSize / patchSize) }

    /// The same tower for images of `size` pixels, which must be a multiple of the patch.
    public func resized(to size: Int) throws -> VisionConfig {
        guard size > 0 && size % patchSize == 0 else {
            let lower = max(patchSize, size / patchSize * patchSize)
            throw ChartCLIPError(
                "image size \(size) is not a multiple of the \(patchSize)-pixel patch",
                hint: "use \(lower) or \(lower + patchSize)")
        }
        var copy = self
        copy.imageSize = size
        return copy
    }

    /// The same tower with patches of `size` pixels on the same patch grid, so the images grow
    /// or shrink with the patches.
    public func withPatchSize(_ size: Int) -> VisionConfig {
        var copy = self
        copy.imageSize = imageSize / patchSize * size
        copy.patchSize = size
        return copy
    }
}

/// The text encoder's shape.
public struct TextConfig: Codable, Equatable, Sendable {
    /// Tokens per caption (context length T).
    public var contextLength: Int
    /// Rows of the token embedding. Below CLIP's 49,408 the tokenizer's ids are folded
    /// into the table (see `CLIPModel.foldTokenIDs`).
    public var vocabSize: Int
    /// Transformer width D.
    public var width: Int
    /// Number of transformer blocks.
    public var layers: Int
    /// Attention heads H.
    public var heads: Int
    /// MLP width as a multiple of D.
    public var mlpRatio: Float

    enum CodingKeys: String, CodingKey {
        case contextLength = "context_length", vocabSize = "vocab_size", width, layers, heads, mlpRatio = "mlp_ratio"
    }

    /// Creates a text config.
    public init(contextLength: Int, vocabSize: Int, width: Int, layers: Int, heads: Int, mlpRatio: Float = 4) {
        self.contextLength = contextLength
        self.vocabSize = vocabSize
        self.width = width
        self.layers = layers
        self.heads = heads
        self.mlpRatio = mlpRatio
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        contextLength = try c.decode(Int.self, forKey: .contextLength)
        vocabSize = try c.decode(Int.self, forKey: .vocabSize)
        width = try c.decode(Int.self, forKey: .width)
        layers = try c.decode(Int.self, forKey: .layers)
        heads = try c.decode(Int.self, forKey: .heads)
        mlpRatio = try c.decodeIfPresent(Float.self, forKey: .mlpRatio) ?? 4
    }
}
