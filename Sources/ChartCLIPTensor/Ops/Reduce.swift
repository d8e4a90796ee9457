/// Reductions: sum, mean and max along axes, argmax.
enum Reduce {
    /// `out[j] (+)= Σᵢ x[i, j]` for a `rows × columns` matrix; threads split the columns,
    /// so every sum runs in the same order whatever the thread count.
    static func columnSums(
        _ x: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>,
        accumulate: Bool
    ) {
        let blocks = (columns + 15) / 16
        ComputeThreads.parallelFor(blocks, grain: Swift.max(1, Vector.grain / Swift.max(rows * 16, 1))) { range in
            for block in range {
                let j = block * 16
                let n = Swift.min(16, columns - j)
                var acc = accumulate ? Vector.load(out + j, n) : Float16x()
                var p = x + j
                for _ in 0..<rows {
                    acc += Vector.load(p, n)
                    p += columns
                }
                acc.store(out + j, n)
            }
        }
    }

    /// Sums axis 1 of an `outer × length × inner` view into `outer × inner`.
    static func sumAxis(
        _ x: UnsafePointer<Float>, outer: Int, length: Int, inner: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        if inner == 1 {
            ComputeThreads.parallelFor(outer, grain: Swift.max(1, Vector.grain / Swift.max(length, 1))) { range in
                for o in range {
                    let row = x + o * length
                    var acc = Float16x()
                    var k = 0
                    while k + 16 <= length {
                        acc += Float16x.load(row + k)
                        k += 16
                    }
                    var total = acc.laneSum
                    while k < length {
                        total += row[k]
                        k += 1
                    }
                    out[o] = total
                }
            }
            return
        }
        ComputeThreads.parallelFor(outer, grain: Swift.max(1, Vector.grain / Swift.max(length * inner, 1))) { range in
            for o in range {
                columnSumsSerial(x + o * length * inner, rows: length, columns: inner, into: out + o * inner)
            }
        }
    }

    static func columnSumsSerial(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>) {
        var j = 0
        while j < columns {
            let n = Swift.min(16, columns - j)
            var acc = Float16x()
            var p = x + j
            for _ in 0..<rows {
                acc += Vector.load(p, n)
                p += columns
            }
            acc.store(out + j, n)
            j += 16
        }
    }

    /// `(outer, length, inner)` for reducing `axis` of `shape`.
    static func split(_ shape: [Int], axis: Int) -> (Int, Int, Int) {
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        return (outer, shape[axis], inner)
    }
}

extension Broadcast {
    /// Writes `source` (shape `fromShape`, broadcastable) expanded to `toShape` into `out`,
    /// or adds it when `accumulate`.
    static func expand(
        _ source: UnsafePointer<Float>, _ fromShape: [Int], into out: UnsafeMutablePointer<Float>,
        _ toShape: [Int], accumulate: Bool
    ) {
        if accumulate {
            apply(.add, source, fromShape, UnsafePointer(out), toShape, out, toShape)
        } else {
            var one: Float = 1
            withUnsafePointer(to: &one) { apply(.mul, source, fromShape, $0, [], out, toShape) }
        }
    }
}

extension Tensor {
    /// Resolves a possibly negative axis, failing with the shape when out of range.
    func axis(_ axis: Int, op: String) -> Int {
        let a = axis < 0 ? axis + rank : axis
        if a < 0 || a >= rank { shapeFailure("\(op): axis \(axis) is out of range for shape \(shape)") }
        return a
    }

