import ChartCLIPModels
import ChartCLIPNN
import ChartCLIPTensor
import ChartCLIPTestSupport
import ChartCLIPText
import Foundation
import Testing

/// A small CLIP: shapes, the contrastive losses, the logit-scale clamp, checkpoints.
@Suite struct CLIPModelTests {
    static let config = CLIPConfig(
        embedDim: 8,
        visionConfig: VisionConfig(imageSize: 16, patchSize: 8, width: 8, layers: 1, heads: 2),
        textConfig: TextConfig(contextLength: 6, vocabSize: 64, width: 8, layers: 1, heads: 2),
        activation: .quickGELU)

    func batch(_ model: CLIPModel) -> (Tensor, TokenBatch) {
        let images = Tensor.randomNormal([3, 3, 16, 16], rng: RandomGenerator(seed: 5))
        let tokens = try! CLIPTokenizer().tokenize(["a", "photo of", ""], contextLength: 6)
        return (images, tokens)
    }

    @Test func tokenBatchFromTheTokenizer() {
        let (_, tokens) = batch(CLIPModel(config: Self.config))
        #expect(tokens.endIndices == [2, 3, 1])
        #expect(Array(tokens.row(0)) == [49406, 320, 49407, 0, 0, 0])
    }

    @Test func encodersProduceNormalisedEmbeddings() {
        let model = CLIPModel(config: Self.config, seed: 1)
        let (images, tokens) = batch(model)
        let image = model.encodeImage(images, normalized: true)
        let text = model.encodeText(tokens, normalized: true)
        #expect(image.shape == [3, 8] && text.shape == [3, 8])
        for row in 0..<3 {
            let norm = (0..<8).map { image.scalars[row * 8 + $0] * image.scalars[row * 8 + $0] }.reduce(0, +)
            #expect(abs(norm - 1) < 1e-5)
        }
        #expect(abs(model.logitScale.item - Float(Foundation.log(1 / 0.07))) < 1e-6)
    }

    @Test func tokenFoldingKeepsSpecialTokensAtTheTop() {
        let folded = CLIPModel.foldTokenIDs([49406, 320, 49407, 0], vocabularySize: 64)
        #expect(folded == [62, 1 + 320 % 61, 63, 0])
        #expect(CLIPModel.foldTokenIDs([49406, 320], vocabularySize: 49408) == [49406, 320])
    }

    @Test func symmetricLossGradientsByFiniteDifferences() {
        let logits = Tensor.randomUniform([4, 4], low: -2, high: 2, rng: RandomGenerator(seed: 2), requiresGrad: true)
        ContrastiveLoss.symmetric(logits: logits).backward()
        let analytic = logits.grad!.scalars
        for i in 0..<16 {
            let saved = logits.storage.pointer[i]
            logits.storage.pointer[i] = saved + 1e-2
            let up = withoutGradients { ContrastiveLoss.symmetric(logits: logits).item }
            logits.storage.pointer[i] = saved - 1e-2
            let down = withoutGradients { ContrastiveLoss.symmetric(logits: logits).item }
            logits.storage.pointer[i] = saved
            #expect(abs((up - down) / 2e-2 - analytic[i]) < 2e-3)
        }
    }

    @Test func multiPositiveTreatsEqualCaptionsAsPositives() {
        // Rows 0 and 1 share a caption and score each other as high as themselves. The plain
        // loss pushes the pair (0, 1) apart as a false negative; the multi-positive loss
        // leaves it alone.
        let values: [Float] = [5, 5, 0, 5, 5, 0, 0, 0, 5]
        let groups = ContrastiveLoss.groups(of: ["breakout", "breakout", "range"])
        #expect(groups == [0, 0, 1])
        let multi = Tensor(values, shape: [3, 3], requiresGrad: true)
        ContrastiveLoss.multiPositive(logits: multi, groups: groups).backward()
        let plain = Tensor(values, shape: [3, 3], requiresGrad: true)
        ContrastiveLoss.symmetric(logits: plain).backward()
        #expect(abs(multi.grad!.scalars[1]) < 1e-3)
        #expect(plain.grad!.scalars[1] > 0.1)
        // With all-distinct groups the two losses agree.
        let distinct = Tensor.randomNormal([3, 3], rng: RandomGenerator(seed: 3))
        let a = ContrastiveLoss.multiPositive(logits: distinct, groups: [0, 1, 2]).item
        #expect(abs(a - ContrastiveLoss.symmetric(logits: distinct).item) < 1e-6)
    }

