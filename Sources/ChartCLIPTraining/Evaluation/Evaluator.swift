import ChartCLIPImage
import ChartCLIPLabels
import ChartCLIPMarket
import ChartCLIPModels
import ChartCLIPSupport
import ChartCLIPTensor
import ChartCLIPText
import Foundation

/// Evaluates a checkpoint on a dataset split: zero-shot setup and phase classification with
/// prompt ensembles, a linear probe on frozen image embeddings, class-aware retrieval, and
/// calibration; writes `metrics.json`, `report.md` and PNG plots.
public struct Evaluator {
    /// Everything measured, as written to `metrics.json`.
    public struct Results: Codable, Sendable {
        public var checkpoint: String
        public var dataset: String
        public var split: String
        public var count: Int
        /// How the zero-shot prototypes were pooled.
        public var pooling: CaptionCellEmbeddings.Pooling
        /// Setup type and direction together (12 classes).
        public var zeroShotSetup: ClassificationMetrics
        /// Setup type alone (the vocabulary's 7 `setup_type`s).
        public var zeroShotSetupType: ClassificationMetrics
        /// Zero-shot setup type with the training labels' class frequencies as the prior
        /// (nil without a training split).
        public var zeroShotSetupTypeWithPrior: ClassificationMetrics?
        public var zeroShotPhase: ClassificationMetrics
        public var linearProbeSetup: ClassificationMetrics?
        /// The probe's setup-and-direction answers read as setup types (the 7 classes of
        /// `zeroShotSetupType`, so the two readouts compare).
        public var linearProbeSetupType: ClassificationMetrics?
        public var linearProbeLambda: Float?
        /// Training charts the probe was fitted on (fewer than the split's when it is over
        /// `probeTrainingLimit`).
        public var linearProbeTrainingCharts: Int?
        public var linearProbeValidationAccuracy: [String: Double]?
        /// The image features the probe read; absent in reports written before it could be
        /// chosen (they read the embeddings).
        public var linearProbeFeatures: ProbeFeatures?
        public var retrieval: RetrievalMetrics
        public var calibration: Calibration
        /// With `Evaluator.sharpness`: per margin, the charts whose setup type holds and those
        /// whose type changes when the thresholds move by it, each scored on its own.
        public var bySharpness: [SharpnessGroup]?
        /// With a sharpness file that names the deciding thresholds: at its largest margin,
        /// per threshold, the charts whose type it alone changes, most charts first.
        public var byThreshold: [ThresholdGroup]?
        /// With a sharpness file that names the deciding bar counts: per bar count, the charts
        /// whose type a one-bar move of it changes (`margin` 1), most charts first.
        public var byBarCount: [ThresholdGroup]?
        /// Charts of the split that the sharpness file does not list (left out of the groups).
        public var sharpnessUnlisted: Int?
        /// Where the sharpness came from: the dataset's own `sharpness.csv`, or nil when it
        /// was given (`--sharpness`).
        public var sharpnessFile: String?
        /// How the embeddings' matrix products ran (`float32` or `bfloat16`); absent in
        /// reports written before it was recorded.
        public var matmulPrecision: MatmulPrecision?
    }

    /// Split to evaluate.
    public var split: DatasetSplit = .test
    /// Show progress.
    public var showProgress = true
    /// A run folder whose `metrics.jsonl` gives the loss curve (optional).
    public var runDirectory: URL?
    /// How a class's (setup, phase) cells make its zero-shot prototypes: one weighted prompt
    /// ensemble per class (CLIP's way) or one prototype per cell, marginalised (the default,
    /// `Pooling.standard`).
    public var pooling: CaptionCellEmbeddings.Pooling = .standard
    /// How close each chart's label sits to the thresholds (`label-stats --charts`): the
    /// report also scores the charts whose type holds and changes at each margin. When not
    /// given, the dataset folder's own `sharpness.csv` is read if it has one.
    public var sharpness: ChartSharpness?
    /// The most training charts the linear probe is fitted on: a larger training split is
    /// thinned evenly (every k-th row, so every symbol and period keeps its share), which
    /// keeps the probe's embedding pass to minutes on a few hundred thousand charts
    /// (0: no limit, the whole split; `eval --probe-training-charts 0`).
    public var probeTrainingLimit = 60_000
    /// The frozen image features the linear probe is fitted on.
    public var probeFeatures: ProbeFeatures = .embedding

    /// Every `count / limit`-th index of `0..<count` (all of them when `count <= limit` or
    /// `limit` is 0).
    public static func evenlyThinned(_ count: Int, limit: Int) -> [Int] {
        guard count > limit, limit > 0 else { return Array(0..<count) }
        return (0..<limit).map { $0 * count / limit }
    }

    /// An evaluator of the test split.
    public init() {}

    /// The per-chart file an evaluation writes beside `metrics.json`.
    public static let predictionsFileName = "predictions.csv"

