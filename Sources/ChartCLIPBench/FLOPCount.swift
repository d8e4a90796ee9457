import ChartCLIPModels

/// Floating-point operations of the CLIP towers' matrix products, counted the way
/// `../shared/bench/clip_ref.py --flops` counts them (2 per multiply-add; LayerNorm,
/// softmax and activations not counted), so GFLOP/s figures compare with PyTorch's.
public enum FLOPCount {
    /// One forward pass of `layers` pre-LN transformer blocks over `tokens` tokens of width
    /// `width`: fused QKV, output projection, the two MLP products, and Q·Kᵀ and P·V.
    public static func transformer(tokens: Double, width: Double, layers: Int, mlpRatio: Double) -> Double {
        let dense = 2 * tokens * width * 3 * width + 2 * tokens * width * width + 2 * 2 * tokens * width * mlpRatio * width
        return Double(layers) * (dense + 2 * tokens * tokens * width * 2)
    }

    /// One image through the image tower: patch embedding, blocks, projection.
    public static func imageTower(_ config: CLIPConfig) -> Double {
        let v = config.visionConfig
        let patches = Double(v.patchCount), width = Double(v.width)
        return 2 * patches * Double(3 * v.patchSize * v.patchSize) * width
            + transformer(tokens: patches + 1, width: width, layers: v.layers, mlpRatio: Double(v.mlpRatio))
            + 2 * width * Double(config.embedDim)
    }

    /// One text through the text tower: blocks over the full context, projection.
    public static func textTower(_ config: CLIPConfig) -> Double {
        let t = config.textConfig
        return transformer(tokens: Double(t.contextLength), width: Double(t.width), layers: t.layers, mlpRatio: Double(t.mlpRatio))
            + 2 * Double(t.width * config.embedDim)
    }

    /// One training step of `batch` pairs: 3 × the forward of both towers and the similarity
    /// matrix (backward counted as twice the forward).
    public static func trainingStep(_ config: CLIPConfig, batch: Int) -> Double {
        let b = Double(batch)
        return 3 * (b * (imageTower(config) + textTower(config)) + 2 * b * b * Double(config.embedDim))
    }
}
