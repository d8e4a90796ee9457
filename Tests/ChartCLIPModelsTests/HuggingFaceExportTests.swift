import ChartCLIPFiles
@testable import ChartCLIPModels
import ChartCLIPTensor
import ChartCLIPTestSupport
import ChartCLIPText
import Foundation
import Testing

/// `chartclip export-hf`: transformers loads the folder and computes ChartCLIP's embeddings
/// (`Tests/Fixtures/hf/make_hf_export_fixture.py`), and `import-hf` gives the checkpoint back
/// bit for bit.
@Suite struct HuggingFaceExportTests {
    /// A small model of every kind of parameter: two blocks per tower, MLP ratio 4 in the image
    /// tower and 3 in the text tower, and a 1,000-row token table that export unfolds.
    static let config = CLIPConfig(
        embedDim: 24,
        visionConfig: VisionConfig(imageSize: 32, patchSize: 8, width: 48, layers: 2, heads: 4),
        textConfig: TextConfig(contextLength: 16, vocabSize: 1000, width: 32, layers: 2, heads: 4, mlpRatio: 3),
        activation: .quickGELU, initLogitScale: 2.5)

    /// The seeded model with every parameter moved off its initial value, so that a swapped
    /// LayerNorm or bias could not go unnoticed.
    static func checkpoint(_ config: CLIPConfig = config) -> Checkpoint {
        var checkpoint = Checkpoint(model: CLIPModel(config: config, seed: 42))
        let rng = RandomGenerator(seed: 9)
        for path in checkpoint.parameters.keys.sorted() {
            checkpoint.parameters[path] = checkpoint.parameters[path]!.map { $0 + 0.05 * rng.normal() }
        }
        return checkpoint
    }

    /// Where the test writes its export: `$CHARTCLIP_HF_EXPORT_DIR` when set (to regenerate
    /// the fixture), else a fresh temporary folder.
    static func exportFolder() throws -> URL {
        if let dir = ProcessInfo.processInfo.environment["CHARTCLIP_HF_EXPORT_DIR"] { return URL(fileURLWithPath: dir) }
        return try Fixtures.temporaryDirectory("hf-export")
    }

    @Test func transformersComputesChartCLIPsEmbeddings() throws {
        let dir = try Self.exportFolder()
        let checkpoint = Self.checkpoint()
        let tokenizer = try CLIPTokenizer()
        _ = try HuggingFaceExport.export(checkpoint, tokenizer: tokenizer, to: dir)
        let golden = try GoldenFile("hf/chartclip-export-embeddings.json")

        // The fixture was computed from exactly the files written now.
        let crcs = golden["files_crc32"] as! [String: Int]
        let written = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(written == crcs.keys.sorted())
        for (name, crc) in crcs.sorted(by: { $0.key < $1.key }) {
            let data = try Data(contentsOf: dir.appendingPathComponent(name))
            #expect(
                Gzip.crc32(data) == UInt32(crc),
                "\(name) is not the file the fixture was made from; regenerate it as make_hf_export_fixture.py says")
        }

        // CLIPImageProcessor from preprocessor_config.json prepares a PNG as ChartCLIP does.
        let (shape, pixels) = golden.array("pixel_values")
        let png = try ImageBatch.load([Fixtures.url(golden["png"] as! String)], size: 32)
        let perImage = 3 * 32 * 32
        let preprocessing = allClose(png.scalars, Array(pixels[0..<perImage]), relative: 0, absolute: 1e-5)
        #expect(preprocessing.ok, "pixel values: \(preprocessing.message)")

        let model = try checkpoint.makeModel()
        model.eval()
        let image = withoutGradients { model.encodeImage(Tensor(pixels, shape: shape), normalized: true) }
        let imageCheck = allClose(image.scalars, golden.array("image_embeddings").data, relative: 0, absolute: 1e-4)
        #expect(imageCheck.ok, "image: \(imageCheck.message)")

