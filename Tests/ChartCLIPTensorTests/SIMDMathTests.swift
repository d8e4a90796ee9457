import ChartCLIPTensor
import Foundation
import Testing

/// The vectorised transcendental functions against libm over their whole useful range.
@Suite struct SIMDMathTests {
    func sweep(_ low: Float, _ high: Float, steps: Int = 4001) -> [Float] {
        (0..<steps).map { low + (high - low) * Float($0) / Float(steps - 1) }
    }

    func apply(_ xs: [Float], _ f: (Float16x) -> Float16x) -> [Float] {
        var out: [Float] = []
        var i = 0
        while i < xs.count {
            var v = Float16x()
            for l in 0..<16 { v[l] = i + l < xs.count ? xs[i + l] : 0 }
            let r = f(v)
            for l in 0..<16 where i + l < xs.count { out.append(r[l]) }
            i += 16
        }
        return out
    }

    @Test func expIsWithinAFewUlp() {
        let xs = sweep(-87, 88)
        for (x, y) in zip(xs, apply(xs, SIMDMath.exp)) {
            let ref = Foundation.exp(Double(x))
            #expect(abs(Double(y) - ref) <= 4e-7 * ref, "exp(\(x))")
        }
        #expect(apply([-200, 200, 0], SIMDMath.exp) == [0, .infinity, 1])
    }

    @Test func erfAndNormalCDF() {
        let xs = sweep(-6, 6)
        for (x, y) in zip(xs, apply(xs, SIMDMath.erf)) {
            #expect(abs(Double(y) - Foundation.erf(Double(x))) <= 2e-7, "erf(\(x))")
        }
        for (x, y) in zip(xs, apply(xs, SIMDMath.normalCDF)) {
            let ref = 0.5 * Foundation.erfc(-Double(x) / 2.0.squareRoot())
            #expect(abs(Double(y) - ref) <= 1e-6 * ref + 1e-9, "Φ(\(x))")
        }
    }

    @Test func sqrtIsAccurateAndZeroSafe() {
        let xs = (0..<4000).map { Float(Foundation.pow(10.0, Double($0) / 400 - 5)) } + [0]
        for (x, y) in zip(xs, apply(xs, SIMDMath.sqrt)) {
            #expect(abs(Double(y) - Foundation.sqrt(Double(x))) <= 3e-7 * Foundation.sqrt(Double(x)), "sqrt(\(x))")
        }
    }

    @Test func tanhAndSigmoid() {
        let xs = sweep(-10, 10)
        for (x, y) in zip(xs, apply(xs, SIMDMath.tanh)) {
            let ref = Foundation.tanh(Double(x))
            #expect(abs(Double(y) - ref) <= 3e-7 * max(abs(ref), 1e-3), "tanh(\(x))")
        }
        for (x, y) in zip(xs, apply(xs, SIMDMath.sigmoid)) {
            #expect(abs(Double(y) - 1 / (1 + Foundation.exp(-Double(x)))) <= 3e-7, "σ(\(x))")
        }
    }
}
