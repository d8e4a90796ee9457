import ChartCLIPMarket
import Foundation

/// One part of the base score: how good this aspect of the chart is for a long entry (0–1),
/// its weight, and a sentence saying why.
public struct ScoreComponent: Codable, Equatable, Sendable {
    /// `trend`, `pullback`, `volume` or `volatility`.
    public var name: String
    /// The measurement behind the value (ADX, ATRs from EMA20, relative volume, ATR ratio).
    public var measurement: Double
    /// How favourable the measurement is, 0–1.
    public var value: Double
    /// The component's weight in the base score.
    public var weight: Double
    /// `value · weight`: what it adds to the base score.
    public var contribution: Double
    /// Why, in words: `trend: ADX 31.2, EMA20 above EMA50, +DI above −DI → 0.81`.
    public var reason: String

    /// Creates a component; the contribution is `value · weight`.
    public init(name: String, measurement: Double, value: Double, weight: Double, reason: String) {
        self.name = name
        self.measurement = measurement
        self.value = value
        self.weight = weight
        self.contribution = value * weight
        self.reason = reason
    }
}

/// The base score of a long entry at the close of one candle, from the candles alone: the
/// four components documented on `BaseScoreWeights`. Every value at candle `t` depends on
/// candles `0...t` only.
enum BaseScore {
    static func components(_ f: MarketFeatures, at t: Int, config: DecisionConfig) -> [ScoreComponent] {
        let w = config.weights
        return [
            trend(f, at: t, weight: w.trend),
            pullback(f, at: t, weight: w.pullback),
            volume(f, at: t, weight: w.volume),
            volatility(f, at: t, weight: w.volatility, lookback: config.volatilityLookback),
        ]
    }

    static func trend(_ f: MarketFeatures, at t: Int, weight: Double) -> ScoreComponent {
        let reading = f.directional[t]
        let strength = ramp(reading.adx, from: 15, to: 35)
        let emaUp = f.emaFast[t] > f.emaSlow[t]
        let diUp = reading.plusDI > reading.minusDI
        let alignment = (emaUp ? 0.5 : 0) + (diUp ? 0.5 : 0)
        let value = strength * alignment
        let reason = "trend: ADX \(fmt(reading.adx, 1)), EMA20 \(emaUp ? "above" : "below") EMA50, "
            + "+DI \(diUp ? "above" : "below") −DI → \(fmt(value, 2))"
        return ScoreComponent(name: "trend", measurement: reading.adx, value: value, weight: weight, reason: reason)
    }

    static func pullback(_ f: MarketFeatures, at t: Int, weight: Double) -> ScoreComponent {
        let ext = f.meanExtension(at: t)
        let value = trapezoid(ext, zeroBelow: -2, fullFrom: -0.5, fullTo: 1, zeroAbove: 3)
        let place: String
        switch ext {
        case ..<(-0.5): place = "below the mean: a breakdown more than a pullback"
        case ...1: place = "near the mean: a pullback entry"
        default: place = "extended: chasing the move"
        }
        let reason = "pullback: close \(fmt(ext, 2)) ATR from EMA20, \(place) → \(fmt(value, 2))"
        return ScoreComponent(name: "pullback", measurement: ext, value: value, weight: weight, reason: reason)
    }

    static func volume(_ f: MarketFeatures, at t: Int, weight: Double) -> ScoreComponent {
        let rv = f.relativeVolume(at: t)
        let value = ramp(rv, from: 0.5, to: 2)
        let reason = "volume: \(fmt(rv, 2))× the median of the previous \(f.periods.volume) candles → \(fmt(value, 2))"
        return ScoreComponent(name: "volume", measurement: rv, value: value, weight: weight, reason: reason)
    }

    static func volatility(_ f: MarketFeatures, at t: Int, weight: Double, lookback: Int) -> ScoreComponent {
        let window = f.atr[max(0, t - max(lookback, 1))..<t]
        let typical = Indicators.median(Array(window))
        let ratio = typical > 0 ? f.atr[t] / typical : 1
        let value = trapezoid(ratio, zeroBelow: 0.5, fullFrom: 0.8, fullTo: 1.5, zeroAbove: 3)
        let percent = f.candles[t].close > 0 ? 100 * f.atr[t] / f.candles[t].close : 0
        let reason = "volatility: ATR \(fmt(percent, 2))% of price, \(fmt(ratio, 2))× its median of the "
            + "previous \(window.count) candles → \(fmt(value, 2))"
        return ScoreComponent(name: "volatility", measurement: ratio, value: value, weight: weight, reason: reason)
    }

    /// 0 at or below `from`, 1 at or above `to`, linear in between.
    static func ramp(_ x: Double, from: Double, to: Double) -> Double {
        guard x.isFinite else { return 0 }
        return min(max((x - from) / (to - from), 0), 1)
    }

    /// 0 outside `zeroBelow…zeroAbove`, 1 on `fullFrom…fullTo`, linear on the flanks.
    static func trapezoid(_ x: Double, zeroBelow: Double, fullFrom: Double, fullTo: Double, zeroAbove: Double) -> Double {
        x <= fullTo ? ramp(x, from: zeroBelow, to: fullFrom) : 1 - ramp(x, from: fullTo, to: zeroAbove)
    }

    static func fmt(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
}
