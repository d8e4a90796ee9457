import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// What became of the CV prediction in a decision.
public enum CVPredictionStatus: String, Codable, Equatable, Sendable {
    /// The prediction was fresh and matched; the rules were applied (they may add nothing).
    case used
    /// Older than the maximum age at the newest candle's close.
    case stale
    /// Made after the newest candle's close: a replay must not see it.
    case fromFuture = "from_future"
    /// Made on charts of another candle interval.
    case otherInterval = "other_interval"
    /// For another symbol.
    case otherSymbol = "other_symbol"
    /// No prediction was found.
    case missing
    /// The newest prediction file could not be read.
    case unreadable
    /// The caller asked for a decision without the CV model.
    case disabled
}

/// The CV part of a decision: the score change, why, and the prediction behind it.
public struct CVAdjustment: Equatable, Sendable {
    /// What became of the prediction.
    public var status: CVPredictionStatus
    /// Added to the base score (0 unless a rule fired).
    public var delta: Double
    /// One sentence starting with `CV Model:`.
    public var reason: String
    /// The prediction considered, if one was read (also when it was ignored).
    public var prediction: CVPrediction?
    /// The file it came from.
    public var file: String?
}

extension CVScoreRules {
    /// The users' rules applied to one prediction: `(+breakoutStep, "CV Model: breakout with
    /// high confidence")` for a breakout above `breakoutConfidence`, `(−trapStep, "CV Model:
    /// possible trap")` for a trap (or fakeout) above `trapConfidence`, `nil` otherwise.
    public func adjustment(for prediction: CVPrediction) -> (delta: Double, reason: String)? {
        switch prediction.setupType {
        case .breakout where prediction.confidence > breakoutConfidence:
            (breakoutStep, "CV Model: breakout with high confidence")
        case .fakeout where prediction.confidence > trapConfidence:
            (-trapStep, "CV Model: possible trap")
        default:
            nil
        }
    }

    /// Why no rule fired, for the reasons list.
    func noAdjustmentReason(for prediction: CVPrediction) -> String {
        let confidence = String(format: "%.2f", prediction.confidence)
        switch prediction.setupType {
        case .breakout:
            return "CV Model: breakout with confidence \(confidence), not above \(breakoutConfidence): no adjustment"
        case .fakeout:
            return "CV Model: trap with confidence \(confidence), not above \(trapConfidence): no adjustment"
        default:
            return "CV Model: \(prediction.setup) (confidence \(confidence)): no rule for this setup, no adjustment"
        }
    }
}

extension DecisionConfig {
    /// Checks a looked-up prediction against the decision (symbol, interval, age at `asOf`,
    /// the close of the newest candle) and applies the rules when it passes.
    ///
    /// Age is measured against the candles, not the wall clock, so a replay of history
    /// decides exactly as the live run did. A prediction without an interval is taken to be
    /// for the decision's interval (the users' files do not say).
    func cvAdjustment(
        _ lookup: CVPredictionLookup?, symbol: String, interval: CandleInterval, asOf: Int64
    ) -> CVAdjustment {
        guard let lookup else {
            return CVAdjustment(status: .disabled, delta: 0, reason: "CV Model: not used", prediction: nil, file: nil)
        }
        let prediction: CVPrediction, file: String?
        switch lookup {
        case .missing(let why):
            return CVAdjustment(
                status: .missing, delta: 0, reason: "CV Model: no prediction (\(why)): no adjustment",
                prediction: nil, file: nil)
        case .unreadable(let path, let error):
            return CVAdjustment(
                status: .unreadable, delta: 0,
                reason: "CV Model: cannot read the prediction file \(path) (\(error)): no adjustment",
                prediction: nil, file: path)
        case .found(let p, let f):
            (prediction, file) = (p, f)
        }
        func ignored(_ status: CVPredictionStatus, _ why: String) -> CVAdjustment {
            CVAdjustment(status: status, delta: 0, reason: "CV Model: \(why): ignored", prediction: prediction, file: file)
        }
        let made = UTCTime.iso(milliseconds: prediction.timestamp)
        let close = UTCTime.iso(milliseconds: asOf)
        if prediction.symbol != symbol.uppercased() {
            return ignored(.otherSymbol, "the prediction is for \(prediction.symbol), not \(symbol)")
        }
        if let own = prediction.interval, own != interval {
            return ignored(.otherInterval, "the prediction is for \(own) candles, the decision for \(interval)")
        }
        if prediction.timestamp > asOf {
            return ignored(.fromFuture, "the prediction of \(made) is after the newest candle's close \(close)")
        }
        let age = asOf - prediction.timestamp
        let maxAge = Int64((maxPredictionAgeIntervals * Double(interval.milliseconds)).rounded())
        if age > maxAge {
            return ignored(
                .stale,
                "the prediction of \(made) is \(age / 60_000) min old at the newest candle's close \(close), "
                    + "more than \(String(format: "%g", maxPredictionAgeIntervals)) intervals (\(maxAge / 60_000) min)")
        }
        if let rule = cvRules.adjustment(for: prediction) {
            return CVAdjustment(status: .used, delta: rule.delta, reason: rule.reason, prediction: prediction, file: file)
        }
        return CVAdjustment(
            status: .used, delta: 0, reason: cvRules.noAdjustmentReason(for: prediction), prediction: prediction,
            file: file)
    }
}
