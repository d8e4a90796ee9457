import ChartCLIPImage
import ChartCLIPMarket
import ChartCLIPSupport

/// Draws one window of a `CandleSeries` as a candlestick chart with a volume panel.
///
/// Training charts (`ChartMode.train`) are candles, volume bars and optional overlays
/// (moving averages, EMAs, the price channel, broken breakout levels, an ADX panel, a volume line) at the exact requested size, crisp (no anti-aliasing), with no text. Human
/// charts add the title, price axis, grid and UTC time labels (`HumanChartDecorations`).
/// Rendering is a handful of rectangle fills per candle, so a 224×224 chart takes
/// microseconds; PNG encoding dominates the cost of a chart file.
public struct CandlestickRenderer: Sendable {
    /// Size, mode, style and moving averages.
    public let options: ChartOptions

    /// A renderer for `options`; throws when the options are invalid.
    public init(options: ChartOptions) throws {
        try options.validate()
        self.options = options
    }

    /// The chart of candles `window` (indices into `series.candles`).
    public func render(_ series: CandleSeries, window: Range<Int>) throws -> RasterImage {
        var image = RasterImage(width: options.width, height: options.height, background: options.style.background)
        try render(series, window: window, into: &image)
        return image
    }

    /// Draws the chart of `window` into `image`, which must have the options' size; lets
    /// batch renderers reuse one buffer per thread.
    public func render(_ series: CandleSeries, window: Range<Int>, into image: inout RasterImage) throws {
        try check(series, window: window)
        guard image.width == options.width, image.height == options.height else {
            throw ChartCLIPError(
                "the canvas is \(image.width)x\(image.height) but the chart options say \(options.width)x\(options.height)")
        }
        let candles = series.candles[window]
        let layout = ChartLayout(options: options, candles: candles)
        let style = options.style
        image.fill(style.background)
        if options.mode == .human {
            HumanChartDecorations.drawGrid(into: &image, layout: layout, options: options)
        }
        // The candles the volume highlight marks, from the medians the line is drawn at.
        var loud: [Bool]?
        if let multiple = options.overlays.volumeLine {
            let medians = VolumeLine.medians(series.candles, over: window)
            drawVolumeLine(medians.map { $0.map { multiple * $0 } }, layout: layout, into: &image)
            if options.overlays.volumeHighlight {
                loud = VolumeLine.reached(series.candles, multiple: multiple, medians: medians, over: window)
            }
        }
        drawVolume(candles, loud: loud, layout: layout, into: &image)
        if let length = options.overlays.channel {
            drawChannel(PriceChannel.levels(series.candles, length: length, over: window), layout: layout, into: &image)
        }
        if options.overlays.brokenLevels {
            drawBrokenLevels(BrokenLevels.segments(series.candles, over: window), layout: layout, into: &image)
        }
        drawCandles(candles, loud: loud, layout: layout, into: &image)
        if let period = options.overlays.adx {
            // The levels first, so the ADX line crosses over them.
            for level in options.overlays.adxLevels {
                image.fillRect(x: layout.plotLeft, y: layout.row(adx: level), width: layout.plotWidth, height: 1, color: style.grid)
            }
            let readings = Indicators.directionalMovement(Array(candles), period: period)
            drawLine(readings.map(\.adx), rows: { layout.row(adx: $0) }, layout: layout, color: options.style.adx, into: &image)
        }
        for (k, period) in options.movingAverages.enumerated() {
            let values = MovingAverage.simple(series.candles, period: period, over: window)
            drawLine(values, layout: layout, color: style.movingAverageColor(k), into: &image)
        }
        for (k, span) in options.overlays.exponentialAverages.enumerated() {
            let values = MovingAverage.exponential(series.candles, span: span, over: window)
            drawLine(values, layout: layout, color: style.movingAverageColor(options.movingAverages.count + k), into: &image)
        }
        if options.mode == .human {
            HumanChartDecorations.drawAxes(into: &image, series: series, window: window, layout: layout, options: options)
        }
    }

    /// The layout `render` uses for `window`, for tests and for callers placing marks.
    public func layout(_ series: CandleSeries, window: Range<Int>) -> ChartLayout {
        ChartLayout(options: options, candles: series.candles[window])
    }

    /// Throws unless `window` is a non-empty range of `series` with finite prices.
    func check(_ series: CandleSeries, window: Range<Int>) throws {
        guard !window.isEmpty, window.lowerBound >= 0, window.upperBound <= series.candles.count else {
            throw ChartCLIPError(
                "window \(window.lowerBound)..<\(window.upperBound) is empty or outside the \(series.candles.count) candles of \(series.symbol)",
                hint: "use a window no longer than the series")
        }
        for i in window {
            let c = series.candles[i]
            guard c.open.isFinite, c.high.isFinite, c.low.isFinite, c.close.isFinite, c.volume.isFinite else {
                throw ChartCLIPError(
                    "candle \(i) of \(series.symbol) has a non-finite price or volume",
                    hint: "validate the series before rendering")
            }
        }
    }

    /// Wicks (one column, high to low) and bodies (open to close, at least one row); candles
    /// marked in `loud` (the volume highlight) in the style's loud colours.
    func drawCandles(_ candles: ArraySlice<Candle>, loud: [Bool]? = nil, layout: ChartLayout, into image: inout RasterImage) {
        let w = layout.bodyWidth
        let style = options.style
        for (i, candle) in candles.enumerated() {
            let color = loud?[i] == true ? style.loud(up: candle.isUp) : (candle.isUp ? style.upCandle : style.downCandle)
            let top = layout.row(price: candle.high), bottom = layout.row(price: candle.low)
            image.fillRect(x: layout.wickColumn(i), y: top, width: 1, height: bottom - top + 1, color: color)
            let bodyTop = layout.row(price: max(candle.open, candle.close))
            let bodyBottom = layout.row(price: min(candle.open, candle.close))
            image.fillRect(x: layout.bodyLeft(i), y: bodyTop, width: w, height: bodyBottom - bodyTop + 1, color: color)
        }
    }

