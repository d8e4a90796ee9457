import ChartCLIPCharts
import ChartCLIPDecision
import ChartCLIPLabels
import ChartCLIPMarket
import ChartCLIPModels
import ChartCLIPPredictor
import ChartCLIPSupport
import ChartCLIPTensor
import ChartCLIPTraining
import Foundation

/// The end-to-end pipeline, in the users' order: candles → charts → labels → training data →
/// dataset → training → evaluation → predictor → predictions on the newest candles →
/// decisions → the feedback loop replayed over the held-out period.
public enum Pipeline {
    /// Runs everything under `options.output` and returns the summary (also written as
    /// `summary.json` and `summary.md`).
    public static func run(_ options: PipelineOptions, log: (String) -> Void = { print($0) }) async throws -> PipelineSummary {
        let started = Timing.now()
        let out = options.output
        try AtomicFile.createDirectory(out)
        let modelConfig = try CLIPConfig.load(options.model)
        let size = modelConfig.visionConfig.imageSize
        let window = options.window ?? 32

        // 1. Candles.
        let series = try loadCandles(options, into: out.appendingPathComponent("candles"))
        log("1/9 candles: " + series.map { "\($0.symbol) \($0.candles.count)" }.joined(separator: ", "))
        let symbols = Set(series.map(\.symbol))
        if let unknown = options.holdoutSymbols.first(where: { !symbols.contains($0) }) {
            throw ChartCLIPError(
                "held-out symbol \(unknown) is not among the candles' symbols (\(symbols.sorted().joined(separator: ", ")))",
                hint: "give --holdout-symbols a comma-separated list of symbols that have candles")
        }
        if Set(options.holdoutSymbols) == symbols {
            throw ChartCLIPError("every symbol is held out, so nothing is left to train on", hint: "hold out fewer symbols")
        }

        // 2-3, 5. Charts, local labels, training data; the dataset with time splits (the newest
        // part of each symbol is the held-out test) and the held-out symbols.
        let (datasetDir, dataset) = try await prepareData(series, in: out, options: options, size: size, window: window)
        let counts = Dictionary(uniqueKeysWithValues: dataset.splitCounts.map { ($0.key.rawValue, $0.value) })
        log("2/9 charts rendered and labelled locally: \(out.appendingPathComponent("training_data").path)")
        log("3/9 dataset: " + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))

        // 8. Training, after pre-training on the synthetic market when asked.
        var initCheckpoint: URL?
        if options.pretrainSteps > 0 {
            initCheckpoint = try await pretrainOnTheSyntheticMarket(options, out: out, size: size, window: window, log: log)
        }
        let config = try trainingConfig(
            options, name: "pipeline", dataset: datasetDir, steps: options.steps, lr: initCheckpoint == nil ? 1e-3 : 5e-4,
            initCheckpoint: initCheckpoint, out: out)
        let run = try TrainingRun.start(config, cacheRoot: out.appendingPathComponent("data"))
        run.showProgress = options.showProgress
        let trained = try await run.run()
        if let reason = trained.stopReason { throw ChartCLIPError("training stopped: \(reason)") }
        log("4/9 trained \(options.model) for \(trained.steps) steps: \(run.directory.url.path)")

        // Evaluation on the held-out test split.
        var evaluator = Evaluator()
        evaluator.showProgress = options.showProgress
        evaluator.runDirectory = run.directory.url
        let results = try evaluator.evaluate(checkpointURL: run.directory.best, dataset: dataset, output: run.directory.report)
        log(String(format: "5/9 test zero-shot setup type accuracy %.3f (with the training prior %.3f); setup and direction %.3f (balanced %.3f); phase %.3f",
            results.zeroShotSetupType.accuracy, results.zeroShotSetupTypeWithPrior?.accuracy ?? .nan, results.zeroShotSetup.accuracy,
            results.zeroShotSetup.balancedAccuracy, results.zeroShotPhase.accuracy))
        var holdout: PipelineSummary.SplitFigures?
        if !dataset.rows(in: .holdout).isEmpty {
            var heldOut = evaluator
            heldOut.split = .holdout
            let r = try heldOut.evaluate(
                checkpointURL: run.directory.best, dataset: dataset, output: run.directory.url.appendingPathComponent("report-holdout"))
            holdout = PipelineSummary.SplitFigures(r, rows: dataset.rows(in: .holdout))
            log(String(format: "   held-out symbols (%@): zero-shot setup type accuracy %.3f (with the training prior %.3f; always none %.3f); setup and direction %.3f; phase %.3f",
                options.holdoutSymbols.joined(separator: ", "), r.zeroShotSetupType.accuracy, r.zeroShotSetupTypeWithPrior?.accuracy ?? .nan,
                holdout?.noneRate ?? .nan, r.zeroShotSetup.accuracy, r.zeroShotPhase.accuracy))
        }

