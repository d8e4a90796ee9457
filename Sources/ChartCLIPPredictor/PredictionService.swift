import ChartCLIPCharts
import ChartCLIPDecision
import ChartCLIPImage
import ChartCLIPLabels
import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// `predict_cv_setup`: charts or candles → prediction files in `data/cv_predictions/` and
/// `data/vision_ai/predictions/` (and the chart in `data/charts/`).
public struct PredictionService {
    /// The loaded predictor.
    public let predictor: Predictor
    /// The data folder (`data/`).
    public let dataDirectory: URL

    /// A service writing under `dataDirectory`.
    public init(predictor: Predictor, dataDirectory: URL) {
        self.predictor = predictor
        self.dataDirectory = dataDirectory
    }

    /// Renders the newest `chart_window` candles of `series` (training look, the predictor's
    /// image size), saves the chart in `data/charts/`, predicts, and writes the record.
    @discardableResult
    public func predict(series: CandleSeries, endingAt last: Int? = nil) throws -> (CVPrediction, [URL]) {
        let window = predictor.file.info.chartWindow
        let end = (last ?? (series.candles.count - 1)) + 1
        guard end - window >= 0, end <= series.candles.count else {
            throw ChartCLIPError(
                "\(series.symbol): \(series.candles.count) candles, the predictor needs \(window) per chart",
                hint: "give a longer history")
        }
        let range = (end - window)..<end
        let options = ChartOptions.training(size: predictor.imageSize, overlays: predictor.file.info.overlays)
        let image = try CandlestickRenderer(options: options).render(series, window: range)
        let chart = dataDirectory.appendingPathComponent("charts").appendingPathComponent(ChartFileName.name(series, window: range))
        try image.writePNG(to: chart)
        let closeTime = series.closeTime(at: end - 1)
        return try write(image: image, symbol: series.symbol, timestamp: closeTime, interval: series.interval, chart: chart)
    }

    /// Predicts from a chart PNG; the time comes from a `SYMBOL_YYYYMMDD_HHMM.png` name, or is now.
    @discardableResult
    public func predict(chart: URL, symbol: String, interval: CandleInterval) throws -> (CVPrediction, [URL]) {
        let image = try PNGCodec.read(from: chart)
        let parsed = CVPredictionFiles.parseFileName(chart.deletingPathExtension().lastPathComponent + ".json")
        let timestamp = parsed?.timestamp ?? Int64(Date().timeIntervalSince1970 * 1000)
        return try write(image: image, symbol: symbol, timestamp: timestamp, interval: interval, chart: chart)
    }

    func write(image: RasterImage, symbol: String, timestamp: Int64, interval: CandleInterval, chart: URL) throws -> (CVPrediction, [URL]) {
        let p = predictor.predict([image])[0]
        let record = Self.record(p, symbol: symbol, timestamp: timestamp, interval: interval, model: predictor.file.info.label, chart: chart.path)
        let files = try CVPredictionFiles.write(record, to: CVPredictionFiles.defaultDirectories(dataDirectory: dataDirectory))
        return (record, files)
    }

    /// The prediction record: `setup` in the users' words, probabilities summed per setup word.
    public static func record(
        _ p: ChartPrediction, symbol: String, timestamp: Int64, interval: CandleInterval, model: String, chart: String?
    ) -> CVPrediction {
        var setupWords: [String: Double] = [:]
        for (name, probability) in p.setupProbabilities {
            let type = SetupMatch(description: name)?.type ?? .none
            setupWords[type.userWord, default: 0] += probability
        }
        return CVPrediction(
            symbol: symbol, timestamp: timestamp, interval: interval, setup: p.setup.type.userWord,
            setupDirection: p.setup.direction, phase: p.phase.rawValue, confidence: (p.confidence * 1e4).rounded() / 1e4,
            setupProbabilities: setupWords.mapValues { ($0 * 1e4).rounded() / 1e4 },
            phaseProbabilities: p.phaseProbabilities.mapValues { ($0 * 1e4).rounded() / 1e4 }, model: model, chart: chart)
    }
}
