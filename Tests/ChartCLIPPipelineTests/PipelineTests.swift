import ChartCLIPDecision
import ChartCLIPMarket
import ChartCLIPPipeline
import ChartCLIPPredictor
import ChartCLIPTestSupport
import Foundation
import Testing

/// The whole pipeline on a tiny configuration: every stage runs and leaves its files.
@Suite struct PipelineTests {
    /// The smallest pipeline that runs every stage: synthetic markets of 900 candles, a few
    /// steps, sparse charts and replay, written under `out`.
    static func tinyOptions(out: URL, markets: Int = 2, steps: Int = 8, replayStride: Int = 8) -> PipelineOptions {
        var options = PipelineOptions()
        options.output = out
        options.syntheticSymbols = markets
        options.syntheticBars = 900
        options.steps = steps
        options.batchSize = 16
        options.window = 40
        options.stride = 8
        options.replayStride = replayStride
        options.showProgress = false
        return options
    }

    @Test func tinyPipelineEndToEnd() async throws {
        let out = try Fixtures.temporaryDirectory("pipeline")
        let options = Self.tinyOptions(out: out)
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
        // The predictor draws the rules' overlays, as training did, and its confidence is checked
        // on the test split beside it; the summary states the walk-forward with intervals and tests.
        let predictor = try Predictor(url: out.appendingPathComponent("predictor.h5"))
        #expect(predictor.file.info.overlays == PipelineOptions.ruleOverlays)
        #expect(summary.confidence.map(\.split) == ["test"] && summary.confidence[0].charts == summary.charts["test"])
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("predictor.confidence.json").path))
        let md = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        for words in ["changed by CV", "| **all** |", "decisions. Entries against the base rate", "setup right"] {
            #expect(md.contains(words), "summary.md lacks '\(words)'")
        }
    }

    /// A symbol held out entirely is scored on its own, with its base rate, and its
    /// predictions' confidence is checked there too; a symbol without candles is refused
    /// before any work.
    @Test func heldOutSymbolsAreScoredApart() async throws {
        let out = try Fixtures.temporaryDirectory("pipeline-holdout")
        var options = Self.tinyOptions(out: out, markets: 3, steps: 4, replayStride: 16)
        options.holdoutSymbols = ["SYNTHCUSDT"]
        let summary = try await Pipeline.run(options, log: { _ in })
        let holdout = try #require(summary.holdout)
        #expect(holdout.charts == summary.charts["holdout"] && holdout.charts > 0)
        #expect(holdout.noneRate > 0 && holdout.noneRate <= 1)
        #expect(summary.test.charts == summary.charts["test"])
        #expect(summary.confidence.map(\.split) == ["test", "holdout"])
        #expect(summary.machine.contains("threads"))
        let md = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        for words in ["| symbols SYNTHCUSDT |", "always `none`", "minutes end to end"] {
            #expect(md.contains(words), "summary.md lacks '\(words)'")
        }

        var wrong = options
        wrong.output = try Fixtures.temporaryDirectory("pipeline-holdout-wrong")
        wrong.holdoutSymbols = ["SOLUSDT"]
        await #expect { _ = try await Pipeline.run(wrong, log: { _ in }) } throws: { error in
            "\(error)".contains("SOLUSDT") && "\(error)".contains("SYNTHAUSDT")
        }
        #expect(!FileManager.default.fileExists(atPath: wrong.output.appendingPathComponent("training_data").path))
    }

    /// On candle files with `pretrainSteps`, the model first trains on the synthetic market,
    /// drawn as the candles are, and the candles' training starts from that run's best
    /// checkpoint.
    @Test func recordedCandlesCanStartFromASyntheticPretraining() async throws {
        let out = try Fixtures.temporaryDirectory("pipeline-pretrain")
        var files: [URL] = []
        for (i, symbol) in ["AAAUSDT", "BBBUSDT"].enumerated() {
            var market = SyntheticMarket.Configuration()
            market.symbol = symbol
            market.bars = 900
            market.seed = UInt64(40 + i)
            let url = out.appendingPathComponent("in/\(symbol)_15m.csv")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try CandleCSV.write(SyntheticMarket.generate(market).series, to: url)
            files.append(url)
        }
        var options = Self.tinyOptions(out: out.appendingPathComponent("run"), markets: 1, steps: 3, replayStride: 16)
        options.candleFiles = files
        options.pretrainSteps = 3
        let summary = try await Pipeline.run(options, log: { _ in })
        #expect(summary.symbols == ["AAAUSDT", "BBBUSDT"])
        let pretrainRuns = try FileManager.default.contentsOfDirectory(
            atPath: options.output.appendingPathComponent("experiments/pipeline-pretrain").path)
        #expect(pretrainRuns.count == 1)
        let config = try String(contentsOf: URL(fileURLWithPath: summary.runDirectory).appendingPathComponent("config.yaml"), encoding: .utf8)
        #expect(config.contains("init_checkpoint") && config.contains("pipeline-pretrain/\(pretrainRuns[0])/checkpoints/best.h5"))
        #expect(FileManager.default.fileExists(atPath: options.output.appendingPathComponent("pretrain/vision_dataset/dataset.csv").path))
    }
}
