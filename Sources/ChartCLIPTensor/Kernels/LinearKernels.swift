/// The linear layer's products with the bias fused in, one row block at a time.
///
/// A row block small enough to stay in L2 is multiplied and then, while it is still in
/// cache, gets its bias added (forward) or its columns summed into the bias gradient
/// (backward). As separate passes these touched the whole output twice more through
/// memory, which cost about a quarter of the layer's time. In `bfloat16` precision the weight
/// is rounded and packed once per product and shared by every block.
enum LinearKernels {
    /// How many blocks `rows` are cut into (`Gemm.blockRange` then splits them evenly in
    /// whole 16-row units, for the micro-kernels).
    ///
    /// Every block's `cblas_sgemm` packs all of W again, so a block needs enough rows to pay
    /// for that: at least 256 once W is larger than 1 MB (with 112-row blocks, ViT-B/16's
    /// fc1 spent a fifth of its time repacking). Within that, blocks aim at about 1 MB of
    /// output so the bias pass finds the block still in cache, and there are at least four
    /// when the rows allow 64 each: with narrow outputs (clip-tiny's 64 columns) the cache
    /// target alone gave its text tower one block, and its backward pass left a core idle.
    /// The count is even, so two threads never wait for a last odd block; it does not depend
    /// on the thread count, because the gradients' partial sums follow the blocks and must
    /// not change with it.
    static func rowBlocks(rows: Int, din: Int, dout: Int) -> Int {
        let cacheRows = max(64, (1 << 18) / max(dout, 1))
        let packRows = din * dout >= (1 << 18) ? 256 : 64
        let target = max(cacheRows, packRows)
        let units = (rows + 15) / 16
        let count = max(min(4, rows / 64), 1, (rows + target - 1) / target)
        let even = rows >= 2 * packRows ? (count + 1) / 2 * 2 : count
        return max(1, min(even, units))
    }

    /// `y = x Wᵀ + b` for `x: [rows, din]`, `w: [dout, din]`, `y: [rows, dout]`.
    static func forward(
        x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>,
        rows: Int, din: Int, dout: Int
    ) {
        let work = rows * din * dout
        if Gemm.usesBLASThreads(work: work) {
            // Inference: one product on OpenBLAS's threads (one packed W for all), then the bias.
            Gemm.threadedBLAS(false, true, rows, dout, din, 1, x, din, w, din, 0, y, dout)
            if let bias { addRows(bias, to: y, rows: rows, columns: dout) }
            return
        }
        let blocks = rowBlocks(rows: rows, din: din, dout: dout)
        let packed = Gemm.packedForBFloat16(transposeB: true, k: din, n: dout, b: w, ldb: din)
        let run = { (index: Int) in
            let span = Gemm.blockRange(rows, parts: blocks, index: index)
            let r0 = span.lowerBound, r1 = span.upperBound
            if span.isEmpty { return }
            // bfloat16 adds the bias as it stores the product; float32 adds it to the block
            // while the block is still in cache.
            let done = packed?.multiply(
                m: r1 - r0, a: x + r0 * din, lda: din, beta: 0, bias: bias, c: y + r0 * dout, ldc: dout) ?? false
            if !done {
                Gemm.single(false, true, r1 - r0, dout, din, 1, x + r0 * din, din, w, din, 0, y + r0 * dout, dout)
                if let bias { addRowsSerial(bias, to: y + r0 * dout, rows: r1 - r0, columns: dout) }
            }
        }
        if work < Gemm.parallelThreshold * 2 || blocks == 1 {
            for i in 0..<blocks { run(i) }
        } else {
            ComputeThreads.run(chunks: blocks, run)
        }
    }

    /// How many groups of row blocks the backward pass gives partial weight gradients of its
    /// own: as many as there are blocks, at most 4, and none (0: the weight gradient is one
    /// product of its own) when the partials would pass 4 MB. Fixed by the shape, like the
    /// blocks, so the sums do not change with the thread count.
    static func weightGradientGroups(blocks: Int, din: Int, dout: Int) -> Int {
        let groups = min(blocks, 4)
        return groups * din * dout <= (1 << 20) ? groups : 0
    }

