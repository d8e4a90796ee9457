import ChartCLIPLabels
import ChartCLIPMarket
import Testing

/// The local labeler on hand-made series: one script per setup (written for the upward case,
/// mirrored for the downward one) and per phase, each read at its last candle.
@Suite struct LocalLabelerTests {
    let labeler = LocalLabeler()

    /// A 60-bar range, then a strong bar closing a full ATR above the range on 2.5× volume.
    static func breakoutScript() -> CandleScript {
        var s = CandleScript()
        s.range(bars: 60)
        let level = s.channelHigh
        s.bar(high: level + 1.3, low: s.lastClose - 0.05, close: level + 1.2, volume: 2500)
        return s
    }

    /// The breakout, two bars of follow-through, a drift back, and a bar whose low touches the
    /// broken level and closes well above it.
    static func pullbackScript() -> CandleScript {
        var s = CandleScript()
        s.range(bars: 60)
        let level = s.channelHigh
        s.bar(high: level + 1.3, low: s.lastClose - 0.05, close: level + 1.2, volume: 2500)
        s.bar(high: s.lastClose + 0.6, low: s.lastClose - 0.1, close: s.lastClose + 0.5)
        s.bar(high: s.lastClose + 0.1, low: s.lastClose - 0.6, close: s.lastClose - 0.5, volume: 800)
        s.bar(high: s.lastClose + 0.1, low: level + 0.05, close: level + 0.5, volume: 700)
        return s
    }

    /// A bull trap: a bar spiking well above the range and closing back inside under its open.
    static func trapScript() -> CandleScript {
        var s = CandleScript()
        s.range(bars: 60)
        let level = s.channelHigh
        s.bar(high: level + 1.2, low: s.lastClose - 0.4, close: s.lastClose - 0.3, volume: 1800)
        return s
    }

    /// A breakout that closes back inside the range two bars later.
    static func failedBreakoutScript() -> CandleScript {
        var s = CandleScript()
        s.range(bars: 60)
        let level = s.channelHigh
        s.bar(high: level + 1.3, low: s.lastClose - 0.05, close: level + 1.2, volume: 2500)
        s.bar(high: s.lastClose + 0.1, low: level + 0.3, close: level + 0.5)
        s.bar(high: s.lastClose + 0.05, low: level - 1.1, close: level - 1.0, volume: 1500)
        return s
    }

    /// A 50-bar trend, four accelerating bars, and a climax spiking 3 points on 5× volume that
    /// gives most of it back.
    static func exhaustionScript() -> CandleScript {
        var s = CandleScript()
        s.trend(bars: 50)
        for step in [0.8, 1.0, 1.2, 1.5] {
            s.bar(high: s.lastClose + step + 0.05, low: s.lastClose - 0.05, close: s.lastClose + step, volume: 1500)
        }
        let open = s.lastClose
        s.bar(high: open + 3.0, low: open - 0.1, close: open + 0.9, volume: 5000)
        return s
    }

    /// A 60-bar trend, three bars pulling back to EMA20, and a bar closing above the previous high.
    static func continuationScript() -> CandleScript {
        var s = CandleScript()
        s.trend(bars: 60)
        for k in 1...3 {
            let target = k < 3 ? s.lastClose - 0.9 : s.ema20 + 0.15
            s.bar(high: s.lastClose + 0.05, low: min(target - 0.1, k == 3 ? s.ema20 - 0.1 : target), close: target, volume: 900)
        }
        s.bar(high: s.lastHigh + 0.6, low: s.lastClose - 0.05, close: s.lastHigh + 0.5, volume: 1050)
        return s
    }

    /// 78 bars of range: the last is at a turning point of the sine, where EMA20 is flat
    /// (|slope| < 0.05); mid-swing the slope of a ±1 sine exceeds it and the rule says `none`.
    static func rangeScript() -> CandleScript {
        var s = CandleScript()
        s.range(bars: 78)
        return s
    }

    static let scripts: [(String, CandleScript, SetupType, SetupDirection)] = [
        ("breakout", breakoutScript(), .breakout, .up),
        ("breakout with pullback", pullbackScript(), .breakoutWithPullback, .up),
        ("bull trap bar", trapScript(), .fakeout, .down),
        ("failed breakout", failedBreakoutScript(), .fakeout, .down),
        ("top exhaustion", exhaustionScript(), .exhaustion, .down),
        ("trend continuation", continuationScript(), .trendContinuation, .up),
        ("range", rangeScript(), .rangeAccumulation, .none),
    ]

