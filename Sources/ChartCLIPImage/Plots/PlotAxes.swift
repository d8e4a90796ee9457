import Foundation

/// The data-to-pixel map and axes of a 2-D plot: a plot rectangle inside the image, the
/// data ranges it shows, ticks with labels, axis titles and the plot title.
///
/// Line plots and reliability diagrams draw through it so every report plot has the same
/// margins, fonts and tick style.
public struct PlotAxes: Sendable {
    /// Left column of the plot rectangle.
    public var left: Int
    /// Top row of the plot rectangle.
    public var top: Int
    /// Width of the plot rectangle in pixels.
    public var width: Int
    /// Height of the plot rectangle in pixels.
    public var height: Int
    /// Data range shown horizontally.
    public var xRange: ClosedRange<Double>
    /// Data range shown vertically (in log10 units when `logY`).
    public var yRange: ClosedRange<Double>
    /// Whether y is drawn on a log10 scale (loss curves spanning decades).
    public var logY: Bool
    /// Font scale of labels.
    public var fontScale: Int

    /// Axes for an image of `imageWidth`×`imageHeight` showing `xRange`×`yRange`; margins
    /// leave room for a title, tick labels and axis titles. With `logY`, `yRange` is in data
    /// units and must be positive.
    public init(
        imageWidth: Int, imageHeight: Int, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>,
        logY: Bool = false, fontScale: Int = 1
    ) {
        let s = max(fontScale, 1)
        let glyph = BitmapFont.height(of: "X", scale: s)
        left = BitmapFont.width(of: "-0.0000", scale: s) + glyph + 16
        top = glyph + 16
        width = max(imageWidth - left - 16, 1)
        height = max(imageHeight - top - 2 * glyph - 24, 1)
        self.logY = logY
        self.fontScale = s
        self.xRange = Self.widened(xRange)
        if logY {
            let low = log10(max(yRange.lowerBound, 1e-12)), high = log10(max(yRange.upperBound, 1e-12))
            self.yRange = Self.widened(low...max(high, low))
        } else {
            self.yRange = Self.widened(yRange)
        }
    }

    /// A range with some extent (a single value gets ±0.5, or ±5% of its size).
    static func widened(_ range: ClosedRange<Double>) -> ClosedRange<Double> {
        guard range.upperBound <= range.lowerBound else { return range }
        let pad = range.lowerBound == 0 ? 0.5 : abs(range.lowerBound) * 0.05
        return (range.lowerBound - pad)...(range.upperBound + pad)
    }

    /// Pixel position of data point (`x`, `y`).
    public func point(x: Double, y: Double) -> PixelPoint {
        let yy = logY ? log10(max(y, 1e-300)) : y
        let fx = (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound)
        let fy = (yy - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound)
        return PixelPoint(Double(left) + fx * Double(width - 1) + 0.5, Double(top) + (1 - fy) * Double(height - 1) + 0.5)
    }

    /// Draws grid, frame, ticks with labels, axis titles and the title. Call before drawing
    /// data so the data sits on top of the grid. With `xCategories`, the horizontal axis is
    /// labelled by name (category `i` centred on x = i + 0.5) instead of numeric ticks.
    public func draw(into image: inout RasterImage, title: String, xLabel: String, yLabel: String, xCategories: [String]? = nil) {
        let ink = RGBColor.darkGray
        let grid = RGBColor(hex: 0xE0E0E0)
        let s = fontScale
        let bottom = top + height - 1, right = left + width - 1
        // Vertical ticks: nice steps, or 1-2-5 sequences on a log axis.
        let yCount = max(3, height / 50)
        let yStep = AxisTicks.step(low: yRange.lowerBound, high: yRange.upperBound, maxCount: yCount)
        let yTicks = logY
            ? AxisTicks.logTicks(low: pow(10, yRange.lowerBound), high: pow(10, yRange.upperBound))
            : AxisTicks.ticks(low: yRange.lowerBound, high: yRange.upperBound, maxCount: yCount)
        for tick in yTicks {
            let y = Int(point(x: xRange.lowerBound, y: tick).y)
            image.drawHLine(x0: left, x1: right, y: y, color: grid)
            image.drawHLine(x0: left - 4, x1: left - 1, y: y, color: ink)
            let text = logY ? AxisTicks.shortest(tick) : AxisTicks.label(tick, step: yStep)
            image.drawText(text, x: left - 7, y: y, color: ink, scale: s, horizontal: .right, vertical: .middle)
        }
        // Horizontal ticks, or category names.
        for (i, name) in (xCategories ?? []).enumerated() {
            let x = Int(point(x: Double(i) + 0.5, y: yRange.lowerBound).x)
            image.drawText(name, x: x, y: bottom + 7, color: ink, scale: s, horizontal: .center)
        }
        let xStep = AxisTicks.step(low: xRange.lowerBound, high: xRange.upperBound, maxCount: max(3, width / 90))
        for tick in xCategories == nil ? AxisTicks.ticks(low: xRange.lowerBound, high: xRange.upperBound, maxCount: max(3, width / 90)) : [] {
            let x = Int(point(x: tick, y: logY ? pow(10, yRange.lowerBound) : yRange.lowerBound).x)
            image.drawVLine(x: x, y0: top, y1: bottom, color: grid)
            image.drawVLine(x: x, y0: bottom + 1, y1: bottom + 4, color: ink)
            // The last label may stand at the right edge; keep it whole inside the image.
            let label = AxisTicks.label(tick, step: xStep)
            let center = min(x, image.width - BitmapFont.width(of: label, scale: s) / 2 - 2)
            image.drawText(label, x: center, y: bottom + 7, color: ink, scale: s, horizontal: .center)
        }
        image.strokeRect(x: left - 1, y: top - 1, width: width + 2, height: height + 2, color: ink)
        let glyph = BitmapFont.height(of: "X", scale: s)
        image.drawText(xLabel, x: left + width / 2, y: bottom + 10 + glyph, color: ink, scale: s, horizontal: .center)
        image.drawText(yLabel, x: 4, y: top + height / 2, color: ink, scale: s, vertical: .middle, rotated: true)
        image.drawText(title, x: left + width / 2, y: 6, color: .black, scale: s, horizontal: .center)
    }
}