        // transformers' tokenizer, read from vocab.json and merges.txt, gives ChartCLIP's ids up
        // to the end token (it pads with the end token, ChartCLIP with 0; attention is causal).
        let captions = golden["captions"] as! [String]
        let hfIDs = golden["input_ids"] as! [[Int]]
        let tokens = try tokenizer.tokenize(captions, contextLength: 16)
        for (row, ids) in hfIDs.enumerated() {
            let end = tokens.endIndices[row]
            #expect(tokens.row(row).prefix(end + 1).map(Int.init) == Array(ids.prefix(end + 1)), "caption \(row): \(captions[row])")
        }
        let text = withoutGradients { model.encodeText(tokens, normalized: true) }
        let textCheck = allClose(text.scalars, golden.array("text_embeddings").data, relative: 0, absolute: 1e-4)
        #expect(textCheck.ok, "text: \(textCheck.message)")
        #expect(abs(model.logitScale.item - Float(golden["logit_scale"] as! Double)) < 1e-6)
    }

    @Test func importOfTheExportGivesTheCheckpointBackBitForBit() throws {
        for config in [Self.config, Self.fullVocabulary] {
            let dir = try Fixtures.temporaryDirectory("hf-roundtrip")
            let checkpoint = Self.checkpoint(config)
            let summary = try HuggingFaceExport.export(checkpoint, tokenizer: try CLIPTokenizer(), to: dir)
            #expect(summary.tensorCount == checkpoint.parameters.count + 2 * (config.visionConfig.layers + config.textConfig.layers) * 2)
            let back = try HuggingFaceImport.convert(directory: dir)
            #expect(back.checkpoint.config == config)
            #expect(back.checkpoint.parameters.keys.sorted() == checkpoint.parameters.keys.sorted())
            for (path, values) in checkpoint.parameters {
                #expect(back.checkpoint.parameters[path]?.map(\.bitPattern) == values.map(\.bitPattern), "\(path)")
            }
            #expect(back.tokenizerFiles.map(\.lastPathComponent) == ["vocab.json", "merges.txt"])
        }
    }

    /// The full CLIP vocabulary: the token table is written as it is.
    static let fullVocabulary: CLIPConfig = {
        var c = config
        c.textConfig.vocabSize = CLIPTokenizerVocabulary.size
        c.textConfig.width = 8
        c.textConfig.heads = 2
        c.activation = .gelu
        return c
    }()

    @Test func modelsHuggingFaceCannotHoldAreRefusedBeforeWriting() throws {
        var stem = Self.config
        stem.visionConfig.stemWidth = 64
        var oddMLP = Self.config
        oddMLP.textConfig.mlpRatio = 2.3  // 32 × 2.3 = 73.6
        for (config, reason) in [(stem, "stem"), (oddMLP, "73.6")] {
            let dir = try Fixtures.temporaryDirectory("hf-refused")
            #expect {
                try HuggingFaceExport.export(Self.checkpoint(config), tokenizer: try CLIPTokenizer(), to: dir)
            } throws: { "\($0)".contains("cannot be written as a Hugging Face CLIPModel") && "\($0)".contains(reason) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty, "nothing is written")
        }
    }

    @Test func aHandEditedChartCLIPSectionIsRefused() throws {
        let dir = try Fixtures.temporaryDirectory("hf-edited")
        _ = try HuggingFaceExport.export(Self.checkpoint(), tokenizer: try CLIPTokenizer(), to: dir)
        let url = dir.appendingPathComponent("config.json")
        var root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        var text = root["text_config"] as! [String: Any]
        text["num_hidden_layers"] = 3
        root["text_config"] = text
        try JSONSerialization.data(withJSONObject: root).write(to: url)
        #expect {
            try HuggingFaceImport.convert(directory: dir)
        } throws: { "\($0)".contains("describes another model") && "\($0)".contains("config.json") }
    }

    @Test func tokenTablesFoldAndUnfold() {
        let rows = 10, width = 2
        let table = (0..<rows * width).map { Float($0) }
        let full = HuggingFaceExport.unfoldTokenTable(table, rows: rows, width: width)
        #expect(full.count == CLIPTokenizerVocabulary.size * width)
        #expect(Array(full[CLIPTokenizerVocabulary.endOfText * width..<(CLIPTokenizerVocabulary.endOfText + 1) * width]) == [18, 19])
        #expect(HuggingFaceExport.foldTokenTable(full, rows: rows, width: width) == table)
        var edited = full
        edited[7 * width] += 1  // id 7 and id 14 share a row; now they differ
        #expect(HuggingFaceExport.foldTokenTable(edited, rows: rows, width: width) == nil)
    }
}
