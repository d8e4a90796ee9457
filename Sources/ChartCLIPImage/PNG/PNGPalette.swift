/// Lossless palette extraction for PNG encoding.
///
/// Charts use a handful of colours (background, two candle colours, two volume colours,
/// moving averages), so they can be written as colour-mapped PNGs: one index per pixel,
/// packed to 1, 2 or 4 bits by libpng when the palette is small. That is a third (or less)
/// of the RGB bytes to compress, which makes encoding ~1.5× faster and files ~2× smaller,
/// and every decoder (libpng, Pillow) expands it back to the same RGB values.
enum PNGPalette {
    /// The palette (`[entries, 3]` RGB bytes) and per-pixel indices (`[H, W]`) of `image`, or
    /// `nil` when it has more than 256 colours.
    static func extract(_ image: RasterImage) -> (palette: [UInt8], indices: [UInt8])? {
        let count = image.width * image.height
        // Open-addressing hash from 24-bit colour (+1, so 0 means empty) to palette index.
        let slots = 1024
        var keys = [UInt32](repeating: 0, count: slots)
        var values = [UInt8](repeating: 0, count: slots)
        var palette: [UInt8] = []
        palette.reserveCapacity(256 * 3)
        var indices = [UInt8](repeating: 0, count: count)
        let complete = image.withUnsafePixels { p -> Bool in
            indices.withUnsafeMutableBufferPointer { out -> Bool in
                var lastKey: UInt32 = 0
                var lastIndex: UInt8 = 0
                for i in 0..<count {
                    let key = (UInt32(p[3 * i]) << 16 | UInt32(p[3 * i + 1]) << 8 | UInt32(p[3 * i + 2])) &+ 1
                    if key != lastKey {
                        var slot = Int((key &* 2_654_435_761) >> 22)  // Fibonacci hash, 10 bits
                        while keys[slot] != 0 && keys[slot] != key { slot = (slot + 1) & (slots - 1) }
                        if keys[slot] == 0 {
                            let entries = palette.count / 3
                            if entries == 256 { return false }
                            keys[slot] = key
                            values[slot] = UInt8(entries)
                            palette.append(p[3 * i])
                            palette.append(p[3 * i + 1])
                            palette.append(p[3 * i + 2])
                        }
                        lastKey = key
                        lastIndex = values[slot]
                    }
                    out[i] = lastIndex
                }
                return true
            }
        }
        return complete ? (palette, indices) : nil
    }
}
