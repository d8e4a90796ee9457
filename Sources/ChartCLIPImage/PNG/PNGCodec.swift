import CPNG
import ChartCLIPSupport
import Foundation

/// PNG reading and writing through libpng's simplified `png_image` API.
///
/// The simplified API does its own error recovery inside libpng, so Swift never meets
/// `setjmp`; every failure comes back as a `ChartCLIPError` naming the file. Any PNG that
/// libpng reads (grey, palette, RGB, with or without alpha, 8 or 16 bits) is converted to
/// 8-bit RGB; alpha is dropped the way PIL's `convert("RGB")` drops it.
public enum PNGCodec {
    /// How hard the encoder compresses.
    public enum Compression: Sendable {
        /// libpng's defaults (adaptive filters, zlib level 6): smallest files, for reports.
        case standard
        /// `PNG_IMAGE_FLAG_FAST` (no filters, zlib level 3): several times faster and ~25%
        /// larger, for the thousands of charts a dataset needs.
        case fast
    }

    /// Largest image the decoder accepts, in pixels (guards against absurd headers).
    public static let maximumPixels = 1 << 28

    /// Decodes PNG bytes. `source` names the file in error messages.
    public static func decode(_ data: Data, source: String = "<memory>") throws -> RasterImage {
        guard !data.isEmpty else {
            throw ChartCLIPError(
                "not a readable PNG (the file is empty)", at: source,
                hint: "the file is corrupt or not a PNG; re-render or re-download it")
        }
        // libpng keeps a pointer to the bytes from begin_read to finish_read, so both calls
        // run inside one withUnsafeBytes.
        let decoded = data.withUnsafeBytes { raw in decode(raw, source: source) }
        return try decoded.get()
    }

