import Foundation

/// One line of `data/cv_feedback_logs/{symbol}_{YYYYMMDD_HHMM}.jsonl`: what happened after
/// one prediction within one horizon.
///
/// Setups that imply no direction (`range_accumulation`, `none`) are logged with
/// `applicable: false` and no success, excursions or base rate: there is no move to check,
/// but the line records that the prediction was seen and what price did (`raw_return`), and
/// it keeps the counts in the summary honest. Times are UTC ISO 8601; returns and
/// excursions are fractions (0.02 = 2%).
public struct FeedbackOutcome: Codable, Equatable, Sendable {
    /// `SYMBOL|prediction time[#record]|horizon|barrier` (`#2` for the second record at one
    /// candle time): one line per key, ever. A re-run finds the
    /// key and writes nothing; another barrier or horizon is another key.
    public var key: String
    /// The symbol.
    public var symbol: String
    /// The prediction's time (the close of the chart's newest candle).
    public var predictionTime: String
    /// The prediction file, when it came from one.
    public var predictionFile: String?
    /// The chart interval the prediction names, if any.
    public var interval: String?
    /// The model that made the prediction, if known.
    public var model: String?
    /// The setup in the users' words (`trap`, `breakout`, …).
    public var setup: String
    /// The direction measured: `up`, `down` or `none`.
    public var setupDirection: String
    /// `true` when the prediction file gave no direction and the setup's usual one was used.
    public var directionAssumed: Bool
    /// The prediction's confidence.
    public var confidence: Double
    /// The predicted phase, if any.
    public var phase: String?
    /// The horizon, `2h` or `6h`.
    public var horizon: String
    /// The barrier's label, `+2%/-1%`.
    public var barrier: String
    /// `false` for setups without a direction.
    public var applicable: Bool
    /// `target`, `stop` or `horizon`; absent when not applicable.
    public var exit: BarrierExit?
    /// Target reached before the stop and the horizon; absent when not applicable.
    public var success: Bool?
    /// Start of the entry candle.
    public var entryTime: String
    /// Open of the entry candle.
    public var entryPrice: Double
    /// Start of the candle in which the trade ended.
    public var exitTime: String?
    /// Candles from the entry to the exit, counting both.
    public var barsToExit: Int?
    /// The target used, as a fraction of the entry (ATR-scaled targets differ per line).
    public var targetFraction: Double?
    /// The stop used, as a fraction of the entry.
    public var stopFraction: Double?
    /// Return at the horizon in the setup's direction (positive = the predicted move).
    public var returnAtHorizon: Double?
    /// Return at the horizon as a long sees it.
    public var rawReturn: Double
    /// What the barrier trade made: +target, −stop, or the return at the horizon.
    public var tradeReturn: Double?
    /// Largest favourable move within the horizon.
    public var maxFavourableExcursion: Double?
    /// Largest adverse move within the horizon.
    public var maxAdverseExcursion: Double?
    /// Share of entries from every candle of the symbol in the base-rate period, same
    /// direction, horizon and barrier, that reached the target.
    public var baseRate: Double?
    /// Targets reached among those entries.
    public var baseRateHits: Int?
    /// Entries measured for the base rate.
    public var baseRateCount: Int?
    /// First entry time of the base-rate period.
    public var baseRateFrom: String?
    /// Last entry time of the base-rate period.
    public var baseRateTo: String?
    /// The setup the ground truth gives for the prediction's chart, when known.
    public var trueSetup: String?
    /// Whether the predicted setup (and direction, when the file gave one) matches it.
    public var classificationCorrect: Bool?

    enum CodingKeys: String, CodingKey {
        case key, symbol, interval, model, setup, confidence, phase, horizon, barrier, applicable, exit, success
        case predictionTime = "prediction_time"
        case predictionFile = "prediction_file"
        case setupDirection = "setup_direction"
        case directionAssumed = "direction_assumed"
        case entryTime = "entry_time"
        case entryPrice = "entry_price"
        case exitTime = "exit_time"
        case barsToExit = "bars_to_exit"
        case targetFraction = "target_fraction"
        case stopFraction = "stop_fraction"
        case returnAtHorizon = "return_at_horizon"
        case rawReturn = "raw_return"
        case tradeReturn = "trade_return"
        case maxFavourableExcursion = "max_favourable_excursion"
        case maxAdverseExcursion = "max_adverse_excursion"
        case baseRate = "base_rate"
        case baseRateHits = "base_rate_hits"
        case baseRateCount = "base_rate_count"
        case baseRateFrom = "base_rate_from"
        case baseRateTo = "base_rate_to"
        case trueSetup = "true_setup"
        case classificationCorrect = "classification_correct"
    }
}
