import ChartCLIPImage
import ChartCLIPSupport
import ChartCLIPTestSupport
import Foundation
import Testing

/// The pixel formulas of `make_image_fixtures.py` (`formula_rgb`).
func expectedRGB(x: Int, y: Int) -> RGBColor {
    RGBColor(
        UInt8((x * 37 + y * 11) % 256), UInt8((x * 5 + y * 53 + 7) % 256),
        UInt8((x * x + y * y * 3) % 256))
}

@Suite("PNG codec")
struct PNGCodecTests {
    /// A small image with every byte value somewhere, so a round trip checks all of them.
    func sampleImage(width: Int = 31, height: Int = 17) -> RasterImage {
        var image = RasterImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                let v = y * width + x
                image[x, y] = RGBColor(UInt8(v % 256), UInt8((v * 7) % 256), UInt8((255 - v) & 255))
            }
        }
        return image
    }

    @Test("an image written and read back is identical, in both compression modes")
    func roundTrip() throws {
        let directory = try Fixtures.temporaryDirectory("png")
        let image = sampleImage()
        for compression in [PNGCodec.Compression.standard, .fast] {
            let url = directory.appendingPathComponent("nested/round_trip.png")
            try image.writePNG(to: url, compression: compression)
            #expect(try RasterImage(contentsOfPNG: url) == image)
            #expect(try PNGCodec.decode(try image.pngData(compression: compression)) == image)
        }
        // The atomic write leaves no temporary files behind.
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("nested").path)
        #expect(names == ["round_trip.png"])
    }

    @Test("images with at most 256 colours are written colour-mapped and still round-trip exactly")
    func paletteRoundTrip() throws {
        // 256 colours: the largest palette; 257: falls back to RGB.
        for colours in [2, 5, 256, 257] {
            var image = RasterImage(width: 40, height: 10)
            for i in 0..<400 { image[i % 40, i / 40] = RGBColor(UInt8(i % colours % 256), UInt8(i % colours / 256), 7) }
            let data = try image.pngData(compression: .fast)
            #expect(try PNGCodec.decode(data) == image, "\(colours) colours")
            // PNG colour type (byte 25 of the IHDR): 3 = palette, 2 = RGB.
            #expect(data[25] == (colours <= 256 ? 3 : 2))
        }
    }

    @Test("PNGs written by Pillow decode to the pixels Pillow was given")
    func decodesOtherEncoders() throws {
        let rgb = try PNGCodec.read(from: Fixtures.url("images/pil_rgb_7x5.png"))
        let rgba = try PNGCodec.read(from: Fixtures.url("images/pil_rgba_7x5.png"))
        let gray = try PNGCodec.read(from: Fixtures.url("images/pil_gray_7x5.png"))
        #expect(rgb.width == 7 && rgb.height == 5)
        for y in 0..<5 {
            for x in 0..<7 {
                let e = expectedRGB(x: x, y: y)
                #expect(rgb[x, y] == e)
                // RGBA: alpha is dropped, colour kept (PIL's convert("RGB")).
                #expect(rgba[x, y] == e)
                #expect(gray[x, y] == RGBColor(e.r, e.r, e.r))
            }
        }
    }

    @Test("a palette PNG expands to its colours")
    func decodesPalette() throws {
        let image = try PNGCodec.read(from: Fixtures.url("images/pil_palette_7x5.png"))
        let palette = [RGBColor(255, 255, 255), RGBColor(0, 99, 64), RGBColor(160, 33, 40), RGBColor(7, 8, 9)]
        for y in 0..<5 {
            for x in 0..<7 { #expect(image[x, y] == palette[(x + 2 * y) % 4]) }
        }
    }

    @Test("truncated, corrupt, empty and missing files give errors naming the file")
    func corruptFiles() throws {
        let directory = try Fixtures.temporaryDirectory("png-bad")
        let good = try sampleImage(width: 64, height: 64).pngData()
        let cases: [(String, Data)] = [
            ("truncated.png", good.prefix(good.count / 2)),
            ("garbage.png", Data("this is not a png at all".utf8)),
            ("empty.png", Data()),
            ("flipped.png", {
                var bad = good
                bad[bad.count / 2] ^= 0xFF  // breaks the IDAT CRC / zlib stream
                bad[bad.count / 2 + 1] ^= 0xFF
                return bad
            }()),
        ]
        for (name, bytes) in cases {
            let url = directory.appendingPathComponent(name)
            try bytes.write(to: url)
            let error = #expect(throws: ChartCLIPError.self) { try PNGCodec.read(from: url) }
            #expect(error?.location == url.path, "error for \(name) should name the file")
            #expect(error?.hint != nil)
        }
        let missing = directory.appendingPathComponent("missing.png")
        let error = #expect(throws: ChartCLIPError.self) { try PNGCodec.read(from: missing) }
        #expect(error?.location == missing.path)
    }
}
