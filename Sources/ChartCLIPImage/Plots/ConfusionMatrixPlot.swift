import ChartCLIPSupport

/// A confusion-matrix heatmap: rows are true classes, columns predicted classes, each cell
/// shaded by its share of the row (per-class recall) and labelled with its count.
public struct ConfusionMatrixPlot: Equatable, Sendable {
    /// Title above the matrix.
    public var title: String
    /// Class names, in row and column order.
    public var classNames: [String]
    /// Counts `[C, C]`: `counts[t][p]` examples of true class `t` predicted as `p`.
    public var counts: [[Int]]

    /// Creates a plot; `render` checks that `counts` is `C`×`C` for `C` class names.
    public init(title: String, classNames: [String], counts: [[Int]]) {
        self.title = title
        self.classNames = classNames
        self.counts = counts
    }

    /// The heatmap image. Cells are `cellSize` pixels (default: room for four digits at
    /// the font scale). Throws when the counts are not square or do not match the names.
    public func render(cellSize: Int? = nil, fontScale: Int = 2) throws -> RasterImage {
        let c = classNames.count
        guard c > 0, counts.count == c, counts.allSatisfy({ $0.count == c }) else {
            throw ChartCLIPError(
                "a confusion matrix of \(c) classes needs \(c)x\(c) counts, got \(counts.count) rows of \(counts.map(\.count))")
        }
        let s = max(fontScale, 1)
        let cell = cellSize ?? max(BitmapFont.width(of: "00000", scale: s) + 12, 36)
        let nameWidth = classNames.map { BitmapFont.width(of: $0, scale: s) }.max() ?? 0
        let glyph = BitmapFont.height(of: "X", scale: s)
        let left = glyph + 12 + nameWidth + 10
        let top = glyph + 20
        let gridSize = cell * c
        let bottom = nameWidth + 10 + glyph + 12
        let width = max(left + gridSize + 16, BitmapFont.width(of: title, scale: s) + 16)
        var image = RasterImage(width: width, height: top + gridSize + bottom)
        let low = RGBColor.white, high = RGBColor(hex: 0x08306B)  // matplotlib "Blues" ends
        for t in 0..<c {
            let rowTotal = counts[t].reduce(0, +)
            for p in 0..<c {
                let fraction = rowTotal > 0 ? Double(counts[t][p]) / Double(rowTotal) : 0
                let fill = low.mixed(with: high, fraction)
                let x = left + p * cell, y = top + t * cell
                image.fillRect(x: x, y: y, width: cell, height: cell, color: fill)
                let ink: RGBColor = fill.luminance < 0.5 ? .white : .black
                image.drawText(
                    "\(counts[t][p])", x: x + cell / 2, y: y + cell / 2, color: ink, scale: s,
                    horizontal: .center, vertical: .middle)
            }
            image.drawText(
                classNames[t], x: left - 8, y: top + t * cell + cell / 2, color: .darkGray, scale: s,
                horizontal: .right, vertical: .middle)
            // Column names run upwards under the grid.
            image.drawText(
                classNames[t], x: left + t * cell + cell / 2, y: top + gridSize + 8, color: .darkGray, scale: s,
                horizontal: .center, rotated: true)
        }
        image.strokeRect(x: left - 1, y: top - 1, width: gridSize + 2, height: gridSize + 2, color: .darkGray)
        image.drawText(
            "true", x: 4, y: top + gridSize / 2, color: .black, scale: s, vertical: .middle, rotated: true)
        image.drawText(
            "predicted", x: left + gridSize / 2, y: image.height - 6, color: .black, scale: s,
            horizontal: .center, vertical: .bottom)
        image.drawText(title, x: width / 2, y: 8, color: .black, scale: s, horizontal: .center)
        return image
    }
}
