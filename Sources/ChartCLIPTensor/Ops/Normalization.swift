import Foundation

/// Softmax, log-softmax, layer norm and L2 normalisation over the last axis.
extension Tensor {
    /// (rows, width) of this tensor viewed as rows of its last dimension.
    var rowsAndWidth: (Int, Int) {
        let width = shape.last ?? 1
        return (width == 0 ? 0 : count / width, width)
    }

    /// Numerically stable softmax over the last axis.
    public func softmax() -> Tensor {
        let (rows, n) = rowsAndWidth
        let out = TensorStorage(count: count)
        let x = storage.pointer
        ComputeThreads.parallelFor(rows, grain: Swift.max(1, Vector.grain / Swift.max(n, 1))) { r in
            for i in r { RowKernels.softmaxRow(x + i * n, out.pointer + i * n, n, valid: n) }
        }
        let input = self
        return Tensor.result(op: "softmax", shape: shape, storage: out, inputs: [input]) { g in
            input.withGradient { dx, acc in
                ComputeThreads.parallelFor(rows, grain: Swift.max(1, Vector.grain / Swift.max(n, 1))) { r in
                    for i in r {
                        RowKernels.softmaxBackwardRow(out.pointer + i * n, g.pointer + i * n, dx + i * n, n, accumulate: acc)
                    }
                }
            }
        }
    }

    /// Numerically stable log-softmax over the last axis: x − max − log Σ e^(x − max).
    public func logSoftmax() -> Tensor {
        let (rows, n) = rowsAndWidth
        let out = TensorStorage(count: count)
        let x = storage.pointer
        ComputeThreads.parallelFor(rows, grain: Swift.max(1, Vector.grain / Swift.max(n, 1))) { r in
            for i in r {
                let row = x + i * n, y = out.pointer + i * n
                let m = RowKernels.rowMax(row, n)
                let s = RowKernels.expShifted(row, y, n, shift: m)
                let shift = m + logf(s)
                var j = 0
                while j < n {
                    let lanes = Swift.min(16, n - j)
                    (Vector.load(row + j, lanes) - shift).store(y + j, lanes)
                    j += 16
                }
            }
        }
        let input = self
        return Tensor.result(op: "log_softmax", shape: shape, storage: out, inputs: [input]) { g in
            // dx = g − softmax · Σg
            input.withGradient { dx, acc in
                ComputeThreads.parallelFor(rows, grain: Swift.max(1, Vector.grain / Swift.max(n, 1))) { r in
                    for i in r {
                        let y = out.pointer + i * n, gr = g.pointer + i * n, d = dx + i * n
                        var total = Float16x()
                        var j = 0
                        while j < n {
                            total += Vector.load(gr + j, Swift.min(16, n - j))
                            j += 16
                        }
                        let sumG = total.laneSum
                        j = 0
                        while j < n {
                            let lanes = Swift.min(16, n - j)
                            var v = Vector.load(gr + j, lanes) - SIMDMath.exp(Vector.load(y + j, lanes)) * sumG
                            if acc { v += Vector.load(d + j, lanes) }
                            v.store(d + j, lanes)
                            j += 16
                        }
                    }
                }
            }
        }
    }

    /// Layer normalisation over the last axis with gain `weight` and `bias` (both `[D]`),
    /// fused forward and backward (mean and 1/σ are saved, x̂ is recomputed).
    public func layerNorm(weight: Tensor, bias: Tensor, eps: Float = 1e-5) -> Tensor {
        let (rows, n) = rowsAndWidth
        if weight.shape != [n] || bias.shape != [n] {
            shapeFailure("layerNorm: input \(shape) needs weight and bias of shape [\(n)], got \(weight.shape) and \(bias.shape)")
        }
        let out = TensorStorage(count: count)
        let stats = TensorStorage(count: rows * 2)
        let x = storage.pointer, w = weight.storage.pointer, b = bias.storage.pointer
        ComputeThreads.parallelFor(rows, grain: Swift.max(1, Vector.grain / Swift.max(n, 1))) { r in
            for i in r {
                let (mean, rstd) = RowKernels.layerNormRow(x + i * n, out.pointer + i * n, w, b, n, eps: eps)
                stats.pointer[2 * i] = mean
                stats.pointer[2 * i + 1] = rstd
            }
        }
        let input = self
        return Tensor.result(op: "layer_norm", shape: shape, storage: out, inputs: [input, weight, bias]) { g in
            // Threads own fixed row ranges and their own dw/db partial sums, combined in
            // chunk order afterwards: deterministic for a given thread count.
            let chunks = Swift.max(1, Swift.min(ComputeThreads.count, rows * n / Vector.grain))
            let partial = TensorStorage(zeros: chunks * 2 * n)
            let dxStorage: TensorStorage? = input.requiresGrad ? (input.gradStorage ?? TensorStorage(count: input.count)) : nil
            let accumulate = input.gradStorage != nil
            ComputeThreads.run(chunks: chunks) { c in
                let range = ComputeThreads.splitRange(rows, chunks: chunks, index: c)
                let dw = partial.pointer + c * 2 * n, db = dw + n
                for i in range {
                    RowKernels.layerNormBackwardRow(
                        x + i * n, g.pointer + i * n, w, mean: stats.pointer[2 * i], rstd: stats.pointer[2 * i + 1], n,
                        dx: dxStorage.map { $0.pointer + i * n }, accumulate: accumulate, dw: dw, db: db)
                }
            }
            if let dxStorage, input.gradStorage == nil { input.gradStorage = dxStorage }
            for c in 1..<Swift.max(chunks, 1) {
                Vector.copySerial(partial.pointer + c * 2 * n, into: partial.pointer, count: 2 * n, accumulate: true)
            }
            if weight.requiresGrad {
                weight.withGradient { dw, acc in Vector.copySerial(partial.pointer, into: dw, count: n, accumulate: acc) }
            }
            if bias.requiresGrad {
                bias.withGradient { db, acc in Vector.copySerial(partial.pointer + n, into: db, count: n, accumulate: acc) }
            }
        }
    }

    /// x / Swift.max(‖x‖₂, eps) over the last axis (F.normalize).
    public func l2Normalized(eps: Float = 1e-12) -> Tensor {
        let (rows, n) = rowsAndWidth
        let out = TensorStorage(count: count)
        let norms = TensorStorage(count: rows)
        let x = storage.pointer
        for i in 0..<rows {
            let row = x + i * n
            let norm = Swift.max(RowKernels.dot(row, row, n).squareRoot(), eps)
            norms.pointer[i] = norm
            Vector.scale(row, by: 1 / norm, into: out.pointer + i * n, count: n)
        }
        let input = self
        return Tensor.result(op: "l2_normalize", shape: shape, storage: out, inputs: [input]) { g in
            // dx = (g − y·⟨g, y⟩) / ‖x‖  (when the norm is above eps)
            input.withGradient { dx, acc in
                for i in 0..<rows {
                    let y = out.pointer + i * n, gr = g.pointer + i * n, d = dx + i * n
                    let norm = norms.pointer[i]
                    let clamped = norm <= eps
                    let proj = clamped ? 0 : RowKernels.dot(gr, y, n)
                    let inv = 1 / norm
                    for j in 0..<n {
                        let v = (gr[j] - y[j] * proj) * inv
                        d[j] = acc ? d[j] + v : v
                    }
                }
            }
        }
    }
}
