/// Reshaping and rearranging: reshape, permute, transpose, slice, concatenate, stack.
extension Tensor {
    /// The same elements with a new shape (shares storage; one `-1` is inferred).
    public func reshaped(to newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let hole = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != hole }.reduce(1) { $0 * $1.element }
            if known == 0 || count % known != 0 {
                shapeFailure("reshaped(to: \(newShape)): cannot infer -1 for \(count) elements of shape \(shape)")
            }
            resolved[hole] = count / known
        }
        if resolved.reduce(1, *) != count {
            shapeFailure("reshaped(to: \(newShape)): shape \(shape) has \(count) elements, the new shape \(resolved.reduce(1, *))")
        }
        let input = self
        return Tensor.result(op: "reshape", shape: resolved, storage: storage, inputs: [input]) { g in
            input.accumulateGradient(g, owned: true)
        }
    }

    /// Inserts a dimension of size 1 at `axis`.
    public func expandingShape(at axis: Int) -> Tensor {
        var s = shape
        s.insert(1, at: axis < 0 ? axis + rank + 1 : axis)
        return reshaped(to: s)
    }

    /// Dimensions reordered: result dimension i is input dimension `order[i]`.
    public func permuted(_ order: [Int]) -> Tensor {
        if order.sorted() != Array(0..<rank) {
            shapeFailure("permuted(\(order)) is not a permutation of the \(rank) axes of shape \(shape)")
        }
        let outShape = order.map { shape[$0] }
        let out = TensorStorage(count: count)
        Permute.copy(storage.pointer, shape, order: order, into: out.pointer, accumulate: false)
        let input = self
        var inverse = [Int](repeating: 0, count: rank)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return Tensor.result(op: "permute", shape: outShape, storage: out, inputs: [input]) { g in
            input.withGradient { dx, acc in Permute.copy(g.pointer, outShape, order: inverse, into: dx, accumulate: acc) }
        }
    }

    /// Swaps two axes (a copy; matrix products take transpose flags instead).
    public func transposed(_ axis0: Int = -2, _ axis1: Int = -1) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(self.axis(axis0, op: "transposed"), self.axis(axis1, op: "transposed"))
        return permuted(order)
    }

    /// The elements with index in `range` along `axis`.
    public func sliced(axis: Int, _ range: Range<Int>) -> Tensor {
        let a = self.axis(axis, op: "sliced")
        if range.lowerBound < 0 || range.upperBound > shape[a] {
            shapeFailure("sliced(axis: \(axis), \(range)) is out of bounds for shape \(shape)")
        }
        let (outer, length, inner) = Reduce.split(shape, axis: a)
        var outShape = shape
        outShape[a] = range.count
        let out = TensorStorage(count: outer * range.count * inner)
        let src = storage.pointer
        let width = range.count * inner
        for o in 0..<outer {
            (out.pointer + o * width).update(from: src + (o * length + range.lowerBound) * inner, count: width)
        }
        let input = self
        return Tensor.result(op: "slice", shape: outShape, storage: out, inputs: [input]) { g in
            input.withGradient { dx, acc in
                if !acc { dx.update(repeating: 0, count: input.count) }
                for o in 0..<outer {
                    let d = dx + (o * length + range.lowerBound) * inner
                    Vector.copy(g.pointer + o * width, into: d, count: width, accumulate: true)
                }
            }
        }
    }

    /// Joins tensors along `axis`; all other dimensions must match.
    public static func concatenate(_ tensors: [Tensor], axis: Int) -> Tensor {
        guard let first = tensors.first else { shapeFailure("concatenate needs at least one tensor") }
        let a = first.axis(axis, op: "concatenate")
        for t in tensors where t.rank != first.rank || t.shape.enumerated().contains(where: { $0.offset != a && $0.element != first.shape[$0.offset] }) {
            shapeFailure("concatenate(axis: \(axis)): shapes \(first.shape) and \(t.shape) differ outside the axis")
        }
        let outer = first.shape[..<a].reduce(1, *)
        let inner = first.shape[(a + 1)...].reduce(1, *)
        let lengths = tensors.map { $0.shape[a] }
        let total = lengths.reduce(0, +)
        var outShape = first.shape
        outShape[a] = total
        let out = TensorStorage(count: outer * total * inner)
        var offset = 0
        for (t, len) in zip(tensors, lengths) {
            for o in 0..<outer {
                (out.pointer + (o * total + offset) * inner).update(from: t.storage.pointer + o * len * inner, count: len * inner)
            }
            offset += len
        }
        return Tensor.result(op: "concatenate", shape: outShape, storage: out, inputs: tensors) { g in
            var offset = 0
            for (t, len) in zip(tensors, lengths) {
                if t.requiresGrad {
                    let start = offset
                    t.withGradient { dx, acc in
                        for o in 0..<outer {
                            Vector.copy(g.pointer + (o * total + start) * inner, into: dx + o * len * inner, count: len * inner, accumulate: acc)
                        }
                    }
                }
                offset += len
            }
        }
    }

    /// Stacks same-shaped tensors along a new `axis`.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        guard let first = tensors.first else { shapeFailure("stack needs at least one tensor") }
        let a = axis < 0 ? axis + first.rank + 1 : axis
        for t in tensors where t.shape != first.shape {
            shapeFailure("stack: shapes \(first.shape) and \(t.shape) differ")
        }
        return concatenate(tensors.map { $0.expandingShape(at: a) }, axis: a)
    }
}

