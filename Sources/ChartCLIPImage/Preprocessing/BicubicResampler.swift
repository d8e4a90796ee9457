/// Bicubic resizing that reproduces Pillow's `Image.resize(..., Image.BICUBIC)` on 8-bit RGB.
///
/// Hugging Face's `CLIPImageProcessor` (PIL backend) resizes with Pillow, so matching
/// Pillow bit for bit makes ChartCLIP's preprocessing match the published model's. The
/// algorithm follows Pillow's `libImaging/Resample.c`:
/// - the Keys cubic kernel with a = −0.5 and support 2;
/// - when shrinking, the kernel is stretched by the scale factor (antialiasing), so every
///   input pixel contributes;
/// - weights are normalised per output pixel, then turned into 22-bit fixed point;
/// - a horizontal pass (rounded and clipped to 8 bits) followed by a vertical pass.
/// A pass whose size does not change is skipped, so an image already at the target size
/// comes back unchanged.
public enum BicubicResampler {
    /// Fixed-point precision of the weights, Pillow's `PRECISION_BITS` (32 − 8 − 2).
    static let precisionBits: Int32 = 22

    /// Keys' cubic convolution kernel with a = −0.5 (Pillow's `bicubic_filter`).
    static func kernel(_ t: Double) -> Double {
        let a = -0.5
        let x = abs(t)
        if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
        if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
        return 0
    }

    /// Weights of a 1-D resize from `inSize` to `outSize` samples (Pillow's
    /// `precompute_coeffs` followed by `normalize_coeffs_8bpc`).
    struct Coefficients {
        /// Maximum taps per output sample.
        var taps: Int
        /// First input index used by each output sample, `[outSize]`.
        var first: [Int]
        /// Number of input samples used by each output sample, `[outSize]`.
        var count: [Int]
        /// Fixed-point weights, `[outSize, taps]`.
        var weights: [Int32]

        init(inSize: Int, outSize: Int) {
            let scale = Double(inSize) / Double(outSize)
            let filterScale = max(scale, 1)
            let support = 2.0 * filterScale
            taps = Int(support.rounded(.up)) * 2 + 1
            first = [Int](repeating: 0, count: outSize)
            count = [Int](repeating: 0, count: outSize)
            weights = [Int32](repeating: 0, count: outSize * taps)
            var k = [Double](repeating: 0, count: taps)
            let unit = Double(Int32(1) << BicubicResampler.precisionBits)
            for out in 0..<outSize {
                let center = (Double(out) + 0.5) * scale
                let lo = max(Int(center - support + 0.5), 0)
                let n = min(Int(center + support + 0.5), inSize) - lo
                var total = 0.0
                for i in 0..<n {
                    k[i] = BicubicResampler.kernel((Double(i + lo) - center + 0.5) / filterScale)
                    total += k[i]
                }
                for i in 0..<n {
                    let w = total != 0 ? k[i] / total : k[i]
                    // Round half away from zero, as Pillow's (int)(±0.5 + w·2^22) does.
                    weights[out * taps + i] = Int32(w < 0 ? -0.5 + w * unit : 0.5 + w * unit)
                }
                first[out] = lo
                count[out] = n
            }
        }
    }

    /// `image` resized to `width`×`height` with Pillow-compatible bicubic resampling.
    public static func resize(_ image: RasterImage, width: Int, height: Int) -> RasterImage {
        precondition(width > 0 && height > 0, "resize target must be at least 1x1")
        guard image.width > 0, image.height > 0 else {
            return RasterImage(width: width, height: height, background: .black)
        }
        var current = image
        if width != image.width {
            let horizontal = Coefficients(inSize: image.width, outSize: width)
            var rows = 0..<image.height
            if height != image.height {
                // Only the rows the vertical pass will read need the horizontal pass.
                let vertical = Coefficients(inSize: image.height, outSize: height)
                rows = vertical.first[0]..<(vertical.first[height - 1] + vertical.count[height - 1])
            }
            current = pass(image, coefficients: horizontal, horizontal: true, rows: rows)
            if height != image.height {
                var vertical = Coefficients(inSize: image.height, outSize: height)
                let shift = rows.lowerBound
                for i in vertical.first.indices { vertical.first[i] -= shift }
                return pass(current, coefficients: vertical, horizontal: false, rows: 0..<height)
            }
            return current
        }
        if height != image.height {
            let vertical = Coefficients(inSize: image.height, outSize: height)
            return pass(image, coefficients: vertical, horizontal: false, rows: 0..<height)
        }
        return current
    }

