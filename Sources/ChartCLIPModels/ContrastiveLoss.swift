import ChartCLIPTensor

/// CLIP's symmetric contrastive (InfoNCE) loss.
public enum ContrastiveLoss {
    /// The plain loss: pair i is the only positive of row i and of column i,
    /// `(CE(L, I) + CE(Lᵀ, I)) / 2` for logits `L: [B, B]`.
    public static func symmetric(logits: Tensor) -> Tensor {
        let b = logits.shape[0]
        let targets = Array(0..<b)
        let imageToText = Tensor.crossEntropy(logits: logits, targets: targets)
        let textToImage = Tensor.crossEntropy(logits: logits.transposed(), targets: targets)
        return (imageToText + textToImage) * 0.5
    }

    /// The multi-positive loss: every pair whose group (caption or label) matches counts as a
    /// positive, with the target mass spread evenly over them. Templated chart captions repeat
    /// inside a batch; the plain loss would push identical captions apart as false negatives.
    public static func multiPositive(logits: Tensor, groups: [Int]) -> Tensor {
        let b = logits.shape[0]
        precondition(groups.count == b, "multiPositive: \(groups.count) groups for a batch of \(b)")
        var targets = [Float](repeating: 0, count: b * b)
        for i in 0..<b {
            let positives = (0..<b).filter { groups[$0] == groups[i] }
            for j in positives { targets[i * b + j] = 1 / Float(positives.count) }
        }
        // The relation is symmetric, so the same matrix serves both directions.
        let target = Tensor(targets, shape: [b, b])
        let imageToText = Tensor.crossEntropy(logits: logits, targets: target)
        let textToImage = Tensor.crossEntropy(logits: logits.transposed(), targets: target)
        return (imageToText + textToImage) * 0.5
    }

    /// Group ids for `keys` (e.g. captions): equal keys share an id.
    public static func groups<Key: Hashable>(of keys: [Key]) -> [Int] {
        var ids: [Key: Int] = [:]
        return keys.map { key in
            if let id = ids[key] { return id }
            ids[key] = ids.count
            return ids.count - 1
        }
    }
}
