import ChartCLIPNN
import ChartCLIPTensor
import Foundation
import Testing

/// Optimizers, clipping, schedules, and bit-identical seeded training.
@Suite struct OptimizerTests {
    @Test func sgdWithMomentumFollowsPyTorchsRecurrence() {
        let p = Tensor([1], shape: [1], requiresGrad: true)
        let sgd = SGD(parameters: [p], learningRate: 0.1, momentum: 0.9)
        // Gradient of p² is 2p. Step 1: buf = 2, p = 1 − 0.2 = 0.8.
        (p * p).sum().backward()
        sgd.step()
        #expect(abs(p.item - 0.8) < 1e-6)
        // Step 2: g = 1.6, buf = 0.9·2 + 1.6 = 3.4, p = 0.8 − 0.34 = 0.46.
        p.zeroGradient()
        (p * p).sum().backward()
        sgd.step()
        #expect(abs(p.item - 0.46) < 1e-6)
    }

    @Test func adamWGroupsKeepBiasesGainsAndEmbeddingsFromDecay() {
        let block = TransformerBlock(dimension: 8, heads: 2, activation: .gelu, rng: RandomGenerator(seed: 1))
        let emb = Embedding(count: 4, dimension: 8, rng: RandomGenerator(seed: 2))
        let params = block.namedParameters() + emb.namedParameters(prefix: "token_embedding.")
        let groups = AdamW(parameters: params).groups
        #expect(groups.decay.sorted() == ["attn.proj.weight", "attn.qkv.weight", "mlp.fc1.weight", "mlp.fc2.weight"])
        #expect(groups.noDecay.contains("norm1.weight") && groups.noDecay.contains("token_embedding.weight"))
    }

    @Test func clippingScalesTheGlobalNorm() {
        let a = Tensor([3, 0], shape: [2], requiresGrad: true), b = Tensor([0], shape: [1], requiresGrad: true)
        (a * Tensor([3, 0], shape: [2])).sum().backward()  // grad a = [3, 0]
        (b * 4).sum().backward()  // grad b = [4]
        let norm = clipGradientNorm([a, b], maxNorm: 1)
        #expect(abs(norm - 5) < 1e-6)
        #expect(abs(gradientNorm([a, b]) - 1) < 1e-5)
    }

    @Test func warmupCosineIsAPureFunctionOfTheStep() {
        let s = LearningRateSchedule.warmupCosine(rate: 1, warmupSteps: 10, totalSteps: 110, minimumRate: 0)
        #expect(s.rate(at: 0) == 0.1)
        #expect(s.rate(at: 9) == 1)
        #expect(abs(s.rate(at: 60) - 0.5) < 1e-6)
        #expect(abs(s.rate(at: 110)) < 1e-6)
        #expect(LearningRateSchedule.constant(rate: 0.3).rate(at: 1000) == 0.3)
    }

    /// AdamW splits its update into 16k-element pieces run in parallel: every element of a
    /// parameter spanning several pieces (with a ragged tail) and of a small one is updated,
    /// each as the scalar recurrence in double precision gives it, over two steps.
    @Test func adamWUpdatesEveryElementAcrossItsPieces() {
        let large = Tensor.randomNormal([200, 163], rng: RandomGenerator(seed: 5), requiresGrad: true)  // 32,600
        let small = Tensor.randomNormal([7], rng: RandomGenerator(seed: 6), requiresGrad: true)
        let settings = AdamW.Settings(learningRate: 1e-2, weightDecay: 0.1)
        let optimizer = AdamW(parameters: [("w", large), ("b", small)], settings: settings)
        var expected = [large.scalars.map(Double.init), small.scalars.map(Double.init)]
        var m = expected.map { [Double](repeating: 0, count: $0.count) }, v = m
        let (lr, b1, b2, eps, wd) = (Double(settings.learningRate), Double(settings.beta1), Double(settings.beta2), Double(settings.eps), Double(settings.weightDecay))
        for step in 1...2 {
            let grads = [Tensor.randomNormal(large.shape, rng: RandomGenerator(seed: UInt64(10 + step))),
                         Tensor.randomNormal(small.shape, rng: RandomGenerator(seed: UInt64(20 + step)))]
            for (t, g) in zip([large, small], grads) {
                t.zeroGradient()
                (t * g).sum().backward()
            }
            optimizer.step()
            for i in 0..<2 {
                let decay = i == 0 ? 1 - lr * wd : 1  // the rank-1 bias does not decay
                let g = grads[i].scalars
                for j in expected[i].indices {
                    let gj = Double(g[j])
                    m[i][j] += (gj - m[i][j]) * (1 - b1)
                    v[i][j] = b2 * v[i][j] + (1 - b2) * gj * gj
                    let denominator = (v[i][j]).squareRoot() / (1 - Foundation.pow(b2, Double(step))).squareRoot() + eps
                    expected[i][j] = expected[i][j] * decay - lr / (1 - Foundation.pow(b1, Double(step))) * m[i][j] / denominator
                }
            }
        }
        for (name, t, e) in [("large", large, expected[0]), ("small", small, expected[1])] {
            let worst = zip(t.scalars, e).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(worst < 1e-5, "\(name): largest difference \(worst)")
        }
    }

    /// A small seeded training loop; its losses.
    func train(seed: UInt64) -> [Float] {
        let rng = RandomGenerator(seed: seed)
        let block = TransformerBlock(dimension: 32, heads: 4, activation: .quickGELU, rng: rng)
        let head = Linear(inFeatures: 32, outFeatures: 5, rng: rng)
        let params = block.namedParameters() + head.namedParameters(prefix: "head.")
        let optimizer = AdamW(parameters: params, settings: .init(learningRate: 3e-3))
        var losses: [Float] = []
        // One fixed batch: the loop must memorise it, so the loss has to fall.
        let x = Tensor.randomNormal([16, 65, 32], rng: rng)
        let targets = (0..<16).map { _ in rng.integer(below: 5) }
        for _ in 0..<8 {
            let pooled = block(x, causal: false).mean(alongAxis: 1)
            let loss = Tensor.crossEntropy(logits: head(pooled), targets: targets)
            losses.append(loss.item)
            block.zeroGradients()
            head.zeroGradients()
            loss.backward()
            clipGradientNorm(params.map(\.tensor), maxNorm: 1)
            optimizer.step()
        }
        return losses
    }

    @Test func seededTrainingIsBitIdentical() {
        let first = train(seed: 11)
        #expect(first == train(seed: 11))
        #expect(first != train(seed: 12))
        #expect(first.last! < first.first!)
    }
}
