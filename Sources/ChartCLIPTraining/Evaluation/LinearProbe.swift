import ChartCLIPNN
import ChartCLIPTensor
import Foundation

/// A linear probe: L2-regularised multinomial logistic regression on frozen image
/// embeddings, fitted full-batch with Adam; the regularisation strength is chosen on the
/// validation split (CLIP §3.2 sweeps it the same way). Features are standardised with the
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

    /// Fits on `features` `[N][E]` with class indices `labels`.
    public static func fit(features: [[Float]], labels: [Int], classCount: Int, lambda: Float, iterations: Int = 400) -> LinearProbe {
        let n = features.count, e = features.first?.count ?? 0
        let (mean, deviation) = moments(features)
        let x = Tensor(standardise(features, mean, deviation), shape: [n, e])
        let w = Tensor.zeros([classCount, e], requiresGrad: true)
        let b = Tensor.zeros([classCount], requiresGrad: true)
        let optimizer = AdamW(
            parameters: [("weight", w), ("bias", b)], settings: .init(learningRate: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0))
        for _ in 0..<iterations {
            w.zeroGradient()
            b.zeroGradient()
            let logits = Tensor.linear(x, weight: w, bias: b)
            let penalty = (w * w).sum() * lambda
            let loss = Tensor.crossEntropy(logits: logits, targets: labels) + penalty
            loss.backward()
            optimizer.step()
        }
        return LinearProbe(
            weight: w.scalars, bias: b.scalars, mean: mean, deviation: deviation, classCount: classCount, width: e, lambda: lambda)
    }

    /// Fits one probe per `lambdas` on the training split and keeps the one with the best
    /// validation accuracy (ties: the stronger regularisation).
    public static func select(
        train: [[Float]], trainLabels: [Int], validation: [[Float]], validationLabels: [Int], classCount: Int,
        lambdas: [Float] = [1e-1, 1e-2, 1e-3, 1e-4, 0]
    ) -> (probe: LinearProbe, validationAccuracy: [Float: Double]) {
        var best: (LinearProbe, Double)?
        var scores: [Float: Double] = [:]
        for lambda in lambdas {
            let probe = fit(features: train, labels: trainLabels, classCount: classCount, lambda: lambda)
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
