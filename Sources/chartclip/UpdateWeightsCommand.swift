import ArgumentParser
import ChartCLIPPredictor
import Foundation

/// `chartclip update-weights` (`update_cv_model_weights`): refit confidence from feedback.
struct UpdateWeightsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update-weights",
        abstract: "Refit each setup's confidence from the feedback logs, write a new predictor version (the old one is kept) and the misjudged charts as a fine-tuning set.")

    @Option(help: "Predictor file.") var predictor: String
    @Option(help: "Feedback log folder.") var logs = "data/cv_feedback_logs"
    @Option(help: "Horizon whose outcomes to learn from.") var horizon = "2h"
    @Option(help: "New predictor file (default: <name>_v<N>.h5 next to the old one).") var out: String?
    @Option(help: "Folder for fine-tuning sets.") var fineTune = "data/vision_ai/finetune"

    func run() throws {
        let report = try PredictorUpdate.update(
            predictor: URL(fileURLWithPath: predictor), logs: URL(fileURLWithPath: logs), horizon: horizon,
            output: out.map { URL(fileURLWithPath: $0) }, fineTuneRoot: URL(fileURLWithPath: fineTune))
        print("predictor v\(report.version): \(report.newPredictor) (from \(report.outcomesUsed) outcomes at \(report.horizon))")
        for c in report.changes {
            print(String(format: "  %-28@ n=%4d hit rate %.3f  confidence %.3f -> %.3f", c.setup, c.outcomes, c.hitRate,
                c.meanConfidenceBefore, c.meanConfidenceAfter))
        }
        print("misjudged charts: \(report.misjudgedCharts) in \(report.fineTuneSet)")
    }
}
