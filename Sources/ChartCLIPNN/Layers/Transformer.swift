import ChartCLIPTensor

/// The MLP's non-linearity. CLIP's OpenAI weights use QuickGELU; most newer models GELU.
public enum Activation: String, Codable, Sendable, CaseIterable {
    /// x·Φ(x) with the exact normal CDF.
    case gelu
    /// x·σ(1.702x), OpenAI CLIP's approximation.
    case quickGELU = "quick_gelu"

    /// Applies the activation.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .gelu: return x.gelu()
        case .quickGELU: return x.quickGELU()
        }
    }
}

/// Two linear layers with an activation between: D → hidden → D.
public final class MLP: Module {
    /// D → hidden.
    public let fc1: Linear
    /// hidden → D.
    public let fc2: Linear
    /// The non-linearity.
    public let activation: Activation

    /// An MLP of width `dimension` with `hidden` units.
    public init(dimension: Int, hidden: Int, activation: Activation, rng: RandomGenerator) {
        fc1 = Linear(inFeatures: dimension, outFeatures: hidden, rng: rng)
        fc2 = Linear(inFeatures: hidden, outFeatures: dimension, rng: rng)
        self.activation = activation
    }

    public override var children: [(String, Module)] { [("fc1", fc1), ("fc2", fc2)] }

    /// `[..., D]` → `[..., D]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let hidden = activation(fc1(x))
        return fc2(hidden)
    }
}

/// Multi-head self-attention with a fused QKV projection and the fused attention kernel.
public final class MultiHeadAttention: Module {
    /// D → 3D, laid out `[q | k | v]`.
    public let qkv: Linear
    /// D → D output projection.
    public let proj: Linear
    /// Number of heads H (D must be divisible by H).
    public let heads: Int

    /// Attention of width `dimension` with `heads` heads.
    public init(dimension: Int, heads: Int, rng: RandomGenerator) {
        precondition(dimension % heads == 0, "attention width \(dimension) is not divisible by \(heads) heads")
        qkv = Linear(inFeatures: dimension, outFeatures: 3 * dimension, rng: rng)
        proj = Linear(inFeatures: dimension, outFeatures: dimension, rng: rng)
        self.heads = heads
    }

    public override var children: [(String, Module)] { [("qkv", qkv), ("proj", proj)] }

    /// `x: [B, T, D]` → `[B, T, D]`; `causal` lets token t see tokens ≤ t only.
    public func callAsFunction(_ x: Tensor, causal: Bool) -> Tensor {
        let packed = qkv(x)  // [B, T, 3D]
        let context = Tensor.attention(qkv: packed, heads: heads, causal: causal)  // [B, T, D]
        return proj(context)
    }
}

/// A pre-LayerNorm transformer block: `h = x + attn(norm1(x)); return h + mlp(norm2(h))`.
public final class TransformerBlock: Module {
    /// Norm before attention.
    public let norm1: LayerNorm
    /// Self-attention.
    public let attn: MultiHeadAttention
    /// Norm before the MLP.
    public let norm2: LayerNorm
    /// The MLP.
    public let mlp: MLP

    /// A block of width `dimension`, `heads` heads and an MLP `mlpRatio` times wider.
    public init(dimension: Int, heads: Int, mlpRatio: Float = 4, activation: Activation, rng: RandomGenerator) {
        norm1 = LayerNorm(featureCount: dimension)
        attn = MultiHeadAttention(dimension: dimension, heads: heads, rng: rng)
        norm2 = LayerNorm(featureCount: dimension)
        mlp = MLP(dimension: dimension, hidden: Int(Float(dimension) * mlpRatio), activation: activation, rng: rng)
    }

    public override var children: [(String, Module)] {
        [("norm1", norm1), ("attn", attn), ("norm2", norm2), ("mlp", mlp)]
    }

    /// `x: [B, T, D]` → `[B, T, D]`.
    public func callAsFunction(_ x: Tensor, causal: Bool) -> Tensor {
        let h = x + attn(norm1(x), causal: causal)
        return h + mlp(norm2(h))
    }
}
