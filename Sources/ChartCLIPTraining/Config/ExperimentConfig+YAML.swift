import ChartCLIPModels
import ChartCLIPNN
import ChartCLIPSupport
import ChartCLIPTensor
import Foundation
import Yams

extension ExperimentConfig {
    /// The fields each section may contain; anything else is reported by name.
    static let allowedKeys: [String: Set<String>] = [
        // Every section's keys are the ones its decoder reads.
        "": Set(ExperimentConfig.CodingKeys.allCases.map(\.stringValue)),
        "optimizer": Set(OptimizerConfig.CodingKeys.allCases.map(\.stringValue)),
        "schedule": Set(ScheduleConfig.CodingKeys.allCases.map(\.stringValue)),
        "augment": Set(AugmentConfig.CodingKeys.allCases.map(\.stringValue)),
        "synthetic": Set(SyntheticDataConfig.CodingKeys.allCases.map(\.stringValue) + SyntheticDataConfig.sharedFieldNames),
        "recorded": Set(RecordedDataConfig.CodingKeys.allCases.map(\.stringValue) + RecordedDataConfig.sharedFieldNames),
    ]

    /// The top-level field naming the config a file builds on.
    static let extendsKey = "extends"

    /// Decodes a config from YAML text strictly; `source` names the file in messages.
    ///
    /// A top-level `extends: OTHER.yaml` (a path relative to `source`'s folder) reads OTHER
    /// first and lays this text's fields over it: mappings merge field by field, anything
    /// else (lists included) replaces, and `null` removes a field OTHER set. Each file's
    /// unknown fields are named with that file; a field that decodes badly or fails a check is
    /// named with the file that set it.
    public static func decode(yaml text: String, source: String) throws -> ExperimentConfig {
        let layers = try ConfigLayers(text: text, source: source)
        let config: ExperimentConfig
        do {
            config = try YAMLDecoder().decode(ExperimentConfig.self, from: layers.merged)
        } catch let DecodingError.keyNotFound(key, context) {
            let path = (context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
            throw ChartCLIPError("missing field '\(path)'", at: layers.describeMissing())
        } catch let DecodingError.typeMismatch(type, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ChartCLIPError("field '\(path)' should be \(type)", at: layers.origin(of: path))
        } catch let DecodingError.dataCorrupted(context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ChartCLIPError(
                "field '\(path)': \(context.debugDescription)", at: layers.origin(of: path),
                hint: "loss is plain, multi_positive or cells; positives is caption, setup or setup_phase; matmul_precision is float32, bfloat16 or auto; sampling is natural, balanced or sqrt_balanced")
        } catch {
            throw ChartCLIPError("cannot read the config: \(error)", at: source)
        }
        try config.validate(origin: layers.origin(of:))
        return config
    }

    /// Loads and decodes a YAML file (and the files it extends).
    public static func load(_ url: URL) throws -> ExperimentConfig {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ChartCLIPError("no such file", at: url.path, hint: "configs live in configs/experiments/")
        }
        return try decode(yaml: String(decoding: data, as: UTF8.self), source: url.path)
    }

