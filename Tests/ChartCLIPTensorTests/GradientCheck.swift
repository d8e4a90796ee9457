import ChartCLIPTensor
import Testing

/// Finite-difference gradient checking.
///
/// The scalar checked is L = Σ f(inputs) ⊙ R for a fixed random R, so every output element
/// gets a different upstream gradient. Analytic gradients come from `backward()`; numeric
/// ones from central differences of L evaluated in Double.
func checkGradients(
    _ inputs: [Tensor], eps: Float = 1e-2, relative: Double = 2e-2, absolute: Double = 2e-3,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ f: ([Tensor]) -> Tensor
) {
    for x in inputs { x.requiresGrad = true; x.zeroGradient() }
    let probe = withoutGradients { f(inputs) }
    let rng = RandomGenerator(seed: 99)
    let weights = (0..<probe.count).map { _ in Double(rng.uniform(-1, 1)) }
    func loss() -> Double {
        let out = withoutGradients { f(inputs) }
        return zip(out.scalars, weights).reduce(0) { $0 + Double($1.0) * $1.1 }
    }
    let out = f(inputs)
    out.backward(seed: Tensor(weights.map(Float.init), shape: out.shape))
    for (n, x) in inputs.enumerated() {
        let analytic = x.grad?.scalars ?? [Float](repeating: 0, count: x.count)
        for i in 0..<x.count {
            let saved = x.storage.pointer[i]
            x.storage.pointer[i] = saved + eps
            let up = loss()
            x.storage.pointer[i] = saved - eps
            let down = loss()
            x.storage.pointer[i] = saved
            let numeric = (up - down) / (2 * Double(eps))
            let a = Double(analytic[i])
            let ok = abs(a - numeric) <= absolute + relative * abs(numeric)
            #expect(ok, "input \(n) element \(i): analytic \(a) vs numeric \(numeric)", sourceLocation: sourceLocation)
            if !ok { return }
        }
    }
}

/// A tensor of values uniform in [low, high) from a fixed seed.
func random(_ shape: [Int], seed: UInt64 = 1, low: Float = -1, high: Float = 1) -> Tensor {
    Tensor.randomUniform(shape, low: low, high: high, rng: RandomGenerator(seed: seed))
}

/// Values with no two equal and no ties (for max, sorting-sensitive ops).
func distinct(_ shape: [Int], seed: UInt64 = 1) -> Tensor {
    let n = shape.reduce(1, *)
    let order = RandomGenerator(seed: seed).permutation(n)
    return Tensor(order.map { Float($0) * 0.37 - Float(n) * 0.18 }, shape: shape)
}