/// Strided copies for `permuted`.
enum Permute {
    /// Writes `x` (shape `shape`) permuted by `order` into `out` (or adds when `accumulate`).
    static func copy(
        _ x: UnsafePointer<Float>, _ shape: [Int], order: [Int], into out: UnsafeMutablePointer<Float>,
        accumulate: Bool
    ) {
        let rank = shape.count
        let count = shape.reduce(1, *)
        if count == 0 { return }
        var inStrides = [Int](repeating: 1, count: rank)
        for i in stride(from: rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
        let outShape = order.map { shape[$0] }
        let strides = order.map { inStrides[$0] }  // input stride for each output axis
        let inner = rank == 0 ? 1 : outShape[rank - 1]
        let innerStride = rank == 0 ? 1 : strides[rank - 1]
        let rows = count / inner
        ComputeThreads.parallelFor(rows, grain: Swift.max(1, Vector.grain / Swift.max(inner, 1))) { range in
            var index = [Int](repeating: 0, count: Swift.max(rank - 1, 0))
            var rem = range.lowerBound
            for axis in stride(from: rank - 2, through: 0, by: -1) {
                index[axis] = rem % outShape[axis]
                rem /= outShape[axis]
            }
            for row in range {
                var src = 0
                for axis in 0..<(rank - 1) { src += index[axis] * strides[axis] }
                let po = out + row * inner
                let ps = x + src
                if innerStride == 1 {
                    Vector.copySerial(ps, into: po, count: inner, accumulate: accumulate)
                } else if accumulate {
                    for j in 0..<inner { po[j] += ps[j * innerStride] }
                } else {
                    for j in 0..<inner { po[j] = ps[j * innerStride] }
                }
                var axis = rank - 2
                while axis >= 0 {
                    index[axis] += 1
                    if index[axis] < outShape[axis] { break }
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }
}

extension Vector {
    /// Single-threaded `out (+)= a` for short rows.
    @inline(__always)
    static func copySerial(_ a: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int, accumulate: Bool) {
        if !accumulate {
            out.update(from: a, count: count)
            return
        }
        var j = 0
        while j < count {
            let n = Swift.min(16, count - j)
            (load(out + j, n) + load(a + j, n)).store(out + j, n)
            j += 16
        }
    }
}

extension Tensor {
    /// The tensor repeated along broadcast dimensions to `newShape` (NumPy rules); the
    /// gradient sums back over them.
    public func broadcast(to newShape: [Int]) -> Tensor {
        let resolved = Broadcast.shape(shape, newShape, op: "broadcast(to:)")
        if resolved != newShape {
            shapeFailure("broadcast(to: \(newShape)): shape \(shape) does not broadcast to it")
        }
        let out = TensorStorage(count: newShape.reduce(1, *))
        Broadcast.expand(storage.pointer, shape, into: out.pointer, newShape, accumulate: false)
        let input = self
        return Tensor.result(op: "broadcast", shape: newShape, storage: out, inputs: [input]) { g in
            input.accumulateGradient(Broadcast.sum(g, from: newShape, to: input.shape), owned: true)
        }
    }
}