    /// Checks values that decode but cannot run; `origin` names the file that set a field.
    func validate(origin: (String) -> String) throws {
        func require(_ ok: Bool, _ field: String, _ message: String) throws {
            if !ok { throw ChartCLIPError("field '\(field)': \(message)", at: origin(field)) }
        }
        try require(!name.isEmpty && !name.contains("/"), "name", "must be a non-empty folder name")
        try require(batchSize >= 2, "batch_size", "a contrastive batch needs at least 2 pairs")
        try require((steps ?? 1) > 0 && (epochs ?? 1) > 0, "steps", "must be positive")
        if stages.isEmpty {
            try require(steps != nil || epochs != nil, "steps", "give steps, epochs or stages")
        } else {
            try require(steps == nil && epochs == nil, "stages", "a config with stages takes its steps from them: remove steps and epochs")
        }
        for (i, stage) in stages.enumerated() {
            let field = "stages.\(i)"
            try require(stage.steps > 0, field, "steps must be positive (got \(stage.steps))")
            try require(stage.lr.map { $0 > 0 && $0.isFinite } ?? true, field, "lr must be positive")
            try require(stage.warmupSteps.map { $0 >= 0 } ?? true, field, "warmup_steps must be 0 or more")
            try require(stage.minLr.map { $0 >= 0 && $0.isFinite } ?? true, field, "min_lr must be 0 or more")
            try require(stage.kind.map { ["cosine", "constant"].contains($0) } ?? true, field, "kind is cosine or constant")
            try require(!((stage.lockImage ?? lockImage) && (stage.lockText ?? lockText)), field, "locking both towers leaves nothing to train")
            try require(stage.augment.map { $0.minScale > 0.3 && $0.minScale <= 1 } ?? true, field, "augment.min_scale must be in (0.3, 1]")
        }
        try require([dataset != nil, synthetic != nil, recorded != nil].filter { $0 }.count == 1, "dataset", "give exactly one of dataset, synthetic and recorded")
        try require(model != nil || initCheckpoint != nil, "model", "give a model config or an init_checkpoint")
        try require(imageSize.map { $0 >= 8 && $0 <= 1024 } ?? true, "image_size", "must be between 8 and 1024 pixels")
        try require(patchSize.map { $0 >= 1 && $0 <= 64 } ?? true, "patch_size", "must be between 1 and 64 pixels")
        try require(visionLayers.map { $0 >= 1 && $0 <= 64 } ?? true, "vision_layers", "must be between 1 and 64 blocks")
        try require(accumulationSteps >= 1 && accumulationSteps <= batchSize, "accumulation_steps", "must be between 1 and batch_size")
        try require(["cosine", "constant"].contains(schedule.kind), "schedule.kind", "is cosine or constant")
        try require(optimizer.lr > 0 && optimizer.lr.isFinite, "optimizer.lr", "must be a positive number (got \(optimizer.lr))")
        try require((0..<1).contains(optimizer.beta1), "optimizer.beta1", "must be in [0, 1) (got \(optimizer.beta1))")
        try require((0..<1).contains(optimizer.beta2), "optimizer.beta2", "must be in [0, 1) (got \(optimizer.beta2))")
        try require(optimizer.eps > 0 && optimizer.eps.isFinite, "optimizer.eps", "must be a positive number (got \(optimizer.eps))")
        try require(optimizer.weightDecay >= 0 && optimizer.weightDecay.isFinite, "optimizer.weight_decay", "must be 0 or more (got \(optimizer.weightDecay))")
        try require(schedule.warmupSteps >= 0, "schedule.warmup_steps", "must be 0 or more (got \(schedule.warmupSteps))")
        try require(schedule.minLr >= 0 && schedule.minLr.isFinite, "schedule.min_lr", "must be 0 or more (got \(schedule.minLr))")
        try require(gradClip.map { $0 > 0 && $0.isFinite } ?? true, "grad_clip", "must be a positive number")
        try require(seed >= 0, "seed", "must be 0 or more (got \(seed))")
        try require(threads.map { (1...1024).contains($0) } ?? true, "threads", "must be between 1 and 1024 (got \(threads ?? 0)); leave it out for all cores")
        try require(evalEvery >= 0, "eval_every", "must be 0 (validate only at the end) or more (got \(evalEvery))")
        try require(checkpointEvery > 0, "checkpoint_every", "must be 1 or more steps (got \(checkpointEvery))")
        func fractions(_ val: Double, _ test: Double, _ section: String) throws {
            try require(val >= 0 && val < 1, "\(section).val_fraction", "must be in [0, 1) (got \(val))")
            try require(test >= 0 && test < 1 && val + test < 1, "\(section).test_fraction", "must be in [0, 1) and leave training data with val_fraction (got \(test))")
        }
        func charts(_ window: Int, _ stride: Int, _ section: String) throws {
            try require(window >= 16 && window <= 4096, "\(section).window", "must be between 16 and 4096 candles (got \(window))")
            try require(stride >= 1 && stride <= window * 16, "\(section).stride", "must be between 1 and 16 windows (got \(stride))")
        }
        if let s = synthetic {
            try require(!s.symbols.isEmpty, "synthetic.symbols", "name at least one market")
            try require(s.seed >= 0, "synthetic.seed", "must be 0 or more (got \(s.seed))")
            try charts(s.window, s.stride, "synthetic")
            try require(s.bars > s.window && s.bars <= 10_000_000, "synthetic.bars", "must be more than the window (\(s.window)) and at most 10,000,000 (got \(s.bars))")
            try fractions(s.valFraction, s.testFraction, "synthetic")
        }
        if let r = recorded {
            try require(!r.files.isEmpty, "recorded.files", "name at least one candle CSV")
            try charts(r.window, r.stride, "recorded")
            try fractions(r.valFraction, r.testFraction, "recorded")
        }
        try require(augment.minScale > 0.3 && augment.minScale <= 1, "augment.min_scale", "must be in (0.3, 1]")
        try require(!(lockImage && lockText), "lock_text", "locking both towers leaves nothing to train")
        for (section, chart) in [("synthetic", synthetic?.chart), ("recorded", recorded?.chart)] {
            if let problem = chart?.overlays.problem { try require(false, "\(section).\(problem.field)", problem.message) }
        }
    }

    /// The config as YAML (the resolved config every run saves).
    public func yamlString() throws -> String {
        try YAMLEncoder().encode(self)
    }

}
