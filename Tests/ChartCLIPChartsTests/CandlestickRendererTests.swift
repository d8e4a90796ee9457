import ChartCLIPCharts
import ChartCLIPImage
import ChartCLIPMarket
import Testing

/// Five hand-made 15m candles whose prices land on exact rows of a 50×104 training chart.
///
/// Layout of that chart: volume panel = round(0.2·104) = 21 rows at the bottom (rows
/// 83…103), a gap of round(0.02·104) = 2 rows, price panel rows 0…80 (81 rows). The window
/// spans prices 0…20, so `row(p) = (20 − p) · 4`. Each candle has a 10-column slot; bodies are
/// round(0.7·10) = 7 columns wide starting at column 10·i + 1, wicks in column 10·i + 4.
/// The largest volume (21) fills the 21-row volume panel, so bar height = volume.
func handMadeSeries() -> CandleSeries {
    let t0: Int64 = 1_750_680_000_000  // 2025-06-23T12:00:00Z
    let step = CandleInterval.m15.milliseconds
    let rows: [(Double, Double, Double, Double, Double)] = [
        (10, 16, 8, 14, 14),  // up: body rows 24…40, wick 16…48, volume up (close ≥ open)
        (14, 15, 10, 11, 21),  // down: body 24…36, wick 20…40, volume down (11 < 14)
        (11, 20, 11, 12, 7),  // up: body 32…36, wick 0…36 (the window's high)
        (12, 12.5, 0, 9, 3),  // down: body 32…44, wick 30…80 (the window's low)
        (10, 10, 9, 9.5, 7),  // down body, but close 9.5 ≥ previous close 9: volume up
    ]
    let candles = rows.enumerated().map { i, r in
        Candle(startTime: t0 + Int64(i) * step, open: r.0, high: r.1, low: r.2, close: r.3, volume: r.4)
    }
    return CandleSeries(symbol: "TESTUSDT", interval: .m15, candles: candles)
}

@Suite("Candlestick renderer")
struct CandlestickRendererTests {
    let style = ChartStyle.charles
    let series = handMadeSeries()

    func render() throws -> RasterImage {
        let options = ChartOptions(mode: .train, width: 50, height: 104)
        return try CandlestickRenderer(options: options).render(series, window: 0..<5)
    }

    @Test("the layout puts panels, bodies and wicks where the test series expects them")
    func layout() throws {
        let renderer = try CandlestickRenderer(options: ChartOptions(mode: .train, width: 50, height: 104))
        let layout = renderer.layout(series, window: 0..<5)
        #expect(layout.priceTop == 0 && layout.priceHeight == 81)
        #expect(layout.volumeTop == 83 && layout.volumeHeight == 21)
        #expect(layout.bodyWidth == 7)
        #expect((0..<5).map(layout.bodyLeft) == [1, 11, 21, 31, 41])
        #expect((0..<5).map(layout.wickColumn) == [4, 14, 24, 34, 44])
        #expect(layout.row(price: 20) == 0 && layout.row(price: 0) == 80 && layout.row(price: 12.5) == 30)
    }

