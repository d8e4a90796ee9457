import ChartCLIPFiles
import ChartCLIPImage
import ChartCLIPSupport
import ChartCLIPText
import Foundation

/// Writes a ChartCLIP checkpoint as a Hugging Face `CLIPModel` folder:
/// `config.json`, `model.safetensors`, the tokenizer files (`vocab.json`, `merges.txt`,
/// `tokenizer_config.json`, `special_tokens_map.json`) and `preprocessor_config.json`, so that
/// `CLIPModel.from_pretrained(DIR)` and `CLIPProcessor.from_pretrained(DIR)` give the
/// embeddings ChartCLIP gives.
///
/// The inverse of `HuggingFaceImport`: the fused `attn.qkv` is split into `q_proj`, `k_proj`
/// and `v_proj`, the patch embedding `[D, 3·p·p]` becomes the convolution kernel
/// `[D, 3, p, p]`. A token table smaller than CLIP's 49,408 rows (ids folded by
/// `CLIPModel.foldTokenIDs`) is written out as the full table transformers indexes with the
/// tokenizer's ids, row `id` holding the folded row; `config.json` records the folding under
/// `chartclip`, and `import-hf` folds it back, so the round trip is exact.
public enum HuggingFaceExport {
    /// What the folder holds, for the command's report.
    public struct Summary: Sendable {
        /// Files written, in order.
        public var files: [URL]
        /// Tensors in `model.safetensors`.
        public var tensorCount: Int
        /// Floats in `model.safetensors` (more than the checkpoint's when the token table is unfolded).
        public var valueCount: Int
    }

    /// The `config.json` key under which ChartCLIP keeps what transformers does not need.
    static let chartCLIPKey = "chartclip"

    /// Writes `checkpoint` (with `tokenizer`'s vocabulary) into `directory`, created if
    /// missing. Each file is written atomically.
    ///
    /// - Throws: a `ChartCLIPError` saying why when Hugging Face's `CLIPModel` cannot express
    ///   the model (a patch stem, an MLP width that is not a whole number, a tokenizer whose
    ///   special tokens are not CLIP's), before anything is written.
    public static func export(_ checkpoint: Checkpoint, tokenizer: CLIPTokenizer, to directory: URL) throws -> Summary {
        let config = checkpoint.config
        let configJSON = try huggingFaceConfig(config, tokenizer: tokenizer)
        let weights = try safetensors(checkpoint)
        let files: [(String, Data)] = [
            ("config.json", configJSON),
            ("model.safetensors", try weights.writer.data()),
            ("vocab.json", tokenizer.vocabulary.huggingFaceVocabularyJSON()),
            ("merges.txt", tokenizer.vocabulary.huggingFaceMergesText()),
            ("tokenizer_config.json", Data(JSONText.Value.object(tokenizerConfig(config)).text.utf8)),
            ("special_tokens_map.json", Data(JSONText.Value.object(specialTokens).text.utf8)),
            ("preprocessor_config.json", Data(JSONText.Value.object(preprocessorConfig(config)).text.utf8)),
        ]
        var written: [URL] = []
        for (name, data) in files {
            let url = directory.appendingPathComponent(name)
            try AtomicFile.write(data, to: url)
            written.append(url)
        }
        return Summary(files: written, tensorCount: weights.tensorCount, valueCount: weights.valueCount)
    }

    /// Why Hugging Face's `CLIPModel` cannot hold `config`, or `nil` when it can.
    public static func unsupportedReason(_ config: CLIPConfig) -> String? {
        if let stem = config.visionConfig.stemWidth {
            return "the image tower has a \(stem)-wide patch stem (vision_cfg.stem_width), and CLIPVisionModel's patch embedding is one linear convolution"
        }
        for (tower, width, ratio) in [("vision", config.visionConfig.width, config.visionConfig.mlpRatio), ("text", config.textConfig.width, config.textConfig.mlpRatio)] {
            let hidden = Float(width) * ratio
            if hidden != hidden.rounded() {
                return "the \(tower) tower's MLP is \(width) × \(ratio) = \(hidden) wide, and intermediate_size must be a whole number"
            }
        }
        return nil
    }

    // MARK: - config.json

