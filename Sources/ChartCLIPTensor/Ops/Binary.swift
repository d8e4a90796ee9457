/// Broadcasting elementwise arithmetic: `+ − × ÷` between tensors (NumPy broadcasting
/// rules) and with scalars.
enum BinaryOp {
    case add, sub, mul, div

    var symbol: String {
        switch self {
        case .add: return "+"
        case .sub: return "-"
        case .mul: return "*"
        case .div: return "/"
        }
    }

    @inline(__always)
    func apply(_ a: Float16x, _ b: Float16x) -> Float16x {
        switch self {
        case .add: return a + b
        case .sub: return a - b
        case .mul: return a * b
        case .div: return a / b
        }
    }
}

enum Broadcast {
    /// The broadcast shape of `a` and `b`, or a failure naming both shapes.
    static func shape(_ a: [Int], _ b: [Int], op: String) -> [Int] {
        let rank = Swift.max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da != db && da != 1 && db != 1 {
                shapeFailure("\(op): shapes \(a) and \(b) cannot be broadcast together (dimension \(i): \(da) vs \(db))")
            }
            out[i] = da == 1 ? db : da
        }
        return out
    }

    /// Element strides of `shape` viewed as `outShape` (0 along broadcast dimensions).
    static func strides(of shape: [Int], in outShape: [Int]) -> [Int] {
        let rank = outShape.count
        var strides = [Int](repeating: 0, count: rank)
        var step = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            let axis = i + rank - shape.count
            strides[axis] = shape[i] == 1 ? 0 : step
            step *= shape[i]
        }
        return strides
    }

    /// `out = a ∘ b` with broadcasting. Rows of the last dimension are vectorised whether
    /// each input is contiguous along it or broadcast (stride 0).
    static func apply(
        _ op: BinaryOp, _ a: UnsafePointer<Float>, _ aShape: [Int], _ b: UnsafePointer<Float>,
        _ bShape: [Int], _ out: UnsafeMutablePointer<Float>, _ outShape: [Int]
    ) {
        let count = outShape.reduce(1, *)
        if count == 0 { return }
        if aShape == bShape {
            switch op {
            case .add: Vector.run(count, SameShapeKernel<AddOp>(a: a, b: b, out: out))
            case .sub: Vector.run(count, SameShapeKernel<SubOp>(a: a, b: b, out: out))
            case .mul: Vector.run(count, SameShapeKernel<MulOp>(a: a, b: b, out: out))
            case .div: Vector.run(count, SameShapeKernel<DivOp>(a: a, b: b, out: out))
            }
            return
        }
        let rank = outShape.count
        let sa = strides(of: aShape, in: outShape)
        let sb = strides(of: bShape, in: outShape)
        let inner = rank == 0 ? 1 : outShape[rank - 1]
        let innerA = rank == 0 ? 0 : sa[rank - 1]
        let innerB = rank == 0 ? 0 : sb[rank - 1]
        let rows = count / inner
        ComputeThreads.parallelFor(rows, grain: Swift.max(1, Vector.grain / Swift.max(inner, 1))) { range in
            var index = [Int](repeating: 0, count: Swift.max(rank - 1, 0))
            var rem = range.lowerBound
            for axis in stride(from: rank - 2, through: 0, by: -1) {
                index[axis] = rem % outShape[axis]
                rem /= outShape[axis]
            }
            for row in range {
                var offA = 0, offB = 0
                for axis in 0..<(rank - 1) {
                    offA += index[axis] * sa[axis]
                    offB += index[axis] * sb[axis]
                }
                let pa = a + offA, pb = b + offB, po = out + row * inner
                var j = 0
                while j < inner {
                    let n = Swift.min(16, inner - j)
                    let va = innerA == 0 ? Float16x(repeating: pa[0]) : Vector.load(pa + j, n)
                    let vb = innerB == 0 ? Float16x(repeating: pb[0]) : Vector.load(pb + j, n)
                    op.apply(va, vb).store(po + j, n)
                    j += 16
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

    /// Sums `source` (shape `fromShape`) down to `toShape` over the broadcast dimensions,
    /// the gradient rule of broadcasting. Returns `source` itself when nothing to reduce.
    static func sum(_ source: TensorStorage, from fromShape: [Int], to toShape: [Int]) -> TensorStorage {
        if fromShape == toShape { return source }
        let toCount = toShape.reduce(1, *)
        let result = TensorStorage(zeros: toCount)
        let fromCount = fromShape.reduce(1, *)
        if toCount == 1 {
            result.pointer[0] = Float(Vector.sum(source.pointer, count: fromCount))
            return result
        }
        let rank = fromShape.count
        let strides = strides(of: toShape, in: fromShape)
        // Fast path: `toShape` is a suffix of `fromShape` (bias gradients): column sums.
        let core = Array(toShape.drop(while: { $0 == 1 }))
        if Array(fromShape.suffix(core.count)) == core {
            let width = toCount
            let rows = fromCount / width
            Reduce.columnSums(source.pointer, rows: rows, columns: width, into: result.pointer, accumulate: false)
            return result
        }
        var index = [Int](repeating: 0, count: rank)
        for i in 0..<fromCount {
            var off = 0
            for axis in 0..<rank { off += index[axis] * strides[axis] }
            result.pointer[off] += source.pointer[i]
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < fromShape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }
}

extension Tensor {
    static func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) -> Tensor {
        let outShape = Broadcast.shape(a.shape, b.shape, op: "operator \(op.symbol)")
        let out = TensorStorage(count: outShape.reduce(1, *))
        Broadcast.apply(op, a.storage.pointer, a.shape, b.storage.pointer, b.shape, out.pointer, outShape)
        return result(op: op.symbol, shape: outShape, storage: out, inputs: [a, b]) { g in
            let aShape = a.shape, bShape = b.shape
            switch op {
            case .add, .sub:
                if a.requiresGrad {
                    // `a` may take `g` itself; `b` then copies it.
                    a.accumulateGradient(Broadcast.sum(g, from: outShape, to: aShape), owned: true)
                }
                if b.requiresGrad {
                    var gb = Broadcast.sum(g, from: outShape, to: bShape)
                    if op == .sub {
                        let negated = TensorStorage(count: gb.count)
                        Vector.scale(gb.pointer, by: -1, into: negated.pointer, count: gb.count)
                        gb = negated
                    }
                    b.accumulateGradient(gb, owned: gb !== g)
                }
            case .mul:
                if a.requiresGrad {
                    let t = TensorStorage(count: g.count)
                    Broadcast.apply(.mul, g.pointer, outShape, b.storage.pointer, bShape, t.pointer, outShape)
                    a.accumulateGradient(Broadcast.sum(t, from: outShape, to: aShape), owned: true)
                }
                if b.requiresGrad {
                    let t = TensorStorage(count: g.count)
                    Broadcast.apply(.mul, g.pointer, outShape, a.storage.pointer, aShape, t.pointer, outShape)
                    b.accumulateGradient(Broadcast.sum(t, from: outShape, to: bShape), owned: true)
                }
            case .div:
                if a.requiresGrad {
                    let t = TensorStorage(count: g.count)
                    Broadcast.apply(.div, g.pointer, outShape, b.storage.pointer, bShape, t.pointer, outShape)
                    a.accumulateGradient(Broadcast.sum(t, from: outShape, to: aShape), owned: true)
                }
                if b.requiresGrad {
                    // d(a/b)/db = −(a/b)/b = −out/b
                    let t = TensorStorage(count: g.count)
                    Broadcast.apply(.mul, g.pointer, outShape, out.pointer, outShape, t.pointer, outShape)
                    Broadcast.apply(.div, t.pointer, outShape, b.storage.pointer, bShape, t.pointer, outShape)
                    let gb = Broadcast.sum(t, from: outShape, to: bShape)
                    Vector.scale(gb.pointer, by: -1, into: gb.pointer, count: gb.count)
                    b.accumulateGradient(gb, owned: true)
                }
            }
        }
    }

    /// Elementwise sum with broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(.add, a, b) }
    /// Elementwise difference with broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(.sub, a, b) }
    /// Elementwise product with broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(.mul, a, b) }
    /// Elementwise quotient with broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(.div, a, b) }

    /// `a + s` for every element.
    public static func + (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: s) }
    /// `s + a` for every element.
    public static func + (s: Float, a: Tensor) -> Tensor { a.affine(scale: 1, shift: s) }
    /// `a − s` for every element.
    public static func - (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: -s) }
    /// `s − a` for every element.
    public static func - (s: Float, a: Tensor) -> Tensor { a.affine(scale: -1, shift: s) }
    /// `a · s` for every element.
    public static func * (a: Tensor, s: Float) -> Tensor { a.affine(scale: s, shift: 0) }
    /// `s · a` for every element.
    public static func * (s: Float, a: Tensor) -> Tensor { a.affine(scale: s, shift: 0) }
    /// `a / s` for every element.
    public static func / (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1 / s, shift: 0) }
    /// `s / a` for every element.
    public static func / (s: Float, a: Tensor) -> Tensor { Tensor(scalar: s) / a }
    /// `−a`.
    public static prefix func - (a: Tensor) -> Tensor { a.affine(scale: -1, shift: 0) }

    /// `scale · x + shift`, elementwise (the scalar arithmetic operators).
    public func affine(scale: Float, shift: Float) -> Tensor {
        let x = self
        let out = TensorStorage(count: count)
        let src = storage.pointer, dst = out.pointer
        Vector.run(count, AffineKernel(x: src, y: dst, scale: scale, shift: shift))
        return Tensor.result(op: "affine", shape: shape, storage: out, inputs: [x]) { g in
            if scale == 1 {
                x.accumulateGradient(g, owned: true)
            } else {
                x.withGradient { dx, acc in Vector.scale(g.pointer, by: scale, into: dx, count: g.count, accumulate: acc) }
            }
        }
    }
}

