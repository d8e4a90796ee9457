import Foundation

/// The synthetic market's running state: the candles so far with their indicators, the
/// random stream, and the background process (regimes and GARCH volatility).
///
/// It is a value: a planted scenario that fails its check is undone by restoring a copy.
struct SyntheticBuilder {
    /// The background regime: drift up, drift down, or revert to an anchor price.
    enum Regime: CaseIterable { case up, down, range }

    let configuration: SyntheticMarket.Configuration
    var features = MarketFeatures()
    var rng: SeededGenerator
    private(set) var nextStart: Int64
    private var variance: Double
    private var regime = Regime.range
    private var anchor: Double

    /// Prices are rounded to this many decimals (a fixed tick, as on an exchange).
    private let priceScale: Double

    init(configuration: SyntheticMarket.Configuration) {
        self.configuration = configuration
        rng = SeededGenerator(seed: configuration.seed)
        let step = configuration.interval.milliseconds
        nextStart = configuration.startTime - ((configuration.startTime % step) + step) % step
        variance = configuration.volatility * configuration.volatility
        anchor = configuration.startPrice
        // Six significant digits at the start price: 100 → 0.001.
        let digits = 5 - Int(log10(configuration.startPrice).rounded(.down))
        priceScale = pow(10, Double(max(0, min(digits, 10))))
    }

    var count: Int { features.count }
    var lastClose: Double { features.candles.last?.close ?? configuration.startPrice }
    var atr: Double { features.atr.last ?? configuration.volatility * configuration.startPrice }

    /// Whether every candle from index `start` on has a positive low.
    func pricesPositive(from start: Int) -> Bool {
        features.candles[min(start, features.count)...].allSatisfy { $0.low > 0 }
    }

    /// Median volume of the last 20 candles: the yardstick for a scenario's volumes.
    var typicalVolume: Double {
        let recent = features.candles.suffix(20).map(\.volume)
        return recent.isEmpty ? configuration.baseVolume : Indicators.median(recent)
    }

    /// Appends a candle, rounding prices to the tick and keeping high/low consistent.
    mutating func append(open: Double, high: Double, low: Double, close: Double, volume: Double) {
        let o = round(open, priceScale), c = round(close, priceScale)
        let h = max(round(high, priceScale), o, c)
        let l = min(round(low, priceScale), o, c)
        let v = max(round(volume, 1000), 0.001)
        let turnover = round(v * (o + h + l + c) / 4, 10_000)
        features.append(Candle(startTime: nextStart, open: o, high: h, low: l, close: c, volume: v, turnover: turnover))
        nextStart += configuration.interval.milliseconds
    }

    /// One ordinary candle of the background process.
    ///
    /// Regimes switch at random (mean length ~45 bars). Returns follow a GARCH(1,1)
    /// volatility, `σ²ₜ = ω + a·ε²ₜ₋₁ + b·σ²ₜ₋₁` with a = 0.08, b = 0.90 (typical of crypto
    /// returns), so calm and wild stretches cluster; 3% of shocks are 2.5× larger for fat
    /// tails. Volume grows with volatility and with the size of the bar's own move.
    mutating func backgroundBar() {
        if rng.chance(1.0 / 45) {
            regime = Regime.allCases[rng.integer(0...2)]
            anchor = lastClose
        }
        let sigma0 = configuration.volatility
        let sigma = variance.squareRoot()
        let open = lastClose
        // A weak pull towards the start price keeps a long series from wandering off.
        var drift = -0.002 * log(open / configuration.startPrice)
        switch regime {
        case .up: drift += 0.15 * sigma
        case .down: drift -= 0.15 * sigma
        case .range: drift -= 0.15 * log(open / anchor)
        }
        var z = rng.normal()
        if rng.chance(0.03) { z *= 2.5 }
        let shock = sigma * z
        let omega = sigma0 * sigma0 * (1 - 0.08 - 0.90)
        variance = omega + 0.08 * shock * shock + 0.90 * variance
        let close = open * exp(drift + shock)
        let high = max(open, close) * exp(sigma * 0.5 * abs(rng.normal()))
        let low = min(open, close) * exp(-sigma * 0.5 * abs(rng.normal()))
        let activity = pow(sigma / sigma0, 0.7) * (0.55 + 0.45 * abs(z))
        let volume = configuration.baseVolume * activity * exp(0.25 * rng.normal())
        append(open: open, high: high, low: low, close: close, volume: volume)
    }

    private func round(_ x: Double, _ scale: Double) -> Double { (x * scale).rounded() / scale }
}

/// Coordinates of a scripted scenario: price = anchor + side · unit · x, so a script written
/// for the upward case (x grows upward, in ATRs) draws the downward case when side = −1.
struct ScenarioFrame {
    /// Price at x = 0.
    let anchor: Double
    /// One x unit in price (the ATR when the scenario starts).
    let unit: Double
    /// +1 for the upward case, −1 for its mirror image.
    let side: Double

    func price(_ x: Double) -> Double { anchor + side * unit * x }
    func x(_ price: Double) -> Double { (price - anchor) / (side * unit) }

    /// The candle's extreme on the scenario's side (its high when side = +1), in x.
    func top(_ c: Candle) -> Double { side > 0 ? x(c.high) : x(c.low) }
    /// The candle's extreme against the scenario's side, in x.
    func bottom(_ c: Candle) -> Double { side > 0 ? x(c.low) : x(c.high) }
}

extension SyntheticBuilder {
    /// Appends a candle given in scenario coordinates (`top` ≥ max(open, close) ≥
    /// min(open, close) ≥ `bottom`); the mirror image swaps high and low.
    mutating func append(
        _ frame: ScenarioFrame, open: Double, top: Double, bottom: Double, close: Double, volume: Double
    ) {
        let a = frame.price(top), b = frame.price(bottom)
        append(
            open: frame.price(open), high: max(a, b), low: min(a, b), close: frame.price(close),
            volume: volume)
    }

    /// The last close in scenario coordinates.
    func lastX(_ frame: ScenarioFrame) -> Double { frame.x(lastClose) }

    /// The 20-bar channel's top on the scenario's side that the next candle will be measured
    /// against (the channel excludes the candle being added).
    func channelTop(_ frame: ScenarioFrame) -> Double {
        features.candles.suffix(features.periods.channel).map(frame.top).max() ?? 0
    }
}
