import Foundation

/// An elementwise function and its derivative, as static methods so that generic
/// specialisation inlines them into the SIMD loops (closures passed as values are called
/// out of line, one 16-lane block at a time).
protocol ElementwiseFunction {
    /// y = f(x) for 16 lanes.
    static func forward(_ x: Float16x) -> Float16x
    /// The input gradient g·f′(x), given the input, the output and the output gradient.
    static func gradient(x: Float16x, y: Float16x, g: Float16x) -> Float16x
}

extension Tensor {
    /// Applies `F` elementwise and records its derivative.
    func unary<F: ElementwiseFunction>(_: F.Type) -> Tensor {
        let input = self
        let out = TensorStorage(count: count)
        Vector.run(count, ForwardKernel<F>(x: storage.pointer, y: out.pointer))
        return Tensor.result(op: String(describing: F.self), shape: shape, storage: out, inputs: [input]) { g in
            input.withGradient { dx, acc in
                Vector.run(g.count, BackwardKernel<F>(x: input.storage.pointer, y: out.pointer, g: g.pointer, dx: dx, accumulate: acc))
            }
        }
    }

    /// e^x.
    public func exp() -> Tensor { unary(Exp.self) }
    /// Natural logarithm.
    public func log() -> Tensor { unary(Log.self) }
    /// Square root.
    public func sqrt() -> Tensor { unary(Sqrt.self) }
    /// 1 / √x.
    public func rsqrt() -> Tensor { unary(Rsqrt.self) }
    /// Hyperbolic tangent.
    public func tanh() -> Tensor { unary(Tanh.self) }
    /// Logistic sigmoid 1 / (1 + e^−x).
    public func sigmoid() -> Tensor { unary(Sigmoid.self) }
    /// GELU with the exact normal CDF: x·Φ(x) (Hendrycks & Gimpel), as `nn.GELU()`.
    public func gelu() -> Tensor { unary(GELU.self) }
    /// QuickGELU, x·σ(1.702·x), the activation of OpenAI's CLIP.
    public func quickGELU() -> Tensor { unary(QuickGELU.self) }
    /// max(x, 0).
    public func relu() -> Tensor { unary(ReLU.self) }

    /// xᵖ elementwise. Exponent 2 is computed as x·x; other exponents need x > 0 unless the
    /// exponent is an integer.
    public func pow(_ exponent: Float) -> Tensor {
        if exponent == 2 { return unary(Square.self) }
        let input = self
        let out = TensorStorage(count: count)
        for i in 0..<count { out.pointer[i] = Foundation.pow(storage.pointer[i], exponent) }
        return Tensor.result(op: "pow", shape: shape, storage: out, inputs: [input]) { g in
            input.withGradient { dx, acc in
                for i in 0..<g.count {
                    let d = g.pointer[i] * exponent * Foundation.pow(input.storage.pointer[i], exponent - 1)
                    dx[i] = acc ? dx[i] + d : d
                }
            }
        }
    }
}

/// `y = F(x)` over one block.
struct ForwardKernel<F: ElementwiseFunction>: BlockKernel {
    let x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>
    @inline(__always) func apply(_ i: Int, _ n: Int) { F.forward(Vector.load(x + i, n)).store(y + i, n) }
}

/// `dx (+)= g·F′(x)` over one block.
struct BackwardKernel<F: ElementwiseFunction>: BlockKernel {
    let x: UnsafePointer<Float>, y: UnsafePointer<Float>, g: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>
    let accumulate: Bool
    @inline(__always) func apply(_ i: Int, _ n: Int) {
        var d = F.gradient(x: Vector.load(x + i, n), y: Vector.load(y + i, n), g: Vector.load(g + i, n))
        if accumulate { d += Vector.load(dx + i, n) }
        d.store(dx + i, n)
    }
}

enum Exp: ElementwiseFunction {
    @inline(__always) static func forward(_ x: Float16x) -> Float16x { SIMDMath.exp(x) }
    @inline(__always) static func gradient(x: Float16x, y: Float16x, g: Float16x) -> Float16x { g * y }
}

enum Log: ElementwiseFunction {
    @inline(__always) static func forward(_ x: Float16x) -> Float16x { lanewise(x) { Foundation.log($0) } }
    @inline(__always) static func gradient(x: Float16x, y: Float16x, g: Float16x) -> Float16x { g / x }
}

enum Sqrt: ElementwiseFunction {
    @inline(__always) static func forward(_ x: Float16x) -> Float16x { SIMDMath.sqrt(x) }
    @inline(__always) static func gradient(x: Float16x, y: Float16x, g: Float16x) -> Float16x { g * 0.5 / y }
}

enum Rsqrt: ElementwiseFunction {
    @inline(__always) static func forward(_ x: Float16x) -> Float16x { 1 / SIMDMath.sqrt(x) }
    @inline(__always) static func gradient(x: Float16x, y: Float16x, g: Float16x) -> Float16x { g * -0.5 * y / x }
}

enum Tanh: ElementwiseFunction {
    @inline(__always) static func forward(_ x: Float16x) -> Float16x { SIMDMath.tanh(x) }
    @inline(__always) static func gradient(x: Float16x, y: Float16x, g: Float16x) -> Float16x { g * (1 - y * y) }
}

enum Sigmoid: ElementwiseFunction {
    @inline(__always) static func forward(_ x: Float16x) -> Float16x { SIMDMath.sigmoid(x) }
    @inline(__always) static func gradient(x: Float16x, y: Float16x, g: Float16x) -> Float16x { g * y * (1 - y) }
}

enum Square: ElementwiseFunction {
    @inline(__always) static func forward(_ x: Float16x) -> Float16x { x * x }
    @inline(__always) static func gradient(x: Float16x, y: Float16x, g: Float16x) -> Float16x { g * 2 * x }
}

enum GELU: ElementwiseFunction {
    @inline(__always) static func forward(_ x: Float16x) -> Float16x { x * SIMDMath.normalCDF(x) }
    /// d/dx x·Φ(x) = Φ(x) + x·φ(x).
    @inline(__always) static func gradient(x: Float16x, y: Float16x, g: Float16x) -> Float16x {
        let pdf = SIMDMath.exp(-0.5 * x * x) * 0.398_942_280_401_432_7
        return g * (SIMDMath.normalCDF(x) + x * pdf)
    }
}

enum QuickGELU: ElementwiseFunction {
    @inline(__always) static func forward(_ x: Float16x) -> Float16x { x * SIMDMath.sigmoid(1.702 * x) }
    /// d/dx x·σ(ax) = σ + a·x·σ·(1 − σ).
    @inline(__always) static func gradient(x: Float16x, y: Float16x, g: Float16x) -> Float16x {
        let s = SIMDMath.sigmoid(1.702 * x)
        return g * (s + 1.702 * x * s * (1 - s))
    }
}

enum ReLU: ElementwiseFunction {
    @inline(__always) static func forward(_ x: Float16x) -> Float16x { x.replacing(with: 0, where: x .< 0) }
    @inline(__always) static func gradient(x: Float16x, y: Float16x, g: Float16x) -> Float16x {
        g.replacing(with: 0, where: x .<= 0)
    }
}

/// Applies a scalar function to each lane (for functions with no SIMD version).
@inline(__always)
func lanewise(_ v: Float16x, _ f: (Float) -> Float) -> Float16x {
    var r = Float16x()
    for i in 0..<16 { r[i] = f(v[i]) }
    return r
}
