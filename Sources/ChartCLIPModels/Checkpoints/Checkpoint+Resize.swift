import ChartCLIPSupport

extension Checkpoint {
    /// This checkpoint for charts of `imageSize` pixels: the image tower's learned positions
    /// are resampled from the old patch grid to the new one (`PositionGrid.resample`), the
    /// class token's position kept; every other weight is the same, since a ViT's weights do
    /// not depend on how many patches it reads. Optimizer state is dropped (its moments have
    /// the old shape), so this starts a new run rather than resuming one.
    public func resizingImages(to imageSize: Int) throws -> Checkpoint {
        let vision = config.visionConfig
        if imageSize == vision.imageSize { return self }
        let old = vision.imageSize / vision.patchSize, new = imageSize / vision.patchSize, width = vision.width
        return try replacing("visual.positional_embedding", rows: old * old + 1, width: width, vision: try vision.resized(to: imageSize)) {
            Array($0[0..<width]) + PositionGrid.resample(Array($0[width...]), from: old, to: new, width: width)
        }
    }

    /// This checkpoint with `vision` as its image tower's shape and the `[rows, width]`
    /// parameter `key` transformed; optimizer state dropped (its moments have the old shapes).
    func replacing(
        _ key: String, rows: Int, width: Int, vision: VisionConfig, _ transform: ([Float]) -> [Float]
    ) throws -> Checkpoint {
        guard let values = parameters[key], values.count == rows * width else {
            throw ChartCLIPError(
                "the checkpoint's \(key) is not \(rows) × \(width)",
                hint: "the checkpoint does not match its own config; re-export it")
        }
        var resized = self
        resized.config.visionConfig = vision
        resized.parameters[key] = transform(values)
        resized.optimizer = nil
        return resized
    }
}

/// Learned positions of a square patch grid, resized.
public enum PositionGrid {
    /// Resamples `values` (`[g·g, width]`, rows in reading order) to a `[h·h, width]` grid by
    /// bilinear interpolation with half-pixel centres: PyTorch's
    /// `interpolate(mode="bilinear", align_corners=False)`, the way open_clip and timm resize
    /// a ViT's positions (they default to bicubic).
    public static func resample(_ values: [Float], from g: Int, to h: Int, width: Int) -> [Float] {
        precondition(values.count == g * g * width && g > 0 && h > 0, "a \(g)×\(g) grid of \(width) needs \(g * g * width) values")
        // Source row/column and weight of each output row/column.
        let taps: [(Int, Int, Float)] = (0..<h).map { o in
            let source = max(0, (Float(o) + 0.5) * Float(g) / Float(h) - 0.5)
            let lower = min(Int(source), g - 1)
            let upper = min(lower + 1, g - 1)
            return (lower, upper, source - Float(lower))
        }
        var out = [Float](repeating: 0, count: h * h * width)
        for (y, (y0, y1, wy)) in taps.enumerated() {
            for (x, (x0, x1, wx)) in taps.enumerated() {
                let corners = [
                    ((y0 * g + x0) * width, (1 - wy) * (1 - wx)), ((y0 * g + x1) * width, (1 - wy) * wx),
                    ((y1 * g + x0) * width, wy * (1 - wx)), ((y1 * g + x1) * width, wy * wx),
                ]
                let base = (y * h + x) * width
                for (offset, weight) in corners where weight != 0 {
                    for c in 0..<width { out[base + c] += weight * values[offset + c] }
                }
            }
        }
        return out
    }
}

extension Checkpoint {
    /// This checkpoint with patches of `patchSize` pixels, no smaller than its own, on the same
    /// patch grid (so the charts grow with the patches and the learned positions stay). The
    /// patch embedding is resized so that a patch enlarged bilinearly to the new size gives
    /// the token the original patch gave (FlexiViT's pseudo-inverse resize,
    /// `PatchKernel.resize`): more pixels per token at the transformer's old cost.
    public func resizingPatches(to patchSize: Int) throws -> Checkpoint {
        let vision = config.visionConfig
        if patchSize == vision.patchSize { return self }
        guard patchSize > vision.patchSize else {
            throw ChartCLIPError(
                "patch size \(patchSize) is smaller than the checkpoint's \(vision.patchSize)",
                hint: "patches can only grow: give a patch_size of at least \(vision.patchSize)")
        }
        if vision.stemWidth != nil {
            throw ChartCLIPError(
                "the checkpoint's image tower has a per-patch MLP stem (stem_width \(vision.stemWidth ?? 0)), whose patches cannot be resized",
                hint: "leave patch_size out to keep \(vision.patchSize)-pixel patches")
        }
        let p = vision.patchSize
        return try replacing("visual.patch_embed.weight", rows: vision.width, width: 3 * p * p, vision: vision.withPatchSize(patchSize)) {
            PatchKernel.resize($0, kernels: vision.width * 3, from: p, to: patchSize)
        }
    }
}

/// Convolution kernels of a patch embedding, resized.
public enum PatchKernel {
    /// Resizes `count` square kernels of side `p` (rows in reading order, one after another)
    /// to side `q ≥ p`: w' = B (BᵀB)⁻¹ w, with B the `[q², p²]` matrix of the bilinear resize
    /// of `PositionGrid.resample`, so that ⟨B x, w'⟩ = ⟨x, w⟩ for every p×p patch x.
    /// This is `pinv(Bᵀ) w`, FlexiViT's resize (Beyer et al., 2023).
    public static func resize(_ weights: [Float], kernels count: Int, from p: Int, to q: Int) -> [Float] {
        precondition(q >= p && weights.count == count * p * p, "kernels grow only, \(count) of \(p)×\(p)")
        let n = p * p, m = q * q
        // B column by column: the resized basis patches.
        var b = [Double](repeating: 0, count: m * n)  // row-major [m, n]
        for j in 0..<n {
            var basis = [Float](repeating: 0, count: n)
            basis[j] = 1
            for (i, v) in PositionGrid.resample(basis, from: p, to: q, width: 1).enumerated() { b[i * n + j] = Double(v) }
        }
        // G = BᵀB (n × n, symmetric positive definite when q ≥ p), factored G = L Lᵀ.
        var g = [Double](repeating: 0, count: n * n)
        for r in 0..<m {
            for i in 0..<n where b[r * n + i] != 0 {
                for j in 0..<n { g[i * n + j] += b[r * n + i] * b[r * n + j] }
            }
        }
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var sum = g[i * n + j]
                for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = i == j ? sum.squareRoot() : sum / l[j * n + j]
            }
        }
        var out = [Float](repeating: 0, count: count * m)
        for kernel in 0..<count {
            // Solve G z = w, then w' = B z.
            var z = weights[(kernel * n)..<((kernel + 1) * n)].map(Double.init)
            for i in 0..<n {
                for k in 0..<i { z[i] -= l[i * n + k] * z[k] }
                z[i] /= l[i * n + i]
            }
            for i in stride(from: n - 1, through: 0, by: -1) {
                for k in (i + 1)..<n { z[i] -= l[k * n + i] * z[k] }
                z[i] /= l[i * n + i]
            }
            for r in 0..<m {
                var sum = 0.0
                for j in 0..<n { sum += b[r * n + j] * z[j] }
                out[kernel * m + r] = Float(sum)
            }
        }
        return out
    }
}
