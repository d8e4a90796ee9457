import ChartCLIPNN
import ChartCLIPTensor
import Testing

/// Layers: parameter paths (the checkpoint keys), counts, modes, and a whole block's
/// gradients by finite differences.
@Suite struct LayerTests {
    @Test func parameterPathsAreCheckpointKeys() {
        let block = TransformerBlock(dimension: 8, heads: 2, activation: .gelu, rng: RandomGenerator(seed: 1))
        let blocks = ModuleList([block])
        let paths = blocks.namedParameters(prefix: "blocks.").map(\.path)
        #expect(paths.contains("blocks.0.attn.qkv.weight"))
        #expect(paths.contains("blocks.0.mlp.fc2.bias"))
        #expect(paths.first == "blocks.0.norm1.weight")
        // 2·D (norm1) + 3D·D + 3D (qkv) + D·D + D (proj) + 2·D (norm2) + 4D·D + 4D + 4D·D + D (mlp)
        #expect(block.parameterCount == 16 + 192 + 24 + 64 + 8 + 16 + 256 + 32 + 256 + 8)
    }

    @Test func trainAndEvalPropagate() {
        let block = TransformerBlock(dimension: 8, heads: 2, activation: .gelu, rng: RandomGenerator(seed: 1))
        block.eval()
        #expect(!block.mlp.fc1.isTraining && !block.attn.isTraining)
        block.train()
        #expect(block.norm2.isTraining)
    }

    @Test func frozenParametersGetNoGradient() {
        let linear = Linear(inFeatures: 3, outFeatures: 2, rng: RandomGenerator(seed: 2))
        linear.setTrainable(false)
        let x = Tensor.randomNormal([4, 3], rng: RandomGenerator(seed: 3), requiresGrad: true)
        linear(x).sum().backward()
        #expect(linear.weight.grad == nil && x.grad != nil)
    }

    @Test func embeddingLooksUpRows() {
        let e = Embedding(count: 5, dimension: 3, rng: RandomGenerator(seed: 4))
        let out = e([4, 1], leadingShape: [1, 2])
        #expect(out.shape == [1, 2, 3])
        #expect(Array(out.scalars[0..<3]) == Array(e.weight.scalars[12..<15]))
    }

    @Test func wholeBlockGradientsByFiniteDifferences() {
        let rng = RandomGenerator(seed: 5)
        let block = TransformerBlock(dimension: 8, heads: 2, activation: .quickGELU, rng: rng)
        let x = Tensor.randomNormal([2, 3, 8], rng: rng, requiresGrad: true)
        let upstream = Tensor.randomNormal([2, 3, 8], rng: rng)
        block(x, causal: true).backward(seed: upstream)
        let eps: Float = 1e-2
        for (path, p) in block.namedParameters() + [("input", x)] {
            let analytic = p.grad!.scalars
            for i in stride(from: 0, to: p.count, by: max(1, p.count / 6)) {
                let saved = p.storage.pointer[i]
                p.storage.pointer[i] = saved + eps
                let up = withoutGradients { (block(x, causal: true) * upstream).sum().item }
                p.storage.pointer[i] = saved - eps
                let down = withoutGradients { (block(x, causal: true) * upstream).sum().item }
                p.storage.pointer[i] = saved
                let numeric = (up - down) / (2 * eps)
                #expect(abs(analytic[i] - numeric) <= 5e-3 + 2e-2 * abs(numeric), "\(path)[\(i)]: \(analytic[i]) vs \(numeric)")
            }
        }
    }
}
