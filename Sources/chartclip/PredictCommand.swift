import ArgumentParser
import ChartCLIPDecision
import ChartCLIPMarket
import ChartCLIPPredictor
import ChartCLIPSupport
import Foundation

/// `chartclip predict` (`predict_cv_setup`): charts or candles → prediction files.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict setup, phase and confidence; write data/cv_predictions/SYMBOL_YYYYMMDD_HHMM.json and a copy in data/vision_ai/predictions/.")

    @Option(help: "Predictor file from chartclip export.") var predictor: String
    @Option(name: .customLong("chart"), help: "A chart PNG (repeatable; pair with --symbol).") var charts: [String] = []
    @Option(name: .customLong("candles"), help: "A candle CSV (repeatable; pair with --symbol).") var candles: [String] = []
    @Option(name: .customLong("symbol"), help: "The symbol of each --chart or --candles, in order.") var symbols: [String] = []
    @Option(help: "Data folder.") var dataDir = "data"
    @Option(help: "Candle interval in minutes (for --chart).") var interval = 15
    @Flag(help: "Drop the last row of each candle file (it may still be forming).") var dropLast = false
    @Flag(help: "No progress bar.") var quiet = false

    func validate() throws {
        let inputs = charts.count + candles.count
        if inputs == 0 { throw ValidationError("give --chart PNG or --candles FILE.csv (with --symbol)") }
        if !charts.isEmpty && !candles.isEmpty { throw ValidationError("give either --chart or --candles, not both") }
        if symbols.count != inputs { throw ValidationError("give one --symbol per --chart or --candles (\(inputs) inputs, \(symbols.count) symbols)") }
    }

    func run() throws {
        let service = PredictionService(predictor: try Predictor(url: URL(fileURLWithPath: predictor)), dataDirectory: URL(fileURLWithPath: dataDir))
        let bar = ProgressBar(total: symbols.count, label: "predict", enabled: !quiet && symbols.count > 1)
        for (i, symbol) in symbols.enumerated() {
            let result: (record: CVPrediction, files: [URL])
            if charts.isEmpty {
                let loaded = try CandleCSV.load(
                    URL(fileURLWithPath: candles[i]), symbol: symbol, interval: CandleInterval(minutes: interval),
                    formingCandle: dropLast ? .dropLast : .keep)
                let r = try service.predict(series: loaded.series)
                result = (r.0, r.1)
            } else {
                let r = try service.predict(chart: URL(fileURLWithPath: charts[i]), symbol: symbol, interval: CandleInterval(minutes: interval))
                result = (r.0, r.1)
            }
            print("\(symbol): \(result.record.setup) \(result.record.setupDirection?.rawValue ?? "") \(result.record.phase ?? "") "
                + String(format: "confidence %.3f", result.record.confidence) + " -> \(result.files.first?.path ?? "")")
            bar.update(i + 1)
        }
    }
}
