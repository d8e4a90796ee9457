import ChartCLIPImage
import ChartCLIPTestSupport
import Foundation
import Testing

@Suite("Bicubic resizing and CLIP preprocessing")
struct BicubicResamplerTests {
    let source: RasterImage

    init() throws {
        source = try PNGCodec.read(from: Fixtures.url("images/bicubic_source_23x17.png"))
    }

    /// Largest channel difference between two images of the same size.
    func maxDifference(_ a: RasterImage, _ b: RasterImage) -> Int {
        zip(a.pixels, b.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
    }

    @Test(
        "matches Pillow's Image.resize(BICUBIC) exactly (golden files from make_image_fixtures.py)",
        arguments: [(9, 7), (40, 31), (23, 9), (11, 17), (5, 30)])
    func matchesPillow(size: (Int, Int)) throws {
        let (w, h) = size
        let golden = try PNGCodec.read(from: Fixtures.url("images/bicubic_23x17_to_\(w)x\(h).png"))
        let ours = source.resizedBicubic(width: w, height: h)
        #expect(ours.width == w && ours.height == h)
        #expect(maxDifference(ours, golden) == 0)
    }

    @Test("resizing to the same size returns the image unchanged")
    func identity() {
        #expect(source.resizedBicubic(width: 23, height: 17) == source)
    }

    @Test("matches Hugging Face CLIPImageProcessor (PIL backend) on a 23x17 image to 12x12")
    func matchesHuggingFace() throws {
        struct Golden: Decodable {
            var shape: [Int]
            var values: [Float]
        }
        let data = try Data(contentsOf: Fixtures.url("images/clip_pixel_values_12.json"))
        let golden = try JSONDecoder().decode(Golden.self, from: data)
        let ours = CLIPImagePreprocessor(size: 12).pixelValues(source)
        #expect(golden.shape == [3, 12, 12])
        #expect(ours.count == golden.values.count)
        let worst = zip(ours, golden.values).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-6)
    }

    @Test("an image at the model's size is only scaled and normalised")
    func modelSizeIsExact() {
        var image = RasterImage(width: 224, height: 224)
        for y in 0..<224 {
            for x in 0..<224 { image[x, y] = RGBColor(UInt8(x), UInt8(y), UInt8((x + y) % 256)) }
        }
        let values = CLIPImagePreprocessor(size: 224).pixelValues(image)
        let raw = CLIPImagePreprocessor(size: 224, normalize: false).pixelValues(image)
        #expect(values.count == 3 * 224 * 224)
        let plane = 224 * 224
        for (x, y) in [(0, 0), (17, 200), (223, 223), (100, 5)] {
            let p = image[x, y]
            for (c, v) in [p.r, p.g, p.b].enumerated() {
                let scaled = Float(Double(v) * (1.0 / 255.0))
                let expected = (scaled - CLIPImagePreprocessor.clipMean[c]) / CLIPImagePreprocessor.clipStd[c]
                #expect(raw[c * plane + y * 224 + x] == scaled)
                #expect(values[c * plane + y * 224 + x] == expected)
            }
        }
    }

    @Test("a batch is the images' values one after another")
    func batch() {
        let pre = CLIPImagePreprocessor(size: 8)
        let a = RasterImage(width: 8, height: 8, background: RGBColor(10, 20, 30))
        let b = source
        #expect(pre.pixelValues([a, b]) == pre.pixelValues(a) + pre.pixelValues(b))
    }

    @Test("centre crop takes (size - crop) // 2 and pads with black when the image is smaller")
    func centerCrop() {
        var image = RasterImage(width: 5, height: 4, background: .white)
        image[1, 1] = .black
        let crop = image.centerCropped(width: 3, height: 2)  // left 1, top 1
        #expect(crop[0, 0] == .black)
        let padded = image.centerCropped(width: 8, height: 4)  // 3 columns of padding, 2 left
        #expect(padded[0, 0] == .black && padded[1, 3] == .black)
        #expect(padded[2, 0] == .white && padded[6, 0] == .white && padded[7, 0] == .black)
    }
}
