import ChartCLIPModels
import ChartCLIPNN
import ChartCLIPTensor
import ChartCLIPTestSupport
import Foundation
import Testing

/// Growing a checkpoint's image tower: the deeper model starts as the identity on the old
/// one, and training reaches the new blocks.
@Suite struct CheckpointGrowTests {
    static let config: CLIPConfig = {
        var config = CLIPModelTests.config
        config.visionConfig.layers = 2
        return config
    }()

    @Test func newBlocksAreSpreadBetweenTheOldOnes() {
        #expect(Checkpoint.blockSources(old: 6, new: 9) == [0, 1, nil, 2, nil, 3, 4, nil, 5])
        #expect(Checkpoint.blockSources(old: 6, new: 7) == [0, 1, 2, nil, 3, 4, 5])
        #expect(Checkpoint.blockSources(old: 2, new: 5) == [0, nil, nil, nil, 1])
        #expect(Checkpoint.blockSources(old: 1, new: 3) == [nil, nil, 0])
        #expect(Checkpoint.blockSources(old: 4, new: 4) == [0, 1, 2, 3])
    }

    /// The grown model gives the old image features bit for bit, keeps the old blocks and
    /// everything outside the image tower, and its new blocks are random except for the
    /// layers that write into the residual stream.
    @Test func grownTowerComputesWhatTheOldOneDid() throws {
        let model = CLIPModel(config: Self.config, seed: 4)
        let checkpoint = Checkpoint(model: model)
        let grown = try checkpoint.growingVisionLayers(to: 5, seed: 9)
        #expect(grown.config.visionConfig.layers == 5 && grown.optimizer == nil)
        #expect(grown.config.textConfig == checkpoint.config.textConfig)
        // 2 → 5: old block 0 stays first, old block 1 becomes block 4.
        for name in ["attn.qkv.weight", "mlp.fc1.weight", "norm1.weight", "attn.proj.weight"] {
            #expect(grown.parameters["visual.blocks.0.\(name)"] == checkpoint.parameters["visual.blocks.0.\(name)"])
            #expect(grown.parameters["visual.blocks.4.\(name)"] == checkpoint.parameters["visual.blocks.1.\(name)"])
        }
        for (path, values) in checkpoint.parameters where !path.hasPrefix("visual.blocks.") {
            #expect(grown.parameters[path] == values, "\(path)")
        }
        for block in 1...3 {
            for name in ["attn.proj.weight", "attn.proj.bias", "mlp.fc2.weight", "mlp.fc2.bias"] {
                #expect(grown.parameters["visual.blocks.\(block).\(name)"]?.allSatisfy { $0 == 0 } == true, "\(block).\(name)")
            }
            let qkv = try #require(grown.parameters["visual.blocks.\(block).attn.qkv.weight"])
            #expect(qkv.contains { $0 != 0 } && qkv != checkpoint.parameters["visual.blocks.0.attn.qkv.weight"])
        }
        // The new blocks' other weights are those of a model of the grown shape with the seed.
        let seeded = Checkpoint(model: CLIPModel(config: grown.config, seed: 9))
        for name in ["attn.qkv.weight", "mlp.fc1.weight"] {
            #expect(grown.parameters["visual.blocks.2.\(name)"] == seeded.parameters["visual.blocks.2.\(name)"])
        }
        let deeper = try grown.makeModel()
        #expect(deeper.visual.namedParameters().count > model.visual.namedParameters().count)
        let images = Tensor.randomNormal([3, 3, 16, 16], rng: RandomGenerator(seed: 6))
        #expect(deeper.encodeImage(images).scalars == model.encodeImage(images).scalars)
        #expect { try checkpoint.growingVisionLayers(to: 1, seed: 9) } throws: { "\($0)".contains("blocks can only be added") }
    }

    /// One backward pass reaches the new blocks through their zeroed output layers (and,
    /// as they are zero, not yet the layers feeding them); one AdamW step later the grown
    /// model no longer computes the old function.
    @Test func trainingReachesTheNewBlocks() throws {
        let model = try Checkpoint(model: CLIPModel(config: Self.config, seed: 4)).growingVisionLayers(to: 3, seed: 9).makeModel()
        let (images, tokens) = CLIPModelTests().batch(model)
        let before = model.encodeImage(images).scalars
        let logits = model.logits(
            imageFeatures: model.encodeImage(images, normalized: true), textFeatures: model.encodeText(tokens, normalized: true))
        model.zeroGradients()
        ContrastiveLoss.symmetric(logits: logits).backward()
        let parameters = Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.path, $0.tensor) })
        // 2 → 3 puts the new block in the middle: blocks.1.
        let output = try #require(parameters["visual.blocks.1.mlp.fc2.weight"]?.grad?.scalars)
        #expect(output.contains { $0 != 0 })
        let feeding = parameters["visual.blocks.1.mlp.fc1.weight"]?.grad?.scalars ?? []
        #expect(feeding.allSatisfy { $0 == 0 })
        AdamW(parameters: model.namedParameters(), settings: .init(learningRate: 1e-2)).step()
        #expect(model.encodeImage(images).scalars != before)
    }
}
