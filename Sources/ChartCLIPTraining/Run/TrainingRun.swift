import ChartCLIPImage
import ChartCLIPLabels
import ChartCLIPModels
import ChartCLIPNN
import ChartCLIPSupport
import ChartCLIPTensor
import ChartCLIPTensorBoard
import ChartCLIPText
import Foundation

/// A training run: loads the data and the model, trains with checkpoints, metrics and
/// progress, evaluates on the validation split, and resumes exactly after an interruption.
public final class TrainingRun {
    /// What a finished (or stopped) run reports.
    public struct Summary: Sendable {
        /// The run folder.
        public var directory: URL
        /// Optimizer steps done.
        public var steps: Int
        /// Loss of every step run in this process, by step.
        public var losses: [Int: Float]
        /// The latest validation zero-shot setup accuracy, if measured.
        public var validationAccuracy: Double?
        /// Why the run stopped early, if it did.
        public var stopReason: String?
        /// The dataset trained on (for the final report).
        public var dataset: VisionDataset?
    }

    /// The experiment.
    public let config: ExperimentConfig
    /// The run folder.
    public let directory: RunDirectory
    /// Where synthetic datasets are cached (`data/` of the repository by default).
    public var cacheRoot: URL
    /// Show progress bars.
    public var showProgress = true

    /// How this run's matrix products multiply: the config's `matmul_precision`, resolved on
    /// this CPU when the run was opened.
    public let precision: MatmulPrecision

    /// This process's TensorBoard event file in the run folder, opened with the first metrics.
    private var events: TensorBoardWriter?