    /// One line per chart: where it is, its label (`setup` as `type/direction`, `setup_type`,
    /// `phase`), then each of `columns` (a name and one value per row).
    static func predictionsCSV(rows: [VisionDataset.Row], columns: [(String, [String])]) -> String {
        var lines = [DatasetCSV.line(["filepath", "symbol", "timestamp", "setup", "setup_type", "phase"] + columns.map(\.0))]
        lines.reserveCapacity(rows.count + 1)
        for (i, row) in rows.enumerated() {
            let label = row.label
            lines.append(DatasetCSV.line(
                [row.filepath, row.symbol, row.timestamp, label.match.description, label.setupType.rawValue, label.phaseType.rawValue]
                    + columns.map { $0.1[i] }))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Runs the evaluation of `checkpointURL` on `dataset` and writes the report into `output`.
    public func evaluate(checkpointURL: URL, dataset: VisionDataset, output: URL) throws -> Results {
        let model = try Checkpoint.load(from: checkpointURL).makeModel()
        model.eval()
        let tokenizer = try CLIPTokenizer()
        var rows = dataset.rows(in: split)
        if rows.isEmpty && split == .test { rows = dataset.rows(in: .holdout) }
        guard !rows.isEmpty else {
            throw ChartCLIPError("the dataset has no \(split.rawValue) rows", at: dataset.root.path, hint: "choose another --split")
        }
        // The dataset's own sharpness file, read before the embedding so a damaged one stops
        // the evaluation in seconds, not after minutes of work.
        var sharpness = self.sharpness
        var sharpnessFile: String?
        if sharpness == nil, let own = try ChartSharpness.ofDataset(at: dataset.root) {
            sharpness = own
            sharpnessFile = dataset.root.appendingPathComponent(ChartSharpness.datasetFileName).path
        }
        let data = try PairData(rows: rows, config: model.config, tokenizer: tokenizer, label: "loading \(split.rawValue)", progress: showProgress)
        let bar = ProgressBar(total: data.count, label: "embedding \(split.rawValue)", enabled: showProgress)
        let images = try ImageEmbeddings.compute(model: model, data: data, progress: bar)
        let texts = ImageEmbeddings.captions(model: model, data: data)

        // Prompt ensembles weighted by the training labels' (setup, phase) frequencies.
        let allTrainRows = dataset.rows(in: .train)
        let trainLabels = allTrainRows.map(\.label)
        let prior = trainLabels.isEmpty ? nil : LabelPrior(labels: trainLabels)
        let captions = try CaptionCellEmbeddings(model: model, tokenizer: tokenizer)
        let setups = captions.setups(prior: prior, pooling: pooling)
        let phases = captions.phases(prior: prior, pooling: pooling)
        let setupTruth = rows.map { setups.classes.firstIndex(of: $0.label.match.description) ?? 0 }
        let phaseTruth = rows.map { phases.classes.firstIndex(of: $0.label.phaseType.rawValue) ?? 0 }
        let setupScores = setups.classProbabilities(images)
        let setupProbabilities = setupScores.rowArrays
        let setupPredicted = setupScores.argmax(alongAxis: 1)
        let zeroShotSetup = ClassificationMetrics(classes: setups.classes, truth: setupTruth, predicted: setupPredicted)
        let phasePredicted = phases.predict(images)
        let zeroShotPhase = ClassificationMetrics(classes: phases.classes, truth: phaseTruth, predicted: phasePredicted)
        let types = captions.setupTypes(prior: prior, pooling: pooling)
        let typeTruth = rows.map { types.classes.firstIndex(of: $0.label.setupType.rawValue) ?? 0 }
        let typePredicted = types.predict(images)
        let zeroShotSetupType = ClassificationMetrics(classes: types.classes, truth: typeTruth, predicted: typePredicted)
        let typePredictedWithPrior = prior.map { prior in
            types.predict(images, logPrior: prior.logSetupTypeFrequencies(of: types.classes))
        }
        let zeroShotSetupTypeWithPrior = typePredictedWithPrior.map {
            ClassificationMetrics(classes: types.classes, truth: typeTruth, predicted: $0)
        }
        let calibration = Calibration(
            confidence: setupProbabilities.map { Double($0.max() ?? 0) },
            correct: zip(setupTruth, setupPredicted).map { $0 == $1 })
        let retrieval = RetrievalMetrics(images: images, texts: texts, classes: rows.map { "\($0.label.match) \($0.label.phaseType.rawValue)" })

        // Linear probe: fit on train, choose λ on val, score this split.
        var probePredicted: [Int]?
        var lambda: Float?
        var lambdaScores: [String: Double]?
        let trainRows = Self.evenlyThinned(allTrainRows.count, limit: probeTrainingLimit).map { allTrainRows[$0] }
        let valRows = dataset.rows(in: .val)
        if !trainRows.isEmpty && !valRows.isEmpty && split != .train {
            let train = try PairData(rows: trainRows, config: model.config, tokenizer: tokenizer, label: "loading train", progress: showProgress)
            let val = try PairData(rows: valRows, config: model.config, tokenizer: tokenizer, label: "loading val", progress: showProgress)
            let trainFeatures = try probeFeatures.compute(
                model: model, data: train, progress: ProgressBar(total: train.count, label: "embedding train (probe)", enabled: showProgress))
            let valFeatures = try probeFeatures.compute(
                model: model, data: val, progress: ProgressBar(total: val.count, label: "embedding val (probe)", enabled: showProgress))
            let features = probeFeatures == .embedding
                ? images
                : try probeFeatures.compute(
                    model: model, data: data,
                    progress: ProgressBar(total: data.count, label: "embedding \(split.rawValue) (probe)", enabled: showProgress))
            let index = { (row: VisionDataset.Row) in setups.classes.firstIndex(of: row.label.match.description) ?? 0 }
            let (probe, scores) = LinearProbe.select(
                train: trainFeatures, trainLabels: trainRows.map(index), validation: valFeatures,
                validationLabels: valRows.map(index), classCount: setups.classes.count)
            probePredicted = probe.predict(features)
            lambda = probe.lambda
            lambdaScores = Dictionary(uniqueKeysWithValues: scores.map { (String(format: "%g", $0.key), $0.value) })
        }
        // The probe's answers read as setup types: `setups.classes` are
        // `CaptionTemplates.setupMatches` in order, `types.classes` the setup types.
        let typeOfSetup = CaptionTemplates.setupMatches.map { match in types.classes.firstIndex(of: match.type.rawValue) ?? 0 }
        let probeTypePredicted = probePredicted.map { $0.map { typeOfSetup[$0] } }
        // The same predictions, scored apart by how sharp each chart's label is.
        let scoring = sharpness.map { sharpness in
            SharpnessScoring(
                sharpness: sharpness, rows: rows,
                answers: SharpnessScoring.Answers(
                    types: types.classes, setups: setups.classes, typeTruth: typeTruth, typePredicted: typePredicted,
                    typePredictedWithPrior: typePredictedWithPrior, setupTruth: setupTruth, setupPredicted: setupPredicted,
                    probePredicted: probePredicted, probeTypePredicted: probeTypePredicted))
        }
        let results = Results(
            checkpoint: checkpointURL.path, dataset: dataset.root.path, split: split.rawValue, count: rows.count,
            pooling: pooling,
            zeroShotSetup: zeroShotSetup, zeroShotSetupType: zeroShotSetupType, zeroShotSetupTypeWithPrior: zeroShotSetupTypeWithPrior,
            zeroShotPhase: zeroShotPhase,
            linearProbeSetup: probePredicted.map { ClassificationMetrics(classes: setups.classes, truth: setupTruth, predicted: $0) },
            linearProbeSetupType: probeTypePredicted.map { ClassificationMetrics(classes: types.classes, truth: typeTruth, predicted: $0) },
            linearProbeLambda: lambda, linearProbeTrainingCharts: probePredicted == nil ? nil : trainRows.count,
            linearProbeValidationAccuracy: lambdaScores, linearProbeFeatures: probePredicted == nil ? nil : probeFeatures, retrieval: retrieval,
            calibration: calibration, bySharpness: scoring?.groups(), byThreshold: scoring?.thresholdGroups(),
            byBarCount: scoring?.barCountGroups(), sharpnessUnlisted: scoring?.unlisted,
            sharpnessFile: sharpnessFile, matmulPrecision: Gemm.precision)
        try ReportWriter(results: results, runDirectory: runDirectory).write(
            to: output, samples: try (0..<min(16, rows.count)).map { (rows[$0], try data.image(at: $0)) }, predicted: setupPredicted.map { setups.classes[$0] })
        // Every chart's answers, for error analysis beside its label and sharpness.
        var columns: [(String, [String])] = [
            ("zero_shot_setup", setupPredicted.map { setups.classes[$0] }),
            ("zero_shot_setup_probability", setupProbabilities.map { String(format: "%.4f", $0.max() ?? 0) }),
            ("zero_shot_setup_type", typePredicted.map { types.classes[$0] }),
        ]
        if let typePredictedWithPrior { columns.append(("zero_shot_setup_type_with_prior", typePredictedWithPrior.map { types.classes[$0] })) }
        columns.append(("zero_shot_phase", phasePredicted.map { phases.classes[$0] }))
        if let probePredicted { columns.append(("linear_probe_setup", probePredicted.map { setups.classes[$0] })) }
        columns += scoring?.columns() ?? []
        try AtomicFile.write(
            Data(Self.predictionsCSV(rows: rows, columns: columns).utf8), to: output.appendingPathComponent(Self.predictionsFileName))
        return results
    }
}
