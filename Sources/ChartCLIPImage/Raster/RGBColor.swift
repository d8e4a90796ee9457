/// An opaque 8-bit sRGB colour.
public struct RGBColor: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Red, 0…255.
    public var r: UInt8
    /// Green, 0…255.
    public var g: UInt8
    /// Blue, 0…255.
    public var b: UInt8

    /// Creates a colour from its three channels.
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// Creates a colour from `0xRRGGBB`, the way CSS and matplotlib write `#RRGGBB`.
    public init(hex: UInt32) {
        self.init(UInt8((hex >> 16) & 0xFF), UInt8((hex >> 8) & 0xFF), UInt8(hex & 0xFF))
    }

    /// `#rrggbb`.
    public var description: String {
        let value = UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b)
        let digits = String(value, radix: 16)
        return "#" + String(repeating: "0", count: 6 - digits.count) + digits
    }

    /// `self` mixed with `other`: `t = 0` gives `self`, `t = 1` gives `other`.
    public func mixed(with other: RGBColor, _ t: Double) -> RGBColor {
        let w = min(max(t, 0), 1)
        func channel(_ a: UInt8, _ b: UInt8) -> UInt8 {
            UInt8((Double(a) * (1 - w) + Double(b) * w).rounded())
        }
        return RGBColor(channel(r, other.r), channel(g, other.g), channel(b, other.b))
    }

    /// Relative luminance in 0…1 (Rec. 709 weights on the stored values), for choosing
    /// black or white text on a coloured cell.
    public var luminance: Double {
        (0.2126 * Double(r) + 0.7152 * Double(g) + 0.0722 * Double(b)) / 255
    }

    /// White, `#ffffff`.
    public static let white = RGBColor(255, 255, 255)
    /// Black, `#000000`.
    public static let black = RGBColor(0, 0, 0)
    /// Mid grey for axes and tick labels, `#404040`.
    public static let darkGray = RGBColor(hex: 0x404040)
    /// Light grey for grid lines, matplotlib's `#a0a0a0` (mplfinance `charles` grid colour).
    public static let gridGray = RGBColor(hex: 0xA0A0A0)

    /// matplotlib's `tab10` cycle, the default colours of plotted series.
    public static let tab10: [RGBColor] = [
        RGBColor(hex: 0x1F77B4), RGBColor(hex: 0xFF7F0E), RGBColor(hex: 0x2CA02C),
        RGBColor(hex: 0xD62728), RGBColor(hex: 0x9467BD), RGBColor(hex: 0x8C564B),
        RGBColor(hex: 0xE377C2), RGBColor(hex: 0x7F7F7F), RGBColor(hex: 0xBCBD22),
        RGBColor(hex: 0x17BECF),
    ]
}
