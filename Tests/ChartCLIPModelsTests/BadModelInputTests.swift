@testable import ChartCLIPModels
import ChartCLIPTestSupport
import Foundation
import Testing

/// Model files and configs that used to trap or pass silently: non-finite weights, sizes whose
/// arithmetic overflows, Hugging Face fields of the wrong type.
@Suite struct BadModelInputTests {
    static let config = HuggingFaceExportTests.config

    @Test func aCheckpointWithNaNIsRefusedOnSaveAndOnLoadNamingTheTensor() throws {
        let dir = try Fixtures.temporaryDirectory("nan-checkpoint")
        var checkpoint = Checkpoint(model: CLIPModel(config: Self.config, seed: 1))
        checkpoint.parameters["visual.blocks.1.mlp.fc2.bias"]![3] = .nan
        let url = dir.appendingPathComponent("nan.h5")
        #expect {
            try checkpoint.save(to: url)
        } throws: { "\($0)".contains("parameter visual.blocks.1.mlp.fc2.bias holds nan at index 3") && "\($0)".contains("diverged") }
        #expect(!FileManager.default.fileExists(atPath: url.path), "nothing is written")

        // A file that holds NaN anyway (written by another tool) is refused when loaded.
        checkpoint.parameters["visual.blocks.1.mlp.fc2.bias"]![3] = 0
        checkpoint.parameters["text.ln_final.weight"]![0] = .infinity
        try checkpoint.write(to: url)
        #expect {
            try Checkpoint.load(from: url)
        } throws: { "\($0)".contains("parameter text.ln_final.weight holds inf at index 0") && "\($0)".contains(url.path) }
    }

    @Test(arguments: [
        (#"{"vision_config": {"hidden_size": "32"}}"#, "vision_config.hidden_size"),
        (#"{"vision_config": {"hidden_size": 1099511627776}}"#, "vision_config.hidden_size"),
        (#"{"text_config": {"num_hidden_layers": 2.5}}"#, "text_config.num_hidden_layers"),
        (#"{"projection_dim": true}"#, "projection_dim"),
        (#"{"vision_config": {"image_size": 8589934592, "patch_size": 32}}"#, "vision_config.image_size"),
        (#"{"vision_config": {"patch_size": 0}}"#, "vision_cfg.patch_size"),
    ])
    func aHuggingFaceConfigFieldOfTheWrongKindIsNamed(json: String, field: String) {
        #expect {
            try HuggingFaceImport.clipConfig(fromHuggingFace: Data(json.utf8), source: "config.json")
        } throws: { "\($0)".contains(field) && "\($0)".contains("config.json") }
    }

    @Test func sizesThatWouldOverflowAreRefused() {
        var c = Self.config
        c.visionConfig.imageSize = 1 << 33
        c.visionConfig.patchSize = 1 << 20
        #expect { try c.validate(source: "m.json") } throws: { "\($0)".contains("vision_cfg.image_size") && "\($0)".contains("m.json") }
        c = Self.config
        c.textConfig.width = 1 << 40
        #expect { try c.validate(source: "m.json") } throws: { "\($0)".contains("text_cfg.width") }
        c = Self.config
        c.visionConfig.mlpRatio = .infinity
        #expect { try c.validate(source: "m.json") } throws: { "\($0)".contains("mlp_ratio") }
    }
}
