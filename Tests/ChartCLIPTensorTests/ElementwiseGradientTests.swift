import ChartCLIPTensor
import Testing

/// Every elementwise operation and its derivative, checked by finite differences.
@Suite struct ElementwiseGradientTests {
    @Test(arguments: [
        ([2, 3], [2, 3]), ([2, 3], [3]), ([4, 1, 3], [2, 1]), ([3], []), ([1, 3], [2, 1]),
    ])
    func broadcastingArithmetic(shapes: ([Int], [Int])) {
        let a = random(shapes.0, seed: 1), b = random(shapes.1, seed: 2, low: 0.5, high: 1.5)
        checkGradients([a, b]) { $0[0] + $0[1] }
        checkGradients([a, b]) { $0[0] - $0[1] }
        checkGradients([a, b]) { $0[0] * $0[1] }
        checkGradients([a, b]) { $0[0] / $0[1] }
    }

    @Test func scalarArithmetic() {
        let a = random([3, 5], low: 0.5, high: 2)
        checkGradients([a]) { $0[0] * 3 + 1 }
        checkGradients([a]) { 2 - $0[0] }
        checkGradients([a]) { -$0[0] / 4 }
        checkGradients([a]) { 1.5 / $0[0] }
    }

    @Test func transcendental() {
        let x = random([37], seed: 3, low: -2, high: 2)
        let positive = random([37], seed: 4, low: 0.3, high: 3)
        checkGradients([x]) { $0[0].exp() }
        checkGradients([positive]) { $0[0].log() }
        checkGradients([positive]) { $0[0].sqrt() }
        checkGradients([positive]) { $0[0].rsqrt() }
        checkGradients([x]) { $0[0].tanh() }
        checkGradients([x]) { $0[0].sigmoid() }
        checkGradients([x]) { $0[0].pow(2) }
        checkGradients([positive]) { $0[0].pow(3) }
        checkGradients([positive]) { $0[0].pow(0.5) }
    }

    @Test func activations() {
        let x = random([41], seed: 5, low: -4, high: 4)
        checkGradients([x]) { $0[0].gelu() }
        checkGradients([x]) { $0[0].quickGELU() }
        let away = Tensor((0..<20).map { Float($0) * 0.3 - 2.95 }, shape: [20])
        checkGradients([away]) { $0[0].relu() }
    }

    @Test func dropoutUsesItsMaskInBothPasses() {
        let x = random([64], seed: 6)
        checkGradients([x]) { $0[0].dropout(probability: 0.3, rng: RandomGenerator(seed: 11)) }
        let y = x.dropout(probability: 0.5, rng: RandomGenerator(seed: 3)).scalars
        let zeros = y.filter { $0 == 0 }.count
        #expect(zeros > 16 && zeros < 48)
        for (a, b) in zip(x.scalars, y) where b != 0 { #expect(abs(b - 2 * a) < 1e-6) }
        #expect(x.dropout(probability: 0.5, rng: RandomGenerator(seed: 3), training: false) === x)
    }
}
