import Foundation

/// Cross-entropy losses, fused with their log-softmax (gradient: softmax − target).
extension Tensor {
    /// Mean cross-entropy of `logits: [N, C]` against class indices `targets` (N of them).
    public static func crossEntropy(logits: Tensor, targets: [Int]) -> Tensor {
        if logits.rank != 2 || logits.shape[0] != targets.count {
            shapeFailure("crossEntropy: logits \(logits.shape) need [N, C] with N = \(targets.count) targets")
        }
        let c = logits.shape[1]
        if let bad = targets.first(where: { $0 < 0 || $0 >= c }) {
            shapeFailure("crossEntropy: target \(bad) is out of range for \(c) classes (logits \(logits.shape))")
        }
        let soft = TensorStorage(zeros: logits.count)
        for (i, t) in targets.enumerated() { soft.pointer[i * c + t] = 1 }
        return crossEntropy(logits: logits, targetProbabilities: soft)
    }

    /// Mean cross-entropy of `logits: [N, C]` against target distributions `[N, C]`
    /// (soft targets; each row should sum to 1): −(1/N) Σᵢ Σⱼ tᵢⱼ log softmax(x)ᵢⱼ.
    public static func crossEntropy(logits: Tensor, targets: Tensor) -> Tensor {
        if targets.shape != logits.shape || logits.rank != 2 {
            shapeFailure("crossEntropy: logits \(logits.shape) and soft targets \(targets.shape) must both be [N, C]")
        }
        return crossEntropy(logits: logits, targetProbabilities: targets.storage)
    }

    static func crossEntropy(logits: Tensor, targetProbabilities t: TensorStorage) -> Tensor {
        let rows = logits.shape[0], c = logits.shape[1]
        let probabilities = TensorStorage(count: logits.count)
        var total = 0.0
        let x = logits.storage.pointer
        for i in 0..<rows {
            let row = x + i * c, p = probabilities.pointer + i * c, tr = t.pointer + i * c
            let m = RowKernels.rowMax(row, c)
            let s = RowKernels.expShifted(row, p, c, shift: m)
            let logZ = m + logf(s)
            let inv = 1 / s
            var rowLoss = 0.0
            for j in 0..<c {
                p[j] *= inv
                if tr[j] != 0 { rowLoss -= Double(tr[j]) * Double(row[j] - logZ) }
            }
            total += rowLoss
        }
        let out = TensorStorage(count: 1)
        out.pointer[0] = Float(total / Double(Swift.max(rows, 1)))
        return result(op: "cross_entropy", shape: [], storage: out, inputs: [logits]) { g in
            let scale = g.pointer[0] / Float(Swift.max(rows, 1))
            logits.withGradient { dx, acc in
                Vector.parallelRanges(rows * c) { r in Vector.forEachBlock(r) { i, n in
                    var v = (Vector.load(probabilities.pointer + i, n) - Vector.load(t.pointer + i, n)) * scale
                    if acc { v += Vector.load(dx + i, n) }
                    v.store(dx + i, n)
                } }
            }
        }
    }
}
