import ChartCLIPMarket
import Testing

/// The indicators behind the setup rules, on series whose values can be worked out by hand.
@Suite struct IndicatorTests {
    static func candle(_ i: Int, open: Double, high: Double, low: Double, close: Double, volume: Double = 1) -> Candle {
        Candle(startTime: Int64(i) * 900_000, open: open, high: high, low: low, close: close, volume: volume)
    }

    @Test func wilderAverageSeedsWithTheMeanThenSmooths() {
        var average = WilderAverage(period: 3)
        #expect(average.update(3) == 3)
        #expect(average.update(6) == 4.5)
        #expect(average.update(9) == 6)  // seed: mean of the first three
        #expect(average.update(12) == (6 * 2 + 12) / 3)  // then (prev · (n − 1) + x) / n
    }

    @Test func trueRangeCoversGapsFromThePreviousClose() {
        let c = Self.candle(1, open: 110, high: 112, low: 108, close: 111)
        #expect(Indicators.trueRange(c, previousClose: nil) == 4)
        #expect(Indicators.trueRange(c, previousClose: 100) == 12)  // gap up: high − previous close
        #expect(Indicators.trueRange(c, previousClose: 120) == 12)  // gap down: previous close − low
    }

    @Test func atrOfBarsOfEqualRangeIsThatRange() {
        let candles = (0..<40).map { Self.candle($0, open: 100, high: 101, low: 99, close: 100) }
        #expect(Indicators.atr(candles).allSatisfy { $0 == 2 })
    }

    @Test func emaSeedsWithTheFirstValueAndDecaysGeometrically() {
        let values = [0.0] + Array(repeating: 1.0, count: 10)
        let ema = Indicators.ema(values, period: 20)
        let alpha = 2.0 / 21
        for k in 0...10 {
            let expected = 1 - pow1(1 - alpha, k)
            #expect(abs(ema[k] - expected) < 1e-12)
        }
    }

    @Test func adxIsHundredInAStaircaseAndLowWhenDirectionAlternates() {
        // Every bar 1 higher: +DM = 1, −DM = 0, so +DI > 0 = −DI and DX = 100 throughout.
        let stairs = (0..<60).map { i in
            Self.candle(i, open: 100 + Double(i), high: 101 + Double(i), low: 99 + Double(i), close: 100.5 + Double(i))
        }
        let up = Indicators.directionalMovement(stairs)
        #expect(up.last!.minusDI == 0 && up.last!.plusDI > 30)
        #expect(abs(up.last!.adx - 100) < 1e-9)
        // Up one bar, down the next: +DM and −DM balance, DX stays small.
        let zigzag = (0..<60).map { i in
            let base = i % 2 == 0 ? 100.0 : 101.0
            return Self.candle(i, open: base, high: base + 1, low: base - 1, close: base)
        }
        #expect(Indicators.directionalMovement(zigzag).last!.adx < 10)
    }

    @Test func channelAndRelativeVolumeExcludeTheCurrentBar() {
        var candles = (0..<25).map { i in
            Self.candle(i, open: 100, high: 101 + Double(i % 5), low: 99 - Double(i % 4), close: 100, volume: Double(10 + i % 7))
        }
        candles.append(Self.candle(25, open: 100, high: 200, low: 1, close: 150, volume: 1000))
        let channel = Indicators.channel(candles, at: 25)!
        #expect(channel.high == 105 && channel.low == 96)  // the spike itself is not in its channel
        let previous = candles[5..<25].map(\.volume)
        #expect(Indicators.relativeVolume(candles, at: 25) == 1000 / Indicators.median(previous))
        #expect(Indicators.median([3, 1, 2]) == 2 && Indicators.median([4, 1, 3, 2]) == 2.5)
    }

    @Test func incrementalFeaturesEqualTheBatchIndicators() {
        var rng = SeededGenerator(seed: 1)
        var price = 100.0
        let candles = (0..<300).map { i -> Candle in
            let open = price
            price *= 1 + 0.01 * rng.normal()
            let high = max(open, price) * (1 + 0.003 * rng.uniform())
            let low = min(open, price) * (1 - 0.003 * rng.uniform())
            return Self.candle(i, open: open, high: high, low: low, close: price, volume: 1 + rng.uniform())
        }
        let features = MarketFeatures(candles: candles)
        #expect(features.atr == Indicators.atr(candles, period: 14))
        #expect(features.emaFast == Indicators.ema(candles.map(\.close), period: 20))
        #expect(features.emaSlow == Indicators.ema(candles.map(\.close), period: 50))
        #expect(features.directional == Indicators.directionalMovement(candles, period: 14))
        let t = 200
        let slope = (features.emaFast[t] - features.emaFast[t - 5]) / (5 * features.atr[t])
        #expect(features.slope(at: t) == slope)
        #expect(features.meanExtension(at: t) == (candles[t].close - features.emaFast[t]) / features.atr[t])
    }

    @Test func seededGeneratorIsReproducibleAndUniform() {
        var a = SeededGenerator(seed: 42)
        var b = SeededGenerator(seed: 42)
        var c = SeededGenerator(seed: 43)
        let xs = (0..<1000).map { _ in a.uniform() }
        #expect(xs == (0..<1000).map { _ in b.uniform() })
        #expect(xs != (0..<1000).map { _ in c.uniform() })
        let mean = xs.reduce(0, +) / 1000
        #expect(abs(mean - 0.5) < 0.05 && xs.allSatisfy { $0 >= 0 && $0 < 1 })
        let normals = (0..<4000).map { _ in a.normal() }
        let m = normals.reduce(0, +) / 4000
        let variance = normals.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 4000
        #expect(abs(m) < 0.06 && abs(variance - 1) < 0.08)
    }
}

/// x^k by repeated multiplication (no Foundation in this file).
func pow1(_ x: Double, _ k: Int) -> Double { (0..<k).reduce(1.0) { acc, _ in acc * x } }
