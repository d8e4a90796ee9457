import ChartCLIPCharts
import ChartCLIPLabels
import ChartCLIPModels
import ChartCLIPSupport
import ChartCLIPText
import ChartCLIPTraining
import Foundation

/// `chartclip export`: a checkpoint → the thin predictor.
public enum PredictorExport {
    /// Exports `checkpoint`: the image tower, the setup and phase class prototypes from the
    /// caption templates (pooled by `pooling`), and, when `dataset` has a validation split, a
    /// per-class confidence calibration fitted on it (else the identity). The training period
    /// comes from the dataset's training rows. `window` and `overlays` default to those of the
    /// run folder holding the checkpoint (its `config.yaml`), else 96 candles and none.
    public static func export(
        checkpoint: URL, output: URL, name: String, window: Int? = nil, intervalMinutes: Int,
        overlays: ChartOverlays? = nil, pooling: CaptionCellEmbeddings.Pooling = .standard, dataset: VisionDataset?, progress: Bool = true
    ) throws -> PredictorFile {
        // A checkpoint inside a run folder brings the chart window and overlays its run drew.
        let run = try RunDirectory.holding(checkpoint: checkpoint)?.chartSettings()
        let window = window ?? run?.window ?? 96
        let overlays = overlays ?? run?.overlays ?? .none
        let model = try Checkpoint.load(from: checkpoint).makeModel()
        model.eval()
        let tokenizer = try CLIPTokenizer()
        let trainLabels = dataset?.rows(in: .train).map(\.label) ?? []
        let prior = trainLabels.isEmpty ? nil : LabelPrior(labels: trainLabels)
        let captions = try CaptionCellEmbeddings(model: model, tokenizer: tokenizer)
        let setups = captions.setups(prior: prior, pooling: pooling)
        let phases = captions.phases(prior: prior, pooling: pooling)
        var calibration = ConfidenceCalibration.identity(classCount: setups.classes.count)
        var start: String?, end: String?
        if let dataset {
            let train = dataset.rows(in: .train).sorted { $0.timestampMs < $1.timestampMs }
            start = train.first?.timestamp
            end = train.last?.timestamp
            let validation = dataset.rows(in: .val)
            if !validation.isEmpty {
                let data = try PairData(rows: validation, config: model.config, tokenizer: tokenizer, label: "calibration", progress: progress)
                let probabilities = setups.probabilities(try ImageEmbeddings.compute(model: model, data: data))
                calibration = fitCalibration(
                    probabilities: probabilities,
                    truth: validation.map { setups.classes.firstIndex(of: $0.label.match.description) ?? -1 },
                    classCount: setups.classes.count)
            }
        }
        let visual = model.namedParameters().filter { $0.path.hasPrefix("visual.") }
        let file = PredictorFile(
            info: PredictorInfo(
                name: name, version: 1, trainingPeriodStart: start, trainingPeriodEnd: end, chartWindow: window,
                intervalMinutes: intervalMinutes, overlays: overlays,
                sourceCheckpoint: checkpoint.path),
            config: model.config, visualParameters: Dictionary(uniqueKeysWithValues: visual.map { ($0.path, $0.tensor.scalars) }),
            logitScale: model.logitScale.item, setupNames: setups.classes, setupEmbeddings: setups.embeddings,
            phaseNames: phases.classes, phaseEmbeddings: phases.embeddings, calibration: calibration,
            setupRows: rows(of: setups), phaseRows: rows(of: phases))
        try file.save(to: output)
        return file
    }

    /// The classifier's prototype rows when they are not one per class in order.
    static func rows(of classifier: ZeroShotClassifier) -> PredictorFile.PrototypeRows? {
        classifier.rowClasses == Array(classifier.classes.indices)
            ? nil : PredictorFile.PrototypeRows(classes: classifier.rowClasses, logWeights: classifier.rowLogWeights)
    }

    /// Per-class Platt scaling of the top probability against "the top class was right".
    public static func fitCalibration(probabilities: [[Float]], truth: [Int], classCount: Int) -> ConfidenceCalibration {
        var calibration = ConfidenceCalibration.identity(classCount: classCount)
        var byClass = [[(Double, Bool)]](repeating: [], count: classCount)
        for (p, t) in zip(probabilities, truth) {
            let top = p.indices.max(by: { p[$0] < p[$1] })!
            byClass[top].append((Double(p[top]), top == t))
        }
        for c in 0..<classCount where byClass[c].count >= 10 {
            let fit = ConfidenceCalibration.fit(probabilities: byClass[c].map(\.0), outcomes: byClass[c].map(\.1))
            calibration.slopes[c] = fit.slope
            calibration.intercepts[c] = fit.intercept
            calibration.counts[c] = byClass[c].count
        }
        return calibration
    }
}
