import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// What the engine advises for a long entry.
public enum TraderAction: String, Codable, Equatable, Sendable, CaseIterable {
    /// Score at or above `enterThreshold`.
    case enter
    /// Score at or above `considerThreshold`.
    case consider
    /// Anything lower.
    case avoid
}

/// One decision: the score, the advice, every reason, and the prediction behind the CV part.
public struct TraderDecision: Equatable, Sendable {
    /// The symbol decided on.
    public var symbol: String
    /// The candle interval.
    public var interval: CandleInterval
    /// UTC ms of the close of the newest candle: the moment of the decision.
    public var asOf: Int64
    /// `baseScore + cvAdjustment`, not clamped (as the users' code adds and subtracts).
    public var score: Double
    /// The score from the candles alone, 0–1.
    public var baseScore: Double
    /// What the CV rules added (0, +breakoutStep or −trapStep).
    public var cvAdjustment: Double
    /// The advice from `score` and the configured thresholds.
    public var decision: TraderAction
    /// The advice the base score alone would give (for comparing with and without CV).
    public var decisionWithoutCV: TraderAction
    /// The base score's parts.
    public var components: [ScoreComponent]
    /// Every reason, components first, the CV reason last.
    public var reasons: [String]
    /// What became of the prediction.
    public var predictionStatus: CVPredictionStatus
    /// The prediction considered (also when ignored, so the reason can be checked).
    public var prediction: CVPrediction?
    /// The file the prediction came from.
    public var predictionFile: String?
}

extension TraderDecision: Codable {
    enum CodingKeys: String, CodingKey {
        case symbol, interval, score, decision, components, reasons, prediction
        case asOf = "as_of"
        case baseScore = "base_score"
        case cvAdjustment = "cv_adjustment"
        case decisionWithoutCV = "decision_without_cv"
        case predictionStatus = "prediction_status"
        case predictionFile = "prediction_file"
    }

    /// Encodes times as UTC ISO 8601 and the interval as `15m`.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(symbol, forKey: .symbol)
        try c.encode(interval.description, forKey: .interval)
        try c.encode(UTCTime.iso(milliseconds: asOf), forKey: .asOf)
        try c.encode(score, forKey: .score)
        try c.encode(baseScore, forKey: .baseScore)
        try c.encode(cvAdjustment, forKey: .cvAdjustment)
        try c.encode(decision, forKey: .decision)
        try c.encode(decisionWithoutCV, forKey: .decisionWithoutCV)
        try c.encode(components, forKey: .components)
        try c.encode(reasons, forKey: .reasons)
        try c.encode(predictionStatus, forKey: .predictionStatus)
        try c.encodeIfPresent(prediction, forKey: .prediction)
        try c.encodeIfPresent(predictionFile, forKey: .predictionFile)
    }

    /// Decodes what `encode(to:)` writes.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        symbol = try c.decode(String.self, forKey: .symbol)
        interval = try CandleInterval(parsing: try c.decode(String.self, forKey: .interval))
        let time = try c.decode(String.self, forKey: .asOf)
        guard let ms = UTCTime.parseISO(time) else {
            throw ChartCLIPError("\"as_of\" is \"\(time)\", not a UTC time")
        }
        asOf = ms
        score = try c.decode(Double.self, forKey: .score)
        baseScore = try c.decode(Double.self, forKey: .baseScore)
        cvAdjustment = try c.decode(Double.self, forKey: .cvAdjustment)
        decision = try c.decode(TraderAction.self, forKey: .decision)
        decisionWithoutCV = try c.decode(TraderAction.self, forKey: .decisionWithoutCV)
        components = try c.decode([ScoreComponent].self, forKey: .components)
        reasons = try c.decode([String].self, forKey: .reasons)
        predictionStatus = try c.decode(CVPredictionStatus.self, forKey: .predictionStatus)
        prediction = try c.decodeIfPresent(CVPrediction.self, forKey: .prediction)
        predictionFile = try c.decodeIfPresent(String.self, forKey: .predictionFile)
    }
}

