import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// Where the feedback loop learns which setup a chart really showed, for
/// `classification_correct`. Optional: without it the loop still measures the move.
public enum FeedbackGroundTruth: Sendable {
    /// No ground truth.
    case none
    /// The setup rules (issue 5) at the prediction's candle: the labels the training data
    /// uses, read from the same candles.
    case setupRules(SetupRules)
    /// A label given by the caller (a word such as `trap`), or `nil` when unknown: for a
    /// replay over planted synthetic setups or hand-checked charts.
    case lookup(@Sendable (CVPrediction) -> String?)
}

/// What the feedback loop measures: the horizons, the barrier, the base-rate period and the
/// optional ground truth.
public struct FeedbackSettings: Sendable {
    /// Horizons to check, 2h and 6h by default.
    public var horizons: [CandleInterval]
    /// Target and stop.
    public var barrier: BarrierSpec
    /// The base rate counts entries from every candle within this many milliseconds either
    /// side of the prediction (7 days by default, "the same period"); `nil` uses the whole
    /// series. In a live run the later half is not there yet when a line is logged; each
    /// line records the period it used (`base_rate_from`, `base_rate_to`).
    public var baseRateWindow: Int64?
    /// Where the true setup comes from, if anywhere.
    public var groundTruth: FeedbackGroundTruth

    /// The users' defaults: 2h and 6h, +2%/−1%, a ±7-day base-rate period, no ground truth.
    public init(
        horizons: [CandleInterval] = [CandleInterval(minutes: 120), CandleInterval(minutes: 360)],
        barrier: BarrierSpec = BarrierSpec(), baseRateWindow: Int64? = 7 * 86_400_000,
        groundTruth: FeedbackGroundTruth = .none
    ) {
        self.horizons = horizons
        self.barrier = barrier
        self.baseRateWindow = baseRateWindow
        self.groundTruth = groundTruth
    }
}

/// A prediction and horizon without an outcome, and why.
public struct FeedbackPending: Equatable, Sendable {
    /// The symbol.
    public var symbol: String
    /// The prediction's time, UTC ms.
    public var predictionTime: Int64
    /// The horizon.
    public var horizon: CandleInterval
    /// Why there is no outcome.
    public var reason: String
}

/// The result of one pass of the feedback loop.
public struct FeedbackEvaluation: Sendable {
    /// One outcome per prediction and horizon whose horizon has passed.
    public var outcomes: [FeedbackOutcome] = []
    /// Horizons that have not passed in the candles yet: they wait for a later run.
    public var waiting: [FeedbackPending] = []
    /// Predictions that cannot be measured (no candles for the symbol, a gap in the candles,
    /// a horizon that is not a whole number of candles, no ATR for an ATR barrier).
    public var skipped: [FeedbackPending] = []
}

/// The users' `feedback_loop_cv`: for each prediction and horizon, did the predicted move
/// happen, and how often does that move happen anyway?
///
/// The outcome is the triple barrier (`TripleBarrier`) of an entry at the open of the first
/// candle starting at or after the prediction's time, in the setup's direction. "Passed" is
/// judged by the candles given, not the clock, so a replay of a held-out period and a live
/// run give the same lines. The candles may be finer than the chart the prediction was made
/// on (the barrier is then more exact); the horizon must be a whole number of them. Pure: it
/// reads nothing and writes nothing (`FeedbackLog` does).
public enum FeedbackLoop {
    /// Outcomes of in-memory predictions against in-memory candles (one series per symbol;
    /// when a symbol has several, the finest interval is used).
    public static func evaluate(
        _ predictions: [CVPrediction], candles: [CandleSeries], settings: FeedbackSettings = FeedbackSettings()
    ) -> FeedbackEvaluation {
        evaluate(predictions.map { ($0, nil) }, candles: candles, settings: settings)
    }

    /// Outcomes of predictions read from files; each line names its file.
    public static func evaluate(
        files: [CVPredictionFile], candles: [CandleSeries], settings: FeedbackSettings = FeedbackSettings()
    ) -> FeedbackEvaluation {
        evaluate(files.map { ($0.prediction, $0.url.path) }, candles: candles, settings: settings)
    }

