import ChartCLIPNN
import ChartCLIPTensor
import Foundation

/// A linear probe: L2-regularised multinomial logistic regression on frozen image
/// embeddings, fitted full-batch with L-BFGS to its minimum; the regularisation strength is
/// chosen on the validation split (CLIP §3.2 sweeps it the same way). Features are standardised with the
/// training split's mean and deviation first: unit-norm embeddings have tiny per-dimension
/// spread, and unscaled they need weights so large that any penalty pins the probe to the
/// majority class.
public struct LinearProbe: Sendable {
    /// `[C, E]` weights and `[C]` biases (on standardised features).
    public let weight: [Float], bias: [Float]
    /// Per-dimension mean and deviation of the training features.
    public let mean: [Float], deviation: [Float]
    /// C and E.
    public let classCount: Int, width: Int
    /// The L2 strength used.
    public let lambda: Float

    /// Per-dimension mean and deviation of `features`.
    static func moments(_ features: [[Float]]) -> ([Float], [Float]) {
        let e = features.first?.count ?? 0, n = Float(max(features.count, 1))
        var mean = [Float](repeating: 0, count: e), variance = [Float](repeating: 0, count: e)
        for f in features { for j in 0..<e { mean[j] += f[j] / n } }
        for f in features { for j in 0..<e { variance[j] += (f[j] - mean[j]) * (f[j] - mean[j]) / n } }
        return (mean, variance.map { Swift.max($0.squareRoot(), 1e-6) })
    }

    static func standardise(_ features: [[Float]], _ mean: [Float], _ deviation: [Float]) -> [Float] {
        features.flatMap { f in f.indices.map { (f[$0] - mean[$0]) / deviation[$0] } }
    }

    /// Fits on `features` `[N][E]` with class indices `labels`: minimises the mean
    /// cross-entropy plus λ‖W‖² (biases unpenalised) with L-BFGS, from `start`'s weights
    /// when given (a warm start from a neighbouring λ) or from zero.
    public static func fit(
        features: [[Float]], labels: [Int], classCount: Int, lambda: Float, start: LinearProbe? = nil, maxIterations: Int = 500
    ) -> LinearProbe {
        let (mean, deviation) = moments(features)
        let objective = Objective(
            features: standardise(features, mean, deviation), labels: labels, classCount: classCount,
            width: features.first?.count ?? 0, lambda: Double(lambda))
        let initial = start.map { ($0.weight + $0.bias).map(Double.init) }
            ?? [Double](repeating: 0, count: classCount * objective.width + classCount)
        let result = LBFGS(maxIterations: maxIterations, gradientTolerance: 1e-6, valueTolerance: 0)
            .minimize(from: initial, objective.evaluate)
        let split = classCount * objective.width
        return LinearProbe(
            weight: result.x[..<split].map(Float.init), bias: result.x[split...].map(Float.init), mean: mean, deviation: deviation,
            classCount: classCount, width: objective.width, lambda: lambda)
    }

    /// The probe's objective, mean cross-entropy + λ‖W‖², and its gradient, for a parameter
    /// vector holding `W` `[C, E]` row by row and then `b` `[C]`. The products run in single
    /// precision on OpenBLAS; the log-sum-exps and sums in double.
    struct Objective {
        /// `[N, E]` standardised features, row-major.
        let features: [Float]
        let labels: [Int]
        let classCount: Int, width: Int
        let lambda: Double

