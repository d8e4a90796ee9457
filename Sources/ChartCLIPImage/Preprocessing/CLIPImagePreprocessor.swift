import Foundation

/// Turns images into the model's input: resize the short side (bicubic), centre crop,
/// scale to [0, 1], normalise with CLIP's mean and standard deviation; CHW floats.
///
/// Matches Hugging Face's `CLIPImageProcessor` with its PIL backend step for step:
/// the short side goes to `shortestEdge` and the long side to
/// `Int(shortestEdge * long / short)` (truncated, as Python's `int()`), resampling is
/// Pillow's bicubic (`BicubicResampler`), the crop offset is `(size − crop) // 2`,
/// rescaling is `Float(Double(v) * (1.0 / 255.0))` and normalisation `(x − mean) / std` in
/// `Float`. An image already at `cropSize`×`cropSize` is only rescaled and normalised, so a
/// chart rendered at the model's size gives exactly Hugging Face's pixel values.
/// The tensor core is not imported: outputs are plain `[Float]` buffers.
public struct CLIPImagePreprocessor: Equatable, Sendable {
    /// OpenAI CLIP's per-channel mean (R, G, B).
    public static let clipMean: [Float] = [0.48145466, 0.4578275, 0.40821073]
    /// OpenAI CLIP's per-channel standard deviation (R, G, B).
    public static let clipStd: [Float] = [0.26862954, 0.26130258, 0.27577711]

    /// Target length of the image's shorter side after resizing.
    public var shortestEdge: Int
    /// Side of the square centre crop; the model's input size S.
    public var cropSize: Int
    /// Per-channel mean subtracted after scaling, or `nil` to keep values in [0, 1].
    public var mean: [Float]?
    /// Per-channel standard deviation divided by after subtracting `mean`.
    public var std: [Float]

    /// A preprocessor for `size`×`size` inputs (crop defaults to `size`). With
    /// `normalize: false` the output stays in [0, 1].
    public init(size: Int = 224, cropSize: Int? = nil, normalize: Bool = true) {
        precondition(size > 0, "image size must be positive")
        shortestEdge = size
        self.cropSize = cropSize ?? size
        mean = normalize ? Self.clipMean : nil
        std = Self.clipStd
    }

    /// Number of floats per image: 3 · S · S.
    public var valuesPerImage: Int { 3 * cropSize * cropSize }

    /// `image` resized so its short side is `shortestEdge`, then centre-cropped to
    /// `cropSize`×`cropSize`.
    public func resizedAndCropped(_ image: RasterImage) -> RasterImage {
        let short = min(image.width, image.height), long = max(image.width, image.height)
        guard short > 0 else { return RasterImage(width: cropSize, height: cropSize, background: .black) }
        let newLong = Int(Double(shortestEdge * long) / Double(short))
        let (w, h) = image.width <= image.height ? (shortestEdge, newLong) : (newLong, shortestEdge)
        return image.resizedBicubic(width: w, height: h).centerCropped(width: cropSize, height: cropSize)
    }

    /// Model input for one image: `[3, S, S]` floats, channel-major (CHW).
    public func pixelValues(_ image: RasterImage) -> [Float] {
        var out = [Float](repeating: 0, count: valuesPerImage)
        out.withUnsafeMutableBufferPointer { write(image, into: $0.baseAddress!) }
        return out
    }

    /// Model input for a batch: `[B, 3, S, S]` floats.
    public func pixelValues(_ images: [RasterImage]) -> [Float] {
        var out = [Float](repeating: 0, count: valuesPerImage * images.count)
        out.withUnsafeMutableBufferPointer { buffer in
            for (b, image) in images.enumerated() {
                write(image, into: buffer.baseAddress! + b * valuesPerImage)
            }
        }
        return out
    }

    /// Reads a PNG and returns its `[3, S, S]` model input; errors name the file.
    public func pixelValues(contentsOf url: URL) throws -> [Float] {
        pixelValues(try PNGCodec.read(from: url))
    }

    /// Writes `[3, S, S]` floats for `image` to `destination` (which must hold
    /// `valuesPerImage` floats), for callers filling a batch buffer in place.
    public func write(_ image: RasterImage, into destination: UnsafeMutablePointer<Float>) {
        let ready = image.width == cropSize && image.height == cropSize ? image : resizedAndCropped(image)
        let plane = cropSize * cropSize
        // Per channel and byte value: the same float arithmetic as numpy's, done once.
        var table = [Float](repeating: 0, count: 3 * 256)
        for c in 0..<3 {
            for v in 0..<256 {
                let scaled = Float(Double(v) * (1.0 / 255.0))
                table[c * 256 + v] = mean.map { (scaled - $0[c]) / std[c] } ?? scaled
            }
        }
        ready.withUnsafePixels { pixels in
            for i in 0..<plane {
                destination[i] = table[Int(pixels[3 * i])]
                destination[plane + i] = table[256 + Int(pixels[3 * i + 1])]
                destination[2 * plane + i] = table[512 + Int(pixels[3 * i + 2])]
            }
        }
    }
}
