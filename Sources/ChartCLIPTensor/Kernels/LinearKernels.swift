/// The linear layer's products with the bias fused in, one row block at a time.
///
/// A row block small enough to stay in L2 is multiplied and then, while it is still in
/// cache, gets its bias added (forward) or its columns summed into the bias gradient
/// (backward). As separate passes these touched the whole output twice more through
/// memory, which cost about a quarter of the layer's time.
enum LinearKernels {
    /// Rows per block: about 1 MB of output, a multiple of 16, at least 64.
    static func rowsPerBlock(columns: Int) -> Int {
        max(64, (1 << 18) / max(columns, 1) / 16 * 16)
    }

    /// `y = x Wᵀ + b` for `x: [rows, din]`, `w: [dout, din]`, `y: [rows, dout]`.
    static func forward(
        x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>,
        rows: Int, din: Int, dout: Int
    ) {
        let block = rowsPerBlock(columns: dout)
        let blocks = (rows + block - 1) / block
        let work = rows * din * dout
        let run = { (index: Int) in
            let r0 = index * block, r1 = Swift.min(rows, r0 + block)
            Gemm.single(false, true, r1 - r0, dout, din, 1, x + r0 * din, din, w, din, 0, y + r0 * dout, dout)
            if let bias {
                for r in r0..<r1 {
                    let row = y + r * dout
                    var j = 0
                    while j < dout {
                        let n = Swift.min(16, dout - j)
                        (Vector.load(row + j, n) + Vector.load(bias + j, n)).store(row + j, n)
                        j += 16
                    }
                }
            }
        }
        if work < Gemm.parallelThreshold * 2 || blocks == 1 {
            for i in 0..<blocks { run(i) }
        } else {
            ComputeThreads.run(chunks: blocks, run)
        }
    }

    /// `dx (+)= dy W` with the bias gradient's column sums of `dy` taken block by block
    /// (partial sums per block, combined in block order: deterministic).
    static func backwardInput(
        dy: UnsafePointer<Float>, w: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, accumulateDX: Bool,
        biasGradient: UnsafeMutablePointer<Float>?, accumulateBias: Bool, rows: Int, din: Int, dout: Int
    ) {
        let block = rowsPerBlock(columns: Swift.max(din, dout))
        let blocks = (rows + block - 1) / block
        let partial = biasGradient == nil ? nil : TensorStorage(zeros: blocks * dout)
        let run = { (index: Int) in
            let r0 = index * block, r1 = Swift.min(rows, r0 + block)
            if let dx {
                Gemm.single(false, false, r1 - r0, din, dout, 1, dy + r0 * dout, dout, w, din, accumulateDX ? 1 : 0, dx + r0 * din, din)
            }
            if let partial {
                Reduce.columnSumsSerial(dy + r0 * dout, rows: r1 - r0, columns: dout, into: partial.pointer + index * dout)
            }
        }
        if rows * din * dout < Gemm.parallelThreshold * 2 || blocks == 1 {
            for i in 0..<blocks { run(i) }
        } else {
            ComputeThreads.run(chunks: blocks, run)
        }
        if let partial, let biasGradient {
            if !accumulateBias { biasGradient.update(repeating: 0, count: dout) }
            for i in 0..<blocks { Vector.copySerial(partial.pointer + i * dout, into: biasGradient, count: dout, accumulate: true) }
        }
    }
}
