import ChartCLIPNN
import ChartCLIPTensor

/// CLIP's text encoder: token + learned positional embeddings → causal pre-LN blocks →
/// the hidden state at the first end-of-text token → `ln_final` → projection (no bias).
public final class TextTransformer: Module {
    /// Shape of the tower.
    public let config: TextConfig
    /// `[V, D]`.
    public let tokenEmbedding: Embedding
    /// `[T, D]`.
    public let positionalEmbedding: Tensor
    /// The causal transformer blocks.
    public let blocks: ModuleList<TransformerBlock>
    /// Final norm (applied to the pooled token only: a per-token norm commutes with the
    /// gather).
    public let lnFinal: LayerNorm
    /// D → E, no bias.
    public let proj: Linear

    /// A randomly initialised encoder, initialised like OpenAI's CLIP.
    public init(config: TextConfig, embedDim: Int, activation: Activation, rng: RandomGenerator) {
        self.config = config
        let d = config.width
        tokenEmbedding = Embedding(count: config.vocabSize, dimension: d, std: 0.02, rng: rng)
        positionalEmbedding = parameter(.randomNormal([config.contextLength, d], std: 0.01, rng: rng))
        blocks = ModuleList((0..<config.layers).map { _ in
            TransformerBlock(dimension: d, heads: config.heads, mlpRatio: config.mlpRatio, activation: activation, rng: rng)
        })
        lnFinal = LayerNorm(featureCount: d)
        proj = Linear(inFeatures: d, outFeatures: embedDim, bias: false, rng: rng)
        super.init()
        proj.weight.assign(.randomNormal([embedDim, d], std: 1 / Float(d).squareRoot(), rng: rng))
        CLIPInitialization.apply(to: blocks, width: d, rng: rng)
    }

    public override var ownParameters: [(String, Tensor)] { [("positional_embedding", positionalEmbedding)] }

    public override var children: [(String, Module)] {
        [("token_embedding", tokenEmbedding), ("blocks", blocks), ("ln_final", lnFinal), ("proj", proj)]
    }

    /// `tokens`: B rows of T ids (already folded into the vocabulary) and the index of each
    /// row's end-of-text token → text features `[B, E]`.
    public func callAsFunction(ids: [Int], batch b: Int, endIndices: [Int]) -> Tensor {
        let t = config.contextLength, d = config.width
        var x = tokenEmbedding(ids, leadingShape: [b, t]) + positionalEmbedding  // [B, T, D]
        for block in blocks.layers { x = block(x, causal: true) }
        let rows = endIndices.enumerated().map { $0.offset * t + $0.element }
        let pooled = x.reshaped(to: [b * t, d]).gatherRows(rows)  // [B, D]
        return proj(lnFinal(pooled))  // [B, E]
    }
}
