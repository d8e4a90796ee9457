/// Scaled dot-product attention as one fused kernel.
///
/// Input is the output of a fused QKV projection, `qkv: [B, T, 3D]` laid out as
/// `[q | k | v]`, each split into H heads of width hd = D/H (PyTorch's `in_proj` layout).
/// Every (sample, head) pair is one task on the compute threads, and each task calls
/// single-threaded GEMMs that read Q, K, V *in place* through leading dimensions and write
/// the output straight into its merged-head position: no head split or merge copies,
/// and no [B, H, T, T] mask tensor (the causal mask is applied inside the softmax rows).
/// The attention probabilities P [B, H, T, T] are kept for the backward pass.
extension Tensor {
    /// softmax(Q Kᵀ / √hd [+ causal mask]) V for each head of `qkv: [B, T, 3D]`; returns
    /// `[B, T, D]` with heads merged.
    public static func attention(qkv: Tensor, heads: Int, causal: Bool) -> Tensor {
        if qkv.rank != 3 || qkv.shape[2] % (3 * heads) != 0 {
            shapeFailure("attention: qkv must be [B, T, 3D] with D divisible by \(heads) heads, got \(qkv.shape)")
        }
        let (b, t, d3) = (qkv.shape[0], qkv.shape[1], qkv.shape[2])
        let d = d3 / 3, hd = d / heads
        let scale = 1 / Float(hd).squareRoot()
        let out = TensorStorage(count: b * t * d)
        let probabilities = TensorStorage(count: b * heads * t * t)
        let x = qkv.storage.pointer
        ComputeThreads.parallelFor(b * heads, grain: 1) { range in
            // Kᵀ of the head, contiguous: Q·Kᵀ as a plain NN product runs about twice as fast
            // as OpenBLAS's NT kernel on these small shapes.
            let transposed = TensorStorage(count: hd * t)
            for task in range {
                let bi = task / heads, h = task % heads
                let q = x + bi * t * d3 + h * hd, k = q + d, v = q + 2 * d
                let p = probabilities.pointer + task * t * t
                Attention.transpose(k, rows: t, columns: hd, stride: d3, into: transposed.pointer)
                Gemm.single(false, false, t, t, hd, scale, q, d3, transposed.pointer, t, 0, p, t)
                for i in 0..<t {
                    RowKernels.softmaxRow(p + i * t, p + i * t, t, valid: causal ? i + 1 : t)
                }
                Gemm.single(false, false, t, hd, t, 1, p, t, v, d3, 0, out.pointer + bi * t * d + h * hd, d)
            }
        }
        return result(op: "attention", shape: [b, t, d], storage: out, inputs: [qkv]) { g in
            let dqkv = TensorStorage(count: qkv.count)
            let chunks = Swift.min(ComputeThreads.count, b * heads)
            ComputeThreads.run(chunks: chunks) { c in
                let scratch = TensorStorage(count: t * t)
                let dp = scratch.pointer
                let transposed = TensorStorage(count: hd * t)
                for task in ComputeThreads.splitRange(b * heads, chunks: chunks, index: c) {
                    let bi = task / heads, h = task % heads
                    let base = bi * t * d3 + h * hd
                    let q = x + base, k = q + d, v = q + 2 * d
                    let dq = dqkv.pointer + base, dk = dq + d, dv = dq + 2 * d
                    let p = probabilities.pointer + task * t * t
                    let dout = g.pointer + bi * t * d + h * hd
                    // dV = Pᵀ dO;  dP = dO Vᵀ
                    Gemm.single(true, false, t, hd, t, 1, p, t, dout, d, 0, dv, d3)
                    Attention.transpose(v, rows: t, columns: hd, stride: d3, into: transposed.pointer)
                    Gemm.single(false, false, t, t, hd, 1, dout, d, transposed.pointer, t, 0, dp, t)
                    // dS = P ⊙ (dP − ⟨dP, P⟩) · scale  (softmax backward, in place)
                    for i in 0..<t {
                        RowKernels.softmaxBackwardRow(p + i * t, dp + i * t, dp + i * t, t, scale: scale, accumulate: false)
                    }
                    // dQ = dS K;  dK = dSᵀ Q
                    Gemm.single(false, false, t, hd, t, 1, dp, t, k, d3, 0, dq, d3)
                    Gemm.single(true, false, t, hd, t, 1, dp, t, q, d3, 0, dk, d3)
                }
            }
            qkv.accumulateGradient(dqkv, owned: true)
        }
    }

    /// The same attention built from primitive operations (split heads, batched matmul,
    /// mask, softmax, merge heads). Used to check and to benchmark the fused kernel.
    public static func attentionComposite(qkv: Tensor, heads: Int, causal: Bool) -> Tensor {
        let (b, t, d3) = (qkv.shape[0], qkv.shape[1], qkv.shape[2])
        let d = d3 / 3, hd = d / heads
        func headsOf(_ part: Int) -> Tensor {
            let slice = qkv.sliced(axis: 2, (part * d)..<((part + 1) * d))
            let split = slice.reshaped(to: [b, t, heads, hd]).permuted([0, 2, 1, 3])
            return split.reshaped(to: [b * heads, t, hd])
        }
        let q = headsOf(0), k = headsOf(1), v = headsOf(2)
        var scores = batchedMatmul(q, k, transposeB: true) * (1 / Float(hd).squareRoot())
        if causal {
            var mask = [Float](repeating: 0, count: t * t)
            for i in 0..<t { for j in (i + 1)..<Swift.max(t, i + 1) { mask[i * t + j] = 1 } }
            scores = scores.maskedFill(Tensor(mask, shape: [t, t]), value: -.infinity)
        }
        let weights = scores.softmax()
        let context = batchedMatmul(weights, v)
        let merged = context.reshaped(to: [b, heads, t, hd]).permuted([0, 2, 1, 3])
        return merged.reshaped(to: [b, t, d])
    }
}

enum Attention {
    /// `out[j, i] = a[i, j]` for a `rows × columns` block with row stride `stride`.
    @inline(__always)
    static func transpose(_ a: UnsafePointer<Float>, rows: Int, columns: Int, stride: Int, into out: UnsafeMutablePointer<Float>) {
        for i in 0..<rows {
            let row = a + i * stride
            for j in 0..<columns { out[j * rows + i] = row[j] }
        }
    }
}
