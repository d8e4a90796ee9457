import ChartCLIPCharts
import ChartCLIPModels
import ChartCLIPNN
import ChartCLIPSupport
import ChartCLIPTensor
import Foundation
import Yams

/// A training experiment, decoded strictly from YAML (`configs/experiments/NAME.yaml`):
/// unknown or mistyped fields are errors that name the field.
///
/// ```yaml
/// name: smoke
/// model: clip-tiny                 # a preset, or a JSON file in configs/models/
/// dataset: vision_dataset/         # made by `chartclip prepare-dataset`, or `synthetic:`
/// batch_size: 32
/// steps: 60
/// optimizer: {lr: 5.0e-4, weight_decay: 0.1}
/// schedule: {warmup_steps: 6}
/// loss: multi_positive
/// ```
public struct ExperimentConfig: Codable, Equatable, Sendable {
    /// Experiment name; runs go to `experiments/<name>/<run id>/`.
    public var name: String
    /// Model config name or JSON path (ignored when `init_checkpoint` is set).
    public var model: String?
    /// A checkpoint to start from (e.g. an imported ViT-B/16).
    public var initCheckpoint: String?
    /// Chart side in pixels for the image tower, when not the model's own: a model config
    /// is built at this size, and an `init_checkpoint`'s learned positions are resampled to
    /// the new patch grid (`Checkpoint.resizingImages(to:)`).
    public var imageSize: Int?
    /// Patch side in pixels, when not the model's own, on the model's patch grid: the charts
    /// grow or shrink with the patches unless `image_size` says otherwise. With an
    /// `init_checkpoint` patches can only grow, and the patch embedding is resized
    /// (`Checkpoint.resizingPatches(to:)`).
    public var patchSize: Int?
    /// Blocks of the image tower, when not the model's own: a model config is built with
    /// this many, and an `init_checkpoint`'s tower is grown to it by inserting blocks that
    /// start as the identity (`Checkpoint.growingVisionLayers(to:seed:)`), so the run starts
    /// from what the checkpoint computed with more depth to train. Never fewer than a
    /// checkpoint's own.
    public var visionLayers: Int?
    /// A prepared dataset folder (with `dataset.csv`) or the CSV itself.
    public var dataset: String?
    /// Generate the dataset from the synthetic market instead (no files needed).
    public var synthetic: SyntheticDataConfig?
    /// Or build it from recorded candle files (scanned with the local labeler).
    public var recorded: RecordedDataConfig?
    /// Pairs per optimizer step (the contrastive batch).
    public var batchSize: Int
    /// Optimizer steps; or give `epochs`.
    public var steps: Int?
    /// Passes over the training split; used when `steps` is absent.
    public var epochs: Int?
    /// AdamW settings.
    public var optimizer: OptimizerConfig
    /// Linear warm-up then cosine decay.
    public var schedule: ScheduleConfig
    /// Maximum global gradient norm (none if absent).
    public var gradClip: Float?
    /// Seed for initialisation, data order and augmentation.
    public var seed: Int
    /// Compute threads (all cores if absent).
    public var threads: Int?
    /// How matrix products multiply: `float32` (default), `bfloat16` (operands rounded to
    /// bfloat16, sums in float32, on AVX512-BF16: faster, see `MatmulPrecision`) or `auto` (the
    /// fastest this CPU has). Resolved when a run starts, never while the config is read.
    public var matmulPrecision: MatmulPrecisionRequest
    /// Freeze the image tower.
    public var lockImage: Bool
    /// Freeze the text tower.
    public var lockText: Bool
    /// `plain` or `multi_positive`.
    public var loss: ContrastiveLossKind
    /// What makes two pairs positives for the multi-positive loss: `caption`, `setup`, or
    /// `setup_phase`.
    public var positives: PositiveGrouping
    /// Sub-batches per step (open_clip-style accumulation; the contrastive batch stays
    /// `batch_size`).
    public var accumulationSteps: Int
    /// Evaluate on the validation split every this many steps (0: only at the end).
    public var evalEvery: Int
    /// Save `latest.h5` every this many steps.
    public var checkpointEvery: Int
    /// Chart-safe augmentation (off by default).
    public var augment: AugmentConfig
    /// How batches are drawn: `natural` (default), `balanced` or `sqrt_balanced` over setup types.
    public var sampling: SamplingKind
    /// A schedule with several phases in this one config (`steps` and `epochs` then stay out:
    /// the run is the stages' steps); see `StageConfig`.
    public var stages: [StageConfig]
    /// Root folder of runs.
    public var outputDirectory: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, model, initCheckpoint = "init_checkpoint", imageSize = "image_size", patchSize = "patch_size", visionLayers = "vision_layers", dataset, synthetic, recorded, batchSize = "batch_size", steps, epochs
        case optimizer, schedule, gradClip = "grad_clip", seed, threads, matmulPrecision = "matmul_precision", lockImage = "lock_image"
        case lockText = "lock_text", loss, positives, accumulationSteps = "accumulation_steps"
        case evalEvery = "eval_every", checkpointEvery = "checkpoint_every", augment, outputDirectory = "output_dir"
        case sampling, stages
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        initCheckpoint = try c.decodeIfPresent(String.self, forKey: .initCheckpoint)
        imageSize = try c.decodeIfPresent(Int.self, forKey: .imageSize)
        patchSize = try c.decodeIfPresent(Int.self, forKey: .patchSize)
        visionLayers = try c.decodeIfPresent(Int.self, forKey: .visionLayers)
        dataset = try c.decodeIfPresent(String.self, forKey: .dataset)
        synthetic = try c.decodeIfPresent(SyntheticDataConfig.self, forKey: .synthetic)
        recorded = try c.decodeIfPresent(RecordedDataConfig.self, forKey: .recorded)
        batchSize = try c.decode(Int.self, forKey: .batchSize)
        steps = try c.decodeIfPresent(Int.self, forKey: .steps)
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs)
        optimizer = try c.decodeIfPresent(OptimizerConfig.self, forKey: .optimizer) ?? OptimizerConfig()
        schedule = try c.decodeIfPresent(ScheduleConfig.self, forKey: .schedule) ?? ScheduleConfig()
        gradClip = try c.decodeIfPresent(Float.self, forKey: .gradClip)
        seed = try c.decodeIfPresent(Int.self, forKey: .seed) ?? 0
        threads = try c.decodeIfPresent(Int.self, forKey: .threads)
        matmulPrecision = try c.decodeIfPresent(MatmulPrecisionRequest.self, forKey: .matmulPrecision) ?? .float32
        lockImage = try c.decodeIfPresent(Bool.self, forKey: .lockImage) ?? false
        lockText = try c.decodeIfPresent(Bool.self, forKey: .lockText) ?? false
        loss = try c.decodeIfPresent(ContrastiveLossKind.self, forKey: .loss) ?? .multiPositive
        positives = try c.decodeIfPresent(PositiveGrouping.self, forKey: .positives) ?? .caption
        accumulationSteps = try c.decodeIfPresent(Int.self, forKey: .accumulationSteps) ?? 1
        evalEvery = try c.decodeIfPresent(Int.self, forKey: .evalEvery) ?? 0
        checkpointEvery = try c.decodeIfPresent(Int.self, forKey: .checkpointEvery) ?? 100
        augment = try c.decodeIfPresent(AugmentConfig.self, forKey: .augment) ?? AugmentConfig()
        sampling = try c.decodeIfPresent(SamplingKind.self, forKey: .sampling) ?? .natural
        stages = try c.decodeIfPresent([StageConfig].self, forKey: .stages) ?? []
        outputDirectory = try c.decodeIfPresent(String.self, forKey: .outputDirectory) ?? "experiments"
    }
}

