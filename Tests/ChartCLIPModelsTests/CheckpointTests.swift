import ChartCLIPModels
import ChartCLIPNN
import ChartCLIPSupport
import ChartCLIPTensor
import ChartCLIPTestSupport
import ChartCLIPText
import Foundation
import Testing

/// HDF5 checkpoints: round trips, optimizer and RNG state, damaged files.
@Suite struct CheckpointTests {
    @Test func roundTripGivesIdenticalOutputsAndState() throws {
        let dir = try Fixtures.temporaryDirectory("ckpt")
        let model = CLIPModel(config: CLIPModelTests.config, seed: 9)
        let optimizer = AdamW(parameters: model.namedParameters())
        let images = Tensor.randomNormal([2, 3, 16, 16], rng: RandomGenerator(seed: 1))
        let loss = model.encodeImage(images).sum()
        loss.backward()
        optimizer.step()
        let rng = RandomGenerator(seed: 77)
        _ = rng.normal()
        let url = dir.appendingPathComponent("model.h5")
        try Checkpoint(model: model, step: 1, optimizer: optimizer, rng: rng, trainingState: #"{"epoch":0}"#).save(to: url)

        let loaded = try Checkpoint.load(from: url)
        #expect(loaded.config == model.config && loaded.step == 1 && loaded.trainingState == #"{"epoch":0}"#)
        let restored = try loaded.makeModel()
        #expect(restored.encodeImage(images).scalars == model.encodeImage(images).scalars)
        let again = RandomGenerator(seed: 0)
        again.state = loaded.rng!
        #expect(again.normal() == rng.normal())
        let fresh = AdamW(parameters: restored.namedParameters())
        try fresh.importState(step: loaded.optimizer!.step, moments: loaded.optimizer!.moments)
        #expect(fresh.stepCount == 1)
        #expect(fresh.exportState().moments["visual.proj.weight"]!.m == optimizer.exportState().moments["visual.proj.weight"]!.m)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model.h5"])
    }

    @Test func truncatedFileGivesAClearError() throws {
        let dir = try Fixtures.temporaryDirectory("ckpt")
        let url = dir.appendingPathComponent("model.h5")
        try Checkpoint(model: CLIPModel(config: CLIPModelTests.config)).save(to: url)
        let data = try Data(contentsOf: url)
        let cut = dir.appendingPathComponent("cut.h5")
        try data.prefix(data.count / 2).write(to: cut)
        #expect { try Checkpoint.load(from: cut) } throws: { "\($0)".contains("cut.h5") }
        let garbage = dir.appendingPathComponent("garbage.h5")
        try Data(repeating: 7, count: 4096).write(to: garbage)
        #expect { try Checkpoint.load(from: garbage) } throws: { "\($0)".contains("garbage.h5") }
    }

    @Test func mismatchedModelListsEveryProblem() throws {
        let checkpoint = Checkpoint(model: CLIPModel(config: CLIPModelTests.config))
        var other = CLIPModelTests.config
        other.textConfig.layers = 2
        other.embedDim = 16
        #expect {
            try checkpoint.load(into: CLIPModel(config: other))
        } throws: { error in
            let text = "\(error)"
            return text.contains("missing text.blocks.1.attn.qkv.weight") && text.contains("visual.proj.weight")
        }
    }
}
