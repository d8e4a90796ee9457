import ChartCLIPModels
import ChartCLIPSupport
import ChartCLIPTestSupport
import Foundation
import Testing

/// Model configs: the shipped files, strict decoding, and the published ViT-B/16 layout.
@Suite struct CLIPConfigTests {
    @Test(arguments: ["clip-tiny", "clip-small", "clip-vit-b-16"])
    func shippedFilesMatchThePresets(name: String) throws {
        let url = Fixtures.repositoryRoot.appendingPathComponent("configs/models/\(name).json")
        let decoded = try CLIPConfig.decode(json: try Data(contentsOf: url), source: url.path)
        #expect(decoded == CLIPConfig.presets[name])
    }

    @Test func vitB16HasThePublishedParameterCount() {
        // transformers' CLIPModel for openai/clip-vit-base-patch16 has 149,620,737
        // parameters (position_ids buffers are not parameters).
        let shapes = CLIPModel.parameterShapes(CLIPConfig.presets["clip-vit-b-16"]!)
        #expect(shapes.reduce(0) { $0 + $1.1.reduce(1, *) } == 149_620_737)
    }

    @Test func unknownFieldIsNamed() {
        let json = #"{"embed_dim": 8, "vision_cfg": {"image_size": 16, "patch_size": 8, "width": 8, "layers": 1, "heads": 2, "patch": 3}, "text_cfg": {"context_length": 8, "vocab_size": 64, "width": 8, "layers": 1, "heads": 2}}"#
        #expect {
            try CLIPConfig.decode(json: Data(json.utf8), source: "x.json")
        } throws: { error in
            "\(error)".contains("vision_cfg.patch") && "\(error)".contains("x.json")
        }
    }

    @Test func mistypedAndImpossibleFieldsAreNamed() {
        let mistyped = #"{"embed_dim": "big", "vision_cfg": {}, "text_cfg": {}}"#
        #expect { try CLIPConfig.decode(json: Data(mistyped.utf8), source: "m.json") } throws: { "\($0)".contains("embed_dim") }
        let indivisible = #"{"embed_dim": 8, "vision_cfg": {"image_size": 20, "patch_size": 8, "width": 8, "layers": 1, "heads": 2}, "text_cfg": {"context_length": 8, "vocab_size": 64, "width": 8, "layers": 1, "heads": 2}}"#
        #expect { try CLIPConfig.decode(json: Data(indivisible.utf8), source: "i.json") } throws: { "\($0)".contains("image_size") }
        let activation = #"{"embed_dim": 8, "activation": "relu6", "vision_cfg": {"image_size": 16, "patch_size": 8, "width": 8, "layers": 1, "heads": 2}, "text_cfg": {"context_length": 8, "vocab_size": 64, "width": 8, "layers": 1, "heads": 2}}"#
        #expect { try CLIPConfig.decode(json: Data(activation.utf8), source: "a.json") } throws: { "\($0)".contains("activation") }
    }
}
