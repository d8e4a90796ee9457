/// Scaled dot-product attention as one fused kernel.
///
/// Input is the output of a fused QKV projection, `qkv: [B, T, 3D]` laid out as
/// `[q | k | v]`, each split into H heads of width hd = D/H (PyTorch's `in_proj` layout).
/// Every (sample, head) pair is one task on the compute threads, and each task runs
/// register-blocked products (`SmallGemm`) that read Q, K, V *in place* through strides and
/// write the output straight into its merged-head position: no head split or merge copies,
/// and no [B, H, T, T] mask tensor (the causal mask is applied inside the softmax rows).
/// The attention probabilities P [B, H, T, T'] (rows zero-padded to T' = T rounded up to
/// 16) are kept for the backward pass.
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
        // Score rows are padded to whole 16-lane blocks (zeros past column t).
        let tp = (t + 15) / 16 * 16
        let probabilities = TensorStorage(count: b * heads * t * tp)
        let x = qkv.storage.pointer
        // In bfloat16 precision the six products of a head run on the bfloat16 kernel, which
        // reads Q, K, V, P and dO through their strides and rounds them while packing (no Kᵀ
        // copy). Its score rows leave the padding columns unwritten; nothing reads them.
        let bfloat16 = Attention.usesBFloat16
        ComputeThreads.parallelFor(b * heads, grain: 1) { range in
            // Kᵀ of the head, contiguous and zero-padded to tp columns.
            let transposed = TensorStorage(count: hd * tp), staging = TensorStorage(count: t * hd)
            transposed.pointer.update(repeating: 0, count: hd * tp)
            for task in range {
                let bi = task / heads, h = task % heads
                let q = x + bi * t * d3 + h * hd, k = q + d, v = q + 2 * d
                let p = probabilities.pointer + task * t * tp, o = out.pointer + bi * t * d + h * hd
                if !(bfloat16 && Gemm.bfloat16(false, true, t, t, hd, scale, q, d3, k, d3, 0, p, tp)) {
                    Attention.transpose(k, rows: t, columns: hd, stride: d3, into: transposed.pointer, ld: tp, staging: staging.pointer)
                    SmallGemm.run(
                        m: t, n: tp, k: hd, alpha: scale, a: q, rowStride: d3, columnStride: 1,
                        b: transposed.pointer, ldb: tp, c: p, ldc: tp)
                }
                for i in 0..<t {
                    RowKernels.softmaxRow(p + i * tp, p + i * tp, t, valid: causal ? i + 1 : t)
                }
                if !(bfloat16 && Gemm.bfloat16(false, false, t, hd, t, 1, p, tp, v, d3, 0, o, d)) {
                    SmallGemm.run(m: t, n: hd, k: t, alpha: 1, a: p, rowStride: tp, columnStride: 1, b: v, ldb: d3, c: o, ldc: d)
                }
            }
        }
        return result(op: "attention", shape: [b, t, d], storage: out, inputs: [qkv]) { g in
            let dqkv = TensorStorage(count: qkv.count)
            let bfloat16 = Attention.usesBFloat16
            let chunks = Swift.min(ComputeThreads.count * ComputeThreads.chunksPerThread, b * heads)
            ComputeThreads.run(chunks: chunks) { c in
                let scratch = TensorStorage(count: t * tp)
                let dp = scratch.pointer
                let transposed = TensorStorage(count: hd * tp), staging = TensorStorage(count: t * hd)
                transposed.pointer.update(repeating: 0, count: hd * tp)
                for task in ComputeThreads.splitRange(b * heads, chunks: chunks, index: c) {
                    let bi = task / heads, h = task % heads
                    let base = bi * t * d3 + h * hd
                    let q = x + base, k = q + d, v = q + 2 * d
                    let dq = dqkv.pointer + base, dk = dq + d, dv = dq + 2 * d
                    let p = probabilities.pointer + task * t * tp
                    let dout = g.pointer + bi * t * d + h * hd
                    // dV = Pᵀ dO
                    if !(bfloat16 && Gemm.bfloat16(true, false, t, hd, t, 1, p, tp, dout, d, 0, dv, d3)) {
                        SmallGemm.run(
                            m: t, n: hd, k: t, alpha: 1, a: p, rowStride: 1, columnStride: tp,
                            b: dout, ldb: d, c: dv, ldc: d3)
                    }
                    // dP = dO Vᵀ
                    if !(bfloat16 && Gemm.bfloat16(false, true, t, t, hd, 1, dout, d, v, d3, 0, dp, tp)) {
                        Attention.transpose(v, rows: t, columns: hd, stride: d3, into: transposed.pointer, ld: tp, staging: staging.pointer)
                        SmallGemm.run(
                            m: t, n: tp, k: hd, alpha: 1, a: dout, rowStride: d, columnStride: 1,
                            b: transposed.pointer, ldb: tp, c: dp, ldc: tp)
                    }
                    // dS = P ⊙ (dP − ⟨dP, P⟩) · scale  (softmax backward, in place)
                    for i in 0..<t {
                        RowKernels.softmaxBackwardRow(p + i * tp, dp + i * tp, dp + i * tp, t, scale: scale, accumulate: false)
                    }
                    // dQ = dS K;  dK = dSᵀ Q
                    if !(bfloat16 && Gemm.bfloat16(false, false, t, hd, t, 1, dp, tp, k, d3, 0, dq, d3)) {
                        SmallGemm.run(
                            m: t, n: hd, k: t, alpha: 1, a: dp, rowStride: tp, columnStride: 1,
                            b: k, ldb: d3, c: dq, ldc: d3)
                    }
                    if !(bfloat16 && Gemm.bfloat16(true, false, t, hd, t, 1, dp, tp, q, d3, 0, dk, d3)) {
                        SmallGemm.run(
                            m: t, n: hd, k: t, alpha: 1, a: dp, rowStride: 1, columnStride: tp,
                            b: q, ldb: d3, c: dk, ldc: d3)
                    }
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
    /// Whether this task's attention products run on the bfloat16 kernel (`bfloat16` precision
    /// on a CPU with AVX512-BF16), as PyTorch's autocast runs them.
    static var usesBFloat16: Bool { Gemm.precision == .bfloat16 && MatmulPrecision.isBFloat16Supported }

    /// `out[j·ld + i] = a[i, j]` for a `rows × columns` block with row stride `stride`.
    @inline(__always)
    static func transpose(
        _ a: UnsafePointer<Float>, rows: Int, columns: Int, stride: Int, into out: UnsafeMutablePointer<Float>, ld: Int,
        staging: UnsafeMutablePointer<Float>
    ) {
        // The rows come from a [B, T, 3D] tensor that has mostly left the core's caches.
        // Copying them with whole-vector loads first keeps many cache-line misses in flight,
        // where a scalar strided loop stalls the load queue on one row's line; the transpose
        // then reads the staged copy from L1. Without this the transpose took most of the
        // attention forward pass on clip-tiny. (`update(from:)` here, a memcpy call per
        // 32-float row, was 1–2% slower on clip-tiny's step in four A/B rounds.)
        for i in 0..<rows {
            let row = a + i * stride, staged = staging + i * columns
            var j = 0
            while j < columns {
                let lanes = Swift.min(16, columns - j)
                Vector.load(row + j, lanes).store(staged + j, lanes)
                j += 16
            }
        }
        for i in 0..<rows {
            let row = staging + i * columns
            for j in 0..<columns { out[j * ld + i] = row[j] }
        }
    }
}
