import ArgumentParser
import ChartCLIPDecision
import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// `chartclip decide`: the decision engine on a candle file and the newest CV prediction of
/// the symbol, printed as JSON.
struct DecideCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide",
        abstract: "Score a long entry from candles, adjust it with the newest CV prediction, print JSON.",
        discussion: """
            The base score (trend, pullback, volume, volatility; each with its reason) is taken at the \
            close of the newest candle. The newest prediction of the symbol in --predictions made at or \
            before that close is applied with the users' rules: breakout > 0.8 adds 0.1, trap > 0.7 \
            subtracts 0.1. Stale, other-interval, missing or unreadable predictions add a reason, not an error.
            Example: chartclip decide --symbol BTCUSDT --candles BTCUSDT_15m.csv --predictions data/cv_predictions
            """)

    @Option(help: "Symbol (default: from the candle file name).")
    var symbol: String?

    @Option(help: "Candle CSV (recorded Bybit format or timestamp,open,high,low,close,volume[,turnover]).")
    var candles: String

    @Option(help: "Folder of prediction files SYMBOL_YYYYMMDD_HHMM.json.")
    var predictions: String = "data/cv_predictions"

    @Option(help: "Candle interval in minutes (default: inferred from the file).")
    var interval: Int?

    @Option(help: "Decision config JSON (any of weights, cv_rules, thresholds, max_prediction_age_intervals).")
    var config: String?

    @Option(help: "Maximum prediction age in candle intervals (default 2).")
    var maxAge: Double?

    @Flag(help: "Drop the file's last row: a candle that may still have been forming (recorded Bybit files).")
    var dropLast = false

    func run() throws {
        let loaded = try CandleCSV.load(
            URL(fileURLWithPath: candles), symbol: symbol, interval: interval.map { CandleInterval(minutes: $0) },
            formingCandle: dropLast ? .dropLast : .keep)
        var settings = try config.map { try DecisionConfig.load(URL(fileURLWithPath: $0)) } ?? DecisionConfig()
        if let maxAge { settings.maxPredictionAgeIntervals = maxAge }
        let decision = try simulateTraderDecisionAdvanced(
            series: loaded.series, predictionsDirectory: URL(fileURLWithPath: predictions), config: settings)
        let encoder = JSONEncoder.chartCLIP()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(decision), as: UTF8.self))
    }
}
