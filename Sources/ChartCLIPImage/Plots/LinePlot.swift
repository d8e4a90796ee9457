/// One named line of a `LinePlot`: points `(x[i], y[i])`; non-finite values break the line.
public struct PlotSeries: Equatable, Sendable {
    /// Legend name.
    public var name: String
    /// Horizontal values, e.g. training steps.
    public var x: [Double]
    /// Vertical values, e.g. losses; same count as `x`.
    public var y: [Double]
    /// Line colour, or `nil` for the next colour of matplotlib's `tab10` cycle.
    public var color: RGBColor?

    /// Creates a series; `x` and `y` are paired up to the shorter of the two.
    public init(name: String, x: [Double], y: [Double], color: RGBColor? = nil) {
        self.name = name
        self.x = x
        self.y = y
        self.color = color
    }

    /// A series over indices 0, 1, 2, … .
    public init(name: String, y: [Double], color: RGBColor? = nil) {
        self.init(name: name, x: y.indices.map(Double.init), y: y, color: color)
    }
}

/// A line plot with axes, ticks, labels and a legend: loss curves, learning rates,
/// accuracy over training.
public struct LinePlot: Equatable, Sendable {
    /// Title above the plot.
    public var title: String
    /// Horizontal axis title.
    public var xLabel: String
    /// Vertical axis title.
    public var yLabel: String
    /// The lines, drawn in order.
    public var series: [PlotSeries]
    /// Draw y on a log10 scale (non-positive values are skipped).
    public var logY: Bool

    /// Creates a plot.
    public init(title: String, xLabel: String, yLabel: String, series: [PlotSeries], logY: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logY = logY
    }

    /// The plot as a `width`×`height` image; font scale 2 from 900 pixels wide.
    public func render(width: Int = 800, height: Int = 500) -> RasterImage {
        var image = RasterImage(width: width, height: height)
        var xs: [Double] = [], ys: [Double] = []
        for line in series {
            for (x, y) in zip(line.x, line.y) where usable(x, y) {
                xs.append(x)
                ys.append(y)
            }
        }
        let xRange = (xs.min() ?? 0)...(xs.max() ?? 1)
        var yRange = (ys.min() ?? 0)...(ys.max() ?? 1)
        if !logY, let low = ys.min(), let high = ys.max(), high > low {
            // 5% headroom, as matplotlib's default margins.
            let pad = (high - low) * 0.05
            yRange = (low - pad)...(high + pad)
        }
        let axes = PlotAxes(
            imageWidth: width, imageHeight: height, xRange: xRange, yRange: yRange, logY: logY,
            fontScale: width >= 900 ? 2 : 1)
        axes.draw(into: &image, title: title, xLabel: xLabel, yLabel: yLabel)
        var legend: [(String, RGBColor)] = []
        for (k, line) in series.enumerated() {
            let color = line.color ?? RGBColor.tab10[k % RGBColor.tab10.count]
            var run: [PixelPoint] = []
            for (x, y) in zip(line.x, line.y) {
                if usable(x, y) {
                    run.append(axes.point(x: x, y: y))
                } else {
                    image.drawPolyline(run, color: color, lineWidth: 1.5)
                    run.removeAll()
                }
            }
            image.drawPolyline(run, color: color, lineWidth: 1.5)
            legend.append((line.name, color))
        }
        if legend.count > 1 || legend.first.map({ !$0.0.isEmpty }) == true {
            drawLegend(legend, into: &image, axes: axes)
        }
        return image
    }

    private func usable(_ x: Double, _ y: Double) -> Bool {
        x.isFinite && y.isFinite && (!logY || y > 0)
    }

    /// A boxed legend in the plot's top-right corner: a colour sample and the name per line.
    private func drawLegend(_ entries: [(String, RGBColor)], into image: inout RasterImage, axes: PlotAxes) {
        let s = axes.fontScale
        let rowHeight = BitmapFont.lineHeight * s + 4
        let textWidth = entries.map { BitmapFont.width(of: $0.0, scale: s) }.max() ?? 0
        let boxWidth = textWidth + 36
        let boxHeight = rowHeight * entries.count + 8
        let x = axes.left + axes.width - boxWidth - 8, y = axes.top + 8
        image.fillRect(x: x, y: y, width: boxWidth, height: boxHeight, color: .white)
        image.strokeRect(x: x, y: y, width: boxWidth, height: boxHeight, color: RGBColor(hex: 0xC0C0C0))
        for (k, entry) in entries.enumerated() {
            let cy = y + 4 + k * rowHeight + rowHeight / 2
            image.fillRect(x: x + 6, y: cy - 1, width: 18, height: 3, color: entry.1)
            image.drawText(entry.0, x: x + 30, y: cy, color: .darkGray, scale: s, vertical: .middle)
        }
    }
}