    /// One separable pass. Horizontal: output `[rows.count, outSize, 3]` from `rows` of
    /// the input. Vertical: output `[outSize, width, 3]`, with `rows` the output rows.
    private static func pass(
        _ input: RasterImage, coefficients c: Coefficients, horizontal: Bool, rows: Range<Int>
    ) -> RasterImage {
        let outWidth = horizontal ? c.first.count : input.width
        let outHeight = horizontal ? rows.count : c.first.count
        var output = RasterImage(width: outWidth, height: outHeight, background: .black)
        let half: Int32 = 1 << (precisionBits - 1)
        let inWidth = input.width
        let taps = c.taps
        @inline(__always) func clip8(_ v: Int32) -> UInt8 {
            let shifted = v >> BicubicResampler.precisionBits
            return UInt8(truncatingIfNeeded: min(max(shifted, 0), 255))
        }
        input.withUnsafePixels { src in
            output.withUnsafeMutablePixels { dst in
                c.weights.withUnsafeBufferPointer { weights in
                    for y in 0..<outHeight {
                        for x in 0..<outWidth {
                            let o = horizontal ? x : y
                            let k = weights.baseAddress! + o * taps
                            var s0 = half, s1 = half, s2 = half
                            let n = c.count[o]
                            // Step between neighbouring taps, in bytes.
                            let step = horizontal ? 3 : inWidth * 3
                            var p = horizontal
                                ? src + ((rows.lowerBound + y) * inWidth + c.first[o]) * 3
                                : src + (c.first[o] * inWidth + x) * 3
                            for i in 0..<n {
                                s0 &+= Int32(p[0]) &* k[i]
                                s1 &+= Int32(p[1]) &* k[i]
                                s2 &+= Int32(p[2]) &* k[i]
                                p += step
                            }
                            let d = dst + (y * outWidth + x) * 3
                            d[0] = clip8(s0)
                            d[1] = clip8(s1)
                            d[2] = clip8(s2)
                        }
                    }
                }
            }
        }
        return output
    }
}

extension RasterImage {
    /// This image resized to `width`×`height` with Pillow-compatible bicubic resampling
    /// (see `BicubicResampler`). Returns the image unchanged when the size already matches.
    public func resizedBicubic(width: Int, height: Int) -> RasterImage {
        BicubicResampler.resize(self, width: width, height: height)
    }

    /// The central `width`×`height` region, the way Hugging Face's `center_crop` takes it:
    /// offsets `(size − crop) // 2` (rounded down), and black padding when the image is
    /// smaller than the crop.
    public func centerCropped(width cropWidth: Int, height cropHeight: Int) -> RasterImage {
        func floorDiv2(_ v: Int) -> Int { v >= 0 ? v / 2 : -((-v + 1) / 2) }
        let padLeft = max(cropWidth - width, 0) - max(cropWidth - width, 0) / 2
        let padTop = max(cropHeight - height, 0) - max(cropHeight - height, 0) / 2
        let left = floorDiv2(width - cropWidth) + padLeft
        let top = floorDiv2(height - cropHeight) + padTop
        // Source pixel (sx, sy) sits at (sx + padLeft, sy + padTop) in the padded image.
        var out = RasterImage(width: cropWidth, height: cropHeight, background: .black)
        out.draw(self, atX: padLeft - left, y: padTop - top)
        return out
    }
}
