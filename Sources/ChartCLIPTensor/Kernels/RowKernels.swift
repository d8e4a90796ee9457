import Foundation

/// Row-wise kernels over the last dimension: softmax, log-softmax, layer norm, in
/// forward/backward pairs (llm.c style).
enum RowKernels {
    /// Maximum of a row.
    @inline(__always)
    static func rowMax(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var m = Float16x(repeating: -.infinity)
        var j = 0
        while j + 16 <= n {
            m = SIMDMath.maximum(m, Float16x.load(x + j))
            j += 16
        }
        var best = SIMDMath.horizontalMax(m)
        while j < n {
            best = Swift.max(best, x[j])
            j += 1
        }
        return best
    }

    /// `y = exp(x − shift)` over a row; returns Σy.
    @inline(__always)
    static func expShifted(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, shift: Float) -> Float {
        var acc = Float16x()
        var j = 0
        while j < n {
            let lanes = min(16, n - j)
            var e = SIMDMath.exp(Vector.load(x + j, lanes) - shift)
            if lanes < 16 { e = e.replacing(with: 0, where: SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) .>= Int32(lanes)) }
            acc += e
            e.store(y + j, lanes)
            j += 16
        }
        return acc.laneSum
    }

    /// Σ a·b over a row.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = Float16x()
        var j = 0
        while j + 16 <= n {
            acc = acc.addingProduct(Float16x.load(a + j), Float16x.load(b + j))
            j += 16
        }
        var total = acc.laneSum
        while j < n {
            total += a[j] * b[j]
            j += 1
        }
        return total
    }

    /// Softmax of each row of `rows × n` (rows with `valid` < n treat later entries as −∞,
    /// which is how the causal mask is applied without a mask tensor).
    @inline(__always)
    static func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, valid: Int) {
        let m = rowMax(x, valid)
        let s = expShifted(x, y, valid, shift: m)
        let inv = 1 / s
        var j = 0
        while j < valid {
            let lanes = min(16, valid - j)
            (Vector.load(y + j, lanes) * inv).store(y + j, lanes)
            j += 16
        }
        if valid < n { (y + valid).update(repeating: 0, count: n - valid) }
    }

    /// Softmax backward for one row: `dx (+)= y ⊙ (g − ⟨g, y⟩) · scale`.
    @inline(__always)
    static func softmaxBackwardRow(
        _ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int,
        scale: Float = 1, accumulate: Bool
    ) {
        let d = dot(g, y, n)
        var j = 0
        while j < n {
            let lanes = min(16, n - j)
            var v = Vector.load(y + j, lanes) * (Vector.load(g + j, lanes) - d) * scale
            if accumulate { v += Vector.load(dx + j, lanes) }
            v.store(dx + j, lanes)
            j += 16
        }
    }

    /// Layer norm of one row: returns (mean, 1/σ) and writes `y = (x − μ)/σ · w + b`.
    @inline(__always)
    static func layerNormRow(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ w: UnsafePointer<Float>,
        _ b: UnsafePointer<Float>, _ n: Int, eps: Float
    ) -> (Float, Float) {
        var acc = Float16x()
        var j = 0
        while j + 16 <= n {
            acc += Float16x.load(x + j)
            j += 16
        }
        var total = acc.laneSum
        while j < n {
            total += x[j]
            j += 1
        }
        let mean = total / Float(n)
        // Two-pass variance: (x − μ)² is exact enough where Σx² − nμ² would cancel.
        var vacc = Float16x()
        j = 0
        while j + 16 <= n {
            let d = Float16x.load(x + j) - mean
            vacc = vacc.addingProduct(d, d)
            j += 16
        }
        var variance = vacc.laneSum
        while j < n {
            variance += (x[j] - mean) * (x[j] - mean)
            j += 1
        }
        variance /= Float(n)
        let rstd = 1 / (variance + eps).squareRoot()
        j = 0
        while j < n {
            let lanes = min(16, n - j)
            let xhat = (Vector.load(x + j, lanes) - mean) * rstd
            (xhat * Vector.load(w + j, lanes) + Vector.load(b + j, lanes)).store(y + j, lanes)
            j += 16
        }
        return (mean, rstd)
    }

    /// Layer norm backward for one row: writes/adds dx, and adds this row's contribution
    /// to the per-thread partial sums `dw`, `db`.
    @inline(__always)
    static func layerNormBackwardRow(
        _ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ w: UnsafePointer<Float>, mean: Float,
        rstd: Float, _ n: Int, dx: UnsafeMutablePointer<Float>?, accumulate: Bool,
        dw: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>
    ) {
        // dxhat = g·w; dx = rstd·(dxhat − mean(dxhat) − xhat·mean(dxhat·xhat))
        var sumD = Float16x(), sumDX = Float16x()
        var j = 0
        while j < n {
            let lanes = min(16, n - j)
            let gv = Vector.load(g + j, lanes)
            let xhat = (Vector.load(x + j, lanes) - mean) * rstd
            var xhatMasked = xhat
            if lanes < 16 { xhatMasked = xhat.replacing(with: 0, where: SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) .>= Int32(lanes)) }
            let dxhat = gv * Vector.load(w + j, lanes)
            sumD += dxhat
            sumDX = sumDX.addingProduct(dxhat, xhatMasked)
            (Vector.load(dw + j, lanes) + gv * xhatMasked).store(dw + j, lanes)
            (Vector.load(db + j, lanes) + gv).store(db + j, lanes)
            j += 16
        }
        guard let dx else { return }
        let meanD = sumD.laneSum / Float(n)
        let meanDX = sumDX.laneSum / Float(n)
        j = 0
        while j < n {
            let lanes = min(16, n - j)
            let xhat = (Vector.load(x + j, lanes) - mean) * rstd
            let dxhat = Vector.load(g + j, lanes) * Vector.load(w + j, lanes)
            var v = (dxhat - meanD - xhat * meanDX) * rstd
            if accumulate { v += Vector.load(dx + j, lanes) }
            v.store(dx + j, lanes)
            j += 16
        }
    }
}
