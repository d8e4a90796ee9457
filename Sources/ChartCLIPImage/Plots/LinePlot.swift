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
        var legend: [(name: String, color: RGBColor)] = []
        var drawn: [PixelPoint] = []
        for (k, line) in series.enumerated() {
            let color = line.color ?? RGBColor.tab10[k % RGBColor.tab10.count]
            var run: [PixelPoint] = []
            func finish() {
                image.drawPolyline(run, color: color, lineWidth: 1.5)
                drawn += Self.sampled(run)
                run.removeAll()
            }
            for (x, y) in zip(line.x, line.y) {
                if usable(x, y) { run.append(axes.point(x: x, y: y)) } else { finish() }
            }
            finish()
            legend.append((line.name, color))
        }
        if legend.count > 1 || legend.first.map({ !$0.name.isEmpty }) == true {
            axes.drawLegend(legend, into: &image, origin: axes.bestLegendOrigin(names: legend.map(\.name), points: drawn))
        }
        return image
    }

    /// The vertices of a polyline and points every 4 pixels along its segments, so a
    /// segment crossing a region counts even when no vertex lies in it.
    static func sampled(_ line: [PixelPoint]) -> [PixelPoint] {
        guard var previous = line.first else { return [] }
        var out = [previous]
        for p in line.dropFirst() {
            let pieces = Int((abs(p.x - previous.x) + abs(p.y - previous.y)) / 4)
            for i in stride(from: 1, through: pieces, by: 1) {
                let t = Double(i) / Double(pieces + 1)
                out.append(PixelPoint(previous.x + t * (p.x - previous.x), previous.y + t * (p.y - previous.y)))
            }
            out.append(p)
            previous = p
        }
        return out
    }

    private func usable(_ x: Double, _ y: Double) -> Bool {
        x.isFinite && y.isFinite && (!logY || y > 0)
    }
}
