@testable import ChartCLIPImage
import ChartCLIPSupport
import Foundation
import Testing

@Suite("Report plots")
struct PlotTests {
    @Test("a line plot has the requested size, both series' colours and a legend")
    func linePlot() {
        let falling = PlotSeries(name: "train", y: (0..<100).map { 3 * exp(-Double($0) / 30) })
        let flat = PlotSeries(name: "val", x: [0, 50, 99], y: [2.5, 1.5, .nan], color: RGBColor(hex: 0x00AA00))
        let image = LinePlot(title: "loss", xLabel: "step", yLabel: "loss", series: [falling, flat])
            .render(width: 640, height: 400)
        #expect(image.width == 640 && image.height == 400)
        var colours = Set<RGBColor>()
        for y in 0..<400 { for x in 0..<640 { colours.insert(image[x, y]) } }
        #expect(colours.contains(RGBColor.tab10[0]))
        #expect(colours.contains(RGBColor(hex: 0x00AA00)))
        // Title and tick labels are ink outside the plot rectangle.
        #expect(image.countPixels(notEqualTo: .white, x: 0, y: 0, width: 640, height: 20) > 10)
        #expect(image.countPixels(notEqualTo: .white, x: 0, y: 0, width: 60, height: 400) > 50)
    }

    @Test("a grouped bar chart draws each bar to its value, skips missing ones and names the groups")
    func groupedBars() {
        let red = RGBColor(hex: 0xD00000), blue = RGBColor(hex: 0x0000D0)
        let chart = GroupedBarChart(
            title: "accuracy", yLabel: "accuracy", groups: ["sharp", "near"],
            series: [BarSeries(name: "zero-shot", values: [0.5, 0.25], color: red), BarSeries(name: "probe", values: [1.0, nil], color: blue)])
        let image = chart.render(width: 600, height: 400)
        // The axes chart.render builds: the legend to their right, y from 0 to 1.1 (a tenth
        // above the largest value), a line below for two-line group names.
        let legend = PlotAxes.legendWidth(["zero-shot", "probe"], fontScale: 1) + 8
        let axes = PlotAxes(imageWidth: 600 - legend, imageHeight: 400 - BitmapFont.lineHeight, xRange: 0...2, yRange: 0...1.1)
        let groupWidth = Double(axes.width) / 2, barWidth = groupWidth * 0.35
        func column(group: Int, bar: Int) -> Int { Int(Double(axes.left) + Double(group) * groupWidth + groupWidth * 0.15 + (Double(bar) + 0.5) * barWidth) }
        let zeroRow = Int(axes.point(x: 0, y: 0).y), oneRow = Int(axes.point(x: 0, y: 1).y)
        func height(of color: RGBColor, atColumn x: Int) -> Int { (oneRow - 2...zeroRow + 2).filter { image[x, $0] == color }.count }
        let unit = Double(zeroRow - oneRow)
        for (x, color, value) in [(column(group: 0, bar: 0), red, 0.5), (column(group: 0, bar: 1), blue, 1.0), (column(group: 1, bar: 0), red, 0.25)] {
            #expect(abs(Double(height(of: color, atColumn: x)) - value * unit) <= 2, "\(value)")
        }
        #expect(height(of: blue, atColumn: column(group: 1, bar: 1)) == 0)
        // Group names under the axis, value labels above the bars, and a legend.
        let bottom = axes.top + axes.height
        #expect(image.countPixels(notEqualTo: .white, x: axes.left + 20, y: bottom + 4, width: 200, height: 16) > 10)
        let aboveHalf = Int(axes.point(x: 0, y: 0.5).y)
        #expect(image.countPixels(notEqualTo: .white, x: column(group: 0, bar: 0) - 10, y: aboveHalf - 12, width: 20, height: 10) > 5)
        #expect(image.countPixels(notEqualTo: .white, x: axes.left + axes.width + 10, y: axes.top, width: legend - 10, height: 30) > 20)
        #expect((0..<400).contains { image[axes.left + axes.width + 20, $0] == blue })
    }

    @Test("an empty or log-scale plot still renders axes")
    func degeneratePlots() {
        let empty = LinePlot(title: "nothing", xLabel: "x", yLabel: "y", series: []).render(width: 300, height: 200)
        #expect(empty.width == 300 && empty.countPixels(notEqualTo: .white) > 100)
        let log = LinePlot(
            title: "log", xLabel: "x", yLabel: "y", series: [PlotSeries(name: "a", y: [1000, 10, 0.1, 0, -1])], logY: true)
            .render(width: 300, height: 200)
        #expect(log.height == 200)
    }