        func evaluate(_ parameters: [Double]) -> (value: Double, gradient: [Double]) {
            let n = labels.count, c = classCount, e = width
            let w = parameters[..<(c * e)].map(Float.init)
            var logits = [Float](repeating: 0, count: n * c)
            features.withUnsafeBufferPointer { x in
                w.withUnsafeBufferPointer { wp in
                    logits.withUnsafeMutableBufferPointer { z in
                        Gemm.run(
                            transposeA: false, transposeB: true, m: n, n: c, k: e, a: x.baseAddress!, lda: e, b: wp.baseAddress!, ldb: e,
                            beta: 0, c: z.baseAddress!, ldc: c)
                    }
                }
            }
            var loss = 0.0
            var biasGradient = [Double](repeating: 0, count: c)
            var row = [Double](repeating: 0, count: c)
            for i in 0..<n {
                var top = -Double.infinity
                for j in 0..<c {
                    row[j] = Double(logits[i * c + j]) + parameters[c * e + j]
                    top = Swift.max(top, row[j])
                }
                let target = labels[i]
                let targetLogit = row[target] - top
                var total = 0.0
                for j in 0..<c {
                    row[j] = exp(row[j] - top)
                    total += row[j]
                }
                loss += log(total) - targetLogit
                for j in 0..<c {
                    let d = (row[j] / total - (j == target ? 1 : 0)) / Double(n)
                    logits[i * c + j] = Float(d)
                    biasGradient[j] += d
                }
            }
            var weightGradient = [Float](repeating: 0, count: c * e)
            if n > 0 {
                features.withUnsafeBufferPointer { x in
                    logits.withUnsafeBufferPointer { dz in
                        weightGradient.withUnsafeMutableBufferPointer { gw in
                            Gemm.run(
                                transposeA: true, transposeB: false, m: c, n: e, k: n, a: dz.baseAddress!, lda: c, b: x.baseAddress!,
                                ldb: e, beta: 0, c: gw.baseAddress!, ldc: e)
                        }
                    }
                }
            }
            var penalty = 0.0
            var gradient = [Double](repeating: 0, count: c * e + c)
            for k in 0..<(c * e) {
                penalty += parameters[k] * parameters[k]
                gradient[k] = Double(weightGradient[k]) + 2 * lambda * parameters[k]
            }
            for j in 0..<c { gradient[c * e + j] = biasGradient[j] }
            return (loss / Double(Swift.max(n, 1)) + lambda * penalty, gradient)
        }
    }

    /// Fits one probe per `lambdas` on the training split and keeps the one with the best
    /// validation accuracy (ties: the stronger regularisation). Each fit starts from the
    /// previous λ's solution, so a sweep from strong to weak costs little more than one fit.
    public static func select(
        train: [[Float]], trainLabels: [Int], validation: [[Float]], validationLabels: [Int], classCount: Int,
        lambdas: [Float] = [1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 0]
    ) -> (probe: LinearProbe, validationAccuracy: [Float: Double]) {
        var best: (LinearProbe, Double)?
        var scores: [Float: Double] = [:]
        var previous: LinearProbe?
        for lambda in lambdas {
            let probe = fit(features: train, labels: trainLabels, classCount: classCount, lambda: lambda, start: previous)
            previous = probe
            let predicted = probe.predict(validation)
            let accuracy = validation.isEmpty ? 0 : Double(zip(predicted, validationLabels).filter { $0 == $1 }.count) / Double(validation.count)
            scores[lambda] = accuracy
            if best == nil || accuracy > best!.1 { best = (probe, accuracy) }
        }
        return (best!.0, scores)
    }

    /// `[N, C]` logits of `features` `[N][E]`, standardised as in training.
    func logits(_ features: [[Float]]) -> Tensor {
        let x = Tensor(Self.standardise(features, mean, deviation), shape: [features.count, width])
        return withoutGradients {
            Tensor.linear(x, weight: Tensor(weight, shape: [classCount, width]), bias: Tensor(bias, shape: [classCount]))
        }
    }

    /// Class probabilities `[N][C]`.
    public func probabilities(_ features: [[Float]]) -> [[Float]] {
        guard !features.isEmpty else { return [] }
        return withoutGradients { logits(features).softmax() }.rowArrays
    }

    /// The most probable class of each example.
    public func predict(_ features: [[Float]]) -> [Int] {
        features.isEmpty ? [] : logits(features).argmax(alongAxis: 1)
    }
}
