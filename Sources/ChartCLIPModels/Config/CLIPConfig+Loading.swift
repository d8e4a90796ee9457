import ChartCLIPSupport
import Foundation

extension CLIPConfig {
    /// The shipped configurations, identical to `configs/models/*.json`.
    public static let presets: [String: CLIPConfig] = [
        // CI smoke tests: 64×64 images, patch 8, width 64, 2 layers (the bench's "tiny").
        "clip-tiny": CLIPConfig(
            embedDim: 64,
            visionConfig: VisionConfig(imageSize: 64, patchSize: 8, width: 64, layers: 2, heads: 2),
            textConfig: TextConfig(contextLength: 32, vocabSize: 1024, width: 64, layers: 2, heads: 2),
            activation: .quickGELU),
        // CPU research: 128×128, patch 16, width 256, 6 vision and 4 text layers.
        "clip-small": CLIPConfig(
            embedDim: 256,
            visionConfig: VisionConfig(imageSize: 128, patchSize: 16, width: 256, layers: 6, heads: 4),
            textConfig: TextConfig(contextLength: 32, vocabSize: 49408, width: 256, layers: 4, heads: 4),
            activation: .quickGELU),
        // openai/clip-vit-base-patch16.
        "clip-vit-b-16": CLIPConfig(
            embedDim: 512,
            visionConfig: VisionConfig(imageSize: 224, patchSize: 16, width: 768, layers: 12, heads: 12),
            textConfig: TextConfig(contextLength: 77, vocabSize: 49408, width: 512, layers: 12, heads: 8),
            activation: .quickGELU),
    ]

    /// Keys a config file may contain, by object; anything else is a mistake to report.
    static let allowedKeys: [String: Set<String>] = [
        "": ["embed_dim", "vision_cfg", "text_cfg", "activation", "init_logit_scale"],
        "vision_cfg": ["image_size", "patch_size", "width", "layers", "heads", "mlp_ratio", "stem_width"],
        "text_cfg": ["context_length", "vocab_size", "width", "layers", "heads", "mlp_ratio"],
    ]

    /// Decodes a config from JSON strictly: unknown or mistyped fields and impossible shapes
    /// are errors that name the field. `source` names the file in messages.
    public static func decode(json data: Data, source: String) throws -> CLIPConfig {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ChartCLIPError("not valid JSON: \(error.localizedDescription)", at: source)
        }
        guard let root = object as? [String: Any] else {
            throw ChartCLIPError("a model config must be a JSON object", at: source)
        }
        for (section, allowed) in allowedKeys {
            let dict = section.isEmpty ? root : root[section] as? [String: Any]
            guard let dict else { continue }
            for key in dict.keys where !allowed.contains(key) {
                let name = section.isEmpty ? key : "\(section).\(key)"
                throw ChartCLIPError(
                    "unknown field '\(name)'", at: source,
                    hint: "allowed fields\(section.isEmpty ? "" : " in \(section)"): \(allowed.sorted().joined(separator: ", "))")
            }
        }
        let config: CLIPConfig
        do {
            config = try JSONDecoder().decode(CLIPConfig.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            let path = (context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
            throw ChartCLIPError("missing field '\(path)'", at: source)
        } catch let DecodingError.typeMismatch(type, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ChartCLIPError("field '\(path)' should be \(type)", at: source)
        } catch let DecodingError.dataCorrupted(context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ChartCLIPError("field '\(path)': \(context.debugDescription)", at: source,
                hint: "activation is \"quick_gelu\" or \"gelu\"")
        }
        try config.validate(source: source)
        return config
    }

    /// Loads `name` as a preset (`clip-tiny`), a path to a JSON file, or a file
    /// `configs/models/<name>.json` under `searchDirectory`.
    public static func load(_ name: String, searchDirectory: URL? = nil) throws -> CLIPConfig {
        let fm = FileManager.default
        var candidates = [URL(fileURLWithPath: name)]
        if let searchDirectory {
            candidates.append(searchDirectory.appendingPathComponent("configs/models/\(name).json"))
        }
        candidates.append(URL(fileURLWithPath: "configs/models/\(name).json"))
        for url in candidates where fm.fileExists(atPath: url.path) && !url.hasDirectoryPath {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            return try decode(json: try Data(contentsOf: url), source: url.path)
        }
        if let preset = presets[name] { return preset }
        throw ChartCLIPError(
            "no model config named '\(name)'", hint: "use one of \(presets.keys.sorted().joined(separator: ", ")) or a path to a JSON file")
    }

    /// The config as pretty, key-sorted JSON (what checkpoints store).
    public func jsonString() -> String {
        let encoder = JSONEncoder.chartCLIP()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// Checks that the shapes are buildable, naming the first field that is not.
    public func validate(source: String = "model config") throws {
        func require(_ ok: Bool, _ field: String, _ message: String) throws {
            if !ok { throw ChartCLIPError("field '\(field)': \(message)", at: source) }
        }
        let v = visionConfig, t = textConfig
        // Bounds far above any model that fits in memory, so that no shape arithmetic can overflow.
        func bounded(_ value: Int, _ field: String, _ range: ClosedRange<Int>) throws {
            try require(range.contains(value), field, "\(value) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        try bounded(embedDim, "embed_dim", 1...65_536)
        try bounded(v.imageSize, "vision_cfg.image_size", 1...8_192)
        try bounded(v.patchSize, "vision_cfg.patch_size", 1...1_024)
        try bounded(v.width, "vision_cfg.width", 1...65_536)
        try bounded(v.layers, "vision_cfg.layers", 0...1_024)
        try bounded(v.heads, "vision_cfg.heads", 1...1_024)
        try bounded(v.stemWidth ?? 1, "vision_cfg.stem_width", 1...65_536)
        try bounded(t.contextLength, "text_cfg.context_length", 2...65_536)
        try bounded(t.vocabSize, "text_cfg.vocab_size", 8...1_048_576)
        try bounded(t.width, "text_cfg.width", 1...65_536)
        try bounded(t.layers, "text_cfg.layers", 0...1_024)
        try bounded(t.heads, "text_cfg.heads", 1...1_024)
        try require(v.mlpRatio.isFinite && v.mlpRatio > 0 && v.mlpRatio <= 64 && t.mlpRatio.isFinite && t.mlpRatio > 0 && t.mlpRatio <= 64, "mlp_ratio", "must be in (0, 64]")
        try require(v.patchCount <= 1_048_576, "vision_cfg.image_size", "\(v.imageSize / v.patchSize)² patches are too many")
        try require(embedDim > 0, "embed_dim", "must be positive")
        try require(v.patchSize > 0 && v.imageSize > 0 && v.imageSize % v.patchSize == 0, "vision_cfg.image_size", "\(v.imageSize) must be a positive multiple of patch_size \(v.patchSize)")
        try require(v.layers >= 0 && v.heads > 0 && v.width > 0 && v.width % v.heads == 0, "vision_cfg.width", "\(v.width) must be divisible by heads \(v.heads)")
        try require(t.layers >= 0 && t.heads > 0 && t.width > 0 && t.width % t.heads == 0, "text_cfg.width", "\(t.width) must be divisible by heads \(t.heads)")
        try require(t.contextLength >= 2, "text_cfg.context_length", "must be at least 2 (start and end tokens)")
        try require(t.vocabSize >= 8, "text_cfg.vocab_size", "must be at least 8")
        try require(v.mlpRatio > 0 && t.mlpRatio > 0, "mlp_ratio", "must be positive")
        try require((v.stemWidth ?? 1) > 0, "vision_cfg.stem_width", "must be positive, or left out for the linear patch embedding")
    }
}
