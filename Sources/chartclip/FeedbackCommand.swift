import ArgumentParser
import ChartCLIPDecision
import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// `chartclip feedback`: check past predictions against the candles that followed, append
/// the outcomes to the feedback logs, and summarise hit rates beside base rates.
struct FeedbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feedback",
        abstract: "Log whether predicted setups moved as predicted (triple barrier), beside the base rate.",
        discussion: """
            For every prediction and horizon that has passed in the candles: entry at the next candle's \
            open, success if the target is reached in the setup's direction before the stop and the \
            horizon (a candle touching both is a stop). One JSON line per prediction and horizon is \
            appended to LOGS/{symbol}_{YYYYMMDD_HHMM}.jsonl; re-running never duplicates a line, and \
            horizons that have not passed wait for a later run. Setups without a direction \
            (range_accumulation, none) are logged as not applicable.
            Examples:
              chartclip feedback --predictions data/cv_predictions --candles candles/ --horizons 2h,6h
              chartclip feedback --summary --logs data/cv_feedback_logs
            """)

    @Option(help: "Folder of prediction files.")
    var predictions: String = "data/cv_predictions"

    @Option(help: "A candle CSV or a folder of them (symbol from each file name).")
    var candles: String?

    @Option(help: "Horizons, comma-separated (2h, 6h, 120, …).")
    var horizons: String = "2h,6h"

    @Option(help: "Target as a fraction of the entry (0.02 = 2%) in the setup's direction.")
    var target: Double = 0.02

    @Option(help: "Stop as a fraction of the entry.")
    var stop: Double = 0.01

    @Option(help: "Scale the target to K ATRs of the candle before the entry instead.")
    var atrTarget: Double?

    @Option(help: "Scale the stop to K ATRs instead.")
    var atrStop: Double?

    @Option(help: "Feedback log folder.")
    var logs: String = "data/cv_feedback_logs"

    @Option(help: "Base rate over candles within this many days of each prediction (0 = the whole file).")
    var baseRateDays: Double = 7

    @Option(help: "Candle interval in minutes (default: inferred from each file).")
    var interval: Int?

    @Flag(help: "Use the setup rules at the prediction's candle as ground truth for classification_correct.")
    var ruleTruth = false

    @Flag(help: "Drop each file's last row: a candle that may still have been forming (recorded Bybit files).")
    var dropLast = false

    @Flag(help: "Print hit rates per setup and horizon beside base rates, from the logs.")
    var summary = false

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func validate() throws {
        guard candles != nil || summary else {
            throw ValidationError("give --candles to evaluate predictions, or --summary to summarise the logs")
        }
        // A barrier of 0 is touched by the entry candle itself: every call would be decided at once.
        for (flag, value) in [("--target", target), ("--stop", stop)] where !(value > 0 && value < 1) {
            throw ValidationError("\(flag) \(value) must be a fraction of the entry price between 0 and 1, e.g. 0.02 for 2%")
        }
        for (flag, value) in [("--atr-target", atrTarget), ("--atr-stop", atrStop)] {
            if let value, !(value > 0 && value <= 100) { throw ValidationError("\(flag) \(value) must be a number of ATRs in (0, 100]") }
        }
        guard baseRateDays >= 0 && baseRateDays.isFinite else {
            throw ValidationError("--base-rate-days \(baseRateDays) must be 0 (the whole file) or more")
        }
        if let interval, !(1...527_040).contains(interval) {
            throw ValidationError("--interval \(interval) must be between 1 and 527040 minutes")
        }
    }

    func run() throws {
        let logFolder = URL(fileURLWithPath: logs)
        if let candles {
            try evaluate(candles: URL(fileURLWithPath: candles), logFolder: logFolder)
        }
        if summary {
            let contents = try FeedbackLog.read(logFolder)
            for line in contents.damagedLines { warn("skipped a line that is not an outcome: \(line)") }
            let result = FeedbackSummary(outcomes: contents.outcomes)
            if json {
                let encoder = JSONEncoder.chartCLIP()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(result), as: UTF8.self))
            } else {
                print("\(contents.outcomes.count) logged outcome(s) in \(logFolder.path)")
                print(result.table)
            }
        }
    }

    private func evaluate(candles path: URL, logFolder: URL) throws {
        let horizonList = try horizons.split(separator: ",").map { try CandleInterval(parsing: String($0)) }
        guard !horizonList.isEmpty else { throw ValidationError("--horizons is empty") }
        let series = try CandleSources.load(
            path, interval: interval.map { CandleInterval(minutes: $0) }, formingCandle: dropLast ? .dropLast : .keep)
        let folder = try CVPredictionFiles.readFolder(URL(fileURLWithPath: predictions))
        for failure in folder.failures { warn("skipped: \(failure.error)") }
        let settings = FeedbackSettings(
            horizons: horizonList,
            barrier: BarrierSpec(target: target, stop: stop, targetATR: atrTarget, stopATR: atrStop),
            baseRateWindow: baseRateDays > 0 ? Int64(baseRateDays * 86_400_000) : nil,
            groundTruth: ruleTruth ? .setupRules(SetupRules()) : .none)
        let evaluation = FeedbackLoop.evaluate(files: folder.files, candles: series, settings: settings)
        let write = try FeedbackLog.append(evaluation.outcomes, to: logFolder)
        for pending in evaluation.skipped.prefix(10) {
            warn("skipped \(pending.symbol) \(UTCTime.iso(milliseconds: pending.predictionTime)) \(pending.horizon): \(pending.reason)")
        }
        if evaluation.skipped.count > 10 { warn("… and \(evaluation.skipped.count - 10) more skipped") }
        print(
            "\(folder.files.count) prediction(s), \(horizonList.count) horizon(s): wrote \(write.written) line(s), "
                + "\(write.alreadyLogged) already logged, \(evaluation.waiting.count) waiting for their horizon, "
                + "\(evaluation.skipped.count) skipped; logs in \(logFolder.path)")
    }

    private func warn(_ text: String) {
        FileHandle.standardError.write(Data("note: \(text)\n".utf8))
    }
}
