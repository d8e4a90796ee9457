import ChartCLIPFiles
import ChartCLIPNN
import ChartCLIPSupport
import Foundation

/// Converts a Hugging Face `CLIPModel` folder (`config.json`, `model.safetensors`,
/// optionally `vocab.json` + `merges.txt`) into a ChartCLIP checkpoint.
///
/// Names follow transformers' CLIP exactly, including its spelling `pre_layrnorm`; the
/// separate `q_proj`/`k_proj`/`v_proj` are stacked into the fused `attn.qkv`, the
/// convolution kernel `[D, 3, p, p]` is flattened to the patch embedding `[D, 3·p·p]`, and
/// integer buffers such as `position_ids` are skipped.
public enum HuggingFaceImport {
    /// The result: the checkpoint and the tokenizer files found next to the weights.
    public struct Result {
        /// The converted weights and config.
        public var checkpoint: Checkpoint
        /// `vocab.json` and `merges.txt`, when the folder has them.
        public var tokenizerFiles: [URL]
    }

    /// Reads `directory` and converts it.
    public static func convert(directory: URL) throws -> Result {
        let configURL = directory.appendingPathComponent("config.json")
        guard let data = FileManager.default.contents(atPath: configURL.path) else {
            throw ChartCLIPError("no config.json", at: directory.path, hint: "pass the folder written by save_pretrained")
        }
        var config = try clipConfig(fromHuggingFace: data, source: configURL.path)
        let exported = try chartCLIPSection(data, matching: config, source: configURL.path)
        if let exported { config = exported.config }
        let weightsURL = directory.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            throw ChartCLIPError(
                "no model.safetensors", at: directory.path,
                hint: "only safetensors weights are read; convert pytorch_model.bin with transformers' save_pretrained(safe_serialization=True)")
        }
        let weights = try SafetensorsFile(weightsURL)
        let parameters = try mapParameters(weights, config: config, foldedTokenTable: exported?.foldedRows != nil, source: weightsURL.path)
        let tokenizer = ["vocab.json", "merges.txt"].map { directory.appendingPathComponent($0) }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
        return Result(checkpoint: Checkpoint(config: config, parameters: parameters, step: 0), tokenizerFiles: tokenizer)
    }

    /// Translates transformers' `CLIPConfig` JSON (missing fields take transformers'
    /// defaults) into a `CLIPConfig`.
    public static func clipConfig(fromHuggingFace data: Data, source: String) throws -> CLIPConfig {
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ChartCLIPError("config.json is not a JSON object", at: source)
        }
        let text = root["text_config"] as? [String: Any] ?? [:]
        let vision = root["vision_config"] as? [String: Any] ?? [:]
        func int(_ d: [String: Any], _ section: String, _ key: String, _ fallback: Int) throws -> Int {
            guard let raw = d[key], !(raw is NSNull) else { return fallback }
            guard let number = raw as? NSNumber, !number.isJSONBool, let value = Int(exactly: number.doubleValue), (0...(1 << 31)).contains(value) else {
                throw ChartCLIPError(
                    "field '\(section)\(key)' is \(raw), not a whole number from 0 to 2147483648", at: source,
                    hint: "write it as a number, e.g. \"\(key)\": \(fallback)")
            }
            return value
        }
        let textAct = text["hidden_act"] as? String ?? "quick_gelu"
        let visionAct = vision["hidden_act"] as? String ?? "quick_gelu"
        guard textAct == visionAct, let activation = Activation(rawValue: textAct) else {
            throw ChartCLIPError(
                "hidden_act '\(textAct)' (text) / '\(visionAct)' (vision) is not supported", at: source,
                hint: "ChartCLIP models use quick_gelu or gelu in both towers")
        }
        // The MLP ratio whose product with the width gives back the intermediate size exactly.
        func ratio(_ hidden: Int, _ width: Int) -> Float {
            let r = Float(hidden) / Float(max(width, 1))
            return Int(Float(width) * r) == hidden ? r : r.nextUp
        }
        let vWidth = try int(vision, "vision_config.", "hidden_size", 768), tWidth = try int(text, "text_config.", "hidden_size", 512)
        let vConfig = VisionConfig(
            imageSize: try int(vision, "vision_config.", "image_size", 224), patchSize: try int(vision, "vision_config.", "patch_size", 32), width: vWidth,
            layers: try int(vision, "vision_config.", "num_hidden_layers", 12), heads: try int(vision, "vision_config.", "num_attention_heads", 12),
            mlpRatio: ratio(try int(vision, "vision_config.", "intermediate_size", 3072), vWidth))
        let tConfig = TextConfig(
            contextLength: try int(text, "text_config.", "max_position_embeddings", 77), vocabSize: try int(text, "text_config.", "vocab_size", 49408),
            width: tWidth, layers: try int(text, "text_config.", "num_hidden_layers", 12), heads: try int(text, "text_config.", "num_attention_heads", 8),
            mlpRatio: ratio(try int(text, "text_config.", "intermediate_size", 2048), tWidth))
        let scale = (root["logit_scale_init_value"] as? NSNumber)?.floatValue ?? 2.6592
        let config = CLIPConfig(
            embedDim: try int(root, "", "projection_dim", 512), visionConfig: vConfig, textConfig: tConfig, activation: activation,
            initLogitScale: scale)
        try config.validate(source: source)
        return config
    }

    /// What `export-hf` keeps under `"chartclip"` in config.json: the exact ChartCLIP config
    /// (MLP ratios and the initial temperature that the Hugging Face fields round) and the
    /// folded token table's row count. `nil` for folders ChartCLIP did not write. Refused when
    /// it disagrees with the Hugging Face fields, which the weights follow.
    static func chartCLIPSection(_ data: Data, matching derived: CLIPConfig, source: String) throws -> (config: CLIPConfig, foldedRows: Int?)? {
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
            let section = root[HuggingFaceExport.chartCLIPKey] as? [String: Any]
        else { return nil }
        guard let model = section["model_config"], JSONSerialization.isValidJSONObject(model),
            let config = try? CLIPConfig.decode(json: try JSONSerialization.data(withJSONObject: model), source: source)
        else {
            throw ChartCLIPError(
                "chartclip.model_config is not a ChartCLIP model config", at: source,
                hint: "export the checkpoint again with `chartclip export-hf`, or delete the \"chartclip\" section to import by the Hugging Face fields alone")
        }
        let rows = ((section["token_table"] as? [String: Any])?["rows"] as? NSNumber)?.intValue
        var expected = derived
        if let rows { expected.textConfig.vocabSize = rows }
        guard CLIPModel.parameterShapes(config).map(\.1) == CLIPModel.parameterShapes(expected).map(\.1), config.activation == derived.activation else {
            throw ChartCLIPError(
                "chartclip.model_config describes another model than text_config and vision_config", at: source,
                hint: "the file was edited by hand; export the checkpoint again with `chartclip export-hf`")
        }
        return (config, rows)
    }

    /// ChartCLIP path → Hugging Face names whose tensors make it (several are stacked).
    static func sources(for path: String) -> [String] {
        var p = path
        let tower = p.hasPrefix("visual.") ? "vision_model" : "text_model"
        if path == "logit_scale" { return ["logit_scale"] }
        if path == "visual.proj.weight" { return ["visual_projection.weight"] }
        if path == "text.proj.weight" { return ["text_projection.weight"] }
        p = String(p.drop(while: { $0 != "." }).dropFirst())
        let fixed: [String: String] = [
            "class_embedding": "embeddings.class_embedding",
            "positional_embedding": "embeddings.position_embedding.weight",
            "patch_embed.weight": "embeddings.patch_embedding.weight",
            "ln_pre.weight": "pre_layrnorm.weight", "ln_pre.bias": "pre_layrnorm.bias",
            "ln_post.weight": "post_layernorm.weight", "ln_post.bias": "post_layernorm.bias",
            "token_embedding.weight": "embeddings.token_embedding.weight",
            "ln_final.weight": "final_layer_norm.weight", "ln_final.bias": "final_layer_norm.bias",
        ]
        if let name = fixed[p] { return ["\(tower).\(name)"] }
        // blocks.N.<rest>
        let parts = p.split(separator: ".", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == "blocks" else { return [] }
        let layer = "\(tower).encoder.layers.\(parts[1])"
        switch parts[2] {
        case "attn.qkv.weight": return ["q", "k", "v"].map { "\(layer).self_attn.\($0)_proj.weight" }
        case "attn.qkv.bias": return ["q", "k", "v"].map { "\(layer).self_attn.\($0)_proj.bias" }
        case "attn.proj.weight": return ["\(layer).self_attn.out_proj.weight"]
        case "attn.proj.bias": return ["\(layer).self_attn.out_proj.bias"]
        case "norm1.weight": return ["\(layer).layer_norm1.weight"]
        case "norm1.bias": return ["\(layer).layer_norm1.bias"]
        case "norm2.weight": return ["\(layer).layer_norm2.weight"]
        case "norm2.bias": return ["\(layer).layer_norm2.bias"]
        case "mlp.fc1.weight": return ["\(layer).mlp.fc1.weight"]
        case "mlp.fc1.bias": return ["\(layer).mlp.fc1.bias"]
        case "mlp.fc2.weight": return ["\(layer).mlp.fc2.weight"]
        case "mlp.fc2.bias": return ["\(layer).mlp.fc2.bias"]
        default: return []
        }
    }

    static func mapParameters(_ file: SafetensorsFile, config: CLIPConfig, foldedTokenTable: Bool = false, source: String) throws -> [String: [Float]] {
        var parameters: [String: [Float]] = [:]
        var used = Set<String>()
        var problems: [String] = []
        for (path, shape) in CLIPModel.parameterShapes(config) {
            let names = sources(for: path)
            let missing = names.filter { !file.contains($0) }
            guard !names.isEmpty, missing.isEmpty else {
                problems.append("\(path): missing \(missing.isEmpty ? "(no mapping)" : missing.joined(separator: ", "))")
                continue
            }
            var values: [Float] = []
            for name in names {
                values += try file.floats(name)
                used.insert(name)
            }
            if foldedTokenTable && path == "text.token_embedding.weight" {
                guard let table = HuggingFaceExport.foldTokenTable(values, rows: shape[0], width: shape[1]), values.count == CLIPTokenizerVocabulary.size * shape[1] else {
                    problems.append("\(path): \(names[0]) is not the unfolded \(shape[0])-row table that config.json's chartclip.token_table says")
                    continue
                }
                values = table
            }
            guard values.count == shape.reduce(1, *) else {
                problems.append("\(path): \(names.joined(separator: " + ")) hold \(values.count) values, the model needs \(shape)")
                continue
            }
            parameters[path] = values
        }
        let unexpected = file.tensors.map(\.name).filter { name in
            !used.contains(name) && !name.hasSuffix("position_ids")
        }
        if !unexpected.isEmpty { problems.append("unexpected tensors: \(unexpected.sorted().joined(separator: ", "))") }
        guard problems.isEmpty else {
            throw ChartCLIPError(
                "the weights do not match the CLIP layout of config.json:\n  " + problems.joined(separator: "\n  "), at: source)
        }
        return parameters
    }
}
