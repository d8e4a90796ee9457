import ChartCLIPSupport

/// An 8-bit RGB image in memory: row-major, top row first, three bytes per pixel.
///
/// The pixel buffer is `[height, width, 3]` (HWC), the layout PNG files and libpng use.
/// Drawing primitives, plots and chart renderers write into it; `PNGCodec` reads and
/// writes it; `CLIPImagePreprocessor` turns it into CHW floats for the image encoder.
public struct RasterImage: Equatable, Sendable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Interleaved R, G, B bytes, `[height, width, 3]`.
    public private(set) var pixels: [UInt8]

    /// A `width`×`height` image filled with `background`.
    public init(width: Int, height: Int, background: RGBColor = .white) {
        precondition(width >= 0 && height >= 0, "image dimensions must not be negative")
        self.width = width
        self.height = height
        if background.r == background.g && background.g == background.b {
            pixels = [UInt8](repeating: background.r, count: width * height * 3)
        } else {
            pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, count in
                var i = 0
                while i < width * height * 3 {
                    buffer[i] = background.r
                    buffer[i + 1] = background.g
                    buffer[i + 2] = background.b
                    i += 3
                }
                count = width * height * 3
            }
        }
    }

    /// An image over existing `[height, width, 3]` bytes.
    /// Throws when the byte count does not match the dimensions.
    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        guard width >= 0, height >= 0, pixels.count == width * height * 3 else {
            throw ChartCLIPError(
                "an RGB image of \(width)x\(height) needs \(max(width * height * 3, 0)) bytes, got \(pixels.count)")
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The colour at column `x`, row `y` (row 0 is the top). Both must be inside the image.
    public subscript(x: Int, y: Int) -> RGBColor {
        get {
            precondition(contains(x: x, y: y), "pixel (\(x), \(y)) is outside \(width)x\(height)")
            let i = (y * width + x) * 3
            return RGBColor(pixels[i], pixels[i + 1], pixels[i + 2])
        }
        set {
            precondition(contains(x: x, y: y), "pixel (\(x), \(y)) is outside \(width)x\(height)")
            let i = (y * width + x) * 3
            pixels[i] = newValue.r
            pixels[i + 1] = newValue.g
            pixels[i + 2] = newValue.b
        }
    }

    /// `true` when (`x`, `y`) is a pixel of this image.
    @inlinable
    public func contains(x: Int, y: Int) -> Bool {
        x >= 0 && y >= 0 && x < width && y < height
    }

    /// Paints every pixel with `color`.
    public mutating func fill(_ color: RGBColor) {
        fillRect(x: 0, y: 0, width: width, height: height, color: color)
    }

    /// Runs `body` with a pointer to the `[height, width, 3]` bytes for reading.
    public func withUnsafePixels<R>(_ body: (UnsafePointer<UInt8>) throws -> R) rethrows -> R {
        try pixels.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// Runs `body` with a pointer to the `[height, width, 3]` bytes for writing. Kernels
    /// (drawing, resampling, chart rendering) use this; the pointer must not escape.
    public mutating func withUnsafeMutablePixels<R>(
        _ body: (UnsafeMutablePointer<UInt8>) throws -> R
    ) rethrows -> R {
        try pixels.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }

    /// Number of pixels whose colour differs from `color` inside the rectangle
    /// (clipped to the image). Tests use it to check that something was drawn.
    public func countPixels(
        notEqualTo color: RGBColor, x: Int = 0, y: Int = 0, width w: Int? = nil, height h: Int? = nil
    ) -> Int {
        let x0 = max(x, 0), y0 = max(y, 0)
        let x1 = min(x + (w ?? width), width), y1 = min(y + (h ?? height), height)
        guard x0 < x1, y0 < y1 else { return 0 }
        var count = 0
        for row in y0..<y1 {
            for column in x0..<x1 where self[column, row] != color { count += 1 }
        }
        return count
    }

    /// The rectangle `[x, x+width) × [y, y+height)` as a new image (clipped to this one).
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> RasterImage {
        var out = RasterImage(width: w, height: h, background: .black)
        out.draw(self, atX: -x, y: -y)
        return out
    }
}
