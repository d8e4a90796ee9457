import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// How the walk-forward backtest decides and measures.
public struct WalkForwardSettings: Sendable {
    /// The decision engine's settings (thresholds, CV rules, maximum prediction age).
    public var decision: DecisionConfig
    /// How long an `enter` is given to reach its target.
    public var horizon: CandleInterval
    /// Target and stop of the long entries.
    public var barrier: BarrierSpec
    /// Decide at every `stride`-th candle close.
    public var stride: Int
    /// Only decisions at or after this close time (UTC ms), e.g. the start of a held-out period.
    public var from: Int64?
    /// Only decisions at or before this close time.
    public var to: Int64?

    /// Every candle, a 2h horizon, +2%/−1%, the engine's defaults.
    public init(
        decision: DecisionConfig = DecisionConfig(), horizon: CandleInterval = CandleInterval(minutes: 120),
        barrier: BarrierSpec = BarrierSpec(), stride: Int = 1, from: Int64? = nil, to: Int64? = nil
    ) {
        self.decision = decision
        self.horizon = horizon
        self.barrier = barrier
        self.stride = stride
        self.from = from
        self.to = to
    }
}

/// Counts and results of one variant (with or without the CV adjustment).
public struct BacktestVariant: Codable, Equatable, Sendable {
    /// Decisions of each kind.
    public var enter = 0, consider = 0, avoid = 0
    /// `enter` decisions whose long entry reached the target first.
    public var enterHits = 0
    /// `enterHits / enter`.
    public var enterHitRate: Double?
    /// Mean gross return of the barrier trades of `enter` decisions.
    public var enterMeanTradeReturn: Double?
    /// Mean return at the horizon of `enter` decisions.
    public var enterMeanReturnAtHorizon: Double?

    enum CodingKeys: String, CodingKey {
        case enter, consider, avoid
        case enterHits = "enter_hits"
        case enterHitRate = "enter_hit_rate"
        case enterMeanTradeReturn = "enter_mean_trade_return"
        case enterMeanReturnAtHorizon = "enter_mean_return_at_horizon"
    }
}

/// The walk-forward comparison of decisions with and without the CV adjustment.
public struct WalkForwardReport: Codable, Equatable, Sendable {
    /// The symbol.
    public var symbol: String
    /// The candle interval.
    public var interval: String
    /// The horizon of the entries.
    public var horizon: String
    /// The barrier's label.
    public var barrier: String
    /// Close time of the first decision measured.
    public var from: String?
    /// Close time of the last decision measured.
    public var to: String?
    /// Decisions measured (both variants decide at the same closes).
    public var decisions: Int
    /// Decisions with a fresh prediction of the right interval.
    public var predictionsUsed: Int
    /// Decisions whose score a CV rule changed.
    public var adjusted: Int
    /// Decisions whose advice the CV rules changed.
    public var changed: Int
    /// The base score alone.
    public var withoutCV: BacktestVariant
    /// The base score plus the CV rules.
    public var withCV: BacktestVariant
    /// Share of long entries at every decision measured that reached the target: the hit
    /// rate of entering always.
    public var baseRate: Double?
    /// Long entries at every decision measured that reached the target (`baseRate`'s count).
    public var baseHits = 0

    enum CodingKeys: String, CodingKey {
        case symbol, interval, horizon, barrier, from, to, decisions, adjusted, changed
        case predictionsUsed = "predictions_used"
        case withoutCV = "without_cv"
        case withCV = "with_cv"
        case baseRate = "base_rate"
        case baseHits = "base_hits"
    }
}