    @Test func logitScaleIsClampedToLn100() {
        let model = CLIPModel(config: Self.config, seed: 1)
        model.logitScale.storage.pointer[0] = 7
        model.clampLogitScale()
        #expect(abs(model.logitScale.item - Float(Foundation.log(100.0))) < 1e-6)
        model.logitScale.storage.pointer[0] = 2
        model.clampLogitScale()
        #expect(model.logitScale.item == 2)
    }

    @Test func trainingStepReducesTheLoss() {
        let model = CLIPModel(config: Self.config, seed: 1)
        let (images, tokens) = batch(model)
        let optimizer = AdamW(parameters: model.namedParameters(), settings: .init(learningRate: 1e-2))
        var losses: [Float] = []
        for _ in 0..<15 {
            let logits = model.logits(
                imageFeatures: model.encodeImage(images, normalized: true),
                textFeatures: model.encodeText(tokens, normalized: true))
            let loss = ContrastiveLoss.symmetric(logits: logits)
            losses.append(loss.item)
            model.zeroGradients()
            loss.backward()
            optimizer.step()
            model.clampLogitScale()
        }
        #expect(losses.last! < 0.5 * losses.first!)
    }

    /// A patch MLP stem: each patch goes 3·p² → stem_width, the activation, → D; its
    /// parameters are where `parameterShapes` says, its gradients match finite differences,
    /// and a checkpoint gives back the same encoder.
    @Test func aPatchStemReadsEachPatchThroughAnMLP() throws {
        var config = Self.config
        config.visionConfig.stemWidth = 12
        let model = CLIPModel(config: config, seed: 3)
        let found = model.namedParameters().map { "\($0.path) \($0.tensor.shape)" }.sorted()
        #expect(found == CLIPModel.parameterShapes(config).map { "\($0.0) \($0.1)" }.sorted())
        #expect(model.visual.stem?.weight.shape == [12, 3 * 8 * 8])
        #expect(model.visual.patchEmbed.weight.shape == [8, 12])

        let (images, tokens) = batch(model)

        // d(sum of image features)/d(stem weight) against central differences.
        let weight = model.visual.stem!.weight
        model.zeroGradients()
        model.encodeImage(images, normalized: false).sum().backward()
        let analytic = weight.grad!.scalars
        #expect(analytic.contains { $0 != 0 })
        for i in [0, 17, 191, 500, 2303] {
            let saved = weight.storage.pointer[i]
            weight.storage.pointer[i] = saved + 1e-2
            let plus = model.encodeImage(images, normalized: false).sum().item
            weight.storage.pointer[i] = saved - 1e-2
            let minus = model.encodeImage(images, normalized: false).sum().item
            weight.storage.pointer[i] = saved
            let numeric = (plus - minus) / 2e-2
            #expect(abs(numeric - analytic[i]) < 2e-2 * max(1, abs(numeric)), "stem weight \(i): \(numeric) vs \(analytic[i])")
        }

        // Through a checkpoint and back: the same config and the same embeddings.
        let url = try Fixtures.temporaryDirectory("stem").appendingPathComponent("stem.h5")
        try Checkpoint(model: model).save(to: url)
        let loaded = try Checkpoint.load(from: url)
        #expect(loaded.config.visionConfig.stemWidth == 12)
        let again = try loaded.makeModel()
        #expect(again.encodeImage(images, normalized: true).scalars == model.encodeImage(images, normalized: true).scalars)
        #expect(again.encodeText(tokens, normalized: true).scalars == model.encodeText(tokens, normalized: true).scalars)
        #expect(throws: (any Error).self) { try loaded.resizingPatches(to: 16) }
    }
}
