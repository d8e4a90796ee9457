/// Conversions from 16-bit floats to `Float`, written out bit by bit so they behave the same
/// on every platform (Swift's `Float16` is missing on macOS x86-64).
public enum HalfPrecision {
    /// IEEE half precision (1 sign, 5 exponent, 10 mantissa bits) to `Float`, exactly:
    /// subnormals, infinities and NaNs included.
    @inlinable
    public static func float(fromHalfBits bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1f
        let mantissa = UInt32(bits & 0x3ff)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa × 2⁻²⁴, exact in Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1f:
            return Float(bitPattern: sign | 0x7f80_0000 | mantissa << 13)
        default:
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
        }
    }

    /// bfloat16 (the top half of a `Float`'s bits) to `Float`, exactly.
    @inlinable
    public static func float(fromBFloat16Bits bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }
}
