import ChartCLIPImage
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
}