/// AdamW settings in the config (CLIP's defaults).
public struct OptimizerConfig: Codable, Equatable, Sendable {
    public var lr: Float = 5e-4
    public var beta1: Float = 0.9
    public var beta2: Float = 0.98
    public var eps: Float = 1e-6
    public var weightDecay: Float = 0.1

    enum CodingKeys: String, CodingKey, CaseIterable { case lr, beta1, beta2, eps, weightDecay = "weight_decay" }

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lr = try c.decodeIfPresent(Float.self, forKey: .lr) ?? 5e-4
        beta1 = try c.decodeIfPresent(Float.self, forKey: .beta1) ?? 0.9
        beta2 = try c.decodeIfPresent(Float.self, forKey: .beta2) ?? 0.98
        eps = try c.decodeIfPresent(Float.self, forKey: .eps) ?? 1e-6
        weightDecay = try c.decodeIfPresent(Float.self, forKey: .weightDecay) ?? 0.1
    }

    /// As the optimizer's settings.
    public var settings: AdamW.Settings {
        AdamW.Settings(learningRate: lr, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay)
    }
}

/// The learning-rate schedule in the config.
public struct ScheduleConfig: Codable, Equatable, Sendable {
    /// `cosine` (warm-up then cosine decay) or `constant`.
    public var kind: String = "cosine"
    /// Linear warm-up steps.
    public var warmupSteps: Int = 0
    /// Final learning rate of the cosine.
    public var minLr: Float = 0

    enum CodingKeys: String, CodingKey, CaseIterable { case kind, warmupSteps = "warmup_steps", minLr = "min_lr" }

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? "cosine"
        warmupSteps = try c.decodeIfPresent(Int.self, forKey: .warmupSteps) ?? 0
        minLr = try c.decodeIfPresent(Float.self, forKey: .minLr) ?? 0
    }
}

/// Chart-safe augmentation: no flips (time would run backwards); crops keep the right
/// edge, so the last candle is never cut.
public struct AugmentConfig: Codable, Equatable, Sendable {
    /// Off by default.
    public var enabled: Bool = false
    /// Smallest crop width and height as a fraction of the image.
    public var minScale: Float = 0.85

    enum CodingKeys: String, CodingKey, CaseIterable { case enabled, minScale = "min_scale" }

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? false
        minScale = try c.decodeIfPresent(Float.self, forKey: .minScale) ?? 0.85
    }
}

