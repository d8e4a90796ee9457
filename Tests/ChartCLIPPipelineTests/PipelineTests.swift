import ChartCLIPDecision
import ChartCLIPPipeline
import ChartCLIPTestSupport
import Foundation
import Testing

/// The whole pipeline on a tiny configuration: every stage runs and leaves its files.
@Suite struct PipelineTests {
    @Test func tinyPipelineEndToEnd() async throws {
        let out = try Fixtures.temporaryDirectory("pipeline")
        var options = PipelineOptions()
        options.output = out
        options.syntheticSymbols = 2
        options.syntheticBars = 900
        options.steps = 8
        options.batchSize = 16
        options.window = 40
        options.stride = 8
        options.replayStride = 8
        options.showProgress = false
        let summary = try await Pipeline.run(options, log: { _ in })
        #expect(summary.symbols == ["SYNTHAUSDT", "SYNTHBUSDT"])
        #expect((summary.charts["train"] ?? 0) > 0 && (summary.charts["test"] ?? 0) > 0)
        #expect(summary.predictionFiles.count == 4)  // two symbols, two folders each
        for file in summary.predictionFiles {
            let prediction = try CVPredictionFiles.read(URL(fileURLWithPath: file))
            #expect(prediction.model == "pipeline-clip-tiny v1")
        }
        #expect(Set(summary.decisions.keys) == ["SYNTHAUSDT", "SYNTHBUSDT"])
        #expect(summary.backtests.count == 2)
        for name in ["summary.json", "summary.md", "predictor.h5", "vision_dataset/dataset.csv"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)")
        }
        #expect(FileManager.default.fileExists(atPath: summary.report))
        let logs = try FeedbackLog.read(out.appendingPathComponent("data/cv_feedback_logs"))
        #expect(!logs.outcomes.isEmpty)
    }
}