    static func huggingFaceConfig(_ config: CLIPConfig, tokenizer: CLIPTokenizer) throws -> Data {
        if let reason = unsupportedReason(config) {
            throw ChartCLIPError(
                "this model cannot be written as a Hugging Face CLIPModel: \(reason)",
                hint: "export-hf takes models with ViT's linear patch embedding; serve this one with `chartclip serve` or share its .h5 checkpoint")
        }
        guard tokenizer.startTokenID == Int32(CLIPTokenizerVocabulary.startOfText), tokenizer.endTokenID == Int32(CLIPTokenizerVocabulary.endOfText) else {
            throw ChartCLIPError(
                "the tokenizer's start and end tokens are ids \(tokenizer.startTokenID) and \(tokenizer.endTokenID), not CLIP's \(CLIPTokenizerVocabulary.startOfText) and \(CLIPTokenizerVocabulary.endOfText)",
                hint: "export models trained with CLIP's vocabulary (the embedded one or a CLIP vocab.json)")
        }
        let v = config.visionConfig, t = config.textConfig
        let folded = t.vocabSize < CLIPTokenizerVocabulary.size
        // What both towers' sections carry.
        func tower(_ type: String, width: Int, mlpRatio: Float, layers: Int, heads: Int) -> [String: JSONText.Value] {
            [
                "model_type": .string(type), "hidden_size": .int(width), "intermediate_size": .int(Int(Float(width) * mlpRatio)),
                "num_hidden_layers": .int(layers), "num_attention_heads": .int(heads),
                "hidden_act": .string(config.activation.rawValue), "layer_norm_eps": .double(1e-5),
                "attention_dropout": .double(0), "projection_dim": .int(config.embedDim),
                "initializer_range": .double(0.02), "initializer_factor": .double(1),
            ]
        }
        let text = tower("clip_text_model", width: t.width, mlpRatio: t.mlpRatio, layers: t.layers, heads: t.heads).merging([
            "vocab_size": .int(folded ? CLIPTokenizerVocabulary.size : t.vocabSize),
            "max_position_embeddings": .int(t.contextLength),
            "bos_token_id": .int(CLIPTokenizerVocabulary.startOfText), "eos_token_id": .int(CLIPTokenizerVocabulary.endOfText),
            "pad_token_id": .int(CLIPTokenizerVocabulary.endOfText),
        ]) { a, _ in a }
        let vision = tower("clip_vision_model", width: v.width, mlpRatio: v.mlpRatio, layers: v.layers, heads: v.heads).merging([
            "image_size": .int(v.imageSize), "patch_size": .int(v.patchSize), "num_channels": .int(3),
        ]) { a, _ in a }
        guard let model = JSONText.Value(jsonObject: try JSONSerialization.jsonObject(with: Data(config.jsonString().utf8))) else {
            throw ChartCLIPError("the model config cannot be written as JSON")
        }
        var chartclip: [String: JSONText.Value] = ["model_config": model]
        if folded {
            chartclip["token_table"] = .object([
                "rows": .int(t.vocabSize),
                "folding": .string("CLIPModel.foldTokenIDs: 0 → 0, 49406 → rows − 2, 49407 → rows − 1, other ids → 1 + id mod (rows − 3)"),
            ])
        }
        let root: [String: JSONText.Value] = [
            "architectures": .array([.string("CLIPModel")]), "model_type": .string("clip"),
            "projection_dim": .int(config.embedDim), "logit_scale_init_value": .double(Double(config.initLogitScale)),
            "text_config": .object(text), "vision_config": .object(vision),
            "dtype": .string("float32"), "initializer_factor": .double(1),
            chartCLIPKey: .object(chartclip),
        ]
        return Data(JSONText.Value.object(root).text.utf8)
    }

    static var specialTokens: [String: JSONText.Value] {
        [
            "bos_token": .string(BPEVocabulary.startToken), "eos_token": .string(BPEVocabulary.endToken),
            "unk_token": .string(BPEVocabulary.endToken), "pad_token": .string(BPEVocabulary.endToken),
        ]
    }

    static func tokenizerConfig(_ config: CLIPConfig) -> [String: JSONText.Value] {
        specialTokens.merging([
            "tokenizer_class": .string("CLIPTokenizer"), "model_max_length": .int(config.textConfig.contextLength),
            "do_lower_case": .bool(true), "errors": .string("replace"), "clean_up_tokenization_spaces": .bool(false),
        ]) { a, _ in a }
    }

