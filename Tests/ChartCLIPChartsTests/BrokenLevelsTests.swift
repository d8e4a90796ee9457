import ChartCLIPCharts
import ChartCLIPImage
import ChartCLIPMarket
import Testing

/// The broken levels (`ChartOverlays.brokenLevels`) on 32-candle charts of the synthetic
/// market (5,000 bars, seed 7), which plants breakouts, breakouts with pullback and fakeouts.
@Suite("Broken levels")
struct BrokenLevelsTests {
    static let market = SyntheticMarket.generate()
    static let window = 32
    let style = ChartStyle.charles

    /// Windows ending on every planted breakout-family setup.
    var windows: [Range<Int>] {
        Self.market.setups.filter { [.breakout, .breakoutWithPullback, .fakeout].contains($0.setupType) && $0.barIndex >= Self.window }
            .map { ($0.barIndex - Self.window + 1)..<($0.barIndex + 1) }
    }

    @Test("a segment is every breakout the rules read on the chart's own candles, at the channel edge it broke, over it and the 12 candles after")
    func segmentsAreTheRulesBreakouts() throws {
        let rules = SetupRules()
        var seen = 0
        for window in windows {
            let candles = Array(Self.market.series.candles[window])
            let f = MarketFeatures(candles: candles)
            let segments = BrokenLevels.segments(Self.market.series.candles, over: window)
            var expected: [BrokenLevels.Segment] = []
            for b in 0..<f.count {
                if rules.breakoutLevel(Oriented(f, up: true), at: b) != nil, let channel = f.channel(at: b) {
                    expected.append(.init(breakout: b, last: min(b + 12, f.count - 1), level: channel.high, up: true))
                }
                if rules.breakoutLevel(Oriented(f, up: false), at: b) != nil, let channel = f.channel(at: b) {
                    expected.append(.init(breakout: b, last: min(b + 12, f.count - 1), level: channel.low, up: false))
                }
            }
            #expect(segments == expected, "window \(window)")
            // An upward breakout's level lies under its close, a downward one's over it.
            for s in segments {
                let close = candles[s.breakout].close
                #expect(s.up ? close > s.level : close < s.level)
            }
            seen += segments.count
        }
        #expect(seen > 20, "\(seen) broken levels in \(windows.count) charts")
    }

    @Test("a chart ends on a breakout with pullback exactly when a drawn level reaches its last candle and its lows came back to that line with every close held beyond it")
    func pullbacksAreReadOffTheLines() throws {
        let rules = SetupRules(), th = SetupThresholds()
        var pullbacks = 0
        for window in windows {
            let f = MarketFeatures(candles: Array(Self.market.series.candles[window]))
            let t = f.count - 1
            let ruled = [true, false].contains { rules.isPullback(Oriented(f, up: $0), at: t) }
            // Only what the chart draws: the lines, the candles, and ATR for the tolerances.
            let drawn = BrokenLevels.segments(Self.market.series.candles, over: window).contains { s in
                guard s.last == t, s.breakout < t else { return false }
                let sign = s.up ? 1.0 : -1.0
                let after = (s.breakout + 1)...t
                let near = { (i: Int) in sign * (s.up ? f.candles[i].low : f.candles[i].high) }
                let revisited = after.contains { near($0) <= sign * s.level + th.pullbackTouchATR * f.atr[$0] }
                let held = after.allSatisfy { sign * f.candles[$0].close >= sign * s.level - th.pullbackHoldATR * f.atr[$0] }
                return revisited && held
            }
            #expect(ruled == drawn, "window \(window)")
            if ruled { pullbacks += 1 }
        }
        #expect(pullbacks > 5, "\(pullbacks) pullbacks")
    }

    @Test("the chart draws each level in amber under the candles across its slots, and changes nothing else")
    func drawnUnderTheCandles() throws {
        let overlays = ChartOverlays(channel: 20, volumeLine: 1.5, volumeHighlight: true, brokenLevels: true)
        var without = overlays
        without.brokenLevels = false
        let amber = RGBColor(hex: 0xFFAB00)
        #expect(style.brokenLevel == amber)
        var checked = 0
        for window in windows.prefix(12) {
            let renderer = try CandlestickRenderer(options: .training(size: 224, overlays: overlays))
            let plain = try CandlestickRenderer(options: .training(size: 224, overlays: without))
            let image = try renderer.render(Self.market.series, window: window)
            let before = try plain.render(Self.market.series, window: window)
            let layout = renderer.layout(Self.market.series, window: window)
            let segments = BrokenLevels.segments(Self.market.series.candles, over: window)
            // The pixels each segment may cover: its row across its slots.
            var covered = Set<[Int]>()
            for s in segments {
                let y = layout.row(price: s.level)
                for x in layout.slotColumns(s.breakout).lowerBound...layout.slotColumns(s.last).upperBound { covered.insert([x, y]) }
            }
            for x in 0..<224 {
                for y in 0..<224 where image[x, y] != before[x, y] {
                    #expect(covered.contains([x, y]) && image[x, y] == amber, "(\(x), \(y)) in \(window)")
                }
            }
            // Each level shows: the line is visible beside the candles on the breakout's slot.
            for s in segments {
                let y = layout.row(price: s.level)
                let xs = layout.slotColumns(s.breakout).lowerBound...layout.slotColumns(s.last).upperBound
                #expect(xs.contains { image[$0, y] == amber }, "level \(s.level) in \(window)")
                checked += 1
            }
        }
        #expect(checked > 5)
        #expect(overlays.key == "_ch20_vl1.5_vh_bl" && overlays.problem == nil)
        #expect(ChartOverlays(brokenLevels: true).description == " with broken breakout levels carried forward")
    }
}