    @Test("up bodies are green and down bodies red at the expected columns and rows")
    func bodies() throws {
        let image = try render()
        // Candle 0 (up): body rows 24…40 over columns 1…7; the slot's edges stay white.
        for x in 1...7 {
            #expect(image[x, 24] == style.upCandle)
            #expect(image[x, 40] == style.upCandle)
        }
        #expect(image[0, 30] == style.background && image[8, 30] == style.background)
        #expect(image[1, 23] == style.background && image[1, 41] == style.background)
        // Candle 1 (down): body rows 24…36 over columns 11…17.
        for x in 11...17 { #expect(image[x, 30] == style.downCandle) }
        #expect(image[11, 37] == style.background)
        // Candle 4: a down candle is red even when its volume bar is green.
        #expect(image[41, 41] == style.downCandle)  // body rows 40…42
    }

    @Test("wicks run from the high's row to the low's row in the middle column")
    func wicks() throws {
        let image = try render()
        let expected: [(column: Int, top: Int, bottom: Int, color: RGBColor)] = [
            (4, 16, 48, style.upCandle), (14, 20, 40, style.downCandle), (24, 0, 36, style.upCandle),
            (34, 30, 80, style.downCandle),
        ]
        for wick in expected {
            #expect(image[wick.column, wick.top] == wick.color)
            #expect(image[wick.column, wick.bottom] == wick.color)
            if wick.top > 0 { #expect(image[wick.column, wick.top - 1] == style.background) }
            #expect(image[wick.column, wick.bottom + 1] == style.background)
            // Outside the body the wick is one column wide.
            #expect(image[wick.column - 1, wick.top] == style.background)
        }
    }

    @Test("volume bars are proportional to volume and coloured by the change from the previous close")
    func volume() throws {
        let image = try render()
        let bottom = 103
        let expected: [(left: Int, height: Int, color: RGBColor)] = [
            (1, 14, style.upVolume), (11, 21, style.downVolume), (21, 7, style.upVolume),
            (31, 3, style.downVolume), (41, 7, style.upVolume),
        ]
        for bar in expected {
            // Measure the bar in its middle column: rows counted up from the bottom.
            var height = 0
            while height < 21 && image[bar.left + 3, bottom - height] == bar.color { height += 1 }
            #expect(height == bar.height)
            #expect(image[bar.left, bottom] == bar.color && image[bar.left + 6, bottom] == bar.color)
            #expect(image[bar.left + 7, bottom] == style.background)
        }
        // The gap rows between the panels stay empty.
        #expect(image.countPixels(notEqualTo: style.background, x: 0, y: 81, width: 50, height: 2) == 0)
    }

    @Test("charts have exactly the requested size in both modes", arguments: [(224, 224), (64, 48), (300, 120)])
    func sizes(size: (Int, Int)) throws {
        let series = RenderBenchmark.randomWalk(count: 200)
        let train = try CandlestickRenderer(options: ChartOptions(mode: .train, width: size.0, height: size.1))
            .render(series, window: 10..<106)
        #expect(train.width == size.0 && train.height == size.1)
        let human = try CandlestickRenderer(options: .human(width: size.0 + 500, height: size.1 + 400))
            .render(series, window: 10..<106)
        #expect(human.width == size.0 + 500 && human.height == size.1 + 400)
    }

    @Test("a training chart has no text: nothing outside the candle, volume and average colours")
    func trainingChartHasOnlyChartColours() throws {
        let series = RenderBenchmark.randomWalk(count: 200)
        let options = ChartOptions.training(size: 224, movingAverages: [20])
        let image = try CandlestickRenderer(options: options).render(series, window: 50..<146)
        let allowed: Set<RGBColor> = [
            style.background, style.upCandle, style.downCandle, style.upVolume, style.downVolume,
            style.movingAverageColor(0),
        ]
        var seen = Set<RGBColor>()
        for y in 0..<224 { for x in 0..<224 { seen.insert(image[x, y]) } }
        #expect(seen.isSubset(of: allowed))
        #expect(seen.contains(style.movingAverageColor(0)))
    }

    @Test("a human chart has a title, price labels on the right and time labels below")
    func humanChart() throws {
        let series = RenderBenchmark.randomWalk(count: 200)
        let image = try CandlestickRenderer(options: .human()).render(series, window: 0..<96)
        let background = style.background
        #expect(image.countPixels(notEqualTo: background, x: 0, y: 0, width: 600, height: 30) > 100)
        #expect(image.countPixels(notEqualTo: background, x: 1060, y: 60, width: 140, height: 500) > 100)
        #expect(image.countPixels(notEqualTo: background, x: 0, y: 770, width: 1200, height: 30) > 100)
    }

    @Test("bad windows and options are errors, not crashes")
    func errors() throws {
        let renderer = try CandlestickRenderer(options: .training())
        #expect(throws: (any Error).self) { try renderer.render(series, window: 3..<9) }
        #expect(throws: (any Error).self) { try renderer.render(series, window: 2..<2) }
        #expect(throws: (any Error).self) { try CandlestickRenderer(options: .training(size: 4)) }
        #expect(throws: (any Error).self) { try CandlestickRenderer(options: .training(movingAverages: [1])) }
    }

    @Test("simple moving averages reach back before the window and are nil without enough history")
    func movingAverage() {
        let values = MovingAverage.simple(series.candles, period: 2, over: 0..<5)
        #expect(values == [nil, 12.5, 11.5, 10.5, 9.25])
        #expect(MovingAverage.simple(series.candles, period: 3, over: 3..<5) == [32.0 / 3, 30.5 / 3])
    }

    @Test("EMAs and the price channel are computed from the window's own candles, exactly as the labeler's features read them")
    func overlaysMatchTheLabelerFeatures() {
        let walk = RenderBenchmark.randomWalk(count: 200)
        let window = 60..<124
        let drawn = MovingAverage.exponential(walk.candles, span: 20, over: window)
        let features = MarketFeatures(candles: Array(walk.candles[window]))
        #expect(drawn.count == window.count)
        for (value, expected) in zip(drawn, features.emaFast) { #expect(value == expected) }
        #expect(MovingAverage.exponential(walk.candles, span: 50, over: window).map { $0! } == features.emaSlow)
        // Seeded with the window's first close, whatever came before it.
        #expect(drawn.first! == walk.candles[60].close)
        let levels = PriceChannel.levels(walk.candles, length: 20, over: window)
        #expect(levels.count == window.count && levels[0] == nil)
        for t in 1..<window.count {
            let expected = features.channel(at: t)!
            #expect(levels[t]!.high == expected.high && levels[t]!.low == expected.low)
        }
        // Candles before the window do not count: the second candle's channel is the first candle.
        #expect(levels[1]!.high == walk.candles[60].high && levels[1]!.low == walk.candles[60].low)
    }

    /// The random walk and window the overlay tests draw.
    let overlayWalk = (series: RenderBenchmark.randomWalk(count: 200), window: 40..<72)

    /// `overlayWalk`'s chart drawn with `options`, and its layout.
    func overlayChart(_ options: ChartOptions) throws -> (RasterImage, ChartLayout) {
        let renderer = try CandlestickRenderer(options: options)
        return (try renderer.render(overlayWalk.series, window: overlayWalk.window), renderer.layout(overlayWalk.series, window: overlayWalk.window))
    }

    @Test("a chart with EMAs draws each in its own colour along the average, inside the price panel")
    func exponentialAverageLines() throws {
        let (walk, window) = overlayWalk
        let (image, layout) = try overlayChart(.training(size: 128, overlays: ChartOverlays(exponentialAverages: [20, 50])))
        let (plain, _) = try overlayChart(.training(size: 128))
        for (k, span) in [20, 50].enumerated() {
            // EMA50 is drawn after EMA20 and covers it where the two lines meet.
            let colors: Set<RGBColor> = k == 0 ? [style.movingAverageColor(0), style.movingAverageColor(1)] : [style.movingAverageColor(1)]
            let values = MovingAverage.exponential(walk.candles, span: span, over: window)
            var onLine = 0
            for (i, value) in values.enumerated() {
                let y = layout.row(price: value!)
                let x = layout.wickColumn(i)
                if (max(0, y - 1)...min(127, y + 1)).contains(where: { colors.contains(image[x, $0]) }) { onLine += 1 }
            }
            // Lines are drawn last, over candles and volume, so every column shows its point.
            #expect(onLine == values.count, "EMA\(span): \(onLine) of \(values.count) columns")
        }
        #expect(plain.countPixels(notEqualTo: style.background, x: 0, y: 0, width: 128, height: 128)
            < image.countPixels(notEqualTo: style.background, x: 0, y: 0, width: 128, height: 128))
        #expect(throws: (any Error).self) { try CandlestickRenderer(options: .training(overlays: ChartOverlays(exponentialAverages: [1]))) }
    }

    @Test("overlays name themselves for cache keys and messages, and say which setting cannot be drawn")
    func overlaysKeyDescriptionAndProblem() {
        let all = ChartOverlays(exponentialAverages: [20, 50], channel: 20, adx: 14, volumeLine: 1.5)
        #expect(all.key == "_ema20-50_ch20_adx14_vl1.5" && ChartOverlays.none.key == "")
        #expect(ChartOverlays(volumeLine: 3).key == "_vl3")
        let guided = ChartOverlays(exponentialAverages: [20, 50], channel: 20, adx: 14, volumeLine: 1.5, adxLevels: [20, 25])
        #expect(guided.key == all.key + "_adxl20-25" && guided.problem == nil)
        #expect(guided.description == all.description + ", ADX levels 20/25")
        #expect(all.description == " with EMA 20/50, 20-candle channel, ADX14 panel, volume line at 1.5x median")
        #expect(ChartOverlays.none.description == "")
        #expect(all.problem == nil)
        for bad in [0, -1, 101, Double.nan, Double.infinity] {
            #expect(ChartOverlays(volumeLine: bad).problem?.field == "volume_line", "\(bad)")
        }
        #expect(ChartOverlays(exponentialAverages: [20, 1]).problem?.field == "ema")
        #expect(ChartOverlays(channel: 1).problem?.field == "channel")
        #expect(ChartOverlays(adx: 1).problem?.field == "adx")
    }

    @Test("a chart with a price channel draws its high and low as step lines under the candles")
    func priceChannelLines() throws {
        let (walk, window) = overlayWalk
        let (image, layout) = try overlayChart(.training(size: 128, overlays: ChartOverlays(channel: 20)))
        let levels = PriceChannel.levels(walk.candles, length: 20, over: window)
        var visible = 0, slots = 0
        for (i, level) in levels.enumerated() {
            guard let level else { continue }
            for price in [level.high, level.low] {
                slots += 1
                let y = layout.row(price: price)
                // Candles are drawn over the line; the slot's columns beside the body stay blue.
                let body = layout.bodyLeft(i)..<(layout.bodyLeft(i) + layout.bodyWidth)
                let beside = layout.slotColumns(i).filter { !body.contains($0) }
                #expect(!beside.isEmpty)
                if beside.allSatisfy({ image[$0, y] == style.channel }) { visible += 1 }
            }
        }
        #expect(slots == 2 * (window.count - 1))
        #expect(visible == slots, "\(visible) of \(slots) channel segments visible beside their candles")
        // Nothing is blue in the volume panel, and without the option nothing is blue at all.
        func blue(_ image: RasterImage, rows: Range<Int>) -> Int {
            rows.reduce(0) { sum, y in sum + (0..<128).filter { image[$0, y] == style.channel }.count }
        }
        #expect(blue(image, rows: layout.volumeTop..<128) == 0)
        let (plain, _) = try overlayChart(.training(size: 128))
        #expect(blue(plain, rows: 0..<128) == 0)
        #expect(throws: (any Error).self) { try CandlestickRenderer(options: .training(overlays: ChartOverlays(channel: 1))) }
    }

    @Test("an ADX panel sits between price and volume and draws the labeler's ADX on a fixed 0-50 scale")
    func adxPanel() throws {
        let (walk, window) = overlayWalk
        let (image, layout) = try overlayChart(.training(size: 128, overlays: ChartOverlays(adx: 14)))
        let (_, plain) = try overlayChart(.training(size: 128))
        #expect(plain.adxHeight == 0 && layout.adxHeight == 19)
        #expect(layout.priceTop + layout.priceHeight < layout.adxTop && layout.adxTop + layout.adxHeight < layout.volumeTop)
        #expect(layout.volumeTop == plain.volumeTop && layout.volumeHeight == plain.volumeHeight)
        // The scale is fixed: 0 on the bottom row, 50 and above on the top row, 25 half way.
        #expect(layout.row(adx: 0) == layout.adxTop + layout.adxHeight - 1 && layout.row(adx: 80) == layout.adxTop)
        #expect(layout.row(adx: 25) == layout.adxTop + 9)
        let features = MarketFeatures(candles: Array(walk.candles[window]))
        for t in 0..<window.count {
            #expect(image[layout.wickColumn(t), layout.row(adx: features.adx(at: t))] == style.adx, "candle \(t)")
        }
        #expect(throws: (any Error).self) { try CandlestickRenderer(options: .training(overlays: ChartOverlays(adx: 0))) }
    }

    @Test("ADX levels are guides across the ADX panel, under the ADX line, and change nothing else")
    func adxLevelGuides() throws {
        let (walk, window) = overlayWalk
        let (image, layout) = try overlayChart(.training(size: 128, overlays: ChartOverlays(adx: 14, adxLevels: [20, 25])))
        let (panel, panelLayout) = try overlayChart(.training(size: 128, overlays: ChartOverlays(adx: 14)))
        #expect(layout == panelLayout)
        let rows = [layout.row(adx: 20), layout.row(adx: 25)]
        #expect(rows[0] > rows[1] && rows.allSatisfy { $0 > layout.adxTop && $0 < layout.adxTop + layout.adxHeight - 1 })
        let features = MarketFeatures(candles: Array(walk.candles[window]))
        let lineRows = Set((0..<window.count).map { layout.row(adx: features.adx(at: $0)) })
        for x in 0..<128 {
            for y in 0..<128 {
                if rows.contains(y) && (layout.plotLeft..<(layout.plotLeft + layout.plotWidth)).contains(x) {
                    // The guide, except where the ADX line crosses over it.
                    #expect(image[x, y] == (panel[x, y] == style.adx ? style.adx : style.grid), "(\(x), \(y))")
                } else {
                    #expect(image[x, y] == panel[x, y], "(\(x), \(y))")
                }
            }
        }
        #expect(rows.contains { !lineRows.contains($0) })
        #expect(ChartOverlays(adxLevels: [20]).problem?.field == "adx_levels")
        for bad in [0, 50, -5, Double.nan] {
            #expect(ChartOverlays(adx: 14, adxLevels: [20, bad]).problem?.field == "adx_levels", "\(bad)")
        }
        #expect(throws: (any Error).self) { try CandlestickRenderer(options: .training(overlays: ChartOverlays(adx: 14, adxLevels: [60]))) }
    }

    @Test("the volume line is the labeler's relative-volume threshold: a bar reaches it exactly when its relative volume does")
    func volumeLine() throws {
        let (walk, window) = overlayWalk
        let levels = VolumeLine.levels(walk.candles, multiple: 1.5, over: window)
        let features = MarketFeatures(candles: Array(walk.candles[window]))
        #expect(levels.count == window.count && levels[0] == nil)
        for t in 1..<window.count {
            let volume = walk.candles[window.lowerBound + t].volume
            // Level and relative volume are the same ratio: volume ≥ level ⇔ RV ≥ 1.5.
            #expect(abs(volume / levels[t]! * 1.5 - features.relativeVolume(at: t)) < 1e-9, "candle \(t)")
        }
        // Candles before the window do not count: the second candle's level is 1.5 × the first volume.
        #expect(levels[1]! == 1.5 * walk.candles[window.lowerBound].volume)

        let (image, layout) = try overlayChart(.training(size: 128, overlays: ChartOverlays(volumeLine: 1.5)))
        let (plain, plainLayout) = try overlayChart(.training(size: 128))
        #expect(layout.volumeTop == plainLayout.volumeTop && layout.priceHeight == plainLayout.priceHeight)
        let lineColor = style.volumeLine
        var drawn = 0, covered = 0, showing = 0
        for (i, level) in levels.enumerated() {
            guard let level, let y = layout.row(volume: level) else { continue }
            drawn += 1
            #expect(y >= layout.volumeTop && y <= layout.volumeBottom)
            // Beside the bar, the slot shows the line.
            let body = layout.bodyLeft(i)..<(layout.bodyLeft(i) + layout.bodyWidth)
            let beside = layout.slotColumns(i).filter { !body.contains($0) }
            #expect(beside.allSatisfy { image[$0, y] == lineColor }, "candle \(i)")
            // Over the bar's columns: a bar at or above the level covers the line, a bar that
            // falls more than a row short leaves it showing.
            let volume = walk.candles[window.lowerBound + i].volume
            let barTop = layout.volumeBottom - layout.volumeBarHeight(volume) + 1
            if volume >= level {
                covered += 1
                #expect(barTop <= y && image[body.lowerBound, y] != lineColor, "candle \(i)")
            } else if barTop > y + 1 {
                showing += 1
                #expect(image[body.lowerBound, y] == lineColor, "candle \(i)")
            }
        }
        #expect(drawn >= window.count / 2 && covered > 0 && showing > 0, "\(drawn) drawn, \(covered) covered, \(showing) showing")
        // Nothing changes above the volume panel, and a level above the window's largest volume
        // has no row.
        for y in 0..<layout.volumeTop {
            for x in 0..<128 { #expect(image[x, y] == plain[x, y]) }
        }
        #expect(layout.row(volume: layout.volumeMax * 1.01) == nil && layout.row(volume: layout.volumeMax) == layout.volumeTop)
        #expect(throws: (any Error).self) { try CandlestickRenderer(options: .training(overlays: ChartOverlays(volumeLine: 0))) }
    }

    @Test("the volume highlight colours exactly the candles whose relative volume reaches the line, and their bars, and nothing else")
    func volumeHighlight() throws {
        let (walk, window) = overlayWalk
        let features = MarketFeatures(candles: Array(walk.candles[window]))
        let reached = VolumeLine.reached(walk.candles, multiple: 1.5, over: window)
        #expect(reached.count == window.count && !reached[0])
        for t in 1..<window.count { #expect(reached[t] == (features.relativeVolume(at: t) >= 1.5), "candle \(t)") }
        let loudCount = reached.filter { $0 }.count
        #expect(loudCount > 0 && loudCount < window.count / 2, "\(loudCount) loud candles")

        let overlays = ChartOverlays(volumeLine: 1.5, volumeHighlight: true)
        let (image, layout) = try overlayChart(.training(size: 128, overlays: overlays))
        let (lined, linedLayout) = try overlayChart(.training(size: 128, overlays: ChartOverlays(volumeLine: 1.5)))
        #expect(layout == linedLayout)
        let loudColors: Set<RGBColor> = [style.loudUp, style.loudDown]
        var loudPixels = 0
        for x in 0..<128 {
            // The candle whose body or wick owns this column, if any.
            let owner = (0..<window.count).first { i in
                x == layout.wickColumn(i) || (layout.bodyLeft(i)..<(layout.bodyLeft(i) + layout.bodyWidth)).contains(x)
            }
            for y in 0..<128 {
                let before = lined[x, y], after = image[x, y]
                guard let i = owner, reached[i], before != after else {
                    // Quiet candles, the background, the channel-free panels: untouched.
                    #expect(before == after, "(\(x), \(y))")
                    continue
                }
                // A loud candle: its own pixels (candle or bar colours) take the loud colour of
                // the candle's direction; lines drawn over it keep theirs.
                let up = walk.candles[window.lowerBound + i].isUp
                #expect(after == (up ? RGBColor(hex: 0x00E676) : RGBColor(hex: 0xFF4081)), "(\(x), \(y))")
                #expect([style.upCandle, style.downCandle, style.upVolume, style.downVolume].contains(before), "(\(x), \(y))")
                loudPixels += 1
            }
        }
        // Every loud candle shows loud colour in the price panel and, with volume, in the volume panel.
        for (i, loud) in reached.enumerated() where loud {
            let x = layout.bodyLeft(i)
            #expect((0..<layout.volumeTop).contains { loudColors.contains(image[x, $0]) }, "candle \(i) body")
            #expect((layout.volumeTop...layout.volumeBottom).contains { loudColors.contains(image[x, $0]) }, "candle \(i) bar")
        }
        #expect(loudPixels > 0)
        #expect(overlays.key == "_vl1.5_vh" && overlays.problem == nil)
        #expect(overlays.description == " with volume line at 1.5x median, candles reaching the volume line highlighted")
        #expect(ChartOverlays(volumeHighlight: true).problem?.field == "volume_highlight")
        #expect(throws: (any Error).self) { try CandlestickRenderer(options: .training(overlays: ChartOverlays(volumeHighlight: true))) }
    }
}
