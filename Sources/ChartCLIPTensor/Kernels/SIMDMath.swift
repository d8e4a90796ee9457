/// Vectorised transcendental functions on 16 lanes (one AVX-512 register, two AVX2 ones).
///
/// Polynomial approximations in single precision: `exp` and `tanh` from Cephes
/// (S. Moshier's expf/tanhf, within a few ulp); `erfc` from the Chebyshev fit in Numerical
/// Recipes (relative error < 1.2e-7), `erf` from it or its Maclaurin series near zero.
/// Libm's scalar calls cost ~10 ns each, which made softmax and GELU dominate a step.
public typealias Float16x = SIMD16<Float>

extension SIMD16 where Scalar == Float {
    /// The sum of the 16 lanes by halving (8 + 8, 4 + 4, 2 + 2, 1 + 1): four dependent adds.
    /// The standard library's `sum()` adds the lanes one after another, sixteen dependent adds
    /// through a call; on rows of 64 (clip-tiny's layer norms) that chain was most of the row.
    @inline(__always)
    public var laneSum: Float {
        let eight = lowHalf + highHalf
        let four = eight.lowHalf + eight.highHalf
        let two = four.lowHalf + four.highHalf
        return two[0] + two[1]
    }
}

/// SIMD math helpers. All functions are lane-wise.
public enum SIMDMath {
    /// e^x. Inputs below −87.3 give 0, above 88.7 give +∞ (like `expf`).
    @inline(__always)
    public static func exp(_ input: Float16x) -> Float16x {
        // Clamp with compares and blends: Swift's `clamped`/`pointwiseMin` handle NaN lane by
        // lane and do not vectorise.
        let x = SIMDMath.maximum(SIMDMath.minimum(input, Float16x(repeating: 88.72283)), Float16x(repeating: -87.33654))
        // n = round(x / ln 2), by adding 1.5·2²³: the sum's low mantissa bits then hold n
        // as an integer (round-to-nearest-even for free, and no float→int conversion, which
        // Swift does lane by lane).
        let shifted = x * 1.442_695_04 + 12_582_912.0
        let n = shifted - 12_582_912.0
        // r = x − n·ln 2 in two parts for accuracy.
        var r = x - n * 0.693_359_375
        r = r - n * (-2.121_944_4e-4)
        var p = Float16x(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let y = p * (r * r) + r + 1
        // 2ⁿ by building the exponent bits directly.
        let integer = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000
        let scale = unsafeBitCast((integer &+ 127) &<< 23, to: Float16x.self)
        var result = y * scale
        result.replace(with: Float16x(repeating: .infinity), where: input .> 88.72283)
        result.replace(with: Float16x(repeating: 0), where: input .< -87.33654)
        return result
    }

    /// Lane-wise maximum as one compare and blend (NaN in `a` is kept).
    @inline(__always)
    public static func maximum(_ a: Float16x, _ b: Float16x) -> Float16x {
        a.replacing(with: b, where: b .> a)
    }

    /// Lane-wise maximum of 8 lanes.
    @inline(__always)
    static func maximum(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        a.replacing(with: b, where: b .> a)
    }

    /// Lane-wise minimum as one compare and blend (NaN in `a` is kept).
    @inline(__always)
    public static func minimum(_ a: Float16x, _ b: Float16x) -> Float16x {
        a.replacing(with: b, where: b .< a)
    }

    /// The largest lane (a tree of lane-wise maxima).
    @inline(__always)
    public static func horizontalMax(_ v: Float16x) -> Float {
        let a = maximum(v.lowHalf, v.highHalf)
        let b = SIMD4<Float>(Swift.max(a[0], a[4]), Swift.max(a[1], a[5]), Swift.max(a[2], a[6]), Swift.max(a[3], a[7]))
        return Swift.max(Swift.max(b[0], b[1]), Swift.max(b[2], b[3]))
    }

    /// √x for x ≥ 0 (x = 0 gives 0). Swift's `squareRoot()` on SIMD vectors calls the
    /// scalar square root lane by lane; this is a bit-level estimate of 1/√x refined by three
    /// Newton steps (error below 2e-7 relative), times x.
    @inline(__always)
    public static func sqrt(_ x: Float16x) -> Float16x {
        let bits = unsafeBitCast(x, to: SIMD16<UInt32>.self)
        var y = unsafeBitCast(0x5F37_5A86 &- (bits &>> 1), to: Float16x.self)
        let half = 0.5 * x
        y = y * (1.5 - half * y * y)
        y = y * (1.5 - half * y * y)
        y = y * (1.5 - half * y * y)
        return (x * y).replacing(with: 0, where: x .<= 0)
    }

    /// |x| (clears the sign bits).
    @inline(__always)
    public static func magnitude(_ x: Float16x) -> Float16x {
        unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: Float16x.self)
    }