    /// A new run of `config` under `config.output_dir`. The precision is resolved first, so a
    /// request this CPU cannot meet fails before the run folder exists or any work is done.
    public static func start(_ config: ExperimentConfig, cacheRoot: URL = URL(fileURLWithPath: "data")) throws -> TrainingRun {
        let precision = try resolvePrecision(config)
        let dir = try RunDirectory.create(root: URL(fileURLWithPath: config.outputDirectory), name: config.name)
        try AtomicFile.write(try config.yamlString(), to: dir.config)
        let info: [String: String] = [
            "name": config.name, "run": dir.url.lastPathComponent,
            "started": UTCTime.iso(milliseconds: Int64(Date().timeIntervalSince1970 * 1000)),
            "code_version": CodeVersion.current(), "executable": CodeVersion.executable?.path ?? "unknown",
            "chartclip_version": CodeVersion.version, "threads": String(config.threads ?? ComputeThreads.count),
            "blas_core": BLASInfo.coreName, "instruction_set": InstructionSet.summary,
            "matmul_precision": precision.rawValue, "matmul_precision_requested": config.matmulPrecision.rawValue,
        ]
        let encoder = JSONEncoder.chartCLIP()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(info), to: dir.runInfo)
        return TrainingRun(config: config, directory: dir, precision: precision, cacheRoot: cacheRoot)
    }

    /// Reopens an interrupted run from its saved config; `run()` continues from
    /// `checkpoints/latest.h5`. `precision`, when given, replaces the saved request (a run
    /// started in bfloat16 continues in float32 on a CPU without it).
    public static func resume(
        _ url: URL, precision request: MatmulPrecisionRequest? = nil, cacheRoot: URL = URL(fileURLWithPath: "data")
    ) throws -> TrainingRun {
        let dir = RunDirectory(url)
        guard FileManager.default.fileExists(atPath: dir.config.path) else {
            throw ChartCLIPError("not a run folder (no config.yaml)", at: url.path, hint: "pass experiments/<name>/<run id>/")
        }
        var config = try ExperimentConfig.load(dir.config)
        if let request { config.matmulPrecision = request }
        // What a kill -9 during a checkpoint write left behind.
        for folder in [dir.url, dir.checkpoints] { AtomicFile.removeStaleTemporaries(in: folder) }
        return TrainingRun(config: config, directory: dir, precision: try resolvePrecision(config), cacheRoot: cacheRoot)
    }

    /// The config's precision request on this CPU, or an error of one line that says what to change.
    static func resolvePrecision(_ config: ExperimentConfig) throws -> MatmulPrecision {
        do {
            return try config.matmulPrecision.resolved(hint: "--precision float32, or matmul_precision: auto in the config")
        } catch {
            throw ChartCLIPError("matmul_precision \(config.matmulPrecision.rawValue) cannot run here: \(error.message)")
        }
    }

    init(config: ExperimentConfig, directory: RunDirectory, precision: MatmulPrecision, cacheRoot: URL) {
        self.config = config
        self.directory = directory
        self.precision = precision
        self.cacheRoot = cacheRoot
    }

    /// The model at the start of the run: the init checkpoint, or a seeded random model.
    /// With `patch_size` and `image_size`, the model is built for those patches and charts;
    /// with `vision_layers`, with that many image-tower blocks (a checkpoint's tower grown).
    func initialModel() throws -> CLIPModel {
        if let path = config.initCheckpoint {
            var checkpoint = try Checkpoint.load(from: URL(fileURLWithPath: path))
            if let layers = config.visionLayers { checkpoint = try checkpoint.growingVisionLayers(to: layers, seed: UInt64(config.seed)) }
            if let patch = config.patchSize { checkpoint = try checkpoint.resizingPatches(to: patch) }
            if let size = config.imageSize { checkpoint = try checkpoint.resizingImages(to: size) }
            return try checkpoint.makeModel()
        }
        var modelConfig = try CLIPConfig.load(config.model ?? "clip-tiny")
        if let patch = config.patchSize { modelConfig.visionConfig = modelConfig.visionConfig.withPatchSize(patch) }
        if let layers = config.visionLayers { modelConfig.visionConfig.layers = layers }
        if let size = config.imageSize { modelConfig.visionConfig = try modelConfig.visionConfig.resized(to: size) }
        return CLIPModel(config: modelConfig, seed: UInt64(config.seed))
    }

    /// Trains to the configured number of steps (or `stopAfter` steps in total, to simulate an
    /// interruption in tests), resuming from `latest.h5` if the run has one.
    @discardableResult
    public func run(stopAfter: Int? = nil) async throws -> Summary {
        if let threads = config.threads { ComputeThreads.configure(count: threads) }
        return try await Gemm.$precision.withValue(precision) {
            try await train(stopAfter: stopAfter)
        }
    }

    /// `run(stopAfter:)` within the run's product precision.
    private func train(stopAfter: Int?) async throws -> Summary {
        let model: CLIPModel
        var startStep = 0
        var optimizerState: (step: Int, moments: [String: (m: [Float], v: [Float])])?
        if FileManager.default.fileExists(atPath: directory.latest.path) {
            let checkpoint = try Checkpoint.load(from: directory.latest)
            model = try checkpoint.makeModel()
            startStep = checkpoint.step
            optimizerState = checkpoint.optimizer
            try directory.trimMetrics(toStep: startStep)
        } else {
            model = try initialModel()
        }
        let tokenizer = try CLIPTokenizer()
        let dataset = try await DatasetSource.load(
            config, imageSize: model.config.visionConfig.imageSize, cacheRoot: cacheRoot, progress: showProgress)
        let trainRows = dataset.rows(in: .train)
        guard trainRows.count >= 2 else {
            throw ChartCLIPError("the training split has \(trainRows.count) rows", hint: "prepare a larger dataset")
        }
        let train = try PairData(rows: trainRows, config: model.config, tokenizer: tokenizer, progress: showProgress)
        let prior = LabelPrior(labels: trainRows.map(\.label))
        let validationRows = dataset.rows(in: .val)
        let validation = validationRows.isEmpty
            ? nil : try PairData(rows: validationRows, config: model.config, tokenizer: tokenizer, label: "loading validation", progress: showProgress)
        let batchSize = min(config.batchSize, train.count)
        let order = DataOrder(count: train.count, batchSize: batchSize, seed: UInt64(config.seed))
        let setupTypes = trainRows.map(\.label.setupType)
        let balanced = BalancedOrder(classes: setupTypes, batchSize: batchSize, seed: UInt64(config.seed))
        let sqrtBalanced = BalancedOrder(classes: setupTypes, batchSize: batchSize, seed: UInt64(config.seed), sqrt: true)
        let plan = TrainingPlan(config: config, batchesPerEpoch: order.batchesPerEpoch)
        let cellCaptions = plan.stages.contains { $0.loss == .cells } ? CellCaptions(data: train, seed: UInt64(config.seed)) : nil
        let total = plan.totalSteps
        // One trainer per stage (its frozen towers and schedule); AdamW's moments and step
        // count pass from stage to stage, and a resumed run rebuilds the stage it stopped in.
        var stage = plan.stage(at: startStep)
        func makeTrainer(_ stage: TrainingPlan.Stage, step: Int) -> ContrastiveTrainer {
            let trainer = ContrastiveTrainer(
                model: model, settings: config.optimizer.settings, schedule: stage.schedule,
                gradientClip: config.gradClip, accumulationSteps: config.accumulationSteps, lossKind: stage.loss,
                lockImage: stage.lockImage, lockText: stage.lockText, step: step)
            trainer.scheduleStart = stage.start
            return trainer
        }
        var trainer = makeTrainer(stage, step: startStep)
        if let optimizerState { try trainer.optimizer.importState(step: optimizerState.step, moments: optimizerState.moments) }

        let end = min(total, stopAfter ?? total)
        var losses: [Int: Float] = [:]
        var bestAccuracy = bestValidationAccuracy()
        var lastAccuracy: Double?
        let bar = ProgressBar(total: total, label: "train \(config.name)", enabled: showProgress)
        if plan.stages.count > 1 { bar.note("\(stage.name): steps \(stage.start + 1)-\(stage.end)") }
        var stopReason: String?
        var step = startStep
        // Wall-clock seconds of training (steps and validations, not data loading), counted
        // on across resumes: what time-to-accuracy is measured in.
        let elapsedBefore = startStep == 0 ? 0 : directory.readMetrics().compactMap { $0["elapsed_s"] as? Double }.last ?? 0
        let clock = Timing.now()
        func elapsed() -> Double { elapsedBefore + Timing.now() - clock }
        while step < end {
            let began = Timing.now()
            if step >= stage.end {
                let state = trainer.optimizer.exportState()
                stage = plan.stage(at: step)
                trainer = makeTrainer(stage, step: step)
                try trainer.optimizer.importState(step: state.step, moments: state.moments)
                bar.note("\(stage.name): steps \(stage.start + 1)-\(stage.end)")
            }
            let indices: [Int]
            switch stage.sampling {
            case .natural: indices = order.indices(step: step)
            case .balanced: indices = balanced.indices(step: step)
            case .sqrtBalanced: indices = sqrtBalanced.indices(step: step)
            }
            let currentStep = step
            var augment: (@Sendable (RasterImage, Int) -> RasterImage)?
            if stage.augment.enabled {
                let augmentation = ChartAugmentation(minScale: stage.augment.minScale, seed: UInt64(config.seed))
                augment = { image, index in augmentation.apply(image, step: currentStep, index: index) }
            }
            var batch = try train.batch(indices, grouping: config.positives, augment: augment)
            if stage.loss == .cells, let cellCaptions { cellCaptions.attach(to: &batch, indices: indices, data: train, step: step) }
            let result: ContrastiveTrainer.StepResult
            do {
                result = try trainer.trainStep(batch)
            } catch let error as NonFiniteLossError {
                stopReason = error.description
                FileHandle.standardError.write(Data("\nstopped: \(error.description)\nthe last good checkpoint is \(directory.latest.path)\n".utf8))
                break
            }
            step += 1
            losses[step] = result.loss
            let seconds = Timing.now() - began
            try appendMetrics([
                "step": step, "stage": stage.index, "loss": Double(result.loss), "lr": Double(result.learningRate),
                "logit_scale": Double(result.logitScale), "grad_norm": Double(result.gradientNorm),
                "images_per_s": Double(batchSize) / seconds, "elapsed_s": elapsed(),
            ])
            bar.update(step, String(format: "loss %.4f lr %.2e %.0f img/s", result.loss, result.learningRate, Double(batchSize) / seconds))
            let evaluate = validation != nil && ((config.evalEvery > 0 && step % config.evalEvery == 0) || step == total)
            if evaluate, let validation {
                let scores = try quickValidation(model: model, tokenizer: tokenizer, data: validation, prior: prior)
                lastAccuracy = scores.setupAccuracy
                try appendMetrics([
                    "step": step, "val_zero_shot_setup_accuracy": scores.setupAccuracy, "val_zero_shot_phase_accuracy": scores.phaseAccuracy,
                    "val_zero_shot_setup_type_prior_accuracy": scores.setupTypeWithPriorAccuracy, "elapsed_s": elapsed(),
                ])
                bar.note(String(
                    format: "step %d, validation (%d charts): setup and direction %.1f%%, setup type with the training prior %.1f%%, phase %.1f%%",
                    step, validation.count, 100 * scores.setupAccuracy, 100 * scores.setupTypeWithPriorAccuracy, 100 * scores.phaseAccuracy))
                if scores.setupAccuracy > bestAccuracy {
                    bestAccuracy = scores.setupAccuracy
                    try Checkpoint(model: model, step: step, trainingState: #"{"val_zero_shot_setup_accuracy":\#(scores.setupAccuracy)}"#).save(to: directory.best)
                }
            }
            if step % config.checkpointEvery == 0 || step == end {
                try Checkpoint(model: model, step: step, optimizer: trainer.optimizer).save(to: directory.latest)
            }
        }
        if validation == nil && step == total {
            try Checkpoint(model: model, step: step).save(to: directory.best)
        }
        return Summary(
            directory: directory.url, steps: step, losses: losses, validationAccuracy: lastAccuracy, stopReason: stopReason,
            dataset: dataset)
    }

    func appendMetrics(_ values: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: values, options: [.sortedKeys])
        try AtomicFile.appendLine(String(decoding: data, as: UTF8.self), to: directory.metrics)
        // The same figures for `tensorboard --logdir experiments/`: `val_…` under `val/`, the rest under `train/`.
        if events == nil { events = try TensorBoardWriter(directory: directory.url) }
        let validation = values.keys.contains { $0.hasPrefix("val_") }
        let scalars = values.compactMap { key, value -> (tag: String, value: Double)? in
            guard key != "step", !validation || key.hasPrefix("val_"), let x = (value as? Double) ?? (value as? Int).map(Double.init) else { return nil }
            return key.hasPrefix("val_") ? ("val/" + key.dropFirst(4), x) : ("train/" + key, x)
        }
        try events?.write(scalars.sorted { $0.tag < $1.tag }, step: values["step"] as? Int ?? 0)
    }

    /// The best validation accuracy recorded so far (for a resumed run).
    func bestValidationAccuracy() -> Double {
        directory.readMetrics().compactMap { $0["val_zero_shot_setup_accuracy"] as? Double }.max() ?? -1
    }

    /// Zero-shot accuracy on the validation pairs: setup and direction (the 12 classes that
    /// choose `best.h5`), phase, and setup type read with the training labels' prior (the
    /// readout the end-of-run report leads with).
    func quickValidation(
        model: CLIPModel, tokenizer: CLIPTokenizer, data: PairData, prior: LabelPrior
    ) throws -> (setupAccuracy: Double, phaseAccuracy: Double, setupTypeWithPriorAccuracy: Double) {
        model.eval()
        defer { model.train() }
        let embeddings = try ImageEmbeddings.compute(model: model, data: data)
        let captions = try CaptionCellEmbeddings(model: model, tokenizer: tokenizer)
        let setups = captions.setups(prior: prior)
        let phases = captions.phases(prior: prior)
        let types = captions.setupTypes(prior: prior)
        let setupTruth = data.rows.map { row in setups.classes.firstIndex(of: row.label.match.description) ?? -1 }
        let phaseTruth = data.rows.map { row in phases.classes.firstIndex(of: row.label.phaseType.rawValue) ?? -1 }
        let typeTruth = data.rows.map { row in types.classes.firstIndex(of: row.label.setupType.rawValue) ?? -1 }
        let setupPredicted = setups.predict(embeddings)
        let phasePredicted = phases.predict(embeddings)
        let typePredicted = types.predict(embeddings, logPrior: prior.logSetupTypeFrequencies(of: types.classes))
        func accuracy(_ truth: [Int], _ predicted: [Int]) -> Double {
            Double(zip(truth, predicted).filter { $0 == $1 }.count) / Double(max(data.count, 1))
        }
        return (accuracy(setupTruth, setupPredicted), accuracy(phaseTruth, phasePredicted), accuracy(typeTruth, typePredicted))
    }
}

