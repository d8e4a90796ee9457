/// Row gathers (embedding lookups, picking the end-of-text token) and masked fills.
extension Tensor {
    /// Rows `ids` of a 2-D table `[V, D]`, as `[ids.count, D]`, or shaped `leadingShape + [D]`
    /// when given (e.g. `[B, T]` token ids give `[B, T, D]`). The gradient scatter-adds into
    /// the rows that were read.
    public func gatherRows(_ ids: [Int], leadingShape: [Int]? = nil) -> Tensor {
        if rank != 2 { shapeFailure("gatherRows needs a 2-D table, shape is \(shape)") }
        let rows = shape[0], width = shape[1]
        if let bad = ids.first(where: { $0 < 0 || $0 >= rows }) {
            shapeFailure("gatherRows: index \(bad) is out of range for a table of \(rows) rows (shape \(shape))")
        }
        let lead = leadingShape ?? [ids.count]
        if lead.reduce(1, *) != ids.count {
            shapeFailure("gatherRows: leading shape \(lead) does not hold \(ids.count) indices")
        }
        let out = TensorStorage(count: ids.count * width)
        let src = storage.pointer
        ComputeThreads.parallelFor(ids.count, grain: Swift.max(1, Vector.grain / Swift.max(width, 1))) { range in
            for i in range { (out.pointer + i * width).update(from: src + ids[i] * width, count: width) }
        }
        let table = self
        return Tensor.result(op: "gather_rows", shape: lead + [width], storage: out, inputs: [table]) { g in
            table.withGradient { dx, acc in
                if !acc { dx.update(repeating: 0, count: table.count) }
                // Serial: the same row may be read twice, and the order must be fixed.
                for (i, id) in ids.enumerated() {
                    Vector.copySerial(g.pointer + i * width, into: dx + id * width, count: width, accumulate: true)
                }
            }
        }
    }

    /// `value` where `mask` (broadcastable to this shape) is non-zero, else the element.
    /// The gradient flows only through the kept elements.
    public func maskedFill(_ mask: Tensor, value: Float) -> Tensor {
        let outShape = Broadcast.shape(shape, mask.shape, op: "maskedFill")
        if outShape != shape {
            shapeFailure("maskedFill: mask shape \(mask.shape) must broadcast to the tensor's shape \(shape)")
        }
        let full = TensorStorage(count: count)
        Broadcast.expand(mask.storage.pointer, mask.shape, into: full.pointer, shape, accumulate: false)
        let out = TensorStorage(count: count)
        let x = storage.pointer, m = full.pointer
        Vector.parallelRanges(count) { r in Vector.forEachBlock(r) { i, n in
            let v = Vector.load(x + i, n)
            v.replacing(with: value, where: Vector.load(m + i, n) .!= 0).store(out.pointer + i, n)
        } }
        let input = self
        return Tensor.result(op: "masked_fill", shape: shape, storage: out, inputs: [input]) { g in
            let m = full.pointer  // the closure keeps `full` alive
            input.withGradient { dx, acc in
                Vector.parallelRanges(g.count) { r in Vector.forEachBlock(r) { i, n in
                    var d = Vector.load(g.pointer + i, n).replacing(with: 0, where: Vector.load(m + i, n) .!= 0)
                    if acc { d += Vector.load(dx + i, n) }
                    d.store(dx + i, n)
                } }
            }
        }
    }

    /// Inverted dropout: zeroes each element with probability `p` and scales the rest by
    /// 1 / (1 − p). The identity when `p == 0` or not `training`.
    public func dropout(probability p: Float, rng: RandomGenerator, training: Bool = true) -> Tensor {
        if !training || p == 0 { return self }
        if p < 0 || p >= 1 { shapeFailure("dropout probability must be in [0, 1), got \(p)") }
        let keep = TensorStorage(count: count)
        let scale = 1 / (1 - p)
        for i in 0..<count { keep.pointer[i] = rng.uniform() < p ? 0 : scale }
        let maskTensor = Tensor(shape: shape, storage: keep)
        return self * maskTensor
    }
}
