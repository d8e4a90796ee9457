/// A point in pixel space: `x` from the left edge, `y` from the top edge. Pixel (i, j)
/// covers `[i, i+1) × [j, j+1)`, so its centre is (i + 0.5, j + 0.5).
public struct PixelPoint: Equatable, Sendable {
    /// Horizontal position in pixels.
    public var x: Double
    /// Vertical position in pixels (down is positive).
    public var y: Double

    /// Creates a point.
    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }
}

/// Lines: crisp one-pixel Bresenham lines for training charts and anti-aliased lines of any
/// width for plots people read.
extension RasterImage {
    /// A one-pixel line from pixel (`x0`, `y0`) to (`x1`, `y1`), both ends included
    /// (Bresenham's algorithm, integer only). Pixels outside the image are skipped.
    public mutating func drawLine(x0: Int, y0: Int, x1: Int, y1: Int, color: RGBColor) {
        let w = width, h = height
        withUnsafeMutablePixels { p in
            var x = x0, y = y0
            let dx = abs(x1 - x0), dy = -abs(y1 - y0)
            let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
            var error = dx + dy
            while true {
                if x >= 0 && y >= 0 && x < w && y < h {
                    let i = (y * w + x) * 3
                    p[i] = color.r
                    p[i + 1] = color.g
                    p[i + 2] = color.b
                }
                if x == x1 && y == y1 { break }
                let e2 = 2 * error
                if e2 >= dy {
                    error += dy
                    x += sx
                }
                if e2 <= dx {
                    error += dx
                    y += sy
                }
            }
        }
    }

    /// Crisp one-pixel segments through `points` (pixel indices), for training charts.
    public mutating func drawPolyline(pixels points: [(x: Int, y: Int)], color: RGBColor) {
        guard let first = points.first else { return }
        if points.count == 1 {
            drawLine(x0: first.x, y0: first.y, x1: first.x, y1: first.y, color: color)
        }
        for k in points.indices.dropFirst() {
            let a = points[k - 1], b = points[k]
            drawLine(x0: a.x, y0: a.y, x1: b.x, y1: b.y, color: color)
        }
    }

    /// An anti-aliased segment of `lineWidth` pixels from `a` to `b` with round caps.
    ///
    /// Each pixel near the segment gets coverage `clamp(lineWidth/2 + 0.5 − d, 0, 1)`, where
    /// `d` is the distance from the pixel centre to the segment: a one-pixel box filter of
    /// the ideal stroke, good enough for plots and cheap (only a band around the segment
    /// is visited).
    public mutating func drawLine(
        from a: PixelPoint, to b: PixelPoint, color: RGBColor, lineWidth: Double = 1
    ) {
        let radius = max(lineWidth, 0.5) / 2
        let reach = radius + 1
        let dx = b.x - a.x, dy = b.y - a.y
        let length2 = dx * dx + dy * dy
        func coverage(_ px: Int, _ py: Int) -> Double {
            let cx = Double(px) + 0.5, cy = Double(py) + 0.5
            var t = length2 > 0 ? ((cx - a.x) * dx + (cy - a.y) * dy) / length2 : 0
            t = min(max(t, 0), 1)
            let ex = cx - (a.x + t * dx), ey = cy - (a.y + t * dy)
            let d = (ex * ex + ey * ey).squareRoot()
            return min(max(radius + 0.5 - d, 0), 1)
        }
        if abs(dx) >= abs(dy) {
            // Walk columns; in each, visit the rows within reach of the line.
            let slope = dx != 0 ? dy / dx : 0
            let band = reach * (1 + slope * slope).squareRoot()
            let xs = Int((min(a.x, b.x) - reach).rounded(.down))
            let xe = Int((max(a.x, b.x) + reach).rounded(.up))
            for px in stride(from: max(xs, 0), through: min(xe, width - 1), by: 1) {
                let cx = min(max(Double(px) + 0.5, min(a.x, b.x)), max(a.x, b.x))
                let cy = a.y + (cx - a.x) * slope
                let ys = Int((cy - band).rounded(.down)), ye = Int((cy + band).rounded(.up))
                for py in stride(from: max(ys, 0), through: min(ye, height - 1), by: 1) {
                    blendPixel(x: px, y: py, color: color, alpha: coverage(px, py))
                }
            }
        } else {
            let slope = dx / dy
            let band = reach * (1 + slope * slope).squareRoot()
            let ys = Int((min(a.y, b.y) - reach).rounded(.down))
            let ye = Int((max(a.y, b.y) + reach).rounded(.up))
            for py in stride(from: max(ys, 0), through: min(ye, height - 1), by: 1) {
                let cy = min(max(Double(py) + 0.5, min(a.y, b.y)), max(a.y, b.y))
                let cx = a.x + (cy - a.y) * slope
                let xs = Int((cx - band).rounded(.down)), xe = Int((cx + band).rounded(.up))
                for px in stride(from: max(xs, 0), through: min(xe, width - 1), by: 1) {
                    blendPixel(x: px, y: py, color: color, alpha: coverage(px, py))
                }
            }
        }
    }

    /// Anti-aliased segments through `points` with `lineWidth`.
    ///
    /// Neighbouring segments overlap at their joints, so joint pixels are blended twice and
    /// come out slightly darker; at plot line widths (1–2 px) that is not visible.
    public mutating func drawPolyline(
        _ points: [PixelPoint], color: RGBColor, lineWidth: Double = 1
    ) {
        guard points.count >= 2 else {
            if let p = points.first { drawLine(from: p, to: p, color: color, lineWidth: lineWidth) }
            return
        }
        for k in points.indices.dropFirst() {
            drawLine(from: points[k - 1], to: points[k], color: color, lineWidth: lineWidth)
        }
    }
}
