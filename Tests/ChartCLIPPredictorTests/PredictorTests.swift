import ChartCLIPCharts
import ChartCLIPDecision
import ChartCLIPImage
import ChartCLIPLabels
import ChartCLIPMarket
import ChartCLIPModels
@testable import ChartCLIPPredictor
import ChartCLIPSupport
import ChartCLIPTensor
import ChartCLIPTestSupport
import ChartCLIPText
import ChartCLIPTraining
import Foundation
import Testing

/// The thin predictor: export/load round trip equals the full model, prediction files,
/// calibration fitting and the feedback-driven update.
@Suite struct PredictorTests {
    static let config = CLIPConfig(
        embedDim: 16,
        visionConfig: VisionConfig(imageSize: 32, patchSize: 8, width: 16, layers: 1, heads: 2),
        textConfig: TextConfig(contextLength: 16, vocabSize: 49408, width: 16, layers: 1, heads: 2),
        activation: .quickGELU)

    func charts() -> [RasterImage] {
        let market = SyntheticMarket.generate(SyntheticMarket.Configuration())
        let renderer = try! CandlestickRenderer(options: .training(size: 32))
        return (0..<5).map { i in try! renderer.render(market.series, window: (i * 50)..<(i * 50 + 48)) }
    }

    /// A random model saved as a checkpoint in a fresh folder, and the predictor exported from it.
    struct Exported {
        let dir: URL, model: CLIPModel, checkpoint: URL, predictor: URL, file: PredictorFile
    }