    /// The whole backward pass of a linear layer, one row block of `dy` at a time while it is
    /// in cache: `dx (+)= dy W`, the bias gradient's column sums of `dy`, and the weight
    /// gradient `dw (+)= dyᵀ x`. Partial sums (per block for the bias, per group of blocks for
    /// the weight, both fixed by the shape) are combined in order: deterministic, and the same
    /// whatever the thread count. Blocks split the weight gradient along K, so every block
    /// rounds and packs only its own rows of `dy` and `x`; split along its output rows
    /// instead, every part packed all of `x` again (on clip-tiny's layers, as long as the
    /// product itself). Layers whose partial weight gradients would be large (over 4 MB) keep
    /// one product for `dw`, split along its rows.
    static func backward(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, accumulateDX: Bool,
        dw: UnsafeMutablePointer<Float>?, accumulateDW: Bool,
        biasGradient: UnsafeMutablePointer<Float>?, accumulateBias: Bool, rows: Int, din: Int, dout: Int
    ) {
        let blocks = rowBlocks(rows: rows, din: dout, dout: din)
        let groups = dw == nil ? 0 : weightGradientGroups(blocks: blocks, din: din, dout: dout)
        let partialBias = biasGradient == nil ? nil : TensorStorage(zeros: blocks * dout)
        let partialWeight = groups == 0 ? nil : TensorStorage(count: groups * dout * din)
        let packed = dx == nil ? nil : Gemm.packedForBFloat16(transposeB: false, k: dout, n: din, b: w, ldb: din)
        let block = { (index: Int, group: Int) in
            let span = Gemm.blockRange(rows, parts: blocks, index: index)
            // `rowBlocks` never makes more blocks than 16-row units, so no span is empty.
            let r0 = span.lowerBound, r1 = span.upperBound
            if let dx {
                let beta: Float = accumulateDX ? 1 : 0
                let done = packed?.multiply(m: r1 - r0, a: dy + r0 * dout, lda: dout, beta: beta, c: dx + r0 * din, ldc: din) ?? false
                if !done {
                    Gemm.single(false, false, r1 - r0, din, dout, 1, dy + r0 * dout, dout, w, din, beta, dx + r0 * din, din)
                }
            }
            if let partialBias {
                Reduce.columnSumsSerial(dy + r0 * dout, rows: r1 - r0, columns: dout, into: partialBias.pointer + index * dout)
            }
            if let partialWeight {
                // The group's first block writes its partial, the others add to it.
                let first = ComputeThreads.splitRange(blocks, chunks: groups, index: group).lowerBound == index
                Gemm.single(
                    true, false, dout, din, r1 - r0, 1, dy + r0 * dout, dout, x + r0 * din, din, first ? 0 : 1,
                    partialWeight.pointer + group * dout * din, din)
            }
        }
        // With partial weight gradients a task is a group of blocks; otherwise a block.
        let tasks = groups > 0 ? groups : blocks
        let run = { (task: Int) in
            if groups > 0 {
                for index in ComputeThreads.splitRange(blocks, chunks: groups, index: task) { block(index, task) }
            } else {
                block(task, 0)
            }
        }
        if rows * din * dout < Gemm.parallelThreshold * 2 || tasks == 1 {
            for task in 0..<tasks { run(task) }
        } else {
            ComputeThreads.run(chunks: tasks, run)
        }
        if let partialBias, let biasGradient {
            if !accumulateBias { biasGradient.update(repeating: 0, count: dout) }
            for i in 0..<blocks { Vector.copySerial(partialBias.pointer + i * dout, into: biasGradient, count: dout, accumulate: true) }
        }
        if let dw {
            if let partialWeight {
                let count = dout * din
                ComputeThreads.parallelFor(count, grain: 1 << 14) { span in
                    let n = span.count, offset = span.lowerBound
                    if !accumulateDW { Vector.copySerial(partialWeight.pointer + offset, into: dw + offset, count: n, accumulate: false) }
                    for g in (accumulateDW ? 0 : 1)..<groups {
                        Vector.copySerial(partialWeight.pointer + g * count + offset, into: dw + offset, count: n, accumulate: true)
                    }
                }
            } else {
                Gemm.run(
                    transposeA: true, transposeB: false, m: dout, n: din, k: rows, a: dy, lda: dout,
                    b: x, ldb: din, beta: accumulateDW ? 1 : 0, c: dw, ldc: din)
            }
        }
    }

    /// Adds `bias` to each of `rows` rows of `y`, the rows split across threads.
    static func addRows(_ bias: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        ComputeThreads.parallelFor(rows, grain: Swift.max(1, (1 << 14) / Swift.max(columns, 1))) { span in
            addRowsSerial(bias, to: y + span.lowerBound * columns, rows: span.count, columns: columns)
        }
    }

    /// Adds `bias` to each of `rows` rows of `y` on the calling thread.
    static func addRowsSerial(_ bias: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        for r in 0..<rows { Vector.copySerial(bias, into: y + r * columns, count: columns, accumulate: true) }
    }
}
