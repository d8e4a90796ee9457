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
        var resized = self
        resized.config.visionConfig = try vision.resized(to: imageSize)
        let key = "visual.positional_embedding"
        let old = vision.imageSize / vision.patchSize, new = imageSize / vision.patchSize
        guard let positions = parameters[key], positions.count == (old * old + 1) * vision.width else {
            throw ChartCLIPError(
                "the checkpoint's \(key) is not \(old * old + 1) × \(vision.width)",
                hint: "the checkpoint does not match its own config; re-export it")
        }
        let width = vision.width
        let classRow = Array(positions[0..<width])
        let grid = PositionGrid.resample(Array(positions[width...]), from: old, to: new, width: width)
        resized.parameters[key] = classRow + grid
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