    /// Saves a `seed` model and exports it with `pooling`: for 48-candle charts, or, given
    /// `runConfig`, from `checkpoints/best.h5` of a run folder with that `config.yaml` and
    /// no chart settings passed (the export must take the run's).
    func export(
        _ label: String, seed: UInt64, pooling: CaptionCellEmbeddings.Pooling = .standard, runConfig: String? = nil
    ) throws -> Exported {
        let dir = try Fixtures.temporaryDirectory(label)
        let model = CLIPModel(config: Self.config, seed: seed)
        var checkpoint = dir.appendingPathComponent("model.h5")
        if let runConfig {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("checkpoints"), withIntermediateDirectories: true)
            try Data(runConfig.utf8).write(to: dir.appendingPathComponent("config.yaml"))
            checkpoint = dir.appendingPathComponent("checkpoints/best.h5")
        }
        try Checkpoint(model: model).save(to: checkpoint)
        let out = dir.appendingPathComponent("predictor.h5")
        let file = try PredictorExport.export(
            checkpoint: checkpoint, output: out, name: "test", window: runConfig == nil ? 48 : nil, intervalMinutes: 15,
            pooling: pooling, dataset: nil, progress: false)
        return Exported(dir: dir, model: model, checkpoint: checkpoint, predictor: out, file: file)
    }

    @Test func exportedPredictorMatchesTheFullModel() throws {
        let exported = try export("predictor", seed: 4, pooling: .ensemble)
        let (model, checkpoint, out, file) = (exported.model, exported.checkpoint, exported.predictor, exported.file)
        #expect(file.visualParameters.keys.allSatisfy { $0.hasPrefix("visual.") })
        let predictor = try Predictor(url: out)
        let images = charts()
        let fromPredictor = predictor.predict(images)

        model.eval()
        let tokenizer = try CLIPTokenizer()
        let setups = try CaptionCellEmbeddings(model: model, tokenizer: tokenizer).setups(prior: nil, pooling: .ensemble)
        let embeddings = withoutGradients { model.encodeImage(ImageBatch.tensor(images, size: 32), normalized: true) }
        let rows = embeddings.rowArrays
        let full = setups.probabilities(rows)
        for (p, q) in zip(fromPredictor, full) {
            for (k, name) in setups.classes.enumerated() {
                #expect(abs(p.setupProbabilities[name]! - Double(q[k])) < 1e-6)
            }
            #expect(abs(p.confidence - p.rawConfidence) < 1e-9)  // identity calibration
        }
        // The predictor file is much smaller than the checkpoint: no text tower.
        let size = { (u: URL) in (try FileManager.default.attributesOfItem(atPath: u.path)[.size] as? Int) ?? 0 }
        #expect(try size(out) < size(checkpoint) / 2)
    }

    /// A predictor that no prediction can come from is refused when written and when read,
    /// naming the field: `predict` used to trap on a negative chart window.
    @Test func aPredictorWithABadWindowOrNaNIsRefused() throws {
        let exported = try export("predictor-bad", seed: 5)
        var bad = exported.file
        bad.info.chartWindow = -5
        let url = exported.dir.appendingPathComponent("bad.h5")
        #expect { try bad.save(to: url) } throws: { "\($0)".contains("info.chart_window is -5") }
        try bad.write(to: url)
        #expect { try Predictor(url: url) } throws: { "\($0)".contains("info.chart_window is -5") && "\($0)".contains(url.path) }

        var nan = exported.file
        nan.setupEmbeddings[7] = .nan
        #expect { try nan.save(to: url) } throws: { "\($0)".contains("the setup embeddings holds nan at index 7") }
        nan.setupEmbeddings[7] = 0
        nan.visualParameters["visual.proj.weight"]![0] = -.infinity
        try nan.write(to: url)
        #expect { try PredictorFile.load(from: url) } throws: { "\($0)".contains("parameter visual.proj.weight holds -inf") }
    }

    /// `export --out` naming its own checkpoint is refused before anything is read or written.
    @Test func exportingOverItsOwnCheckpointIsRefused() throws {
        let exported = try export("predictor-same", seed: 6)
        let before = try Data(contentsOf: exported.checkpoint)
        #expect {
            try OutputGuard.check(exported.checkpoint, inputs: [exported.checkpoint], force: false, what: "predictor")
        } throws: { "\($0)".contains("is the input \(exported.checkpoint.path)") && "\($0)".contains("--force") }
        #expect(try Data(contentsOf: exported.checkpoint) == before)
    }

    /// `update-weights` never replaces a version: an update of v1 from other logs, after v2
    /// exists, writes v3 (and its own fine-tuning set).
    @Test func predictorVersionsOnlyGrow() throws {
        let exported = try export("predictor-versions", seed: 7)
        let logs = exported.dir.appendingPathComponent("logs"), fineTune = exported.dir.appendingPathComponent("fine_tune")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let first = try PredictorUpdate.update(predictor: exported.predictor, logs: logs, fineTuneRoot: fineTune)
        #expect(first.version == 2 && first.newPredictor.hasSuffix("predictor_v2.h5"))
        let v2 = try Data(contentsOf: URL(fileURLWithPath: first.newPredictor))
        let second = try PredictorUpdate.update(predictor: exported.predictor, logs: logs, fineTuneRoot: fineTune)
        #expect(second.version == 3 && second.newPredictor.hasSuffix("predictor_v3.h5"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: first.newPredictor)) == v2, "v2 is kept as it was")
        let third = try PredictorUpdate.update(predictor: URL(fileURLWithPath: first.newPredictor), logs: logs, fineTuneRoot: fineTune)
        #expect(third.version == 4 && third.newPredictor.hasSuffix("predictor_v4.h5"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: fineTune.path).sorted() == ["v2", "v3", "v4"])
        #expect {
            try PredictorUpdate.update(predictor: exported.predictor, logs: logs, output: URL(fileURLWithPath: first.newPredictor), fineTuneRoot: fineTune)
        } throws: { "\($0)".contains("versions are never replaced") }
    }

    @Test func predictionFilesFromCandles() throws {
        let exported = try export("predict", seed: 4)
        let service = PredictionService(
            predictor: try Predictor(url: exported.predictor), dataDirectory: exported.dir.appendingPathComponent("data"))
        let series = SyntheticMarket.generate(SyntheticMarket.Configuration()).series
        let (record, files) = try service.predict(series: series, endingAt: 99)
        #expect(files.count == 2)
        #expect(files[0].lastPathComponent == CVPredictionFiles.fileName(symbol: series.symbol, timestamp: series.closeTime(at: 99)))
        let read = try CVPredictionFiles.read(files[0])
        #expect(read.setup == record.setup && read.confidence == record.confidence)
        #expect(["breakout", "breakout_with_pullback", "trap", "exhaustion", "range_accumulation", "trend_continuation", "none"].contains(read.setup))
        #expect(abs((read.setupProbabilities ?? [:]).values.reduce(0, +) - 1) < 1e-3)
        #expect(FileManager.default.fileExists(atPath: record.chart ?? ""))
    }

    @Test func cellPooledPredictorMatchesTheEvaluatorsCellClassifier() throws {
        let exported = try export("predictor-cells", seed: 5, pooling: .cells)
        let (model, file) = (exported.model, exported.file)
        let loaded = try PredictorFile.load(from: exported.predictor)
        #expect(loaded.pooling == .cells)
        #expect(loaded.setupRows == file.setupRows && loaded.phaseRows == file.phaseRows)
        // Without a prior every phase is a cell of every setup: 12 setups × 5 phases rows.
        #expect(loaded.setupRows?.classes.count == 60 && loaded.setupEmbeddings.count == 60 * 16)
        let predictor = try Predictor(file: loaded)
        let images = charts()
        let fromPredictor = predictor.predict(images)
        model.eval()
        let cells = try CaptionCellEmbeddings(model: model, tokenizer: try CLIPTokenizer())
        let rows = withoutGradients { model.encodeImage(ImageBatch.tensor(images, size: 32), normalized: true) }.rowArrays
        let setups = cells.setups(prior: nil, pooling: .cells)
        let phases = cells.phases(prior: nil, pooling: .cells)
        let ensemble = cells.setups(prior: nil, pooling: .ensemble).probabilities(rows)
        var differsFromEnsemble = false
        for (i, (p, q)) in zip(fromPredictor, setups.probabilities(rows)).enumerated() {
            for (k, name) in setups.classes.enumerated() {
                #expect(abs(p.setupProbabilities[name]! - Double(q[k])) < 1e-6)
                if abs(Double(q[k]) - Double(ensemble[i][k])) > 1e-4 { differsFromEnsemble = true }
            }
            let phase = phases.probabilities([rows[i]])[0]
            #expect(p.phase.rawValue == phases.classes[phase.indices.max { phase[$0] < phase[$1] }!])
        }
        #expect(differsFromEnsemble)
    }

    @Test func predictorDrawsTheOverlaysItWasTrainedWith() throws {
        // Exported from a run folder whose config drew 48-candle charts with EMA20, EMA50, the
        // 20-candle price channel, the ADX14 panel and the volume line at 1.5 times the median.
        let exported = try export(
            "predict-ema", seed: 4,
            runConfig: "name: r\nmodel: clip-tiny\nbatch_size: 8\nsteps: 1\nsynthetic: {bars: 500, window: 48, ema: [20, 50], channel: 20, adx: 14, volume_line: 1.5, adx_levels: [20, 25], volume_highlight: true, broken_levels: true}\n")
        let predictor = try Predictor(url: exported.predictor)
        let info = predictor.file.info
        let overlays = ChartOverlays(
            exponentialAverages: [20, 50], channel: 20, adx: 14, volumeLine: 1.5, adxLevels: [20, 25], volumeHighlight: true,
            brokenLevels: true)
        #expect(info.overlays == overlays && info.chartEMA == [20, 50] && info.chartVolumeLine == 1.5 && info.chartWindow == 48)
        #expect(info.chartADXLevels == [20, 25] && info.chartVolumeHighlight == true && info.chartBrokenLevels == true)
        let service = PredictionService(predictor: predictor, dataDirectory: exported.dir.appendingPathComponent("data"))
        let series = SyntheticMarket.generate(SyntheticMarket.Configuration()).series
        let (record, _) = try service.predict(series: series, endingAt: 99)
        let written = try PNGCodec.read(from: URL(fileURLWithPath: record.chart ?? ""))
        let drawn = try CandlestickRenderer(options: .training(size: 32, overlays: overlays)).render(series, window: 52..<100)
        let emaOnly = try CandlestickRenderer(options: .training(size: 32, overlays: ChartOverlays(exponentialAverages: [20, 50])))
            .render(series, window: 52..<100)
        #expect(written == drawn)
        #expect(written != emaOnly)
    }

    @Test func plattFitPullsOverconfidenceDown() {
        // Confidence 0.9 calls that come true half the time.
        let p = [Double](repeating: 0.9, count: 40), y = (0..<40).map { $0 % 2 == 0 }
        let fit = ConfidenceCalibration.fit(probabilities: p, outcomes: y)
        var c = ConfidenceCalibration.identity(classCount: 1)
        c.slopes[0] = fit.slope
        c.intercepts[0] = fit.intercept
        #expect(abs(c.apply(0.9, classIndex: 0) - 0.5) < 0.1)
        #expect(ConfidenceCalibration.fit(probabilities: [0.9], outcomes: [true]) == (1, 0))
    }
}
