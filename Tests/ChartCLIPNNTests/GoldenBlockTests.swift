import ChartCLIPNN
import ChartCLIPTensor
import ChartCLIPTestSupport
import Testing

/// A pre-LN transformer block and AdamW against PyTorch
/// (`Tests/Fixtures/golden/make_core_golden.py`).
@Suite struct GoldenBlockTests {
    @Test(arguments: ["core_block_causal_quickgelu.json", "core_block_gelu.json"])
    func blockForwardAndEveryGradient(fileName: String) throws {
        let file = try GoldenFile("golden/\(fileName)")
        let config = file["config"] as! [String: Any]
        let width = config["width"] as! Int, heads = config["heads"] as! Int
        let activation = Activation(rawValue: config["activation"] as! String)!
        let block = TransformerBlock(
            dimension: width, heads: heads, activation: activation, rng: RandomGenerator(seed: 0))
        for (path, p) in block.namedParameters() {
            p.assign(Tensor(file.array(path).data, shape: p.shape))
        }
        let (shape, data) = file.array("input")
        let x = Tensor(data, shape: shape, requiresGrad: true)
        let y = block(x, causal: config["causal"] as! Bool)
        let forward = allClose(y.scalars, file.array("output").data)
        #expect(forward.ok, "output: \(forward.message)")
        y.backward(seed: Tensor(file.array("upstream").data, shape: y.shape))
        let dx = allClose(x.grad!.scalars, file.array("grad.input").data)
        #expect(dx.ok, "grad input: \(dx.message)")
        for (path, p) in block.namedParameters() {
            let check = allClose(p.grad!.scalars, file.array("grad.\(path)").data)
            #expect(check.ok, "grad \(path): \(check.message)")
        }
    }

    @Test func threeAdamWStepsMatchTorch() throws {
        let file = try GoldenFile("golden/core_adamw.json")
        let names = ["w", "v", "b", "g"]
        let params = names.map { name -> (path: String, tensor: Tensor) in
            let (shape, data) = file.array("init.\(name)")
            return (name, Tensor(data, shape: shape, requiresGrad: true))
        }
        let optimizer = AdamW(
            parameters: params,
            settings: .init(learningRate: 1e-2, beta1: 0.9, beta2: 0.98, eps: 1e-6, weightDecay: 0.1),
            decays: { path, _ in path == "w" || path == "v" })
        for step in 0..<3 {
            for (name, p) in params {
                p.zeroGradient()
                let g = Tensor(file.array("step\(step).grad.\(name)").data, shape: p.shape)
                (p * g).sum().backward()  // leaves exactly g in p.grad
            }
            optimizer.step()
            for (name, p) in params {
                let check = allClose(p.scalars, file.array("step\(step).param.\(name)").data)
                #expect(check.ok, "step \(step) \(name): \(check.message)")
            }
        }
    }
}
