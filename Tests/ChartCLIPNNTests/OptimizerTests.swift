import ChartCLIPNN
import ChartCLIPTensor
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
