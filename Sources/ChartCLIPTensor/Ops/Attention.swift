/// Scaled dot-product attention as one fused kernel.
///
/// Input is the output of a fused QKV projection, `qkv: [B, T, 3D]` laid out as
/// `[q | k | v]`, each split into H heads of width hd = D/H (PyTorch's `in_proj` layout).
/// Every (sample, head) pair is one task on the compute threads, and each task runs
/// register-blocked products (`SmallGemm`, or the bfloat16 kernel in `bfloat16` precision;
/// `Attention.HeadProducts`) that read Q, K, V *in place* through strides and
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
        let bfloat16 = Gemm.usesBFloat16
        ComputeThreads.parallelFor(b * heads, grain: 1) { range in
            let products = Attention.HeadProducts(bfloat16: bfloat16, tokens: t, headWidth: hd, paddedTokens: tp)
            for task in range {
                let bi = task / heads, h = task % heads
                let q = x + bi * t * d3 + h * hd, k = q + d, v = q + 2 * d
                let p = probabilities.pointer + task * t * tp, o = out.pointer + bi * t * d + h * hd
                // S = Q Kᵀ / √hd, softmax by rows, O = P V
                products.multiply(false, true, m: t, n: t, k: hd, alpha: scale, q, d3, k, d3, into: p, tp)
                for i in 0..<t {
                    RowKernels.softmaxRow(p + i * tp, p + i * tp, t, valid: causal ? i + 1 : t)
                }
                products.multiply(false, false, m: t, n: hd, k: t, p, tp, v, d3, into: o, d)
            }
        }
        return result(op: "attention", shape: [b, t, d], storage: out, inputs: [qkv]) { g in
            let dqkv = TensorStorage(count: qkv.count)
            let bfloat16 = Gemm.usesBFloat16
            let chunks = Swift.min(ComputeThreads.count * ComputeThreads.chunksPerThread, b * heads)
            ComputeThreads.run(chunks: chunks) { c in
                let scratch = TensorStorage(count: t * tp)
                let dp = scratch.pointer
                let products = Attention.HeadProducts(bfloat16: bfloat16, tokens: t, headWidth: hd, paddedTokens: tp)
                for task in ComputeThreads.splitRange(b * heads, chunks: chunks, index: c) {
                    let bi = task / heads, h = task % heads
                    let base = bi * t * d3 + h * hd
                    let q = x + base, k = q + d, v = q + 2 * d
                    let dq = dqkv.pointer + base, dk = dq + d, dv = dq + 2 * d
                    let p = probabilities.pointer + task * t * tp
                    let dout = g.pointer + bi * t * d + h * hd
                    // dV = Pᵀ dO;  dP = dO Vᵀ
                    products.multiply(true, false, m: t, n: hd, k: t, p, tp, dout, d, into: dv, d3)
                    products.multiply(false, true, m: t, n: t, k: hd, dout, d, v, d3, into: dp, tp)
                    // dS = P ⊙ (dP − ⟨dP, P⟩) · scale  (softmax backward, in place)
                    for i in 0..<t {
                        RowKernels.softmaxBackwardRow(p + i * tp, dp + i * tp, dp + i * tp, t, scale: scale, accumulate: false)
                    }
                    // dQ = dS K;  dK = dSᵀ Q
                    products.multiply(false, false, m: t, n: hd, k: t, dp, tp, k, d3, into: dq, d3)
                    products.multiply(true, false, m: t, n: hd, k: t, dp, tp, q, d3, into: dk, d3)
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
    /// The products of one head, `C = alpha · op(A) · op(B)` with every operand read in place
    /// through its row stride, on one thread. In float32 they run on `SmallGemm`, with a
    /// transposed B copied first (zero-padded to `paddedTokens` columns, so score rows come
    /// out with zeros in their padding). In `bfloat16` precision they run on the bfloat16
    /// kernel, as PyTorch's autocast runs them: it rounds and packs the operands itself (no
    /// copy) and leaves padding columns unwritten; nothing reads them.
    struct HeadProducts {
        /// Whether the products run on the bfloat16 kernel (`Gemm.usesBFloat16`, read once per
        /// pass on the submitting thread).
        let bfloat16: Bool
        let paddedTokens: Int
        /// op(B)ᵀ for float32 products, and the staging rows of its transpose.
        private let transposed: TensorStorage?, staging: TensorStorage?

        init(bfloat16: Bool, tokens: Int, headWidth: Int, paddedTokens: Int) {
            self.bfloat16 = bfloat16
            self.paddedTokens = paddedTokens
            transposed = bfloat16 ? nil : TensorStorage(zeros: headWidth * paddedTokens)
            staging = bfloat16 ? nil : TensorStorage(count: tokens * headWidth)
        }

        func multiply(
            _ transposeA: Bool, _ transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
            _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
            into c: UnsafeMutablePointer<Float>, _ ldc: Int
        ) {
            if bfloat16 && Gemm.bfloat16(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, 0, c, ldc) {
                return
            }
            let rowStride = transposeA ? 1 : lda, columnStride = transposeA ? lda : 1
            if transposeB {
                // op(B) = Bᵀ for B [n, k]: copied to [k, paddedTokens], zeros past column n.
                // (A bfloat16 product the kernel could not run falls back here with buffers of
                // its own.)
                let transposed = self.transposed ?? TensorStorage(zeros: k * paddedTokens)
                let staging = self.staging ?? TensorStorage(count: n * k)
                Attention.transpose(b, rows: n, columns: k, stride: ldb, into: transposed.pointer, ld: paddedTokens, staging: staging.pointer)
                SmallGemm.run(
                    m: m, n: paddedTokens, k: k, alpha: alpha, a: a, rowStride: rowStride, columnStride: columnStride,
                    b: transposed.pointer, ldb: paddedTokens, c: c, ldc: ldc)
            } else {
                SmallGemm.run(
                    m: m, n: n, k: k, alpha: alpha, a: a, rowStride: rowStride, columnStride: columnStride,
                    b: b, ldb: ldb, c: c, ldc: ldc)
            }
        }
    }

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