/// A binary operation as a type, so kernels specialise on it.
protocol BinaryFunction { static func apply(_ a: Float16x, _ b: Float16x) -> Float16x }
enum AddOp: BinaryFunction { @inline(__always) static func apply(_ a: Float16x, _ b: Float16x) -> Float16x { a + b } }
enum SubOp: BinaryFunction { @inline(__always) static func apply(_ a: Float16x, _ b: Float16x) -> Float16x { a - b } }
enum MulOp: BinaryFunction { @inline(__always) static func apply(_ a: Float16x, _ b: Float16x) -> Float16x { a * b } }
enum DivOp: BinaryFunction { @inline(__always) static func apply(_ a: Float16x, _ b: Float16x) -> Float16x { a / b } }

/// `out = a ∘ b` for equal shapes.
struct SameShapeKernel<Op: BinaryFunction>: BlockKernel {
    let a: UnsafePointer<Float>, b: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
    @inline(__always) func apply(_ i: Int, _ n: Int) { Op.apply(Vector.load(a + i, n), Vector.load(b + i, n)).store(out + i, n) }
}

/// `y = scale·x + shift`.
struct AffineKernel: BlockKernel {
    let x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, scale: Float, shift: Float
    @inline(__always) func apply(_ i: Int, _ n: Int) { (Vector.load(x + i, n) * scale + shift).store(y + i, n) }
}
