/// Matrix products on `cblas_sgemm`, with transposes as flags (never copies).
extension Tensor {
    /// `op(a) · op(b)` for 2-D `a` and `b`, where `op` transposes when its flag is set.
    /// `a` may also have leading batch dimensions `[..., M, K]` with a 2-D `b`: they are
    /// folded into M.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        if b.rank != 2 || a.rank < 2 || (a.rank > 2 && transposeA) {
            shapeFailure("matmul: expects [M, K] (or [..., M, K] without transposeA) times [K, N], got \(a.shape) and \(b.shape)")
        }
        let rowsA = a.count / a.shape[a.rank - 1]
        let m = transposeA ? a.shape[1] : rowsA
        let k = transposeA ? a.shape[0] : a.shape[a.rank - 1]
        let kb = transposeB ? b.shape[1] : b.shape[0]
        let n = transposeB ? b.shape[0] : b.shape[1]
        if k != kb {
            shapeFailure("matmul: inner dimensions differ: \(a.shape)\(transposeA ? "ᵀ" : "") times \(b.shape)\(transposeB ? "ᵀ" : "") (\(k) vs \(kb))")
        }
        let outShape = (transposeA ? [m] : Array(a.shape.dropLast())) + [n]
        let out = TensorStorage(count: m * n)
        Gemm.run(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
            a: a.storage.pointer, lda: a.shape[a.rank - 1], b: b.storage.pointer, ldb: b.shape[1],
            beta: 0, c: out.pointer, ldc: n)
        return result(op: "matmul", shape: outShape, storage: out, inputs: [a, b]) { g in
            MatMulGradient.accumulate(
                a: a, b: b, g: g.pointer, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
                aOffset: 0, bOffset: 0, gOffset: 0)
        }
    }

    /// Batched `op(a[i]) · op(b[i])` for `a: [B, ·, ·]`, `b: [B, ·, ·]`.
    public static func batchedMatmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        if a.rank != 3 || b.rank != 3 || a.shape[0] != b.shape[0] {
            shapeFailure("batchedMatmul: expects [B, M, K] and [B, K, N] with the same B, got \(a.shape) and \(b.shape)")
        }
        let batch = a.shape[0]
        let m = transposeA ? a.shape[2] : a.shape[1]
        let k = transposeA ? a.shape[1] : a.shape[2]
        let kb = transposeB ? b.shape[2] : b.shape[1]
        let n = transposeB ? b.shape[1] : b.shape[2]
        if k != kb {
            shapeFailure("batchedMatmul: inner dimensions differ: \(a.shape)\(transposeA ? "ᵀ" : "") times \(b.shape)\(transposeB ? "ᵀ" : "") (\(k) vs \(kb))")
        }
        let out = TensorStorage(count: batch * m * n)
        let sa = a.shape[1] * a.shape[2], sb = b.shape[1] * b.shape[2]
        let pa = a.storage.pointer, pb = b.storage.pointer, po = out.pointer
        let lda = a.shape[2], ldb = b.shape[2]
        ComputeThreads.parallelFor(batch, grain: 1) { range in
            for i in range {
                Gemm.single(transposeA, transposeB, m, n, k, 1, pa + i * sa, lda, pb + i * sb, ldb, 0, po + i * m * n, n)
            }
        }
        return result(op: "batched_matmul", shape: [batch, m, n], storage: out, inputs: [a, b]) { g in
            // Each batch writes its own slice of the gradients: safe to run in parallel once
            // both gradient buffers exist.
            if a.requiresGrad && a.gradStorage == nil { a.gradStorage = TensorStorage(zeros: a.count) }
            if b.requiresGrad && b.gradStorage == nil { b.gradStorage = TensorStorage(zeros: b.count) }
            ComputeThreads.parallelFor(batch, grain: 1) { range in
                for i in range {
                    MatMulGradient.accumulate(
                        a: a, b: b, g: g.pointer, m: m, n: n, k: k, transposeA: transposeA,
                        transposeB: transposeB, aOffset: i * sa, bOffset: i * sb, gOffset: i * m * n,
                        threads: 1)
                }
            }
        }
    }

    /// `x · Wᵀ + bias` for `x: [..., Din]`, `weight: [Dout, Din]` (PyTorch's layout),
    /// `bias: [Dout]`; the bias add and its gradient (column sums) are fused in.
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let din = x.shape.last ?? 0
        if weight.rank != 2 || weight.shape[1] != din {
            shapeFailure("linear: input \(x.shape) needs a weight of shape [Dout, \(din)], got \(weight.shape)")
        }
        let dout = weight.shape[0]
        if let bias, bias.shape != [dout] {
            shapeFailure("linear: weight \(weight.shape) needs a bias of shape [\(dout)], got \(bias.shape)")
        }
        let rows = x.count / Swift.max(din, 1)
        let out = TensorStorage(count: rows * dout)
        LinearKernels.forward(
            x: x.storage.pointer, w: weight.storage.pointer, bias: bias.map { UnsafePointer($0.storage.pointer) },
            y: out.pointer, rows: rows, din: din, dout: dout)
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return result(op: "linear", shape: Array(x.shape.dropLast()) + [dout], storage: out, inputs: inputs) { g in
            // dX = dY · W, the bias gradient (column sums of dY) and dW = dYᵀ · X, fused per
            // row block of dY.
            let wantsBias = bias?.requiresGrad == true
            if !x.requiresGrad && !wantsBias && !weight.requiresGrad { return }
            let dxStorage: TensorStorage? = x.requiresGrad ? (x.gradStorage ?? TensorStorage(count: x.count)) : nil
            let dbStorage: TensorStorage? = wantsBias ? (bias!.gradStorage ?? TensorStorage(count: dout)) : nil
            let dwStorage: TensorStorage? = weight.requiresGrad ? (weight.gradStorage ?? TensorStorage(count: weight.count)) : nil
            LinearKernels.backward(
                dy: g.pointer, x: x.storage.pointer, w: weight.storage.pointer,
                dx: dxStorage?.pointer, accumulateDX: x.gradStorage != nil,
                dw: dwStorage?.pointer, accumulateDW: weight.gradStorage != nil,
                biasGradient: dbStorage?.pointer, accumulateBias: bias?.gradStorage != nil, rows: rows, din: din, dout: dout)
            if let dxStorage, x.gradStorage == nil { x.gradStorage = dxStorage }
            if let dbStorage, bias!.gradStorage == nil { bias!.gradStorage = dbStorage }
            if let dwStorage, weight.gradStorage == nil { weight.gradStorage = dwStorage }
        }
    }
}