    static func preprocessorConfig(_ config: CLIPConfig) -> [String: JSONText.Value] {
        let size = config.visionConfig.imageSize
        return [
            "image_processor_type": .string("CLIPImageProcessor"), "processor_class": .string("CLIPProcessor"),
            "do_resize": .bool(true), "size": .object(["shortest_edge": .int(size)]), "resample": .int(3),
            "do_center_crop": .bool(true), "crop_size": .object(["height": .int(size), "width": .int(size)]),
            "do_rescale": .bool(true), "rescale_factor": .double(1.0 / 255.0),
            "do_normalize": .bool(true),
            "image_mean": .array(CLIPImagePreprocessor.clipMean.map { .double(Double($0)) }),
            "image_std": .array(CLIPImagePreprocessor.clipStd.map { .double(Double($0)) }),
            "do_convert_rgb": .bool(true),
        ]
    }

    // MARK: - model.safetensors

    static func safetensors(_ checkpoint: Checkpoint) throws -> (writer: SafetensorsWriter, tensorCount: Int, valueCount: Int) {
        let config = checkpoint.config
        var writer = SafetensorsWriter()
        var tensors = 0, values = 0
        func add(_ name: String, _ shape: [Int], _ data: [Float]) throws {
            try writer.add(name, shape: shape, values: data)
            tensors += 1
            values += data.count
        }
        for (path, shape) in CLIPModel.parameterShapes(config) {
            guard let data = checkpoint.parameters[path] else {
                throw ChartCLIPError("the checkpoint has no parameter \(path)", hint: "export a complete checkpoint such as best.h5 or last.h5")
            }
            let names = HuggingFaceImport.sources(for: path)
            switch path {
            case _ where names.count == 3:  // fused q, k, v
                let part = data.count / 3
                let partShape = shape.count == 2 ? [shape[0] / 3, shape[1]] : [shape[0] / 3]
                for (i, name) in names.enumerated() { try add(name, partShape, Array(data[i * part..<(i + 1) * part])) }
            case "visual.patch_embed.weight":
                let p = config.visionConfig.patchSize
                try add(names[0], [shape[0], 3, p, p], data)
            case "text.token_embedding.weight" where config.textConfig.vocabSize < CLIPTokenizerVocabulary.size:
                try add(names[0], [CLIPTokenizerVocabulary.size, shape[1]], unfoldTokenTable(data, rows: shape[0], width: shape[1]))
            default:
                guard names.count == 1 else {
                    throw ChartCLIPError("parameter \(path) has no Hugging Face name", hint: "this model cannot be exported")
                }
                try add(names[0], shape, data)
            }
        }
        return (writer, tensors, values)
    }

    /// The full CLIP token table: row `id` is row `foldTokenIDs(id)` of the folded table.
    static func unfoldTokenTable(_ table: [Float], rows: Int, width: Int) -> [Float] {
        let ids = (0..<Int32(CLIPTokenizerVocabulary.size)).map { $0 }
        let folded = CLIPModel.foldTokenIDs(ids, vocabularySize: rows)
        var out = [Float](repeating: 0, count: ids.count * width)
        for (id, row) in folded.enumerated() {
            out.replaceSubrange(id * width..<(id + 1) * width, with: table[row * width..<(row + 1) * width])
        }
        return out
    }

    /// The folded table back from a full one written by `unfoldTokenTable`; `nil` when the
    /// rows that fold together differ (the table is not one ChartCLIP unfolded).
    static func foldTokenTable(_ full: [Float], rows: Int, width: Int) -> [Float]? {
        let count = full.count / width
        let folded = CLIPModel.foldTokenIDs((0..<Int32(count)).map { $0 }, vocabularySize: rows)
        var out = [Float](repeating: 0, count: rows * width)
        var seen = [Bool](repeating: false, count: rows)
        for (id, row) in folded.enumerated() {
            let source = full[id * width..<(id + 1) * width]
            if seen[row] {
                guard zip(source, out[row * width..<(row + 1) * width]).allSatisfy({ $0.bitPattern == $1.bitPattern }) else { return nil }
            } else {
                out.replaceSubrange(row * width..<(row + 1) * width, with: source)
                seen[row] = true
            }
        }
        return seen.allSatisfy { $0 } ? out : nil
    }
}