        // Predictor export.
        let predictorURL = out.appendingPathComponent("predictor.h5")
        _ = try PredictorExport.export(
            checkpoint: run.directory.best, output: predictorURL, name: "pipeline-\(options.model)", window: window,
            intervalMinutes: series.first?.interval.minutes ?? 15, overlays: options.overlays, dataset: dataset,
            progress: options.showProgress)
        let predictor = try Predictor(url: predictorURL)
        let confidence = try ConfidenceCheck.writeChecks(predictorURL: predictorURL, dataset: dataset).checks
        log("6/9 predictor: \(predictorURL.path)")
        for check in confidence { log("   confidence on \(check.summary)") }

        // 8'. Predictions on the newest candles, written where the users' system reads them.
        let dataDir = out.appendingPathComponent("data")
        let service = PredictionService(predictor: predictor, dataDirectory: dataDir)
        var files: [String] = []
        for s in series {
            let (record, written) = try service.predict(series: s)
            files += written.map(\.path)
            log("   \(s.symbol): \(record.setup) \(record.setupDirection?.rawValue ?? "") \(record.phase ?? "") confidence \(String(format: "%.2f", record.confidence))")
        }
        log("7/9 predictions: \(dataDir.appendingPathComponent("cv_predictions").path)")

        // 6. Decisions with the newest prediction.
        var decisions: [String: String] = [:]
        for s in series {
            let d = try simulateTraderDecisionAdvanced(series: s, predictionsDirectory: dataDir.appendingPathComponent("cv_predictions"))
            decisions[s.symbol] = d.decision.rawValue
        }
        log("8/9 decisions: " + decisions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))

        // 5'. The feedback loop replayed over the held-out period, and the walk-forward
        // comparison with and without the CV adjustment.
        let replay = try replayHeldOut(series: series, dataset: dataset, predictor: predictor, options: options, window: window)
        let evaluation = FeedbackLoop.evaluate(replay.predictions, candles: series)
        _ = try FeedbackLog.append(evaluation.outcomes, to: FeedbackLog.defaultDirectory(dataDirectory: dataDir))
        let feedback = FeedbackSummary(outcomes: evaluation.outcomes)
        var backtests: [WalkForwardReport] = []
        for s in series {
            let start = replay.testStart[s.symbol] ?? s.candles.last!.startTime
            backtests.append(try WalkForwardBacktest.run(
                series: s, predictions: replay.predictions, settings: WalkForwardSettings(stride: options.replayStride, from: start)))
        }
        log("9/9 feedback replay: \(replay.predictions.count) predictions, \(evaluation.outcomes.count) outcomes")
        let summary = PipelineSummary(
            source: options.candleFiles.isEmpty ? "synthetic market" : options.candleFiles.map(\.lastPathComponent).joined(separator: ", "),
            symbols: series.map(\.symbol), charts: counts, runDirectory: run.directory.url.path,
            report: run.directory.report.appendingPathComponent("report.md").path, predictor: predictorURL.path,
            testZeroShotSetupTypeAccuracy: results.zeroShotSetupType.accuracy,
            testZeroShotSetupAccuracy: results.zeroShotSetup.accuracy,
            testZeroShotSetupBalancedAccuracy: results.zeroShotSetup.balancedAccuracy,
            testZeroShotPhaseAccuracy: results.zeroShotPhase.accuracy,
            testLinearProbeSetupAccuracy: results.linearProbeSetup?.accuracy, predictionFiles: files, decisions: decisions,
            feedback: feedback.rows, backtests: backtests, seconds: Timing.now() - started,
            testZeroShotSetupTypeWithPriorAccuracy: results.zeroShotSetupTypeWithPrior?.accuracy, confidence: confidence,
            test: PipelineSummary.SplitFigures(results, rows: dataset.rows(in: .test)), holdout: holdout,
            holdoutSymbols: options.holdoutSymbols, machine: Machine.describe(precision: run.precision))
        let encoder = JSONEncoder.chartCLIP()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(summary), to: out.appendingPathComponent("summary.json"))
        try AtomicFile.write(summary.markdown(feedbackTable: feedback.table), to: out.appendingPathComponent("summary.md"))
        log("\n" + feedback.table)
        return summary
    }

    /// Trains `options.pretrainSteps` on the synthetic market (its charts drawn as the candles'
    /// are, under `out/pretrain`) and returns that run's best checkpoint.
    static func pretrainOnTheSyntheticMarket(
        _ options: PipelineOptions, out: URL, size: Int, window: Int, log: (String) -> Void
    ) async throws -> URL {
        var synthetic = options
        synthetic.candleFiles = []
        synthetic.holdoutSymbols = []
        let folder = out.appendingPathComponent("pretrain")
        let markets = try loadCandles(synthetic, into: folder.appendingPathComponent("candles"))
        let (datasetDir, dataset) = try await prepareData(markets, in: folder, options: synthetic, size: size, window: window)
        log("   pre-training on the synthetic market (\(markets.count) markets, \(dataset.rows(in: .train).count) training charts) for \(options.pretrainSteps) steps")
        let config = try trainingConfig(
            options, name: "pipeline-pretrain", dataset: datasetDir, steps: options.pretrainSteps, lr: 1e-3, initCheckpoint: nil, out: out)
        let run = try TrainingRun.start(config, cacheRoot: out.appendingPathComponent("data"))
        run.showProgress = options.showProgress
        let done = try await run.run()
        if let reason = done.stopReason { throw ChartCLIPError("pre-training stopped: \(reason)") }
        log("   pre-trained: \(run.directory.url.path)")
        return run.directory.best
    }

    /// Charts drawn and labelled locally into `folder/training_data`, and the dataset with
    /// time splits and held-out symbols in `folder/vision_dataset`.
    static func prepareData(
        _ series: [CandleSeries], in folder: URL, options: PipelineOptions, size: Int, window: Int
    ) async throws -> (URL, VisionDataset) {
        let trainingData = folder.appendingPathComponent("training_data")
        var scan = ScanOptions()
        scan.window = window
        scan.stride = options.stride
        scan.chartSize = size
        scan.overlays = options.overlays
        scan.progress = options.showProgress
        let scanner = try TrainingDataScanner(options: scan, labeler: LocalLabeler())
        for s in series { _ = try await scanner.scan(s, into: trainingData) }
        let datasetDir = folder.appendingPathComponent("vision_dataset")
        let prep = DatasetPreparation.Options(split: try TimeSplit(
            valFraction: options.valFraction, testFraction: options.testFraction, holdoutSymbols: Set(options.holdoutSymbols)))
        _ = try DatasetPreparation.prepare(input: trainingData, output: datasetDir, options: prep)
        return (datasetDir, try VisionDataset.load(datasetDir))
    }

    /// The pipeline's training config: the fast recipe (cells loss, one warm-up and one
    /// cosine) on `dataset`, from random weights or from `initCheckpoint`.
    static func trainingConfig(
        _ options: PipelineOptions, name: String, dataset: URL, steps: Int, lr: Double, initCheckpoint: URL?, out: URL
    ) throws -> ExperimentConfig {
        try ExperimentConfig.decode(yaml: """
            name: \(name)
            model: \(options.model)
            \(initCheckpoint.map { "init_checkpoint: \($0.path)" } ?? "")
            dataset: \(dataset.path)
            batch_size: \(options.batchSize)
            steps: \(steps)
            optimizer: {lr: \(lr), weight_decay: 0.1}
            schedule: {warmup_steps: \(max(1, steps / 20))}
            grad_clip: 1.0
            seed: \(options.seed)
            loss: \(options.loss.rawValue)
            positives: setup_phase
            matmul_precision: auto
            eval_every: \(max(1, steps / 4))
            checkpoint_every: \(max(1, steps / 4))
            output_dir: \(out.appendingPathComponent("experiments").path)
            """, source: "pipeline")
    }

    /// The synthetic markets (written as CSVs) or the given candle files.
    static func loadCandles(_ options: PipelineOptions, into folder: URL) throws -> [CandleSeries] {
        if !options.candleFiles.isEmpty {
            return try options.candleFiles.map { try CandleCSV.load($0, formingCandle: .dropLast).series }
        }
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        return try (0..<options.syntheticSymbols).map { i in
            var config = SyntheticMarket.Configuration()
            config.symbol = i < letters.count ? "SYNTH\(letters[i])USDT" : "SYNTH\(i + 1)USDT"
            config.bars = options.syntheticBars
            config.seed = UInt64(options.seed + i)
            let series = SyntheticMarket.generate(config).series
            try CandleCSV.write(series, to: folder.appendingPathComponent("\(config.symbol)_15m.csv"))
            return series
        }
    }

    /// Predictions for every `replayStride`-th candle of each symbol's held-out test period
    /// (charts the model never trained on), made in memory.
    static func replayHeldOut(
        series: [CandleSeries], dataset: VisionDataset, predictor: Predictor, options: PipelineOptions, window: Int
    ) throws -> (predictions: [CVPrediction], testStart: [String: Int64]) {
        let renderer = try CandlestickRenderer(options: .training(size: predictor.imageSize, overlays: predictor.file.info.overlays))
        var predictions: [CVPrediction] = []
        var starts: [String: Int64] = [:]
        for s in series {
            let test = dataset.rows.filter { $0.symbol == s.symbol && ($0.split == .test || $0.split == .holdout) }
            guard let first = test.map(\.timestampMs).min() else { continue }
            starts[s.symbol] = first
            let ends = s.candles.indices.filter { $0 >= window - 1 && s.closeTime(at: $0) >= first }
                .filter { ($0 - (window - 1)) % options.replayStride == 0 }
            let images = try ends.map { try renderer.render(s, window: ($0 - window + 1)..<($0 + 1)) }
            for (end, p) in zip(ends, predictor.predict(images)) {
                predictions.append(PredictionService.record(
                    p, symbol: s.symbol, timestamp: s.closeTime(at: end), interval: s.interval,
                    model: predictor.file.info.label, chart: nil))
            }
        }
        return (predictions, starts)
    }
}