    /// Volume bars from the bottom of the volume panel, coloured like mplfinance's
    /// `vcdopcod`: up when the close is at or above the previous close (the first candle
    /// of the window compares with its own open). Bars marked in `loud` (the volume highlight)
    /// take the loud colour of their candle's own direction, as the candle above them does.
    func drawVolume(_ candles: ArraySlice<Candle>, loud: [Bool]? = nil, layout: ChartLayout, into image: inout RasterImage) {
        let style = options.style
        var previousClose: Double?
        for (i, candle) in candles.enumerated() {
            let up = candle.close >= (previousClose ?? candle.open)
            previousClose = candle.close
            let h = layout.volumeBarHeight(candle.volume)
            guard h > 0 else { continue }
            let color = loud?[i] == true ? style.loud(up: candle.isUp) : (up ? style.upVolume : style.downVolume)
            image.fillRect(x: layout.bodyLeft(i), y: layout.volumeBottom - h + 1, width: layout.bodyWidth, height: h, color: color)
        }
    }

    /// The volume line as a step line behind the volume bars: across candle `i`'s whole slot
    /// at the top row of a bar of the level for candle `i`, so a bar that reaches the level
    /// covers the line and one that falls short leaves it showing above; a vertical step joins
    /// changes; levels above the panel (no bar of the window reaches them) are left out.
    func drawVolumeLine(_ levels: [Double?], layout: ChartLayout, into image: inout RasterImage) {
        let color = options.style.volumeLine
        let thickness = options.mode == .train ? 1 : 2
        var previousRow: Int?
        for (i, level) in levels.enumerated() {
            guard let level, let y = layout.row(volume: level) else {
                previousRow = nil
                continue
            }
            let slot = layout.slotColumns(i)
            image.fillRect(x: slot.lowerBound, y: y, width: slot.count, height: thickness, color: color)
            if let previousRow, previousRow != y {
                image.fillRect(
                    x: slot.lowerBound, y: min(previousRow, y), width: thickness, height: abs(previousRow - y) + 1, color: color)
            }
            previousRow = y
        }
    }

    /// The channel's high and low as step lines under the candles: across candle `i`'s whole
    /// slot at the level the rules compare candle `i` with, joined by a vertical step where
    /// the level changes, so a close beyond the line is a close beyond the channel.
    func drawChannel(_ levels: [(high: Double, low: Double)?], layout: ChartLayout, into image: inout RasterImage) {
        let color = options.style.channel
        let thickness = options.mode == .train ? 1 : 2
        for side in [true, false] {
            var previousRow: Int?
            for (i, level) in levels.enumerated() {
                guard let level else {
                    previousRow = nil
                    continue
                }
                let y = layout.row(price: side ? level.high : level.low)
                let slot = layout.slotColumns(i)
                image.fillRect(x: slot.lowerBound, y: y, width: slot.count, height: thickness, color: color)
                if let previousRow, previousRow != y {
                    image.fillRect(
                        x: slot.lowerBound, y: min(previousRow, y), width: thickness, height: abs(previousRow - y) + 1,
                        color: color)
                }
                previousRow = y
            }
        }
    }

    /// Each broken level as a horizontal line under the candles, across the slots of its
    /// breakout candle through its last candle, at the row of the level, so a low that comes
    /// back to the level touches or crosses the line and a close beyond it sits clear of it.
    func drawBrokenLevels(_ segments: [BrokenLevels.Segment], layout: ChartLayout, into image: inout RasterImage) {
        let thickness = options.mode == .train ? 1 : 2
        for segment in segments {
            let from = layout.slotColumns(segment.breakout), to = layout.slotColumns(segment.last)
            image.fillRect(
                x: from.lowerBound, y: layout.row(price: segment.level), width: to.upperBound - from.lowerBound + 1,
                height: thickness, color: options.style.brokenLevel)
        }
    }

    /// A moving-average line through the wick columns, clamped to the price panel: crisp
    /// one-pixel segments on training charts, anti-aliased 2-pixel lines on human charts.
    func drawLine(_ values: [Double?], layout: ChartLayout, color: RGBColor, into image: inout RasterImage) {
        drawLine(values, rows: { layout.row(price: $0) }, layout: layout, color: color, into: &image)
    }

    /// A line through the wick columns at the rows `rows` gives for `values`.
    func drawLine(
        _ values: [Double?], rows: (Double) -> Int, layout: ChartLayout, color: RGBColor, into image: inout RasterImage
    ) {
        var run: [(x: Int, y: Int)] = []
        var smooth: [PixelPoint] = []
        func flush() {
            if options.mode == .train {
                image.drawPolyline(pixels: run, color: color)
            } else {
                image.drawPolyline(smooth, color: color, lineWidth: 2)
            }
            run.removeAll(keepingCapacity: true)
            smooth.removeAll(keepingCapacity: true)
        }
        for (i, value) in values.enumerated() {
            guard let value, value.isFinite else {
                flush()
                continue
            }
            let y = rows(value)
            run.append((layout.wickColumn(i), y))
            smooth.append(PixelPoint(layout.center(i), Double(y) + 0.5))
        }
        flush()
    }
}