/// The decision engine: a base score from the candles (trend, pullback, volume, volatility;
/// see `BaseScoreWeights`) plus the users' CV rules (`CVScoreRules`), turned into `enter`,
/// `consider` or `avoid` by the thresholds of `DecisionConfig`.
public struct TraderDecisionEngine: Sendable {
    /// The engine's settings.
    public var config: DecisionConfig

    /// An engine with the given settings (the documented defaults otherwise).
    public init(config: DecisionConfig = DecisionConfig()) { self.config = config }

    /// The advice for a score: `enter` at or above `enterThreshold`, `consider` at or above
    /// `considerThreshold`, `avoid` below.
    public func action(for score: Double) -> TraderAction {
        if score >= config.enterThreshold { return .enter }
        if score >= config.considerThreshold { return .consider }
        return .avoid
    }

    /// The decision at the close of candle `t` of `features`.
    ///
    /// - Parameters:
    ///   - prediction: the looked-up CV prediction, or `nil` to decide without the CV model.
    /// - Throws: when fewer than `minimumCandles` candles lead up to `t`.
    public func decide(
        symbol: String, interval: CandleInterval, features: MarketFeatures, at t: Int,
        prediction: CVPredictionLookup?
    ) throws -> TraderDecision {
        guard t >= 0, t < features.count else {
            throw ChartCLIPError("candle \(t) is outside the \(features.count) candles given", at: symbol)
        }
        guard t + 1 >= config.minimumCandles else {
            throw ChartCLIPError(
                "\(t + 1) candles lead up to the decision; the base score needs at least \(config.minimumCandles)",
                at: symbol, hint: "give more history (EMA50 and ADX14 need about 50 candles to settle)")
        }
        let components = BaseScore.components(features, at: t, config: config)
        let base = components.reduce(0) { $0 + $1.contribution }
        let asOf = features.candles[t].startTime + interval.milliseconds
        let cv = config.cvAdjustment(prediction, symbol: symbol, interval: interval, asOf: asOf)
        let score = base + cv.delta
        return TraderDecision(
            symbol: symbol, interval: interval, asOf: asOf, score: score, baseScore: base, cvAdjustment: cv.delta,
            decision: action(for: score), decisionWithoutCV: action(for: base), components: components,
            reasons: components.map(\.reason) + [cv.reason], predictionStatus: cv.status,
            prediction: cv.prediction, predictionFile: cv.file)
    }
}

/// The users' `simulate_trader_decision_advanced`: the decision at the close of the newest
/// candle of `series`, adjusted by the newest prediction of the symbol in
/// `predictionsDirectory` (`data/cv_predictions` in the users' layout).
///
/// The prediction is looked up as of the newest candle's close, so running this on a slice
/// of history replays what the live run decided. A missing, unreadable, stale or
/// other-interval prediction leaves the score as it is and says why in `reasons`.
///
/// - Throws: only for the candles (fewer than `minimumCandles`).
public func simulateTraderDecisionAdvanced(
    series: CandleSeries, predictionsDirectory: URL, config: DecisionConfig = DecisionConfig()
) throws -> TraderDecision {
    guard let last = series.candles.last else {
        throw ChartCLIPError("no candles", at: series.symbol, hint: "give a candle file with history")
    }
    let asOf = last.startTime + series.interval.milliseconds
    let lookup = loadCVPrediction(symbol: series.symbol, directory: predictionsDirectory, asOf: asOf)
    return try simulateTraderDecisionAdvanced(series: series, prediction: lookup, config: config)
}

/// The decision at the close of the newest candle of `series` with a prediction given in
/// memory (`.found(prediction, file: nil)`), or a lookup done elsewhere.
public func simulateTraderDecisionAdvanced(
    series: CandleSeries, prediction: CVPredictionLookup?, config: DecisionConfig = DecisionConfig()
) throws -> TraderDecision {
    let features = MarketFeatures(candles: series.candles)
    return try TraderDecisionEngine(config: config).decide(
        symbol: series.symbol, interval: series.interval, features: features, at: series.candles.count - 1,
        prediction: prediction)
}