    /// The two-step simplified read over `raw`: header, then pixels as RGB or RGBA.
    private static func decode(_ raw: UnsafeRawBufferPointer, source: String) -> Result<RasterImage, ChartCLIPError> {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
            return .failure(ChartCLIPError(
                "not a readable PNG (\(message(of: &image)))", at: source,
                hint: "the file is corrupt or not a PNG; re-render or re-download it"))
        }
        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0, width * height <= maximumPixels else {
            return .failure(ChartCLIPError(
                "PNG header says \(width)x\(height) pixels, which is empty or too large", at: source,
                hint: "the file is corrupt or not a chart image"))
        }
        let hasAlpha = image.format & png_uint_32(PNG_FORMAT_FLAG_ALPHA) != 0
        let channels = hasAlpha ? 4 : 3
        image.format = png_uint_32(hasAlpha ? PNG_FORMAT_RGB | PNG_FORMAT_FLAG_ALPHA : PNG_FORMAT_RGB)
        // 16-bit files without gamma information are read as sRGB, as PIL reads them.
        image.flags |= png_uint_32(PNG_IMAGE_FLAG_16BIT_sRGB)
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        let finished = pixels.withUnsafeMutableBytes { out in
            png_image_finish_read(&image, nil, out.baseAddress, png_int_32(width * channels), nil)
        }
        guard finished != 0 else {
            return .failure(ChartCLIPError(
                "PNG data is corrupt or truncated (\(message(of: &image)))", at: source,
                hint: "re-render or re-download the file"))
        }
        if hasAlpha {
            // Drop alpha without compositing, as PIL's convert("RGB") does.
            var rgb = [UInt8](repeating: 0, count: width * height * 3)
            for i in 0..<(width * height) {
                rgb[3 * i] = pixels[4 * i]
                rgb[3 * i + 1] = pixels[4 * i + 1]
                rgb[3 * i + 2] = pixels[4 * i + 2]
            }
            pixels = rgb
        }
        do {
            return .success(try RasterImage(width: width, height: height, pixels: pixels))
        } catch let error as ChartCLIPError {
            return .failure(error)
        } catch {
            return .failure(ChartCLIPError("\(error)", at: source))
        }
    }

    /// The eight bytes every PNG starts with.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Width and height from the IHDR chunk, read without decoding (so a huge header never
    /// allocates its pixels); `nil` when `data` does not start like a PNG.
    public static func dimensions(_ data: Data) -> (width: Int, height: Int)? {
        let bytes = [UInt8](data.prefix(24))
        guard bytes.count == 24, bytes.starts(with: signature), Array(bytes[12..<16]) == Array("IHDR".utf8) else { return nil }
        let be = { (i: Int) in bytes[i..<(i + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (be(16), be(20))
    }

    /// Width and height of the PNG file at `url` from its first 24 bytes; `nil` when it cannot
    /// be read or is not a PNG.
    public static func dimensions(of url: URL) -> (width: Int, height: Int)? {
        guard let handle = FileHandle(forReadingAtPath: url.path) else { return nil }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: 24)).flatMap(dimensions)
    }

    /// Reads and decodes the PNG file at `url`.
    public static func read(from url: URL) throws -> RasterImage {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ChartCLIPError(
                "cannot read the PNG file: \(error.localizedDescription)", at: url.path,
                hint: "check that the file exists and is readable")
        }
        return try decode(data, source: url.path)
    }

    /// Encodes `image` as a PNG: colour-mapped when it has at most 256 colours (charts,
    /// most plots; see `PNGPalette`), 8-bit RGB otherwise. Both are lossless.
    public static func encode(_ image: RasterImage, compression: Compression = .standard) throws
        -> Data
    {
        guard image.width > 0, image.height > 0 else {
            throw ChartCLIPError("cannot encode an empty \(image.width)x\(image.height) image as PNG")
        }
        var png = png_image()
        png.version = png_uint_32(PNG_IMAGE_VERSION)
        png.width = png_uint_32(image.width)
        png.height = png_uint_32(image.height)
        if compression == .fast { png.flags = png_uint_32(PNG_IMAGE_FLAG_FAST) }
        // Room for the worst case: raw bytes, one filter byte per row, zlib and chunk overhead.
        var capacity = image.width * image.height * 3 + image.height + 4096
            + image.width * image.height * 3 / 100
        var output = Data(count: capacity)
        let ok: Int32
        if let mapped = PNGPalette.extract(image) {
            png.format = png_uint_32(PNG_FORMAT_RGB | PNG_FORMAT_FLAG_COLORMAP)
            png.colormap_entries = png_uint_32(mapped.palette.count / 3)
            ok = output.withUnsafeMutableBytes { raw in
                png_image_write_to_memory(
                    &png, raw.baseAddress, &capacity, 0, mapped.indices, png_int_32(image.width), mapped.palette)
            }
        } else {
            png.format = png_uint_32(PNG_FORMAT_RGB)
            ok = image.withUnsafePixels { pixels in
                output.withUnsafeMutableBytes { raw in
                    png_image_write_to_memory(
                        &png, raw.baseAddress, &capacity, 0, pixels, png_int_32(image.width * 3), nil)
                }
            }
        }
        guard ok != 0 else {
            let reason = message(of: &png)
            png_image_free(&png)
            throw ChartCLIPError("libpng could not encode a \(image.width)x\(image.height) image (\(reason))")
        }
        png_image_free(&png)
        output.count = capacity
        return output
    }

    /// Encodes `image` and writes it to `url` atomically (temporary file, fsync, rename),
    /// creating the folder if needed.
    public static func write(
        _ image: RasterImage, to url: URL, compression: Compression = .standard
    ) throws {
        let data = try encode(image, compression: compression)
        try AtomicFile.write(data, to: url)
    }

    /// libpng's error text from `image.message`.
    private static func message(of image: inout png_image) -> String {
        let text = withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? "no details from libpng" : text
    }
}

extension RasterImage {
    /// Reads an image from a PNG file (see `PNGCodec.read`).
    public init(contentsOfPNG url: URL) throws {
        self = try PNGCodec.read(from: url)
    }

    /// Writes this image as a PNG file atomically (see `PNGCodec.write`).
    public func writePNG(to url: URL, compression: PNGCodec.Compression = .standard) throws {
        try PNGCodec.write(self, to: url, compression: compression)
    }

    /// This image encoded as PNG bytes.
    public func pngData(compression: PNGCodec.Compression = .standard) throws -> Data {
        try PNGCodec.encode(self, compression: compression)
    }
}