    @Test("a confusion matrix shades the diagonal darkest and writes the counts")
    func confusionMatrix() throws {
        let plot = ConfusionMatrixPlot(
            title: "setup", classNames: ["breakout", "fakeout", "range"],
            counts: [[9, 1, 0], [2, 8, 0], [0, 0, 10]])
        let image = try plot.render(cellSize: 40, fontScale: 1)
        #expect(image.width > 120 && image.height > 120)
        // Grid origin from the plot margins: left = glyph + 12 + longest name + 10, top = glyph + 20.
        let names = BitmapFont.width(of: "breakout")
        let left = 7 + 12 + names + 10, top = 7 + 20
        let diagonal = image[left + 2, top + 2]  // cell (0, 0): 90% of its row
        let offDiagonal = image[left + 40 + 2, top + 2]  // cell (0, 1): 10%
        let empty = image[left + 80 + 2, top + 2]  // cell (0, 2): 0%
        #expect(diagonal.luminance < offDiagonal.luminance && offDiagonal.luminance < empty.luminance)
        #expect(empty == .white)
        // A count is printed inside the cell.
        #expect(image.countPixels(notEqualTo: diagonal, x: left, y: top, width: 40, height: 40) > 5)
        #expect(throws: ChartCLIPError.self) {
            try ConfusionMatrixPlot(title: "bad", classNames: ["a", "b"], counts: [[1, 2]]).render()
        }
    }

    @Test("reliability bins, ECE and diagram")
    func reliability() throws {
        let bins = try ReliabilityDiagram.bins(
            confidences: [0.05, 0.15, 0.95, 0.9, 1.0, 0.0], correct: [false, true, true, false, true, false], count: 10)
        #expect(bins.count == 10)
        #expect(bins[0].count == 2 && bins[1].count == 1 && bins[8].count == 1 && bins[9].count == 2)
        #expect(bins[9].accuracy == 1 && abs(bins[9].confidence - 0.975) < 1e-12)
        // ECE = (2·|0 − 0.025| + 1·|1 − 0.15| + 1·|0 − 0.9| + 2·|1 − 0.975|) / 6.
        let ece = ReliabilityDiagram.expectedCalibrationError(bins)
        #expect(abs(ece - (0.05 + 0.85 + 0.9 + 0.05) / 6) < 1e-12)
        let image = ReliabilityDiagram(title: "calibration", bins: bins).render(width: 400, height: 400)
        #expect(image.width == 400 && image.height == 400)
        var colours = Set<RGBColor>()
        for y in 0..<400 { for x in 0..<400 { colours.insert(image[x, y]) } }
        #expect(colours.contains(RGBColor(hex: 0x1F77B4)))  // accuracy bars
        #expect(throws: ChartCLIPError.self) { try ReliabilityDiagram.bins(confidences: [0.5], correct: []) }
    }

    @Test("an image grid places resized tiles in rows with captions under them")
    func imageGrid() {
        let red = RasterImage(width: 50, height: 50, background: RGBColor(hex: 0xFF0000))
        let blue = RasterImage(width: 20, height: 20, background: RGBColor(hex: 0x0000FF))
        let tiles = [
            GridTile(image: red, caption: "true: breakout\npred: breakout"),
            GridTile(image: blue, caption: "a caption far too long for a tile this narrow", captionColor: RGBColor(hex: 0xD62728)),
            GridTile(image: red, caption: "third"),
        ]
        let image = ImageGrid(tiles: tiles, columns: 2).render(tileWidth: 50, tileHeight: 50, padding: 10)
        let captionHeight = 2 * BitmapFont.lineHeight + 4
        #expect(image.width == 10 + 2 * 60)
        #expect(image.height == 10 + 2 * (50 + captionHeight + 10))
        #expect(image[10, 10] == RGBColor(hex: 0xFF0000) && image[59, 59] == RGBColor(hex: 0xFF0000))
        #expect(image[70 + 25, 10 + 25] == RGBColor(hex: 0x0000FF))  // the small tile was enlarged
        #expect(image[10, 10 + 50 + captionHeight + 10 + 5] == RGBColor(hex: 0xFF0000))  // second row
        // Captions are drawn under the tiles and cut to the tile width.
        #expect(image.countPixels(notEqualTo: .white, x: 10, y: 62, width: 50, height: captionHeight - 2) > 20)
        #expect(image.countPixels(notEqualTo: .white, x: 61, y: 62, width: 9, height: captionHeight - 2) == 0)
    }

    @Test("the legend goes to the corner where it hides the least of the lines, upper right first")
    func legendPlacement() {
        let axes = PlotAxes(imageWidth: 800, imageHeight: 500, xRange: 0...1, yRange: 0...1)
        let names = ["a rising line", "b"]
        let width = PlotAxes.legendWidth(names, fontScale: 1)
        func corner(_ points: [(Double, Double)]) -> String {
            let origin = axes.bestLegendOrigin(names: names, points: points.map { axes.point(x: $0.0, y: $0.1) })
            return (origin.y < axes.top + axes.height / 2 ? "upper " : "lower ") + (origin.x + width / 2 < axes.left + axes.width / 2 ? "left" : "right")
        }
        let diagonal = (0...100).map { (Double($0) / 100, Double($0) / 100) }
        #expect(corner(diagonal) == "upper left")
        #expect(corner(diagonal.map { ($0.0, 1 - $0.1) }) == "upper right")
        #expect(corner(diagonal.map { ($0.0, 0.95) }) == "lower right")
        #expect(corner([]) == "upper right")
        // A line drawn through the upper-right corner with vertices only at its ends still counts there.
        let drawn = LinePlot.sampled([axes.point(x: 0.5, y: 0.97), axes.point(x: 1, y: 0.97)])
        #expect(drawn.count > 30)
        #expect(axes.bestLegendOrigin(names: names, points: drawn).x < axes.left + axes.width / 2)
    }
}
