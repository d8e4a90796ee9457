import ChartCLIPModels
import ChartCLIPTensor
import ChartCLIPTestSupport
import ChartCLIPText
import Foundation
import Testing

/// Importing a Hugging Face CLIP folder gives transformers' embeddings
/// (`Tests/Fixtures/hf/make_hf_fixture.py`).
@Suite struct HuggingFaceParityTests {
    @Test func importedModelMatchesTransformers() throws {
        let result = try HuggingFaceImport.convert(directory: Fixtures.url("hf/tiny-clip"))
        let model = try result.checkpoint.makeModel()
        model.eval()
        let golden = try GoldenFile("hf/tiny-clip-embeddings.json")
        let (shape, pixels) = golden.array("pixel_values")
        let image = withoutGradients { model.encodeImage(Tensor(pixels, shape: shape), normalized: true) }
        let imageCheck = allClose(image.scalars, golden.array("image_embeddings").data, relative: 0, absolute: 1e-4)
        #expect(imageCheck.ok, "image: \(imageCheck.message)")

        let rows = golden["input_ids"] as! [[Int]]
        let ends = golden["end_indices"] as! [Int]
        let text = withoutGradients {
            model.text(ids: rows.flatMap { $0 }, batch: rows.count, endIndices: ends).l2Normalized()
        }
        let textCheck = allClose(text.scalars, golden.array("text_embeddings").data, relative: 0, absolute: 1e-4)
        #expect(textCheck.ok, "text: \(textCheck.message)")
        #expect(abs(model.logitScale.item - Float(golden["logit_scale"] as! Double)) < 1e-6)
    }

    /// The class token after each block through `ln_post` (the linear probe's `pooled` and
    /// `last_4_blocks` features) is transformers' `post_layernorm` of its hidden states
    /// (`Tests/Fixtures/hf/make_class_token_fixture.py`); the last one projects to the embedding.
    @Test func classTokensMatchTransformers() throws {
        let model = try HuggingFaceImport.convert(directory: Fixtures.url("hf/tiny-clip")).checkpoint.makeModel()
        model.eval()
        let embeddings = try GoldenFile("hf/tiny-clip-embeddings.json")
        let (shape, pixels) = embeddings.array("pixel_values")
        let images = Tensor(pixels, shape: shape)
        let golden = try GoldenFile("hf/tiny-clip-class-tokens.json").array("class_tokens")
        let tokens = withoutGradients { model.visual.classTokens(images, lastBlocks: 4) }
        #expect(tokens.count == 2 && tokens.allSatisfy { $0.shape == [2, 48] }, "a 2-block tower gives both blocks' tokens")
        let check = allClose(tokens.flatMap(\.scalars), golden.data, relative: 0, absolute: 1e-4)
        #expect(check.ok, "class tokens: \(check.message)")
        let last = withoutGradients { model.visual.classTokens(images, lastBlocks: 1) }
        #expect(last.count == 1 && last[0].scalars == tokens[1].scalars)
        let projected = withoutGradients { model.visual.proj(last[0]).l2Normalized() }
        let embedding = allClose(projected.scalars, embeddings.array("image_embeddings").data, relative: 0, absolute: 1e-4)
        #expect(embedding.ok, "projected: \(embedding.message)")
    }

    @Test func wrongShapesAreListed() throws {
        let dir = try Fixtures.temporaryDirectory("hf")
        try FileManager.default.copyItem(at: Fixtures.url("hf/tiny-clip/model.safetensors"), to: dir.appendingPathComponent("model.safetensors"))
        var config = try String(contentsOf: Fixtures.url("hf/tiny-clip/config.json"), encoding: .utf8)
        config = config.replacingOccurrences(of: "\"projection_dim\": 24", with: "\"projection_dim\": 20")
        try config.write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        #expect {
            try HuggingFaceImport.convert(directory: dir)
        } throws: { "\($0)".contains("visual.proj.weight") && "\($0)".contains("text.proj.weight") }
    }
}