/// Normalised image embeddings of a split, in batches with no tape.
public enum ImageEmbeddings {
    /// `[N][E]` embeddings of every pair's image.
    public static func compute(model: CLIPModel, data: PairData, batchSize: Int = 64, progress: ProgressBar? = nil) throws -> [[Float]] {
        try compute(data: data, batchSize: batchSize, progress: progress) { model.encodeImage($0, normalized: true) }
    }

    /// `[N][F]`: `features` of every pair's image, `[B, 3, S, S]` → `[B, F]` a batch at a time.
    public static func compute(
        data: PairData, batchSize: Int = 64, progress: ProgressBar? = nil, features: (Tensor) -> Tensor
    ) throws -> [[Float]] {
        var result: [[Float]] = []
        result.reserveCapacity(data.count)
        for start in stride(from: 0, to: data.count, by: batchSize) {
            let indices = Array(start..<min(start + batchSize, data.count))
            let batch = try data.batch(indices, grouping: .caption)
            result += withoutGradients { features(batch.images) }.rowArrays
            progress?.update(result.count)
        }
        return result
    }

    /// `[N][E]` normalised embeddings of every pair's caption.
    public static func captions(model: CLIPModel, data: PairData, batchSize: Int = 64) -> [[Float]] {
        var result: [[Float]] = []
        let t = data.contextLength
        for start in stride(from: 0, to: data.count, by: batchSize) {
            let indices = Array(start..<min(start + batchSize, data.count))
            var ids: [Int] = []
            for i in indices { ids += data.tokenIDs[(i * t)..<((i + 1) * t)] }
            result += withoutGradients {
                model.text(ids: ids, batch: indices.count, endIndices: indices.map { data.endIndices[$0] }).l2Normalized()
            }.rowArrays
        }
        return result
    }
}
