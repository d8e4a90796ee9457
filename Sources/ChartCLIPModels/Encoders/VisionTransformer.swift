import ChartCLIPNN
import ChartCLIPTensor

/// The ViT image encoder of CLIP (Dosovitskiy et al.; Radford et al.):
/// patches → linear patch embedding (no bias) → [class token; patches] + positions →
/// `ln_pre` → pre-LN blocks → `ln_post` on the class token → projection (no bias).
public final class VisionTransformer: Module {
    /// Shape of the tower.
    public let config: VisionConfig
    /// The per-patch MLP stem `3·p·p → stem_width` (with bias), when the config has one.
    public let stem: Linear?
    /// A convolution with stride = kernel = patch, as a linear map: `[D, 3·p·p]`; after a
    /// stem, `[D, stem_width]`.
    public let patchEmbed: Linear
    /// The activation after the stem.
    private let activation: Activation
    /// The learned class token `[D]`.
    public let classEmbedding: Tensor
    /// Learned positions `[P + 1, D]`.
    public let positionalEmbedding: Tensor
    /// Norm before the blocks.
    public let lnPre: LayerNorm
    /// The transformer blocks.
    public let blocks: ModuleList<TransformerBlock>
    /// Norm of the pooled class token.
    public let lnPost: LayerNorm
    /// D → E, no bias.
    public let proj: Linear

    /// A randomly initialised encoder, initialised like OpenAI's CLIP.
    public init(config: VisionConfig, embedDim: Int, activation: Activation, rng: RandomGenerator) {
        self.config = config
        let d = config.width, p = config.patchSize
        let scale = 1 / Float(d).squareRoot()
        self.activation = activation
        stem = config.stemWidth.map { Linear(inFeatures: 3 * p * p, outFeatures: $0, rng: rng) }
        patchEmbed = Linear(inFeatures: config.patchEmbedInputs, outFeatures: d, bias: false, rng: rng)
        classEmbedding = parameter(.randomNormal([d], std: scale, rng: rng))
        positionalEmbedding = parameter(.randomNormal([config.patchCount + 1, d], std: scale, rng: rng))
        lnPre = LayerNorm(featureCount: d)
        blocks = ModuleList((0..<config.layers).map { _ in
            TransformerBlock(dimension: d, heads: config.heads, mlpRatio: config.mlpRatio, activation: activation, rng: rng)
        })
        lnPost = LayerNorm(featureCount: d)
        proj = Linear(inFeatures: d, outFeatures: embedDim, bias: false, rng: rng)
        super.init()
        proj.weight.assign(.randomNormal([embedDim, d], std: scale, rng: rng))
        CLIPInitialization.apply(to: blocks, width: d, rng: rng)
    }

    public override var ownParameters: [(String, Tensor)] {
        [("class_embedding", classEmbedding), ("positional_embedding", positionalEmbedding)]
    }

    public override var children: [(String, Module)] {
        (stem.map { [("stem", $0 as Module)] } ?? []) + [("patch_embed", patchEmbed), ("ln_pre", lnPre), ("blocks", blocks), ("ln_post", lnPost), ("proj", proj)]
    }

    /// `images: [B, 3, S, S]` (normalised pixels) → image features `[B, E]`.
    public func callAsFunction(_ images: Tensor) -> Tensor {
        var x = inputTokens(images)
        for block in blocks.layers { x = block(x, causal: false) }
        return proj(lnPost(classToken(of: x)))  // [B, E]
    }

    /// The class token after `ln_post` `[B, D]` following each of the last `count` blocks
    /// (oldest first), as DINO's linear evaluation reads a ViT; the last of them is the
    /// pooled feature `proj` maps into the embedding space (CLIP's probe features, §A.3).
    public func classTokens(_ images: Tensor, lastBlocks count: Int) -> [Tensor] {
        var x = inputTokens(images)
        var tokens: [Tensor] = []
        for (i, block) in blocks.layers.enumerated() {
            x = block(x, causal: false)
            if i >= blocks.layers.count - count { tokens.append(lnPost(classToken(of: x))) }
        }
        return tokens
    }

    /// `[B, P+1, D]`: [class token; patch embeddings] + positions, through `ln_pre`.
    private func inputTokens(_ images: Tensor) -> Tensor {
        let b = images.shape[0], d = config.width
        let patches = images.patchified(patchSize: config.patchSize)  // [B, P, 3p²]
        let tokens = patchEmbed(stem.map { activation($0(patches)) } ?? patches)  // [B, P, D]
        let cls = classEmbedding.broadcast(to: [b, 1, d])  // [B, 1, D]
        return lnPre(Tensor.concatenate([cls, tokens], axis: 1) + positionalEmbedding)
    }

    /// The class token `[B, D]` of a token sequence `[B, P+1, D]`.
    private func classToken(of x: Tensor) -> Tensor {
        x.sliced(axis: 1, 0..<1).reshaped(to: [x.shape[0], config.width])
    }
}

/// OpenAI CLIP's initialisation of transformer blocks (as in open_clip and the bench
/// reference): attention input projection N(0, D^-½), output projections
/// N(0, D^-½·(2L)^-½), first MLP layer N(0, (2D)^-½), attention biases zero.
enum CLIPInitialization {
    static func apply(to blocks: ModuleList<TransformerBlock>, width: Int, rng: RandomGenerator) {
        let d = Float(width), layers = Float(max(blocks.layers.count, 1))
        let attnStd = 1 / d.squareRoot()
        let projStd = attnStd / (2 * layers).squareRoot()
        let fcStd = 1 / (2 * d).squareRoot()
        for block in blocks.layers {
            block.attn.qkv.weight.assign(.randomNormal(block.attn.qkv.weight.shape, std: attnStd, rng: rng))
            block.attn.qkv.bias?.assign(.zeros(block.attn.qkv.bias!.shape))
            block.attn.proj.weight.assign(.randomNormal(block.attn.proj.weight.shape, std: projStd, rng: rng))
            block.attn.proj.bias?.assign(.zeros(block.attn.proj.bias!.shape))
            block.mlp.fc1.weight.assign(.randomNormal(block.mlp.fc1.weight.shape, std: fcStd, rng: rng))
            block.mlp.fc2.weight.assign(.randomNormal(block.mlp.fc2.weight.shape, std: projStd, rng: rng))
        }
    }
}