    /// `SYMBOL|2025-06-23T10:45:00Z|2h|+2%/-1%`: the idempotency key of a log line.
    public static func key(symbol: String, predictionTime: Int64, record: Int = 1, horizon: CandleInterval, barrier: BarrierSpec) -> String {
        "\(symbol)|\(UTCTime.iso(milliseconds: predictionTime))\(record > 1 ? "#\(record)" : "")|\(horizon)|\(barrier.label)"
    }

    static func evaluate(
        _ items: [(prediction: CVPrediction, file: String?)], candles: [CandleSeries], settings: FeedbackSettings
    ) -> FeedbackEvaluation {
        var markets: [String: SymbolMarket] = [:]
        for series in candles {
            let symbol = series.symbol.uppercased()
            if let known = markets[symbol], known.series.interval.milliseconds <= series.interval.milliseconds { continue }
            markets[symbol] = SymbolMarket(series)
        }
        var result = FeedbackEvaluation()
        for (prediction, file) in items {
            for horizon in settings.horizons {
                func pending(_ reason: String) -> FeedbackPending {
                    FeedbackPending(
                        symbol: prediction.symbol, predictionTime: prediction.timestamp, horizon: horizon, reason: reason)
                }
                guard let market = markets[prediction.symbol] else {
                    result.skipped.append(pending("no candles for \(prediction.symbol)"))
                    continue
                }
                switch market.measure(prediction, file: file, horizon: horizon, settings: settings) {
                case .outcome(let outcome): result.outcomes.append(outcome)
                case .waiting(let why): result.waiting.append(pending(why))
                case .skipped(let why): result.skipped.append(pending(why))
                }
            }
        }
        return result
    }
}

/// One symbol's candles with what the loop derives from them once: ATRs, features for the
/// rule labels, base-rate tables per horizon and direction.
private final class SymbolMarket {
    enum Measurement {
        case outcome(FeedbackOutcome)
        case waiting(String)
        case skipped(String)
    }

    let series: CandleSeries
    let atr: [Double]
    private var features: MarketFeatures?
    private var baseRates: [String: BaseRateTable] = [:]

    init(_ series: CandleSeries) {
        self.series = series
        atr = Indicators.atr(series.candles)
    }

