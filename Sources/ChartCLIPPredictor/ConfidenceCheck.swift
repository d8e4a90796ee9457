import ChartCLIPImage
import ChartCLIPLabels
import ChartCLIPSupport
import ChartCLIPTraining
import Foundation

/// Whether a predictor's `confidence` means what the decision rules assume, measured on charts
/// it has not seen (a dataset's test split or held-out symbols): the share of calls that are
/// right in each confidence bin (the reliability diagram), the expected calibration error of
/// the calibrated and the raw confidence, and how often a call above a rule's threshold
/// (0.8: the breakout rule) is right, with its 95% interval.
///
/// A call is right when its setup (type and direction) is the one the labeler gives the chart.
public struct ConfidenceCheck: Codable, Equatable, Sendable {
    /// The split measured (`test`, `holdout`).
    public var split: String
    /// Charts scored.
    public var charts: Int
    /// Share of calls whose setup is the labeler's.
    public var accuracy: Double
    /// Calibration of `confidence` (the calibrated probability).
    public var calibrated: Calibration
    /// Calibration of `rawConfidence` (the zero-shot probability before calibration).
    public var raw: Calibration
    /// The confidence threshold of the confident calls counted below.
    public var threshold: Double
    /// Calls with `confidence > threshold`, and those of them that were right.
    public var confidentCalls: Int, confidentRight: Int
    /// Wilson 95% interval of `confidentRight / confidentCalls`.
    public var confidentInterval: Proportions.Interval?

    /// Scores `predictor` on `rows` (charts at any size, resized as predictions are).
    public static func measure(
        predictor: Predictor, rows: [VisionDataset.Row], split: String, threshold: Double = 0.8, batchSize: Int = 64
    ) throws -> ConfidenceCheck {
        var confidence: [Double] = [], rawConfidence: [Double] = [], right: [Bool] = []
        for start in stride(from: 0, to: rows.count, by: batchSize) {
            let chunk = Array(rows[start..<min(start + batchSize, rows.count)])
            let images = try chunk.map { row in
                let bytes: Data
                do { bytes = try Data(contentsOf: row.imageURL) } catch {
                    throw ChartCLIPError("cannot read the chart", at: row.imageURL.path, hint: "prepare the dataset again")
                }
                return try PNGCodec.decode(bytes, source: row.imageURL.path)
            }
            for (prediction, row) in zip(predictor.predict(images), chunk) {
                confidence.append(prediction.confidence)
                rawConfidence.append(prediction.rawConfidence)
                right.append(prediction.setup == row.label.match)
            }
        }
        let confident = zip(confidence, right).filter { $0.0 > threshold }
        let confidentRight = confident.filter(\.1).count
        return ConfidenceCheck(
            split: split, charts: rows.count, accuracy: Double(right.filter { $0 }.count) / Double(max(rows.count, 1)),
            calibrated: Calibration(confidence: confidence, correct: right), raw: Calibration(confidence: rawConfidence, correct: right),
            threshold: threshold, confidentCalls: confident.count, confidentRight: confidentRight,
            confidentInterval: Proportions.wilson(successes: confidentRight, trials: confident.count))
    }

    /// One line: `test (3106 charts): ECE 0.031 (raw 0.210); confidence > 0.8: 812 calls, 93.1% right [91.2%, 94.7%]`.
    public var summary: String {
        var line = String(
            format: "%@ (%d charts): setup right %.1f%%, ECE %.3f (raw %.3f); confidence > %.1f: %d calls",
            split, charts, 100 * accuracy, calibrated.expectedCalibrationError, raw.expectedCalibrationError, threshold, confidentCalls)
        if let interval = confidentInterval {
            line += String(
                format: ", %.1f%% right [%.1f%%, %.1f%%]", 100 * Double(confidentRight) / Double(confidentCalls),
                100 * interval.lower, 100 * interval.upper)
        }
        return line
    }
}

extension ConfidenceCheck {
    /// Checks the predictor at `predictorURL` on every held-out split of `dataset` (test, and
    /// holdout when it has one) and writes, beside the predictor, `NAME.confidence.json` (the
    /// checks) and `NAME.reliability-SPLIT.png` (the calibrated confidence's reliability diagram).
    /// Returns the checks and the files written.
    public static func writeChecks(predictorURL: URL, dataset: VisionDataset) throws -> (checks: [ConfidenceCheck], files: [URL]) {
        let predictor = try Predictor(url: predictorURL)
        let base = predictorURL.deletingPathExtension()
        var checks: [ConfidenceCheck] = []
        var files: [URL] = []
        for split in [DatasetSplit.test, .holdout] {
            let rows = dataset.rows(in: split)
            guard !rows.isEmpty else { continue }
            let check = try measure(predictor: predictor, rows: rows, split: split.rawValue)
            checks.append(check)
            let bins = check.calibrated.bins.map {
                ReliabilityBin(lower: $0.lower, upper: $0.upper, confidence: $0.confidence, accuracy: $0.accuracy, count: $0.count)
            }
            let png = URL(fileURLWithPath: base.path + ".reliability-\(split.rawValue).png")
            try ReliabilityDiagram(title: "calibrated confidence, \(split.rawValue) split", bins: bins).render().writePNG(to: png)
            files.append(png)
        }
        let encoder = JSONEncoder.chartCLIP()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = URL(fileURLWithPath: base.path + ".confidence.json")
        try AtomicFile.write(try encoder.encode(checks), to: json)
        return (checks, [json] + files)
    }
}
