import ChartCLIPModels
import ChartCLIPTensor
import ChartCLIPTestSupport
import Foundation
import Testing

/// Moving a checkpoint to another chart size: learned positions resampled like PyTorch's
/// bilinear interpolation, everything else kept.
@Suite struct CheckpointResizeTests {
    /// Runs case `name` ("a_b_c") of a golden file: `compute(input, a, b, c)` against "name_out".
    func expectGolden(
        _ file: String, _ name: String, relative: Float, absolute: Float, _ compute: ([Float], Int, Int, Int) -> [Float]
    ) throws {
        let golden = try GoldenFile(file)
        let n = name.split(separator: "_").map { Int($0)! }
        let check = allClose(compute(golden.array("\(name)_in").data, n[0], n[1], n[2]), golden.array("\(name)_out").data,
            relative: relative, absolute: absolute)
        #expect(check.ok, "\(check.message)")
    }

    @Test(arguments: ["8_14_3", "4_7_2", "7_4_2", "3_5_1"])
    func resampleMatchesPyTorchBilinear(_ name: String) throws {
        try expectGolden("golden/resample_positions.json", name, relative: 1e-5, absolute: 1e-6) {
            PositionGrid.resample($0, from: $1, to: $2, width: $3)
        }
    }

    @Test func sameSizeIsIdentityAndConstantsStayConstant() {
        let grid = (0..<(5 * 5 * 2)).map { Float($0) }
        #expect(PositionGrid.resample(grid, from: 5, to: 5, width: 2) == grid)
        let flat = [Float](repeating: 0.25, count: 4 * 4 * 3)
        #expect(PositionGrid.resample(flat, from: 4, to: 9, width: 3).allSatisfy { abs($0 - 0.25) < 1e-6 })
    }

    @Test func resizedCheckpointRunsOnLargerChartsWithTheSameWeights() throws {
        let model = CLIPModel(config: CLIPModelTests.config, seed: 3)
        let checkpoint = Checkpoint(model: model, step: 5)
        let resized = try checkpoint.resizingImages(to: 32)
        #expect(resized.config.visionConfig.imageSize == 32)
        #expect(resized.optimizer == nil && resized.step == 5)
        let positions = resized.parameters["visual.positional_embedding"]!
        let width = CLIPModelTests.config.visionConfig.width
        #expect(positions.count == (4 * 4 + 1) * width)
        // The class token's position is kept; the other weights are untouched.
        #expect(Array(positions[0..<width]) == Array(checkpoint.parameters["visual.positional_embedding"]![0..<width]))
        for (key, values) in checkpoint.parameters where key != "visual.positional_embedding" {
            #expect(resized.parameters[key] == values, "\(key)")
        }
        let larger = try resized.makeModel()
        let features = larger.encodeImage(Tensor.randomNormal([2, 3, 32, 32], rng: RandomGenerator(seed: 1)))
        #expect(features.shape == [2, CLIPModelTests.config.embedDim] && features.scalars.allSatisfy(\.isFinite))
    }

    @Test(arguments: ["2_3_3", "4_7_2"])
    func patchKernelsMatchThePseudoInverse(_ name: String) throws {
        try expectGolden("golden/resize_patch_kernels.json", name, relative: 1e-4, absolute: 1e-5) {
            PatchKernel.resize($0, kernels: $3, from: $1, to: $2)
        }
    }

    /// Larger patches on the same grid: each patch of the original chart enlarged bilinearly
    /// gives the same tokens, so the model's image features are unchanged.
    @Test func largerPatchesReadEnlargedPatchesAsBefore() throws {
        let model = CLIPModel(config: CLIPModelTests.config, seed: 4)  // 16 px, 8-px patches
        let resized = try Checkpoint(model: model).resizingPatches(to: 12)
        #expect(resized.config.visionConfig == CLIPModelTests.config.visionConfig.withPatchSize(12))
        #expect(resized.config.visionConfig.patchSize == 12 && resized.config.visionConfig.imageSize == 24)
        #expect(resized.optimizer == nil && resized.parameters["visual.positional_embedding"] == Checkpoint(model: model).parameters["visual.positional_embedding"])
        let larger = try resized.makeModel()
        let images = Tensor.randomNormal([2, 3, 16, 16], rng: RandomGenerator(seed: 6))
        // Enlarge every 8×8 patch of every channel to 12×12 on its own.
        let x = images.scalars
        var enlarged = [Float](repeating: 0, count: 2 * 3 * 24 * 24)
        for bc in 0..<6 {
            for gy in 0..<2 {
                for gx in 0..<2 {
                    let patch = (0..<64).map { i in x[bc * 256 + (gy * 8 + i / 8) * 16 + gx * 8 + i % 8] }
                    for (i, v) in PositionGrid.resample(patch, from: 8, to: 12, width: 1).enumerated() {
                        enlarged[bc * 576 + (gy * 12 + i / 12) * 24 + gx * 12 + i % 12] = v
                    }
                }
            }
        }
        let before = model.encodeImage(images).scalars
        let after = larger.encodeImage(Tensor(enlarged, shape: [2, 3, 24, 24])).scalars
        let check = allClose(after, before, relative: 1e-3, absolute: 1e-4)
        #expect(check.ok, "\(check.message)")
        #expect { try Checkpoint(model: model).resizingPatches(to: 4) } throws: { "\($0)".contains("patches can only grow") }
    }

    @Test func sizeThatIsNotAMultipleOfThePatchIsAClearError() throws {
        let checkpoint = Checkpoint(model: CLIPModel(config: CLIPModelTests.config, seed: 3))
        #expect { try checkpoint.resizingImages(to: 30) } throws: { error in
            let text = "\(error)"
            return text.contains("30") && text.contains("8-pixel patch") && text.contains("use 24 or 32")
        }
    }
}
