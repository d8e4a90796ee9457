import Foundation

/// Elementwise functions and their derivatives.
extension Tensor {
    /// Applies `forward` lane-wise; the backward pass computes `gradient(x, y, g)`, the
    /// input gradient from the input, the output and the output gradient.
    func unary(
        forward: (Float16x) -> Float16x,
        gradient: @escaping (_ x: Float16x, _ y: Float16x, _ g: Float16x) -> Float16x
    ) -> Tensor {
        let input = self
        let out = TensorStorage(count: count)
        let src = storage.pointer, dst = out.pointer
        Vector.blocks(count) { i, n in forward(Vector.load(src + i, n)).store(dst + i, n) }
        return Tensor.result(shape: shape, storage: out, inputs: [input]) { g in
            let x = input.storage.pointer, y = out.pointer, gp = g.pointer
            input.withGradient { dx, acc in
                Vector.blocks(g.count) { i, n in
                    var d = gradient(Vector.load(x + i, n), Vector.load(y + i, n), Vector.load(gp + i, n))
                    if acc { d += Vector.load(dx + i, n) }
                    d.store(dx + i, n)
                }
            }
        }
    }

    /// e^x.
    public func exp() -> Tensor {
        unary(forward: SIMDMath.exp) { _, y, g in g * y }
    }

    /// Natural logarithm.
    public func log() -> Tensor {
        unary(forward: { v in lanewise(v) { Foundation.log($0) } }) { x, _, g in g / x }
    }

    /// Square root.
    public func sqrt() -> Tensor {
        unary(forward: { $0.squareRoot() }) { _, y, g in g * 0.5 / y }
    }

    /// 1 / √x.
    public func rsqrt() -> Tensor {
        unary(forward: { 1 / $0.squareRoot() }) { x, y, g in g * -0.5 * y / x }
    }

    /// Hyperbolic tangent.
    public func tanh() -> Tensor {
        unary(forward: SIMDMath.tanh) { _, y, g in g * (1 - y * y) }
    }

    /// Logistic sigmoid 1 / (1 + e^−x).
    public func sigmoid() -> Tensor {
        unary(forward: SIMDMath.sigmoid) { _, y, g in g * y * (1 - y) }
    }

    /// xᵖ elementwise. Exponent 2 is computed as x·x; other exponents need x > 0 unless the
    /// exponent is an integer.
    public func pow(_ exponent: Float) -> Tensor {
        if exponent == 2 {
            return unary(forward: { $0 * $0 }) { x, _, g in g * 2 * x }
        }
        return unary(forward: { v in lanewise(v) { Foundation.pow($0, exponent) } }) { x, _, g in
            g * exponent * lanewise(x) { Foundation.pow($0, exponent - 1) }
        }
    }

    /// GELU with the exact normal CDF: x·Φ(x) (Hendrycks & Gimpel), as `nn.GELU()`.
    public func gelu() -> Tensor {
        unary(forward: { x in x * SIMDMath.normalCDF(x) }) { x, _, g in
            // d/dx x·Φ(x) = Φ(x) + x·φ(x)
            let pdf = SIMDMath.exp(-0.5 * x * x) * 0.398_942_280_401_432_7
            return g * (SIMDMath.normalCDF(x) + x * pdf)
        }
    }

    /// QuickGELU, x·σ(1.702·x), the activation of OpenAI's CLIP.
    public func quickGELU() -> Tensor {
        unary(forward: { x in x * SIMDMath.sigmoid(1.702 * x) }) { x, _, g in
            let s = SIMDMath.sigmoid(1.702 * x)
            return g * (s + 1.702 * x * s * (1 - s))
        }
    }

    /// Swift.max(x, 0).
    public func relu() -> Tensor {
        unary(forward: { $0.replacing(with: 0, where: $0 .< 0) }) { x, _, g in g.replacing(with: 0, where: x .<= 0) }
    }
}

/// Applies a scalar function to each lane (for functions with no SIMD version).
@inline(__always)
func lanewise(_ v: Float16x, _ f: (Float) -> Float) -> Float16x {
    var r = Float16x()
    for i in 0..<16 { r[i] = f(v[i]) }
    return r
}
