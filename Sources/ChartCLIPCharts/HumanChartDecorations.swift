import ChartCLIPImage
import ChartCLIPMarket
import ChartCLIPSupport

/// The parts of a human chart that are not candles: title, dashed price grid, price axis
/// on the right (mplfinance `charles` puts it there), volume scale and UTC time labels.
enum HumanChartDecorations {
    /// Font scale: 2 (10×14-pixel letters) on charts at least 900 pixels wide, else 1.
    static func fontScale(options: ChartOptions) -> Int {
        options.width >= 900 ? 2 : 1
    }

    /// Horizontal dashed grid lines at the price ticks, drawn under the candles.
    static func drawGrid(into image: inout RasterImage, layout: ChartLayout, options: ChartOptions) {
        for tick in priceTicks(layout) {
            let y = layout.row(price: tick)
            image.drawDashedHLine(
                x0: layout.plotLeft, x1: layout.plotLeft + layout.plotWidth - 1, y: y,
                color: options.style.grid, dash: 6, gap: 4)
        }
    }

    /// Price ticks inside the (padded) price range, about one per 60 rows.
    static func priceTicks(_ layout: ChartLayout) -> [Double] {
        AxisTicks.ticks(low: layout.priceLow, high: layout.priceHigh, maxCount: max(3, layout.priceHeight / 60))
    }

    /// Title, axis labels, volume scale and time labels.
    static func drawAxes(
        into image: inout RasterImage, series: CandleSeries, window: Range<Int>, layout: ChartLayout,
        options: ChartOptions
    ) {
        let scale = fontScale(options: options)
        let ink = options.style.text
        let plotRight = layout.plotLeft + layout.plotWidth
        let axisX = plotRight + 10
        // Price labels on the right.
        let ticks = priceTicks(layout)
        let step = AxisTicks.step(low: layout.priceLow, high: layout.priceHigh, maxCount: max(3, layout.priceHeight / 60))
        for tick in ticks {
            let y = layout.row(price: tick)
            image.drawHLine(x0: plotRight + 1, x1: plotRight + 4, y: y, color: ink)
            image.drawText(AxisTicks.label(tick, step: step), x: axisX, y: y, color: ink, scale: scale, vertical: .middle)
        }
        // Volume scale: the largest bar's volume at the top of the volume panel.
        if layout.volumeMax > 0 {
            image.drawHLine(x0: plotRight + 1, x1: plotRight + 4, y: layout.volumeTop, color: ink)
            image.drawText(
                AxisTicks.compact(layout.volumeMax), x: axisX, y: layout.volumeTop, color: ink, scale: scale,
                vertical: .middle)
            image.drawText("vol", x: axisX, y: layout.volumeBottom, color: ink, scale: scale, vertical: .bottom)
        }
        // ADX panel: its name, and ticks at the range and trend rules' levels (20, 25).
        if let period = options.overlays.adx, layout.adxHeight > 0 {
            for level in [20.0, 25.0] {
                image.drawHLine(x0: plotRight + 1, x1: plotRight + 4, y: layout.row(adx: level), color: ink)
            }
            image.drawText("25", x: axisX, y: layout.row(adx: 25), color: ink, scale: scale, vertical: .middle)
            image.drawText("ADX\(period)", x: axisX, y: layout.adxTop, color: ink, scale: scale, vertical: .top)
        }
        // Base line under the volume panel.
        image.drawHLine(
            x0: layout.plotLeft, x1: layout.plotLeft + layout.plotWidth - 1, y: layout.volumeBottom + 1,
            color: options.style.grid)
        drawTimeLabels(into: &image, series: series, window: window, layout: layout, scale: scale, ink: ink)
        // Title: symbol, interval and the UTC span from the first open to the last close.
        let first = series.candles[window.lowerBound].startTime
        let last = series.closeTime(at: window.upperBound - 1)
        let title = "\(series.symbol) \(series.interval)   \(readable(first)) - \(readable(last)) UTC"
        image.drawText(title, x: layout.plotLeft, y: 8, color: ink, scale: scale)
        let close = series.candles[window.upperBound - 1].close
        let closeStep = AxisTicks.step(low: layout.priceLow, high: layout.priceHigh, maxCount: 50)
        let detail = "close \(AxisTicks.label(close, step: closeStep))   candles \(window.count)"
        image.drawText(
            detail, x: layout.plotLeft, y: 8 + BitmapFont.lineHeight * scale + 2, color: options.style.grid,
            scale: scale)
    }

    /// `2025-06-23 14:00`.
    static func readable(_ milliseconds: Int64) -> String {
        let iso = UTCTime.iso(milliseconds: milliseconds)
        return String(iso.prefix(16)).replacingOccurrences(of: "T", with: " ")
    }

    /// Tick marks and labels under the volume panel at UTC-aligned candle start times, with
    /// the spacing chosen so labels do not overlap; a label at midnight shows the date.
    static func drawTimeLabels(
        into image: inout RasterImage, series: CandleSeries, window: Range<Int>, layout: ChartLayout, scale: Int,
        ink: RGBColor
    ) {
        let labelWidth = BitmapFont.width(of: "00-00 ", scale: scale) + 12
        let maxLabels = max(2, layout.plotWidth / labelWidth)
        let minute: Int64 = 60_000
        let candidates: [Int64] = [1, 5, 15, 30, 60, 120, 180, 240, 360, 480, 720, 1440, 2880, 10080, 20160, 43200]
            .map { $0 * minute }
        let span = Int64(window.count) * series.interval.milliseconds
        let step = candidates.first { $0 >= series.interval.milliseconds && span / $0 <= Int64(maxLabels) }
            ?? candidates[candidates.count - 1]
        let y = layout.volumeBottom + 4
        for (i, index) in window.enumerated() {
            let start = series.candles[index].startTime
            guard start % step == 0 else { continue }
            let x = layout.wickColumn(i)
            // Skip a label that would be cut by the image's left edge or run into the axis.
            let half = BitmapFont.width(of: "00:00", scale: scale) / 2
            guard x - half >= 0, x + half < layout.plotLeft + layout.plotWidth else { continue }
            image.drawVLine(x: x, y0: layout.volumeBottom + 1, y1: layout.volumeBottom + 3, color: ink)
            let c = UTCTime.components(milliseconds: start)
            let text = c.hour == 0 && c.minute == 0
                ? String(format: "%02d-%02d", c.month, c.day)
                : String(format: "%02d:%02d", c.hour, c.minute)
            image.drawText(text, x: x, y: y, color: ink, scale: scale, horizontal: .center)
        }
    }
}