    /// 1 / (1 + e^−x).
    @inline(__always)
    public static func sigmoid(_ x: Float16x) -> Float16x {
        1 / (1 + exp(-x))
    }

    /// tanh x: Cephes' odd polynomial for |x| < 0.625, else 1 − 2 / (e^{2|x|} + 1).
    @inline(__always)
    public static func tanh(_ x: Float16x) -> Float16x {
        let a = magnitude(x)
        let z = x * x
        var p = Float16x(repeating: -5.704_988_727_45e-3)
        p = p * z + 2.063_908_879_54e-2
        p = p * z - 5.373_971_555_31e-2
        p = p * z + 1.333_144_220_36e-1
        p = p * z - 3.333_328_194_22e-1
        let small = p * z * x + x
        let e = exp(2 * a)
        var large = 1 - 2 / (e + 1)
        large.replace(with: -large, where: x .< 0)
        var result = large
        result.replace(with: small, where: a .< 0.625)
        return result
    }

    /// erfc x for x ≥ 0, with relative error below 1.2e-7 everywhere (the Chebyshev fit
    /// of Numerical Recipes' `erfcc`): accurate in the far tail, where 1 − erf loses digits.
    @inline(__always)
    public static func erfcNonNegative(_ x: Float16x) -> Float16x {
        let t = 1 / (1 + 0.5 * x)
        var p = Float16x(repeating: 0.170_872_77)
        p = p * t - 0.822_152_23
        p = p * t + 1.488_515_87
        p = p * t - 1.135_203_98
        p = p * t + 0.278_868_07
        p = p * t - 0.186_288_06
        p = p * t + 0.096_784_18
        p = p * t + 0.374_091_96
        p = p * t + 1.000_023_68
        p = p * t - 1.265_512_23
        return t * exp(p - x * x)
    }

    /// erf x: `1 − erfc|x|` (with sign) away from zero; near zero the Maclaurin series
    /// x·(2/√π)(1 − x²/3 + x⁴/10 − x⁶/42 + x⁸/216 − x¹⁰/1320) keeps relative accuracy.
    @inline(__always)
    public static func erf(_ x: Float16x) -> Float16x {
        let a = magnitude(x)
        let z = x * x
        var s = Float16x(repeating: -1.0 / 1320.0)
        s = s * z + 1.0 / 216.0
        s = s * z - 1.0 / 42.0
        s = s * z + 1.0 / 10.0
        s = s * z - 1.0 / 3.0
        s = s * z + 1
        let small = s * x * 1.128_379_167_095_512_6
        var large = 1 - erfcNonNegative(a)
        large.replace(with: -large, where: x .< 0)
        var result = large
        result.replace(with: small, where: a .< 0.25)
        return result
    }

    /// Φ(x), the standard normal CDF, accurate in both tails: ½·erfc(|x|/√2) below zero,
    /// 1 − ½·erfc(x/√2) above. GELU is x·Φ(x).
    @inline(__always)
    public static func normalCDF(_ x: Float16x) -> Float16x {
        let half = 0.5 * erfcNonNegative(magnitude(x) * 0.707_106_781_186_547_5)
        var result = 1 - half
        result.replace(with: half, where: x .< 0)
        return result
    }
}

extension SIMD16 where Scalar == Float {
    /// Loads 16 floats from `pointer` (no alignment needed).
    @inline(__always)
    public static func load(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
    }

    /// Loads the first `count` (< 16) floats; other lanes get `fill`.
    @inline(__always)
    public static func load(_ pointer: UnsafePointer<Float>, count: Int, fill: Float = 0) -> SIMD16<Float> {
        var v = SIMD16<Float>(repeating: fill)
        for i in 0..<count { v[i] = pointer[i] }
        return v
    }

    /// Stores 16 floats at `pointer`.
    @inline(__always)
    public func store(_ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: SIMD16<Float>.self)
    }

    /// Stores the first `count` lanes at `pointer`.
    @inline(__always)
    public func store(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { pointer[i] = self[i] }
    }
}