/// The gradient rules of `C = op(A) · op(B)`.
enum MatMulGradient {
    static func accumulate(
        a: Tensor, b: Tensor, g: UnsafePointer<Float>, m: Int, n: Int, k: Int, transposeA: Bool,
        transposeB: Bool, aOffset: Int, bOffset: Int, gOffset: Int, threads: Int = ComputeThreads.count
    ) {
        let lda = a.shape[a.rank - 1], ldb = b.shape[b.rank - 1]
        let gp = g + gOffset
        if a.requiresGrad {
            let write = { (da: UnsafeMutablePointer<Float>, acc: Bool) in
                if transposeA {
                    // A is stored [K, M]: dA = op(B) · dCᵀ
                    Gemm.run(
                        transposeA: transposeB, transposeB: true, m: k, n: m, k: n, a: b.storage.pointer + bOffset,
                        lda: ldb, b: gp, ldb: n, beta: acc ? 1 : 0, c: da + aOffset, ldc: lda, threads: threads)
                } else {
                    // dA = dC · op(B)ᵀ
                    Gemm.run(
                        transposeA: false, transposeB: !transposeB, m: m, n: k, k: n, a: gp, lda: n,
                        b: b.storage.pointer + bOffset, ldb: ldb, beta: acc ? 1 : 0, c: da + aOffset, ldc: lda,
                        threads: threads)
                }
            }
            if let existing = a.gradStorage { write(existing.pointer, true) } else { a.withGradient(write) }
        }
        if b.requiresGrad {
            let write = { (db: UnsafeMutablePointer<Float>, acc: Bool) in
                if transposeB {
                    // B is stored [N, K]: dB = dCᵀ · op(A)
                    Gemm.run(
                        transposeA: true, transposeB: transposeA, m: n, n: k, k: m, a: gp, lda: n,
                        b: a.storage.pointer + aOffset, ldb: lda, beta: acc ? 1 : 0, c: db + bOffset, ldc: ldb,
                        threads: threads)
                } else {
                    // dB = op(A)ᵀ · dC
                    Gemm.run(
                        transposeA: !transposeA, transposeB: false, m: k, n: n, k: m, a: a.storage.pointer + aOffset,
                        lda: lda, b: gp, ldb: n, beta: acc ? 1 : 0, c: db + bOffset, ldc: ldb, threads: threads)
                }
            }
            if let existing = b.gradStorage { write(existing.pointer, true) } else { b.withGradient(write) }
        }
    }
}