    func measure(
        _ p: CVPrediction, file: String?, horizon: CandleInterval, settings: FeedbackSettings
    ) -> Measurement {
        let candles = series.candles, step = series.interval.milliseconds
        guard let bars = TripleBarrier.bars(horizon: horizon, interval: series.interval) else {
            return .skipped("the \(horizon) horizon is not a whole number of \(series.interval) candles")
        }
        guard let last = candles.last else { return .skipped("no candles for \(p.symbol)") }
        // The first candle that opens at or after the prediction: no look-ahead.
        let entry = firstIndex(atOrAfter: p.timestamp)
        let horizonEnd = p.timestamp + horizon.milliseconds
        guard entry < candles.count else {
            return .waiting("no candle after \(UTCTime.iso(milliseconds: p.timestamp)) yet")
        }
        guard entry >= 1, candles[entry].startTime - p.timestamp < step else {
            let what = entry == 0 ? "the prediction is before the first candle" : "candles are missing after the prediction"
            return .skipped("\(what) (\(UTCTime.iso(milliseconds: p.timestamp)))")
        }
        guard entry + bars - 1 < candles.count else {
            let newest = UTCTime.iso(milliseconds: last.startTime + step)
            return .waiting("the horizon ends at \(UTCTime.iso(milliseconds: horizonEnd)), the candles at \(newest)")
        }
        let direction = p.impliedDirection
        var outcome = FeedbackOutcome(
            key: FeedbackLoop.key(
                symbol: p.symbol, predictionTime: p.timestamp,
                record: file.map(CVPredictionFiles.recordNumber(ofFile:)) ?? 1,
                horizon: horizon, barrier: settings.barrier),
            symbol: p.symbol, predictionTime: UTCTime.iso(milliseconds: p.timestamp), predictionFile: file,
            interval: p.interval?.description, model: p.model, setup: p.setupWord, setupDirection: direction.rawValue,
            directionAssumed: p.directionIsAssumed, confidence: p.confidence, phase: p.phase,
            horizon: horizon.description, barrier: settings.barrier.label, applicable: direction != .none,
            entryTime: UTCTime.iso(milliseconds: candles[entry].startTime), entryPrice: candles[entry].open,
            rawReturn: 0)
        guard let window = TripleBarrier.window(candles, interval: series.interval, entry: entry, bars: bars) else {
            return .skipped("candles are missing within the \(horizon) horizon")
        }
        // Recorded even when the setup has no direction: what price did meanwhile.
        outcome.rawReturn = candles[window.upperBound].close / candles[entry].open - 1
        addTruth(to: &outcome, prediction: p, entry: entry, truth: settings.groundTruth)
        guard direction != .none else { return .outcome(outcome) }
        guard let result = TripleBarrier.evaluate(
            series, atr: atr, entry: entry, bars: bars, direction: direction, barrier: settings.barrier)
        else { return .skipped("no ATR before \(outcome.entryTime) for the ATR-scaled barrier") }
        outcome.exit = result.exit
        outcome.success = result.success
        outcome.exitTime = UTCTime.iso(milliseconds: candles[result.exitIndex].startTime)
        outcome.barsToExit = result.exitIndex - entry + 1
        outcome.targetFraction = result.targetFraction
        outcome.stopFraction = result.stopFraction
        outcome.returnAtHorizon = result.returnAtHorizon
        outcome.tradeReturn = result.tradeReturn
        outcome.maxFavourableExcursion = result.maxFavourableExcursion
        outcome.maxAdverseExcursion = result.maxAdverseExcursion
        addBaseRate(to: &outcome, time: p.timestamp, bars: bars, direction: direction, settings: settings)
        return .outcome(outcome)
    }

    private func addBaseRate(
        to outcome: inout FeedbackOutcome, time: Int64, bars: Int, direction: SetupDirection, settings: FeedbackSettings
    ) {
        let tableKey = "\(bars)|\(direction.rawValue)"
        let table = baseRates[tableKey] ?? BaseRateTable(
            series: series, atr: atr, bars: bars, direction: direction, barrier: settings.barrier)
        baseRates[tableKey] = table
        guard let span = table.span else { return }
        let window = settings.baseRateWindow
        let from = max(span.lowerBound, window.map { time - $0 } ?? .min)
        let to = min(span.upperBound, window.map { time + $0 } ?? .max)
        let (hits, count) = table.rate(from: from, to: to)
        outcome.baseRateHits = hits
        outcome.baseRateCount = count
        outcome.baseRate = count > 0 ? Double(hits) / Double(count) : nil
        outcome.baseRateFrom = UTCTime.iso(milliseconds: from)
        outcome.baseRateTo = UTCTime.iso(milliseconds: to)
    }

    private func addTruth(to outcome: inout FeedbackOutcome, prediction p: CVPrediction, entry: Int, truth: FeedbackGroundTruth) {
        switch truth {
        case .none:
            return
        case .lookup(let label):
            guard let word = label(p) else { return }
            outcome.trueSetup = SetupWords.canonicalWord(word)
            outcome.classificationCorrect = SetupWords.setupType(word) != nil && SetupWords.setupType(word) == p.setupType
        case .setupRules(let rules):
            if features == nil { features = MarketFeatures(candles: series.candles) }
            guard let features else { return }
            // The chart's newest candle is the one before the entry.
            let match = rules.setup(in: features, at: entry - 1)
            outcome.trueSetup = SetupWords.userWord(match.type)
            let sameDirection = p.setupDirection == nil || match.direction == .none || p.setupDirection == match.direction
            outcome.classificationCorrect = p.setupType == match.type && sameDirection
        }
    }

    private func firstIndex(atOrAfter time: Int64) -> Int {
        var lo = 0, hi = series.candles.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if series.candles[mid].startTime < time { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