    /// Sum over `axes` (negative axes count from the end). Reduced axes are kept with size 1
    /// when `keepingDims`, else removed.
    public func sum(alongAxes axes: [Int], keepingDims: Bool = false) -> Tensor {
        let resolved = Set(axes.map { axis($0, op: "sum(alongAxes:)") })
        var keptShape = shape
        var current = storage
        var currentShape = shape
        for a in resolved.sorted(by: >) {
            let (outer, length, inner) = Reduce.split(currentShape, axis: a)
            let next = TensorStorage(count: outer * inner)
            Reduce.sumAxis(current.pointer, outer: outer, length: length, inner: inner, into: next.pointer)
            current = next
            currentShape[a] = 1
            keptShape[a] = 1
        }
        if resolved.isEmpty { current = storage.copy() }
        let outShape = keepingDims ? keptShape : shape.enumerated().filter { !resolved.contains($0.offset) }.map(\.element)
        let x = self
        let inShape = shape
        return Tensor.result(op: "sum", shape: outShape, storage: current, inputs: [x]) { g in
            x.withGradient { dx, acc in Broadcast.expand(g.pointer, keptShape, into: dx, inShape, accumulate: acc) }
        }
    }

    /// Sum over one axis.
    public func sum(alongAxis axis: Int, keepingDims: Bool = false) -> Tensor {
        sum(alongAxes: [axis], keepingDims: keepingDims)
    }

    /// Sum of all elements, as a scalar tensor.
    public func sum() -> Tensor { sum(alongAxes: Array(0..<rank)) }

    /// Mean over `axes`.
    public func mean(alongAxes axes: [Int], keepingDims: Bool = false) -> Tensor {
        let n = Set(axes.map { axis($0, op: "mean(alongAxes:)") }).reduce(1) { $0 * shape[$1] }
        return sum(alongAxes: axes, keepingDims: keepingDims) * (1 / Float(n))
    }

    /// Mean over one axis.
    public func mean(alongAxis axis: Int, keepingDims: Bool = false) -> Tensor {
        mean(alongAxes: [axis], keepingDims: keepingDims)
    }

    /// Mean of all elements, as a scalar tensor.
    public func mean() -> Tensor { sum() * (1 / Float(Swift.max(count, 1))) }

    /// Maximum along `axis`; the gradient goes to the first maximal element.
    public func max(alongAxis axis: Int, keepingDims: Bool = false) -> Tensor {
        let a = self.axis(axis, op: "Swift.max(alongAxis:)")
        let (outer, length, inner) = Reduce.split(shape, axis: a)
        if length == 0 { shapeFailure("Swift.max(alongAxis: \(axis)) over an empty axis of shape \(shape)") }
        let out = TensorStorage(count: outer * inner)
        var argmax = [Int32](repeating: 0, count: outer * inner)
        let x = storage.pointer
        for o in 0..<outer {
            for i in 0..<inner {
                var best = x[o * length * inner + i]
                var bestK = 0
                for k in 1..<Swift.max(length, 1) {
                    let v = x[(o * length + k) * inner + i]
                    if v > best || (v.isNaN && !best.isNaN) {
                        best = v
                        bestK = k
                    }
                }
                out.pointer[o * inner + i] = best
                argmax[o * inner + i] = Int32(bestK)
            }
        }
        var outShape = shape
        if keepingDims { outShape[a] = 1 } else { outShape.remove(at: a) }
        let input = self
        return Tensor.result(op: "max", shape: outShape, storage: out, inputs: [input]) { g in
            let dx = TensorStorage(zeros: input.count)
            for o in 0..<outer {
                for i in 0..<inner {
                    dx.pointer[(o * length + Int(argmax[o * inner + i])) * inner + i] = g.pointer[o * inner + i]
                }
            }
            input.accumulateGradient(dx, owned: true)
        }
    }

    /// Index of the maximum along `axis` for every position of the other axes, row-major
    /// (first index on ties). Not differentiable.
    public func argmax(alongAxis axis: Int) -> [Int] {
        let a = self.axis(axis, op: "argmax(alongAxis:)")
        let (outer, length, inner) = Reduce.split(shape, axis: a)
        var result = [Int](repeating: 0, count: outer * inner)
        let x = storage.pointer
        for o in 0..<outer {
            for i in 0..<inner {
                var best = -Float.infinity
                var bestK = 0
                for k in 0..<length {
                    let v = x[(o * length + k) * inner + i]
                    if v > best {
                        best = v
                        bestK = k
                    }
                }
                result[o * inner + i] = bestK
            }
        }
        return result
    }
}