/// Replays the decision engine candle by candle over history and measures every `enter`.
///
/// At each candle close the engine sees only the candles so far and the newest prediction
/// made at or before that close (stale ones are ignored as in a live run); the long entry is
/// measured from the next candle's open with the triple barrier. Both variants decide at the
/// same closes; decisions whose horizon runs past the data are left out of both. The
/// predictions must come from a model that did not train on the period (the caller's job).
public enum WalkForwardBacktest {
    /// Runs the comparison on one symbol.
    ///
    /// - Parameter predictions: predictions over time; those of other symbols are ignored.
    /// - Throws: when the candles are too few for one decision and its horizon.
    public static func run(
        series: CandleSeries, predictions: [CVPrediction], settings: WalkForwardSettings = WalkForwardSettings()
    ) throws -> WalkForwardReport {
        guard let bars = TripleBarrier.bars(horizon: settings.horizon, interval: series.interval) else {
            throw ChartCLIPError(
                "the \(settings.horizon) horizon is not a whole number of \(series.interval) candles", at: series.symbol)
        }
        let engine = TraderDecisionEngine(config: settings.decision)
        let first = max(settings.decision.minimumCandles - 1, 0)
        guard series.candles.count > first + bars else {
            throw ChartCLIPError(
                "\(series.candles.count) candles are too few: the engine needs \(first + 1) before a decision "
                    + "and \(bars) after it", at: series.symbol)
        }
        let symbol = series.symbol.uppercased()
        let own = predictions.filter { $0.symbol == symbol }.sorted { $0.timestamp < $1.timestamp }
        let features = MarketFeatures(candles: series.candles)
        var report = WalkForwardReport(
            symbol: symbol, interval: series.interval.description, horizon: settings.horizon.description,
            barrier: settings.barrier.label, decisions: 0, predictionsUsed: 0, adjusted: 0, changed: 0,
            withoutCV: BacktestVariant(), withCV: BacktestVariant())
        var tallyWithout = Tally(), tallyWith = Tally()
        var alwaysHits = 0
        var next = 0  // first prediction not yet visible
        for t in stride(from: first, to: series.candles.count - 1, by: max(settings.stride, 1)) {
            let close = series.closeTime(at: t)
            if let from = settings.from, close < from { continue }
            if let to = settings.to, close > to { break }
            guard let outcome = TripleBarrier.evaluate(
                series, atr: features.atr, entry: t + 1, bars: bars, direction: .up, barrier: settings.barrier)
            else { continue }
            while next < own.count && own[next].timestamp <= close { next += 1 }
            let lookup: CVPredictionLookup = next > 0
                ? .found(own[next - 1], file: nil) : .missing(reason: "no prediction at or before this close")
            let decision = try engine.decide(
                symbol: symbol, interval: series.interval, features: features, at: t, prediction: lookup)
            report.decisions += 1
            report.from = report.from ?? UTCTime.iso(milliseconds: close)
            report.to = UTCTime.iso(milliseconds: close)
            if decision.predictionStatus == .used { report.predictionsUsed += 1 }
            if decision.cvAdjustment != 0 { report.adjusted += 1 }
            if decision.decision != decision.decisionWithoutCV { report.changed += 1 }
            if outcome.success { alwaysHits += 1 }
            tallyWithout.add(decision.decisionWithoutCV, outcome)
            tallyWith.add(decision.decision, outcome)
        }
        report.withoutCV = tallyWithout.variant
        report.withCV = tallyWith.variant
        report.baseRate = report.decisions > 0 ? Double(alwaysHits) / Double(report.decisions) : nil
        report.baseHits = alwaysHits
        return report
    }

    private struct Tally {
        var variant = BacktestVariant()
        var trade = 0.0, horizon = 0.0

        mutating func add(_ action: TraderAction, _ outcome: BarrierResult) {
            switch action {
            case .consider: variant.consider += 1
            case .avoid: variant.avoid += 1
            case .enter:
                variant.enter += 1
                if outcome.success { variant.enterHits += 1 }
                trade += outcome.tradeReturn
                horizon += outcome.returnAtHorizon
                let n = Double(variant.enter)
                variant.enterHitRate = Double(variant.enterHits) / n
                variant.enterMeanTradeReturn = trade / n
                variant.enterMeanReturnAtHorizon = horizon / n
            }
        }
    }
}
