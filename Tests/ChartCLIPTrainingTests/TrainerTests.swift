import ChartCLIPImage
import ChartCLIPModels
import ChartCLIPNN
import ChartCLIPTensor
import ChartCLIPTraining
import Foundation
import Testing

/// The trainer: accumulation equals the full batch, non-finite losses change nothing,
/// frozen towers stay frozen, augmentation keeps the last candle.
@Suite struct TrainerTests {
    static let config = CLIPConfig(
        embedDim: 8,
        visionConfig: VisionConfig(imageSize: 16, patchSize: 8, width: 8, layers: 1, heads: 2),
        textConfig: TextConfig(contextLength: 6, vocabSize: 64, width: 8, layers: 1, heads: 2),
        activation: .quickGELU)

    func batch() -> TrainingBatch {
        let rng = RandomGenerator(seed: 3)
        let images = Tensor.randomNormal([6, 3, 16, 16], rng: rng)
        var ids = [Int](repeating: 0, count: 36)
        for r in 0..<6 {
            ids[r * 6] = 62
            ids[r * 6 + 1] = 1 + r
            ids[r * 6 + 2] = 63
        }
        return TrainingBatch(images: images, tokenIDs: ids, endIndices: [Int](repeating: 2, count: 6), groups: [0, 1, 2, 0, 3, 4])
    }

    @Test(arguments: [ContrastiveLossKind.plain, .multiPositive])
    func accumulationGivesTheFullBatchGradient(loss: ContrastiveLossKind) throws {
        let full = CLIPModel(config: Self.config, seed: 1), split = CLIPModel(config: Self.config, seed: 1)
        let a = ContrastiveTrainer(model: full, settings: .init(learningRate: 1e-2), schedule: .constant(rate: 1e-2), lossKind: loss)
        let b = ContrastiveTrainer(
            model: split, settings: .init(learningRate: 1e-2), schedule: .constant(rate: 1e-2), accumulationSteps: 3, lossKind: loss)
        let la = a.computeGradients(batch()), lb = b.computeGradients(batch())
        #expect(abs(la - lb) < 1e-5)
        for ((path, p), (_, q)) in zip(full.namedParameters(), split.namedParameters()) {
            let diff = zip(p.grad!.scalars, q.grad!.scalars).map { abs($0 - $1) }.max() ?? 0
            let scale = p.grad!.scalars.map { abs($0) }.max() ?? 0
            #expect(diff <= 1e-6 + 1e-4 * scale, "\(path): \(diff) of \(scale)")
        }
    }

    /// The cells loss is the cross-entropy of each image against every cell's caption, on its
    /// own cell: the value, recomputed here from the towers' embeddings in double precision,
    /// and a few steps on it bring it down.
    @Test func cellsLossIsTheCrossEntropyOverCellCaptions() throws {
        let model = CLIPModel(config: Self.config, seed: 1)
        var cells = batch()
        // Three cells: captions 1, 2, 3 (ids 62, c, 63); pairs' cells as in `groups`, folded.
        var ids = [Int](repeating: 0, count: 18)
        for c in 0..<3 { ids[c * 6] = 62; ids[c * 6 + 1] = 10 + c; ids[c * 6 + 2] = 63 }
        let targets = [0, 1, 2, 0, 1, 2]
        cells.cells = (ids, [2, 2, 2], targets)
        let trainer = ContrastiveTrainer(model: model, settings: .init(learningRate: 1e-2), schedule: .constant(rate: 1e-2), lossKind: .cells)
        let value = trainer.computeGradients(cells)
        let (image, text) = withoutGradients {
            (model.encodeImage(cells.images, normalized: true).rowArrays,
             model.text(ids: ids, batch: 3, endIndices: [2, 2, 2]).l2Normalized().rowArrays)
        }
        let scale = exp(Double(model.logitScale.item))
        var expected = 0.0
        for (i, row) in image.enumerated() {
            let logits = text.map { t in scale * zip(row, t).map { Double($0) * Double($1) }.reduce(0, +) }
            let top = logits.max()!
            let logSum = top + log(logits.map { exp($0 - top) }.reduce(0, +))
            expected += (logSum - logits[targets[i]]) / Double(image.count)
        }
        #expect(abs(Double(value) - expected) < 1e-5 * max(1, expected), "\(value) vs \(expected)")
        var last = value
        for _ in 0..<20 { last = try trainer.trainStep(cells).loss }
        #expect(last < value * 0.8, "loss \(value) -> \(last)")
    }

    @Test func nonFiniteLossStopsWithoutChangingTheModel() throws {
        let model = CLIPModel(config: Self.config, seed: 1)
        let trainer = ContrastiveTrainer(model: model, settings: .init(), schedule: .constant(rate: 1e-3))
        model.visual.proj.weight.storage.pointer[0] = .nan
        let before = model.text.proj.weight.scalars
        #expect(throws: NonFiniteLossError.self) { try trainer.trainStep(batch()) }
        #expect(model.text.proj.weight.scalars == before)
        #expect(trainer.step == 0)
    }

    @Test func lockedImageTowerDoesNotMove() throws {
        let model = CLIPModel(config: Self.config, seed: 1)
        let before = model.visual.patchEmbed.weight.scalars
        let trainer = ContrastiveTrainer(model: model, settings: .init(learningRate: 1e-2), schedule: .constant(rate: 1e-2), lockImage: true)
        let textBefore = model.text.proj.weight.scalars
        try trainer.trainStep(batch())
        #expect(model.visual.patchEmbed.weight.scalars == before)
        #expect(model.text.proj.weight.scalars != textBefore)
    }

    @Test func augmentationKeepsTheRightEdge() {
        var image = RasterImage(width: 64, height: 64, background: .white)
        for y in 0..<64 { for x in 60..<64 { image[x, y] = RGBColor(hex: 0xFF0000) } }
        let augmentation = ChartAugmentation(minScale: 0.7, seed: 9)
        for step in 0..<20 {
            let out = augmentation.apply(image, step: step, index: step)
            #expect(out.width == 64 && out.height == 64)
            let edge = out[63, 32]
            #expect(edge.r > 200 && edge.g < 60, "step \(step): \(edge)")
            #expect(augmentation.apply(image, step: step, index: step) == out)
        }
    }

    @Test func dataOrderIsAPureFunctionOfTheStep() {
        let order = DataOrder(count: 10, batchSize: 4, seed: 1)
        #expect(order.batchesPerEpoch == 2)
        let epoch0 = order.indices(step: 0) + order.indices(step: 1)
        #expect(Set(epoch0).count == 8)
        #expect(order.indices(step: 3) == DataOrder(count: 10, batchSize: 4, seed: 1).indices(step: 3))
        #expect(order.indices(step: 2) != order.indices(step: 0))
    }
}
