/// One tile of an `ImageGrid`: an image and the caption lines under it.
public struct GridTile: Equatable, Sendable {
    /// The picture, resized to the grid's tile size if needed.
    public var image: RasterImage
    /// Caption lines (split on `\n`), cut to the tile width.
    public var caption: String
    /// Caption colour, e.g. green for a correct prediction and red for a wrong one.
    public var captionColor: RGBColor

    /// Creates a tile.
    public init(image: RasterImage, caption: String, captionColor: RGBColor = .black) {
        self.image = image
        self.caption = caption
        self.captionColor = captionColor
    }
}

/// Images in rows and columns with a caption under each: sample charts with their true and
/// predicted labels in an evaluation report.
public struct ImageGrid: Equatable, Sendable {
    /// The tiles, filled row by row.
    public var tiles: [GridTile]
    /// Tiles per row.
    public var columns: Int
    /// Title above the grid, or empty.
    public var title: String

    /// Creates a grid.
    public init(tiles: [GridTile], columns: Int, title: String = "") {
        self.tiles = tiles
        self.columns = max(columns, 1)
        self.title = title
    }

    /// The grid with tiles of `tileWidth`×`tileHeight` (default: the first tile's size),
    /// resized with bicubic resampling when a tile differs, captions under each tile.
    public func render(tileWidth: Int? = nil, tileHeight: Int? = nil, padding: Int = 10) -> RasterImage {
        let w = tileWidth ?? tiles.first?.image.width ?? 64
        let h = tileHeight ?? tiles.first?.image.height ?? 64
        let lines = tiles.map { $0.caption.split(separator: "\n", omittingEmptySubsequences: false).count }.max() ?? 0
        let captionHeight = lines > 0 ? lines * BitmapFont.lineHeight + 4 : 0
        let titleHeight = title.isEmpty ? 0 : BitmapFont.lineHeight * 2 + 8
        let rows = (tiles.count + columns - 1) / columns
        let columnCount = min(columns, max(tiles.count, 1))
        let width = padding + columnCount * (w + padding)
        let height = titleHeight + padding + rows * (h + captionHeight + padding)
        var image = RasterImage(width: max(width, 1), height: max(height, 1))
        if !title.isEmpty {
            image.drawText(title, x: width / 2, y: 6, color: .black, scale: 2, horizontal: .center)
        }
        let maxCharacters = max((w + 1) / BitmapFont.advance, 1)
        for (k, tile) in tiles.enumerated() {
            let x = padding + (k % columns) * (w + padding)
            let y = titleHeight + padding + (k / columns) * (h + captionHeight + padding)
            let picture = tile.image.width == w && tile.image.height == h
                ? tile.image : tile.image.resizedBicubic(width: w, height: h)
            image.draw(picture, atX: x, y: y)
            image.strokeRect(x: x - 1, y: y - 1, width: w + 2, height: h + 2, color: RGBColor(hex: 0xC0C0C0))
            let caption = tile.caption.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                line.count <= maxCharacters ? String(line) : String(line.prefix(maxCharacters - 2)) + ".."
            }.joined(separator: "\n")
            image.drawText(caption, x: x, y: y + h + 4, color: tile.captionColor)
        }
        return image
    }
}
