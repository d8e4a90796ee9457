import ChartCLIPImage
import Testing

@Suite("Drawing primitives and the bitmap font")
struct DrawingTests {
    @Test("filled rectangles clip to the image and cover exactly their pixels")
    func rectangles() {
        var image = RasterImage(width: 10, height: 8)
        image.fillRect(x: -3, y: 6, width: 5, height: 10, color: .black)  // clipped to x 0…1, y 6…7
        #expect(image.countPixels(notEqualTo: .white) == 4)
        #expect(image[1, 7] == .black && image[2, 7] == .white)
        let red = RGBColor(hex: 0xFF0000)
        image.fillRect(x: 3, y: 1, width: 4, height: 2, color: red)
        #expect(image.countPixels(notEqualTo: .white, x: 3, y: 1, width: 4, height: 2) == 8)
        #expect(image[3, 1] == red && image[6, 2] == red && image[7, 2] == .white)
    }

    @Test("Bresenham lines include both ends and one pixel per step of the long axis")
    func lines() {
        var image = RasterImage(width: 20, height: 20)
        image.drawLine(x0: 2, y0: 3, x1: 12, y1: 7, color: .black)
        #expect(image[2, 3] == .black && image[12, 7] == .black)
        #expect(image.countPixels(notEqualTo: .white) == 11)
        var vertical = RasterImage(width: 5, height: 5)
        vertical.drawVLine(x: 2, y0: 4, y1: 1, color: .black)
        #expect(vertical.countPixels(notEqualTo: .white) == 4)
    }

    @Test("an anti-aliased line darkens the pixels it crosses and leaves far ones alone")
    func antialiasedLine() {
        var image = RasterImage(width: 40, height: 40)
        image.drawLine(from: PixelPoint(5, 5), to: PixelPoint(35, 30), color: .black, lineWidth: 2)
        #expect(image[5, 5].r < 128)  // the start of the line is covered
        #expect(image[20, 17].r < 128 || image[20, 18].r < 128)  // the middle
        #expect(image[35, 5] == .white && image[5, 35] == .white)
    }

    /// Lowercase letters with a tail start at the x-height like the others, so a `g` in a
    /// plot title does not read as a `9` (whose bowl starts at the top).
    @Test func descendersStartAtTheXHeight() {
        func ink(_ glyph: String, rows: Range<Int>) -> Int {
            var image = RasterImage(width: 5, height: 7)
            image.drawText(glyph, x: 0, y: 0, color: .black)
            return image.countPixels(notEqualTo: .white, x: 0, y: rows.lowerBound, width: 5, height: rows.count)
        }
        for glyph in ["a", "g", "p", "q", "y"] { #expect(ink(glyph, rows: 0..<2) == 0, "\(glyph)") }
        #expect(ink("9", rows: 0..<2) > 0)
    }

    @Test("text is as wide as the font says and draws ink inside its box only")
    func text() {
        #expect(BitmapFont.width(of: "AB", scale: 1) == 11)
        #expect(BitmapFont.width(of: "AB", scale: 3) == 33)
        #expect(BitmapFont.height(of: "x\ny", scale: 2) == (9 + 7) * 2)
        var image = RasterImage(width: 60, height: 30)
        let box = image.drawText("Hi 7", x: 30, y: 15, color: .black, scale: 2, horizontal: .center, vertical: .middle)
        #expect(box.width == BitmapFont.width(of: "Hi 7", scale: 2) && box.height == 14)
        let inside = image.countPixels(notEqualTo: .white, x: box.x, y: box.y, width: box.width, height: box.height)
        #expect(inside > 0)
        #expect(inside == image.countPixels(notEqualTo: .white))
        // "H" at scale 2: its left column is ink over the full glyph height.
        for row in 0..<14 { #expect(image[box.x, box.y + row] == .black) }
    }

    @Test("rotated text runs upwards in a box of swapped size")
    func rotatedText() {
        var image = RasterImage(width: 30, height: 60)
        let box = image.drawText("ABC", x: 2, y: 2, color: .black, rotated: true)
        #expect(box.width == 7 && box.height == BitmapFont.width(of: "ABC"))
        #expect(image.countPixels(notEqualTo: .white) == image.countPixels(
            notEqualTo: .white, x: box.x, y: box.y, width: box.width, height: box.height))
    }

    @Test("every printable ASCII character has a glyph and unknown characters draw as '?'")
    func glyphs() {
        var all = RasterImage(width: 600, height: 10)
        let printable = String((32...126).map { Character(Unicode.Scalar($0)!) })
        all.drawText(printable, x: 0, y: 0, color: .black)
        #expect(all.countPixels(notEqualTo: .white) > 500)
        var unknown = RasterImage(width: 10, height: 10)
        var question = RasterImage(width: 10, height: 10)
        unknown.drawText("é", x: 0, y: 0, color: .black)
        question.drawText("?", x: 0, y: 0, color: .black)
        #expect(unknown == question)
    }

    @Test("nice ticks use steps of 1, 2, 2.5 or 5 times a power of ten")
    func ticks() {
        #expect(AxisTicks.ticks(low: 0, high: 1, maxCount: 6) == [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
        #expect(AxisTicks.step(low: 99.1, high: 105.3, maxCount: 8) == 1)
        #expect(AxisTicks.label(104500, step: 500) == "104500")
        #expect(AxisTicks.label(0.0125, step: 0.0025) == "0.0125")
        #expect(AxisTicks.compact(4080) == "4.08K" && AxisTicks.compact(12_300_000) == "12.3M")
        #expect(AxisTicks.logTicks(low: 0.3, high: 40) == [0.5, 1, 2, 5, 10, 20])
    }
}