/// Which pairs count as positives of each other for the multi-positive loss.
public enum PositiveGrouping: String, Codable, Sendable {
    /// Identical captions.
    case caption
    /// The same setup (type and direction).
    case setup
    /// The same setup and phase.
    case setupPhase = "setup_phase"
}

/// A dataset generated from the synthetic market at run time.
public struct SyntheticDataConfig: ChartDataSection, Codable, Equatable, Sendable {
    /// Symbols to generate (each its own seeded market).
    public var symbols: [String] = ["SYNTHUSDT"]
    /// More markets whose every chart goes to training (their seeds follow those of
    /// `symbols`). The validation and test splits stay those of `symbols`, so a run with more
    /// training markets is scored on the same charts as one without.
    public var trainingSymbols: [String] = []
    /// Candles per symbol.
    public var bars: Int = 3000
    /// Seed of the first symbol's market.
    public var seed: Int = 7
    /// Candles per chart.
    public var window: Int = 96
    /// Candles between consecutive charts.
    public var stride: Int = 4
    /// What the charts draw over the candles: `ema`, `channel`, `adx` and `volume_line` in the
    /// section (e.g. `ema: [20, 50]`, `channel: 20`, `adx: 14`, `volume_line: 1.5`: what the
    /// setup rules read); none by default.
    public var overlays = ChartOverlays.none
    /// Validation and test fractions of each symbol's time line.
    public var valFraction: Double = 0.15
    public var testFraction: Double = 0.15

    /// This section's own fields (the shared ones are `ChartDataSectionKey`).
    enum CodingKeys: String, CodingKey, CaseIterable {
        case symbols, trainingSymbols = "training_symbols", bars, seed
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        symbols = try c.decodeIfPresent([String].self, forKey: .symbols) ?? symbols
        trainingSymbols = try c.decodeIfPresent([String].self, forKey: .trainingSymbols) ?? trainingSymbols
        let all = symbols + trainingSymbols
        if let repeated = all.first(where: { name in all.filter { $0 == name }.count > 1 }) {
            throw DecodingError.dataCorruptedError(
                forKey: trainingSymbols.contains(repeated) ? .trainingSymbols : .symbols, in: c,
                debugDescription: "symbol \(repeated) is named twice; every market needs its own name (symbols and training_symbols together)")
        }
        bars = try c.decodeIfPresent(Int.self, forKey: .bars) ?? bars
        seed = try c.decodeIfPresent(Int.self, forKey: .seed) ?? seed
        try decodeSharedFields(from: decoder)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(symbols, forKey: .symbols)
        if !trainingSymbols.isEmpty { try c.encode(trainingSymbols, forKey: .trainingSymbols) }
        try c.encode(bars, forKey: .bars)
        try c.encode(seed, forKey: .seed)
        try encodeSharedFields(to: encoder)
    }
}

/// A dataset built at run time from recorded candle CSVs: each file is scanned into charts
/// with the local labeler, then split by time (and by held-out symbols).
public struct RecordedDataConfig: ChartDataSection, Codable, Equatable, Sendable {
    /// Candle files; a path ending in `*.csv` takes every CSV of its folder.
    public var files: [String] = []
    /// Symbols kept out of training entirely, as an extra test split.
    public var holdoutSymbols: [String] = []
    /// Candles per chart and between charts.
    public var window: Int = 96
    public var stride: Int = 8
    /// What the charts draw over the candles (the same fields as `SyntheticDataConfig`'s).
    public var overlays = ChartOverlays.none
    /// Validation and test fractions of each symbol's time line.
    public var valFraction: Double = 0.15
    public var testFraction: Double = 0.15

    /// This section's own fields (the shared ones are `ChartDataSectionKey`).
    enum CodingKeys: String, CodingKey, CaseIterable {
        case files, holdoutSymbols = "holdout_symbols"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        files = try c.decode([String].self, forKey: .files)
        holdoutSymbols = try c.decodeIfPresent([String].self, forKey: .holdoutSymbols) ?? holdoutSymbols
        try decodeSharedFields(from: decoder)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(files, forKey: .files)
        try c.encode(holdoutSymbols, forKey: .holdoutSymbols)
        try encodeSharedFields(to: encoder)
    }

    /// The files, with `folder/*.csv` expanded (sorted).
    public func resolvedFiles() throws -> [URL] {
        var result: [URL] = []
        for path in files {
            if path.hasSuffix("*.csv") {
                let folder = URL(fileURLWithPath: String(path.dropLast(5)))
                let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
                let csvs = names.filter { $0.hasSuffix(".csv") }.sorted()
                guard !csvs.isEmpty else {
                    throw ChartCLIPError("no CSV files", at: folder.path, hint: "the recorded Bybit candles live in ../shared/data/bybit/linear_15m/")
                }
                result += csvs.map { folder.appendingPathComponent($0) }
            } else {
                result.append(URL(fileURLWithPath: path))
            }
        }
        return result
    }
}
