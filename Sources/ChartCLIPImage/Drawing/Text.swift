/// Where a text's anchor point sits horizontally: at its left edge, centre or right edge.
public enum HorizontalAlignment: Sendable {
    /// The anchor is the left edge of the text.
    case left
    /// The anchor is the horizontal centre of the text.
    case center
    /// The anchor is the right edge of the text.
    case right
}

/// Where a text's anchor point sits vertically: at its top, middle or bottom.
public enum VerticalAlignment: Sendable {
    /// The anchor is the top of the text.
    case top
    /// The anchor is the vertical middle of the text.
    case middle
    /// The anchor is the bottom of the text.
    case bottom
}

/// Text drawing with `BitmapFont`.
extension RasterImage {
    /// Draws `text` (lines separated by `\n`) anchored at (`x`, `y`) in `color`.
    ///
    /// `scale` enlarges each font pixel to `scale`×`scale` image pixels. With `rotated`,
    /// the text runs bottom-to-top (a y-axis label); alignment then refers to the rotated
    /// box. Returns the box that was drawn into, `(x, y, width, height)`.
    @discardableResult
    public mutating func drawText(
        _ text: String, x: Int, y: Int, color: RGBColor, scale: Int = 1,
        horizontal: HorizontalAlignment = .left, vertical: VerticalAlignment = .top,
        rotated: Bool = false
    ) -> (x: Int, y: Int, width: Int, height: Int) {
        let s = max(scale, 1)
        let lineLength = BitmapFont.width(of: text, scale: s)
        let blockHeight = BitmapFont.height(of: text, scale: s)
        let boxWidth = rotated ? blockHeight : lineLength
        let boxHeight = rotated ? lineLength : blockHeight
        let left: Int
        switch horizontal {
        case .left: left = x
        case .center: left = x - boxWidth / 2
        case .right: left = x - boxWidth
        }
        let top: Int
        switch vertical {
        case .top: top = y
        case .middle: top = y - boxHeight / 2
        case .bottom: top = y - boxHeight
        }
        for (lineIndex, line) in text.split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated()
        {
            for (column, scalar) in line.unicodeScalars.enumerated() {
                let rows = BitmapFont.rows(of: scalar)
                // Glyph origin in unrotated text space (u along the line, v down the lines).
                let u0 = column * BitmapFont.advance * s
                let v0 = lineIndex * BitmapFont.lineHeight * s
                for (r, bits) in rows.enumerated() where bits != 0 {
                    for c in 0..<BitmapFont.glyphWidth where bits & (0x10 >> UInt8(c)) != 0 {
                        let u = u0 + c * s, v = v0 + r * s
                        if rotated {
                            // Rotate 90° counter-clockwise: u runs up, v runs right.
                            fillRect(x: left + v, y: top + boxHeight - u - s, width: s, height: s, color: color)
                        } else {
                            fillRect(x: left + u, y: top + v, width: s, height: s, color: color)
                        }
                    }
                }
            }
        }
        return (left, top, boxWidth, boxHeight)
    }
}
