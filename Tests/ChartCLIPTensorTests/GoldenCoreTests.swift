import ChartCLIPTensor
import ChartCLIPTestSupport
import Testing

/// The fused attention kernel and cross-entropy against PyTorch
/// (`Tests/Fixtures/golden/make_core_golden.py`).
@Suite struct GoldenCoreTests {
    func tensor(_ file: GoldenFile, _ name: String) -> Tensor {
        let (shape, data) = file.array(name)
        return Tensor(data, shape: shape)
    }

    @Test(arguments: ["causal", "full"])
    func attentionMatchesPyTorch(tag: String) throws {
        let file = try GoldenFile("golden/core_attention.json")
        let qkv = tensor(file, "\(tag).qkv")
        qkv.requiresGrad = true
        let out = Tensor.attention(qkv: qkv, heads: 4, causal: tag == "causal")
        let forward = allClose(out.scalars, file.array("\(tag).output").data)
        #expect(forward.ok, "output: \(forward.message)")
        out.backward(seed: tensor(file, "\(tag).upstream"))
        let backward = allClose(qkv.grad!.scalars, file.array("\(tag).grad.qkv").data)
        #expect(backward.ok, "grad qkv: \(backward.message)")
    }

    @Test func crossEntropyWithClassIndices() throws {
        let file = try GoldenFile("golden/core_cross_entropy.json")
        let logits = tensor(file, "logits")
        logits.requiresGrad = true
        let targets = (file["targets"] as! [Int])
        let loss = Tensor.crossEntropy(logits: logits, targets: targets)
        #expect(allClose([loss.item], file.array("loss").data).ok)
        loss.backward()
        let check = allClose(logits.grad!.scalars, file.array("grad.logits").data)
        #expect(check.ok, "\(check.message)")
    }

    @Test func crossEntropyWithSoftTargets() throws {
        let file = try GoldenFile("golden/core_cross_entropy.json")
        let logits = tensor(file, "soft.logits")
        logits.requiresGrad = true
        let loss = Tensor.crossEntropy(logits: logits, targets: tensor(file, "soft.targets"))
        #expect(allClose([loss.item], file.array("soft.loss").data).ok)
        loss.backward()
        let check = allClose(logits.grad!.scalars, file.array("soft.grad.logits").data)
        #expect(check.ok, "\(check.message)")
    }
}
