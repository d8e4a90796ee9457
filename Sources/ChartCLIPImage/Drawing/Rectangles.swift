/// Axis-aligned fills: rectangles, horizontal and vertical lines, blits.
///
/// Every primitive clips to the image, so callers may pass coordinates outside it. Pixel
/// coordinates are integers: column `x` from the left, row `y` from the top.
extension RasterImage {
    /// Fills `[x, x+width) × [y, y+height)` with `color`.
    public mutating func fillRect(x: Int, y: Int, width w: Int, height h: Int, color: RGBColor) {
        let x0 = max(x, 0), y0 = max(y, 0)
        let x1 = min(x + w, width), y1 = min(y + h, height)
        guard x0 < x1, y0 < y1 else { return }
        let stride = width * 3
        withUnsafeMutablePixels { base in
            let count = x1 - x0
            if color.r == color.g && color.g == color.b {
                for row in y0..<y1 {
                    (base + row * stride + x0 * 3).update(repeating: color.r, count: count * 3)
                }
                return
            }
            let first = base + y0 * stride + x0 * 3
            for i in 0..<count {
                first[3 * i] = color.r
                first[3 * i + 1] = color.g
                first[3 * i + 2] = color.b
            }
            // Later rows copy the first: one memcpy per row.
            for row in (y0 + 1)..<max(y1, y0 + 1) {
                (base + row * stride + x0 * 3).update(from: first, count: count * 3)
            }
        }
    }

    /// Blends `color` over `[x, x+width) × [y, y+height)` with opacity `alpha` (0…1).
    public mutating func blendRect(
        x: Int, y: Int, width w: Int, height h: Int, color: RGBColor, alpha: Double
    ) {
        let x0 = max(x, 0), y0 = max(y, 0)
        let x1 = min(x + w, width), y1 = min(y + h, height)
        guard x0 < x1, y0 < y1 else { return }
        for row in y0..<y1 {
            for column in x0..<x1 { blendPixel(x: column, y: row, color: color, alpha: alpha) }
        }
    }

    /// Draws the one-pixel outline of `[x, x+width) × [y, y+height)`.
    public mutating func strokeRect(x: Int, y: Int, width w: Int, height h: Int, color: RGBColor) {
        guard w > 0, h > 0 else { return }
        drawHLine(x0: x, x1: x + w - 1, y: y, color: color)
        drawHLine(x0: x, x1: x + w - 1, y: y + h - 1, color: color)
        drawVLine(x: x, y0: y, y1: y + h - 1, color: color)
        drawVLine(x: x + w - 1, y0: y, y1: y + h - 1, color: color)
    }

    /// A horizontal line on row `y` from column `x0` to `x1`, both included.
    public mutating func drawHLine(x0: Int, x1: Int, y: Int, color: RGBColor) {
        let a = min(x0, x1), b = max(x0, x1)
        fillRect(x: a, y: y, width: b - a + 1, height: 1, color: color)
    }

    /// A vertical line in column `x` from row `y0` to `y1`, both included.
    public mutating func drawVLine(x: Int, y0: Int, y1: Int, color: RGBColor) {
        let a = min(y0, y1), b = max(y0, y1)
        fillRect(x: x, y: a, width: 1, height: b - a + 1, color: color)
    }

    /// A dashed horizontal line (grid lines): `dash` pixels on, `gap` pixels off.
    public mutating func drawDashedHLine(
        x0: Int, x1: Int, y: Int, color: RGBColor, dash: Int = 4, gap: Int = 3
    ) {
        var x = min(x0, x1)
        let end = max(x0, x1)
        while x <= end {
            drawHLine(x0: x, x1: min(x + dash - 1, end), y: y, color: color)
            x += dash + gap
        }
    }

    /// A dashed vertical line: `dash` pixels on, `gap` pixels off.
    public mutating func drawDashedVLine(
        x: Int, y0: Int, y1: Int, color: RGBColor, dash: Int = 4, gap: Int = 3
    ) {
        var y = min(y0, y1)
        let end = max(y0, y1)
        while y <= end {
            drawVLine(x: x, y0: y, y1: min(y + dash - 1, end), color: color)
            y += dash + gap
        }
    }

    /// Mixes `color` into pixel (`x`, `y`) with opacity `alpha` (0…1); outside pixels are
    /// ignored.
    public mutating func blendPixel(x: Int, y: Int, color: RGBColor, alpha: Double) {
        guard contains(x: x, y: y), alpha > 0 else { return }
        let a = min(alpha, 1)
        let i = (y * width + x) * 3
        withUnsafeMutablePixels { p in
            p[i] = UInt8((Double(p[i]) * (1 - a) + Double(color.r) * a).rounded())
            p[i + 1] = UInt8((Double(p[i + 1]) * (1 - a) + Double(color.g) * a).rounded())
            p[i + 2] = UInt8((Double(p[i + 2]) * (1 - a) + Double(color.b) * a).rounded())
        }
    }

    /// Copies `image` so that its top-left pixel lands on (`x`, `y`), clipped to this image.
    public mutating func draw(_ image: RasterImage, atX x: Int, y: Int) {
        let sx0 = max(0, -x), sy0 = max(0, -y)
        let sx1 = min(image.width, width - x), sy1 = min(image.height, height - y)
        guard sx0 < sx1, sy0 < sy1 else { return }
        let destinationStride = width * 3
        image.withUnsafePixels { source in
            withUnsafeMutablePixels { destination in
                for row in sy0..<sy1 {
                    let from = source + (row * image.width + sx0) * 3
                    let to = destination + (row + y) * destinationStride + (sx0 + x) * 3
                    to.update(from: from, count: (sx1 - sx0) * 3)
                }
            }
        }
    }
}
