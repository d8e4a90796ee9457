import ChartCLIPDecision
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

    /// A short markdown account.
    public func markdown(feedbackTable: String) -> String {
        func pct(_ x: Double?) -> String { x.map { String(format: "%.1f%%", 100 * $0) } ?? "-" }
        var md = "# ChartCLIP pipeline\n\n"
        md += "Source: \(source) (\(symbols.joined(separator: ", "))); charts per split: "
        md += charts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ".\n\n"
        md += "| held-out test | value |\n|---|---|\n"
        md += "| zero-shot setup type accuracy | \(pct(testZeroShotSetupTypeAccuracy)) |\n"
        md += "| zero-shot setup and direction accuracy | \(pct(testZeroShotSetupAccuracy)) (balanced \(pct(testZeroShotSetupBalancedAccuracy))) |\n"
        md += "| zero-shot phase accuracy | \(pct(testZeroShotPhaseAccuracy)) |\n"
        md += "| linear probe setup accuracy | \(pct(testLinearProbeSetupAccuracy)) |\n\n"
        md += "Decisions on the newest candles: " + decisions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n\n"
        md += "## Feedback replay over the held-out period\n\n```\n\(feedbackTable)\n```\n\n"
        md += "## Walk-forward backtest (enter decisions, with and without the CV adjustment)\n\n"
        md += "| symbol | enter without CV | hit rate | mean return | enter with CV | hit rate | mean return | base rate |\n|---|---|---|---|---|---|---|---|\n"
        for b in backtests {
            md += "| \(b.symbol) | \(b.withoutCV.enter) | \(pct(b.withoutCV.enterHitRate)) | \(pct(b.withoutCV.enterMeanTradeReturn)) "
            md += "| \(b.withCV.enter) | \(pct(b.withCV.enterHitRate)) | \(pct(b.withCV.enterMeanTradeReturn)) | \(pct(b.baseRate)) |\n"
        }
        md += "\nReport: `\(report)`; predictor: `\(predictor)`; run: `\(runDirectory)`; \(String(format: "%.0f", seconds)) s.\n"
        return md
    }
}
