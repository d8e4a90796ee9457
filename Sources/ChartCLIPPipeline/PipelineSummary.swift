import ChartCLIPDecision
import ChartCLIPLabels
import ChartCLIPMarket
import ChartCLIPPredictor
import ChartCLIPTraining
import Foundation

/// What the pipeline produced and measured (`summary.json`; `summary.md` for people).
public struct PipelineSummary: Codable, Sendable {
    /// Data source: `synthetic` or the candle files.
    public var source: String
    public var symbols: [String]
    public var charts: [String: Int]
    public var runDirectory: String
    public var report: String
    public var predictor: String
    public var testZeroShotSetupTypeAccuracy: Double
    public var testZeroShotSetupAccuracy: Double
    public var testZeroShotSetupBalancedAccuracy: Double
    public var testZeroShotPhaseAccuracy: Double
    public var testLinearProbeSetupAccuracy: Double?
    public var predictionFiles: [String]
    public var decisions: [String: String]
    public var feedback: [FeedbackSummaryRow]
    public var backtests: [WalkForwardReport]
    public var seconds: Double
    /// Zero-shot setup type with the training labels' prior (the readout the study leads with).
    public var testZeroShotSetupTypeWithPriorAccuracy: Double? = nil
    /// The exported predictor's confidence checked on the held-out splits.
    public var confidence: [ConfidenceCheck] = []
    /// The test split's figures with its base rate and standard error.
    public var test: SplitFigures
    /// The held-out symbols' figures, when symbols were held out.
    public var holdout: SplitFigures? = nil
    public var holdoutSymbols: [String] = []
    /// CPU, kernels, threads and the training's precision.
    public var machine: String

    /// One evaluated split: zero-shot accuracies, the linear probe, and what always answering
    /// `none` scores there.
    public struct SplitFigures: Codable, Sendable {
        public var charts: Int
        public var setupType: Double
        public var setupTypeWithPrior: Double?
        public var setupAndDirection: Double
        public var phase: Double
        public var probe: Double?
        /// Share of the split's charts whose setup type is `none`: the accuracy of always
        /// answering `none`.
        public var noneRate: Double

        init(_ r: Evaluator.Results, rows: [VisionDataset.Row]) {
            charts = r.count
            setupType = r.zeroShotSetupType.accuracy
            setupTypeWithPrior = r.zeroShotSetupTypeWithPrior?.accuracy
            setupAndDirection = r.zeroShotSetup.accuracy
            phase = r.zeroShotPhase.accuracy
            probe = r.linearProbeSetup?.accuracy
            noneRate = rows.isEmpty ? 0 : Double(rows.filter { $0.label.setupType == .none }.count) / Double(rows.count)
        }

        /// The binomial standard error of the setup-type accuracy.
        public var setupTypeStandardError: Double {
            charts > 0 ? (setupType * (1 - setupType) / Double(charts)).squareRoot() : 0
        }
    }

    /// A short markdown account.
    public func markdown(feedbackTable: String) -> String {
        func pct(_ x: Double?) -> String { x.map { String(format: "%.1f%%", 100 * $0) } ?? "-" }
        var md = "# ChartCLIP pipeline\n\n"
        md += "Source: \(source) (\(symbols.joined(separator: ", "))); charts per split: "
        md += charts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ".\n\n"
        md += "Machine: \(machine); \(String(format: "%.1f", seconds / 60)) minutes end to end.\n\n"
        md += "| held-out | charts | always `none` | zero-shot setup type (± s.e.) | with the training prior | setup and direction | phase | linear probe |\n"
        md += "|---|---|---|---|---|---|---|---|\n"
        let held = [("test (newest part of each symbol)", test)] + (holdout.map { [("symbols " + holdoutSymbols.joined(separator: ", "), $0)] } ?? [])
        for (name, f) in held {
            md += "| \(name) | \(f.charts) | \(pct(f.noneRate)) | **\(pct(f.setupType))** ± \(String(format: "%.1f", 100 * f.setupTypeStandardError)) "
            md += "| \(pct(f.setupTypeWithPrior)) | \(pct(f.setupAndDirection)) | \(pct(f.phase)) | \(pct(f.probe)) |\n"
        }
        md += "\nBalanced setup-and-direction accuracy on the test split: \(pct(testZeroShotSetupBalancedAccuracy)).\n\n"
        if !confidence.isEmpty {
            md += "Predictor confidence (calibrated on the validation split; a call is right when its setup is the labeler's):\n\n"
            md += confidence.map { "- \($0.summary)\n" }.joined() + "\n"
        }
        md += "Decisions on the newest candles: " + decisions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n\n"
        md += "## Feedback replay over the held-out period\n\n```\n\(feedbackTable)\n```\n\n"
        md += "## Walk-forward backtest (enter decisions, with and without the CV adjustment)\n\n"
        md += "Hit rate: the long entry reached its target before its stop; 95% Wilson intervals in brackets; "
        md += "the base rate is entering at every decision measured.\n\n"
        md += "| symbol | decisions | changed by CV | enter without CV: hits | enter with CV: hits | with vs without | base rate |\n"
        md += "|---|---|---|---|---|---|---|\n"
        typealias S = WalkForwardStatistics
        for (name, stats) in backtests.map({ ($0.symbol, S([$0])) }) + [("**all**", S(backtests))] {
            md += "| \(name) | \(stats.decisions) | \(stats.changed) "
            md += "| \(S.rate(stats.enterHitsWithout, stats.entersWithout, stats.intervalWithout)) "
            md += "| \(S.rate(stats.enterHitsWith, stats.entersWith, stats.intervalWith)) "
            md += "| \(S.p(stats.withAgainstWithout)) | \(S.rate(stats.baseHits, stats.decisions, stats.baseInterval)) |\n"
        }
        let all = S(backtests)
        md += "\nThe CV adjustment changed \(all.changed) of \(all.decisions) decisions. Entries against the base rate "
        md += "(exact binomial test): without CV \(S.p(all.withoutAgainstBase)), with CV \(S.p(all.withAgainstBase)). "
        md += "With against without is a pooled two-proportion z-test; the two sets share every decision the "
        md += "adjustment left alone, so it is conservative.\n"
        md += "\nReport: `\(report)`; predictor: `\(predictor)`; run: `\(runDirectory)`; \(String(format: "%.0f", seconds)) s.\n"
        return md
    }
}
