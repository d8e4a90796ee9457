/// One named set of bars of a `GroupedBarChart`: a value per group, `nil` where it has none.
public struct BarSeries: Equatable, Sendable {
    /// Legend name.
    public var name: String
    /// One value per group of the chart, in group order.
    public var values: [Double?]
    /// Bar colour, or `nil` for the next colour of matplotlib's `tab10` cycle.
    public var color: RGBColor?

    /// Creates a series.
    public init(name: String, values: [Double?], color: RGBColor? = nil) {
        self.name = name
        self.values = values
        self.color = color
    }
}

/// Bars side by side per named group, each labelled with its value: accuracies of several
/// readouts on groups of charts (sharp against near-threshold labels, say).
public struct GroupedBarChart: Equatable, Sendable {
    /// Title above the chart.
    public var title: String
    /// Vertical axis title.
    public var yLabel: String
    /// The groups along the horizontal axis.
    public var groups: [String]
    /// The bars of each group, drawn left to right in this order.
    public var series: [BarSeries]
    /// Values are fractions, labelled as percentages.
    public var percent: Bool

    /// Creates a chart.
    public init(title: String, yLabel: String, groups: [String], series: [BarSeries], percent: Bool = true) {
        self.title = title
        self.yLabel = yLabel
        self.groups = groups
        self.series = series
        self.percent = percent
    }

    /// The chart as a `width`×`height` image, the legend to the right of the bars. The
    /// vertical axis starts at 0 and leaves a tenth of headroom above the largest value for
    /// the value labels. Group names may take two lines (`\n`).
    public func render(width: Int = 800, height: Int = 500) -> RasterImage {
        var image = RasterImage(width: width, height: height)
        let values = series.flatMap { $0.values.compactMap { $0 } }.filter(\.isFinite)
        let top = max(values.max() ?? 1, 0) * 1.1
        let low = min(values.min() ?? 0, 0)
        // Group names and value labels crowd at a larger font; one scale keeps them apart.
        let fontScale = 1
        let legendWidth = series.isEmpty ? 0 : PlotAxes.legendWidth(series.map(\.name), fontScale: fontScale) + 8
        let glyph = BitmapFont.lineHeight * fontScale
        let axes = PlotAxes(
            imageWidth: width - legendWidth, imageHeight: height - glyph, xRange: 0...Double(max(groups.count, 1)),
            yRange: low...max(top, low + 1e-9), fontScale: fontScale)
        axes.draw(into: &image, title: title, xLabel: "", yLabel: yLabel, xCategories: groups)
        let groupWidth = Double(axes.width) / Double(max(groups.count, 1))
        let barWidth = groupWidth * 0.7 / Double(max(series.count, 1))
        let zero = Int(axes.point(x: 0, y: 0).y)
        let colors = series.enumerated().map { k, bars in bars.color ?? RGBColor.tab10[k % RGBColor.tab10.count] }
        for (k, bars) in series.enumerated() {
            let color = colors[k]
            for (g, value) in bars.values.prefix(groups.count).enumerated() {
                guard let value, value.isFinite else { continue }
                let x0 = Double(axes.left) + Double(g) * groupWidth + groupWidth * 0.15 + Double(k) * barWidth
                let y = Int(axes.point(x: 0, y: value).y)
                image.fillRect(x: Int(x0.rounded()), y: min(y, zero), width: max(Int(barWidth.rounded()) - 2, 1), height: max(abs(zero - y), 1), color: color)
                let label = percent ? "\(Int((100 * value).rounded()))%" : AxisTicks.shortest(value)
                image.drawText(
                    label, x: Int((x0 + barWidth / 2).rounded()) - 1, y: min(y, zero) - 3, color: .darkGray, scale: axes.fontScale,
                    horizontal: .center, vertical: .bottom)
            }
        }
        let legend = zip(series, colors).map { (name: $0.name, color: $1) }
        if !legend.isEmpty { axes.drawLegend(legend, into: &image, origin: (axes.left + axes.width + 8, axes.top)) }
        return image
    }
}
