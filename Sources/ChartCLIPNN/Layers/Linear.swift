import ChartCLIPTensor

/// `y = x Wᵀ + b` with `weight: [out, in]` (PyTorch's layout) and an optional `bias: [out]`.
public final class Linear: Module {
    /// `[outFeatures, inFeatures]`.
    public let weight: Tensor
    /// `[outFeatures]`, or `nil` for a projection without bias.
    public let bias: Tensor?

    /// PyTorch's default initialisation: U(−1/√in, 1/√in) for weight and bias.
    public init(inFeatures: Int, outFeatures: Int, bias hasBias: Bool = true, rng: RandomGenerator) {
        let bound = 1 / Float(inFeatures).squareRoot()
        weight = parameter(.randomUniform([outFeatures, inFeatures], low: -bound, high: bound, rng: rng))
        bias = hasBias ? parameter(.randomUniform([outFeatures], low: -bound, high: bound, rng: rng)) : nil
    }

    public override var ownParameters: [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// `[..., in]` → `[..., out]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        .linear(x, weight: weight, bias: bias)
    }
}

/// Layer normalisation over the last dimension with a gain and a bias.
public final class LayerNorm: Module {
    /// Gain `[D]`, initialised to 1.
    public let weight: Tensor
    /// Bias `[D]`, initialised to 0.
    public let bias: Tensor
    /// Added to the variance (1e-5 as in PyTorch and CLIP).
    public let eps: Float

    /// A layer norm over `featureCount` features.
    public init(featureCount: Int, eps: Float = 1e-5) {
        weight = parameter(.ones([featureCount]))
        bias = parameter(.zeros([featureCount]))
        self.eps = eps
    }

    public override var ownParameters: [(String, Tensor)] { [("weight", weight), ("bias", bias)] }

    /// `[..., D]` → `[..., D]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.layerNorm(weight: weight, bias: bias, eps: eps)
    }
}

/// A lookup table of `count` vectors of width `dimension`.
public final class Embedding: Module {
    /// `[count, dimension]`.
    public let weight: Tensor

    /// Entries drawn from N(0, std²).
    public init(count: Int, dimension: Int, std: Float = 0.02, rng: RandomGenerator) {
        weight = parameter(.randomNormal([count, dimension], std: std, rng: rng))
    }

    public override var ownParameters: [(String, Tensor)] { [("weight", weight)] }

    /// Ids (row-major, `leadingShape` elements) → `leadingShape + [dimension]`.
    public func callAsFunction(_ ids: [Int], leadingShape: [Int]) -> Tensor {
        weight.gatherRows(ids, leadingShape: leadingShape)
    }
}