extension PlotAxes {
    /// A boxed legend: a colour sample and a name per entry, in the plot rectangle's
    /// top-right corner or with its top-left corner at `origin`.
    public func drawLegend(_ entries: [(name: String, color: RGBColor)], into image: inout RasterImage, origin: (x: Int, y: Int)? = nil) {
        let s = fontScale
        let rowHeight = BitmapFont.lineHeight * s + 4
        let (boxWidth, boxHeight) = legendSize(entries.map(\.name))
        let x = origin?.x ?? left + width - boxWidth - 8, y = origin?.y ?? top + 8
        image.fillRect(x: x, y: y, width: boxWidth, height: boxHeight, color: .white)
        image.strokeRect(x: x, y: y, width: boxWidth, height: boxHeight, color: RGBColor(hex: 0xC0C0C0))
        for (k, entry) in entries.enumerated() {
            let cy = y + 4 + k * rowHeight + rowHeight / 2
            image.fillRect(x: x + 6, y: cy - 1, width: 18, height: 3, color: entry.color)
            image.drawText(entry.name, x: x + 30, y: cy, color: .darkGray, scale: s, vertical: .middle)
        }
    }

    /// Where the legend box of `names` covers the fewest of `points` (pixel positions of
    /// the data, lines sampled along their segments): the upper-right corner unless another
    /// corner of the plot hides less (matplotlib's `loc="best"`, over the four corners).
    public func bestLegendOrigin(names: [String], points: [PixelPoint]) -> (x: Int, y: Int) {
        let (boxWidth, boxHeight) = legendSize(names)
        let xs = [left + width - boxWidth - 8, left + 8], ys = [top + 8, top + height - boxHeight - 8]
        let corners = [(xs[0], ys[0]), (xs[1], ys[0]), (xs[0], ys[1]), (xs[1], ys[1])]
        func covered(_ corner: (Int, Int)) -> Int {
            points.filter { p in
                p.x >= Double(corner.0) && p.x <= Double(corner.0 + boxWidth) && p.y >= Double(corner.1) && p.y <= Double(corner.1 + boxHeight)
            }.count
        }
        var best = corners[0], fewest = covered(corners[0])
        for corner in corners.dropFirst() where fewest > 0 {
            let count = covered(corner)
            if count < fewest { (best, fewest) = (corner, count) }
        }
        return best
    }

    /// Width and height in pixels of the legend box of `names`: a row per name.
    func legendSize(_ names: [String]) -> (width: Int, height: Int) {
        (Self.legendWidth(names, fontScale: fontScale), (BitmapFont.lineHeight * fontScale + 4) * names.count + 8)
    }

    /// Width in pixels of the legend box of `names`.
    public static func legendWidth(_ names: [String], fontScale: Int) -> Int {
        (names.map { BitmapFont.width(of: $0, scale: max(fontScale, 1)) }.max() ?? 0) + 36
    }
}

extension AxisTicks {
    /// Ticks of a log axis over `[low, high]` (both positive): 1, 2 and 5 times powers of
    /// ten, or every digit times a power of ten when the range is under a decade or so.
    public static func logTicks(low: Double, high: Double) -> [Double] {
        guard low > 0, high >= low, low.isFinite, high.isFinite else { return [] }
        func sequence(_ mantissas: [Double]) -> [Double] {
            var out: [Double] = []
            var power = pow(10, log10(low).rounded(.down))
            while power <= high * 1.0000001 {
                for m in mantissas where m * power >= low * 0.9999999 && m * power <= high * 1.0000001 {
                    out.append(m * power)
                }
                power *= 10
            }
            return out
        }
        let coarse = sequence([1, 2, 5])
        return coarse.count >= 3 ? coarse : sequence([1, 2, 3, 4, 5, 6, 7, 8, 9])
    }

    /// The shortest plain text of `value` with up to 4 significant digits: `0.5`, `20`, `1K`.
    public static func shortest(_ value: Double) -> String {
        if abs(value) >= 1000 { return compact(value) }
        var text = String(format: "%.4g", value)
        if text.contains("e") { text = String(format: "%.2e", value) }
        return text
    }
}
