import ChartCLIPSupport
import Foundation

/// The users' two CV scoring rules, with their thresholds and steps.
///
/// Exactly as the users wrote them: a `breakout` with confidence **above** 0.8 adds 0.1, a
/// `trap` with confidence **above** 0.7 subtracts 0.1 (strict comparisons: 0.8 and 0.7
/// themselves do nothing).
public struct CVScoreRules: Codable, Equatable, Sendable {
    /// A breakout counts when its confidence is strictly above this.
    public var breakoutConfidence = 0.8
    /// Added to the score for a confident breakout.
    public var breakoutStep = 0.1
    /// A trap counts when its confidence is strictly above this.
    public var trapConfidence = 0.7
    /// Subtracted from the score for a confident trap.
    public var trapStep = 0.1

    /// The users' rules: breakout > 0.8 → +0.1, trap > 0.7 → −0.1.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case breakoutConfidence = "breakout_confidence", breakoutStep = "breakout_step"
        case trapConfidence = "trap_confidence", trapStep = "trap_step"
    }

    /// Decodes a partial JSON object: absent keys keep their defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        breakoutConfidence = try c.decodeIfPresent(Double.self, forKey: .breakoutConfidence) ?? breakoutConfidence
        breakoutStep = try c.decodeIfPresent(Double.self, forKey: .breakoutStep) ?? breakoutStep
        trapConfidence = try c.decodeIfPresent(Double.self, forKey: .trapConfidence) ?? trapConfidence
        trapStep = try c.decodeIfPresent(Double.self, forKey: .trapStep) ?? trapStep
    }
}

/// How much each part of the candle-based base score weighs. The weights sum to 1, so the
/// base score lies in 0–1.
///
/// The base score rates a **long** entry at the close of the newest candle, as the users'
/// scanner does; each component is 0–1 and comes with a reason:
///
/// - **trend**: ADX14 scaled from 15 (no trend, 0) to 35 (strong, 1), times how much of the
///   trend points up: half for EMA20 above EMA50, half for +DI above −DI. A strong downtrend
///   scores 0.
/// - **pullback**: the close's distance from EMA20 in ATRs. Near the mean (−0.5 to +1 ATR)
///   is the best entry (1); chasing an extended move (+3 ATR and beyond) or catching a
///   breakdown (−2 ATR and below) scores 0; linear in between.
/// - **volume**: the newest candle's volume over the median of the 20 before it, from 0.5×
///   (0) to 2× (1): participation confirms a move.
/// - **volatility**: ATR14 over its median of the previous `volatilityLookback` candles;
///   0.8–1.5× is a market that moves without chaos (1); a dead market (0.5× and below) or a
///   blow-out (3× and above) scores 0; linear in between. A ratio, so it means the same on
///   every interval and symbol.
public struct BaseScoreWeights: Codable, Equatable, Sendable {
    /// Trend strength (ADX, EMA order, directional index).
    public var trend = 0.35
    /// Pullback quality (distance of the close from EMA20 in ATRs).
    public var pullback = 0.25
    /// Volume (relative volume of the newest candle).
    public var volume = 0.2
    /// Volatility (ATR against its own recent median).
    public var volatility = 0.2

    /// Trend 0.35, pullback 0.25, volume 0.2, volatility 0.2.
    public init() {}

    /// Decodes a partial JSON object: absent keys keep their defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        trend = try c.decodeIfPresent(Double.self, forKey: .trend) ?? trend
        pullback = try c.decodeIfPresent(Double.self, forKey: .pullback) ?? pullback
        volume = try c.decodeIfPresent(Double.self, forKey: .volume) ?? volume
        volatility = try c.decodeIfPresent(Double.self, forKey: .volatility) ?? volatility
    }
}

/// Everything the decision engine can be tuned with. A JSON file may set any subset of the
/// keys (snake_case); the rest keep their defaults.
public struct DecisionConfig: Codable, Equatable, Sendable {
    /// Weights of the base score's components.
    public var weights = BaseScoreWeights()
    /// The CV scoring rules.
    public var cvRules = CVScoreRules()
    /// A prediction older than this many candle intervals, measured at the close of the
    /// newest candle, is ignored. Two intervals by default: the scan that made it, and one
    /// missed scan.
    public var maxPredictionAgeIntervals = 2.0
    /// A score at or above this is `enter`.
    public var enterThreshold = 0.65
    /// A score at or above this (and below `enterThreshold`) is `consider`; below it, `avoid`.
    public var considerThreshold = 0.45
    /// Fewer candles than this are refused: EMA50 and ADX14 need about 50 candles to settle.
    public var minimumCandles = 60
    /// Candles over which the volatility component takes the median ATR.
    public var volatilityLookback = 100

    /// The defaults documented on each property.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case weights
        case cvRules = "cv_rules"
        case maxPredictionAgeIntervals = "max_prediction_age_intervals"
        case enterThreshold = "enter_threshold"
        case considerThreshold = "consider_threshold"
        case minimumCandles = "minimum_candles"
        case volatilityLookback = "volatility_lookback"
    }

    /// Decodes a partial JSON object: absent keys keep their defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        weights = try c.decodeIfPresent(BaseScoreWeights.self, forKey: .weights) ?? weights
        cvRules = try c.decodeIfPresent(CVScoreRules.self, forKey: .cvRules) ?? cvRules
        maxPredictionAgeIntervals =
            try c.decodeIfPresent(Double.self, forKey: .maxPredictionAgeIntervals) ?? maxPredictionAgeIntervals
        enterThreshold = try c.decodeIfPresent(Double.self, forKey: .enterThreshold) ?? enterThreshold
        considerThreshold = try c.decodeIfPresent(Double.self, forKey: .considerThreshold) ?? considerThreshold
        minimumCandles = try c.decodeIfPresent(Int.self, forKey: .minimumCandles) ?? minimumCandles
        volatilityLookback = try c.decodeIfPresent(Int.self, forKey: .volatilityLookback) ?? volatilityLookback
    }
}

extension DecisionConfig {
    /// Reads a JSON config file; keys it does not set keep their defaults.
    ///
    /// - Throws: `ChartCLIPError` naming the file and what is wrong.
    public static func load(_ url: URL) throws -> DecisionConfig {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ChartCLIPError("cannot read the decision config: \(error.localizedDescription)", at: url.path)
        }
        do {
            return try JSONDecoder().decode(DecisionConfig.self, from: data)
        } catch {
            throw ChartCLIPError(
                "not a decision config: \(error)", at: url.path,
                hint: "a JSON object with any of weights, cv_rules, max_prediction_age_intervals, enter_threshold, "
                    + "consider_threshold, minimum_candles, volatility_lookback")
        }
    }
}