    @Test(arguments: 0..<7) func eachSetupIsReadInBothDirections(index: Int) throws {
        let (name, script, type, direction) = Self.scripts[index]
        let up = try labeler.read(MarketFeatures(candles: script.candles))
        #expect(up.label.match == SetupMatch(type, direction), "\(name): \(up.label) \(up.evidence.conditions)")
        #expect(up.label.confidence > 0.5 && up.label.confidence <= 0.95, "\(name): every condition is exceeded")
        let down = try labeler.label(candles: script.mirrored())
        #expect(down.match == SetupMatch(type, direction.opposite), "\(name) mirrored: \(down)")
        #expect(down.confidence == up.label.confidence, "\(name): the mirror image is read with the same margins")
    }

    @Test func eachPhaseIsRead() throws {
        var breakoutHolding = Self.breakoutScript()
        for _ in 0..<3 {
            breakoutHolding.bar(high: breakoutHolding.lastClose + 0.4, low: breakoutHolding.lastClose - 0.2,
                                close: breakoutHolding.lastClose + 0.3)
        }
        var afterClimax = Self.exhaustionScript()
        for _ in 0..<2 {
            afterClimax.bar(high: afterClimax.lastClose + 0.1, low: afterClimax.lastClose - 1.0,
                            close: afterClimax.lastClose - 0.9)
        }
        var trend = CandleScript()
        trend.trend(bars: 80)
        let cases: [(String, [Candle], PhaseType)] = [
            ("steady trend", trend.candles, .trendUp),
            ("steady trend mirrored", trend.mirrored(), .trendDown),
            ("sideways", Self.rangeScript().candles, .range),
            ("breakout holding", breakoutHolding.candles, .breakoutContinuation),
            ("breakdown holding", breakoutHolding.mirrored(), .breakoutContinuation),
            ("after a climax", afterClimax.candles, .exhaustionPullback),
            ("after a selling climax", afterClimax.mirrored(), .exhaustionPullback),
        ]
        for (name, candles, phase) in cases {
            #expect(try labeler.label(candles: candles).phaseType == phase, "\(name)")
        }
    }

    /// Appending future candles to a series never changes the label of a chart that ends
    /// earlier: the labeler reads the window it is given and nothing after it.
    @Test func futureCandlesNeverChangeALabel() throws {
        for (name, script, _, _) in Self.scripts {
            let series = CandleSeries(symbol: "TEST", interval: .m15, candles: script.candles)
            let longer = CandleSeries(symbol: "TEST", interval: .m15, candles: script.extended(by: 30))
            let end = script.count
            let window = max(0, end - 96)..<end
            #expect(try labeler.label(series, window: window) == labeler.label(longer, window: window), "\(name)")
        }
    }

    /// A breakout that clears its level by more, on more volume, gets more confidence.
    @Test func confidenceGrowsWithTheMarginOverTheRule() throws {
        func breakout(beyond: Double, volume: Double) throws -> ChartLabel {
            var s = CandleScript()
            s.range(bars: 60)
            let level = s.channelHigh
            s.bar(high: level + beyond + 0.1, low: s.lastClose - 0.05, close: level + beyond, volume: volume)
            return try labeler.label(candles: s.candles)
        }
        let marginal = try breakout(beyond: 0.25, volume: 1600)
        let clear = try breakout(beyond: 1.2, volume: 2500)
        let strong = try breakout(beyond: 2.0, volume: 4000)
        #expect(marginal.setupType == .breakout && clear.setupType == .breakout && strong.setupType == .breakout)
        #expect(marginal.confidence < clear.confidence && clear.confidence < strong.confidence)
        #expect(marginal.confidence < 0.7, "barely passing conditions give little confidence: \(marginal)")
    }

    @Test func theSameCandlesGiveTheSameLabel() throws {
        let candles = Self.pullbackScript().candles
        #expect(try labeler.label(candles: candles) == labeler.label(candles: candles))
    }

    @Test func tooFewCandlesIsAnErrorNotAGuess() {
        #expect(throws: (any Error).self) { try labeler.label(candles: Self.rangeScript().candles.prefix(1)) }
    }
}
