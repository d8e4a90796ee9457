import ChartCLIPDecision
import ChartCLIPLabels
import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// `update_cv_model_weights`: learn from the feedback loop's logged outcomes.
///
/// It refits each setup's confidence calibration so that the predictor's confidence tracks
/// how often that call came true, writes the result as a new predictor version (the old
/// file is kept), and writes the misjudged charts with their outcomes as a fine-tuning set.
public enum PredictorUpdate {
    /// What changed, per setup class.
    public struct ClassChange: Codable, Sendable {
        public var setup: String
        public var outcomes: Int
        public var hitRate: Double
        public var meanConfidenceBefore: Double
        public var meanConfidenceAfter: Double
        public var slope: Double
        public var intercept: Double
    }

    /// The update's report (also written as `update_report.json`).
    public struct Report: Codable, Sendable {
        public var predictor: String
        public var newPredictor: String
        public var version: Int
        public var horizon: String
        public var outcomesUsed: Int
        public var changes: [ClassChange]
        public var misjudgedCharts: Int
        public var fineTuneSet: String
    }

    /// Refits from the outcomes in `logs` at `horizon` (e.g. `2h`) for predictions made by
    /// this predictor's model name. Classes with fewer than `minimumOutcomes` keep their
    /// calibration.
    public static func update(
        predictor url: URL, logs: URL, horizon: String = "2h", output: URL? = nil, fineTuneRoot: URL,
        minimumOutcomes: Int = 10
    ) throws -> Report {
        var file = try PredictorFile.load(from: url)
        let contents = try FeedbackLog.read(logs)
        let outcomes = contents.outcomes.filter { o in
            o.applicable && o.success != nil && o.horizon == horizon && (o.model?.hasPrefix(file.info.name + " ") ?? true)
        }
        var byClass = [[FeedbackOutcome]](repeating: [], count: file.setupNames.count)
        for o in outcomes {
            let name = "\(SetupType(vocabularyWord: o.setup)?.rawValue ?? o.setup)/\(o.setupDirection)"
            if let c = file.setupNames.firstIndex(of: name) { byClass[c].append(o) }
        }
        var changes: [ClassChange] = []
        var calibration = file.calibration
        for (c, group) in byClass.enumerated() where !group.isEmpty {
            let confidences = group.map(\.confidence), hits = group.map { $0.success == true }
            let before = confidences.reduce(0, +) / Double(group.count)
            var slope = 1.0, intercept = 0.0
            if group.count >= minimumOutcomes {
                // Fit on the logged (already calibrated) confidence, then compose with the old map:
                // σ(a'·(a·logit p + b) + b') = σ(a'a·logit p + a'b + b').
                (slope, intercept) = ConfidenceCalibration.fit(probabilities: confidences, outcomes: hits, minimumCount: minimumOutcomes)
                let a = calibration.slopes[c], b = calibration.intercepts[c]
                calibration.slopes[c] = slope * a
                calibration.intercepts[c] = slope * b + intercept
                calibration.counts[c] += group.count
            }
            let after = confidences.map { conf -> Double in
                let clipped = min(max(conf, 1e-6), 1 - 1e-6)
                return 1 / (1 + Foundation.exp(-(slope * Foundation.log(clipped / (1 - clipped)) + intercept)))
            }.reduce(0, +) / Double(group.count)
            changes.append(ClassChange(
                setup: file.setupNames[c], outcomes: group.count, hitRate: Double(hits.filter { $0 }.count) / Double(group.count),
                meanConfidenceBefore: before, meanConfidenceAfter: after, slope: calibration.slopes[c], intercept: calibration.intercepts[c]))
        }
        file.calibration = calibration
        // Versions only grow: the next one is above this file's and above every version already
        // written beside it or in the fine-tuning folder (an update from other logs, an older base).
        let base = url.deletingPathExtension().lastPathComponent.replacingOccurrences(
            of: "_v\(file.info.version)", with: "")
        let folder = url.deletingLastPathComponent()
        func versions(in directory: URL, prefix: String, suffix: String) -> [Int] {
            ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).compactMap { name in
                guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
                return Int(name.dropFirst(prefix.count).dropLast(suffix.count))
            }
        }
        let taken = versions(in: folder, prefix: "\(base)_v", suffix: ".h5") + versions(in: fineTuneRoot, prefix: "v", suffix: "")
        file.info.version = max(file.info.version, taken.max() ?? 0) + 1
        let newURL = output ?? folder.appendingPathComponent("\(base)_v\(file.info.version).h5")
        guard !OutputGuard.sameFile(newURL, url) else {
            throw ChartCLIPError("the new version would overwrite the old predictor", at: newURL.path, hint: "pass a different --out")
        }
        guard !FileManager.default.fileExists(atPath: newURL.path) else {
            throw ChartCLIPError(
                "\(newURL.path) already exists; versions are never replaced", at: newURL.path,
                hint: "leave out --out to write the next version beside the predictor, or pass a new file")
        }
        try file.save(to: newURL)

        // The fine-tuning set: every chart whose call did not come true, with its outcome.
        let fineTune = fineTuneRoot.appendingPathComponent("v\(file.info.version)")
        let images = fineTune.appendingPathComponent("images")
        try AtomicFile.createDirectory(images)
        var misjudged = 0
        var lines: [String] = []
        let encoder = JSONEncoder.chartCLIP()
        encoder.outputFormatting = [.sortedKeys]
        for o in outcomes where o.success == false {
            guard let predictionFile = o.predictionFile,
                let prediction = try? CVPredictionFiles.read(URL(fileURLWithPath: predictionFile)),
                let chart = prediction.chart, FileManager.default.fileExists(atPath: chart)
            else { continue }
            let target = images.appendingPathComponent(URL(fileURLWithPath: chart).lastPathComponent)
            if !FileManager.default.fileExists(atPath: target.path) {
                try FileManager.default.copyItem(at: URL(fileURLWithPath: chart), to: target)
            }
            lines.append(String(decoding: try encoder.encode(o), as: UTF8.self))
            misjudged += 1
        }
        try AtomicFile.write(lines.map { $0 + "\n" }.joined(), to: fineTune.appendingPathComponent("misjudged.jsonl"))
        let report = Report(
            predictor: url.path, newPredictor: newURL.path, version: file.info.version, horizon: horizon,
            outcomesUsed: outcomes.count, changes: changes, misjudgedCharts: misjudged, fineTuneSet: fineTune.path)
        let pretty = JSONEncoder.chartCLIP()
        pretty.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try pretty.encode(report), to: fineTune.appendingPathComponent("update_report.json"))
        return report
    }
}
