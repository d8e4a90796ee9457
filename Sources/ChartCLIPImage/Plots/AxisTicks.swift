import Foundation

/// "Nice" axis ticks (multiples of 1, 2, 2.5 or 5 times a power of ten) and their labels,
/// shared by the line plots, the reliability diagram and the human-mode chart axes.
public enum AxisTicks {
    /// Tick values inside `[low, high]`, at most `maxCount` of them (at least 2 when the
    /// range is not empty), evenly spaced at a nice step.
    public static func ticks(low: Double, high: Double, maxCount: Int = 6) -> [Double] {
        guard low.isFinite, high.isFinite else { return [] }
        guard high > low else { return [low] }
        let step = self.step(low: low, high: high, maxCount: maxCount)
        let first = (low / step).rounded(.up)
        let last = (high / step).rounded(.down)
        guard first <= last else { return [] }
        return stride(from: first, through: last, by: 1).map { $0 * step }
    }

    /// The nice step `ticks(low:high:maxCount:)` uses.
    public static func step(low: Double, high: Double, maxCount: Int = 6) -> Double {
        let span = high - low
        guard span > 0, span.isFinite else { return 1 }
        let rough = span / Double(max(maxCount - 1, 1))
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        for factor in [1.0, 2.0, 2.5, 5.0, 10.0] where factor * magnitude >= rough * (1 - 1e-9) {
            return factor * magnitude
        }
        return 10 * magnitude
    }

    /// Digits after the decimal point that tell ticks `step` apart.
    public static func decimals(forStep step: Double) -> Int {
        guard step > 0, step.isFinite else { return 0 }
        var digits = max(0, Int((-log10(step)).rounded(.up)))
        // 2.5 × 10^k needs one digit more than its power of ten.
        let scaled = step * pow(10, Double(digits))
        if abs(scaled - scaled.rounded()) > 1e-6 { digits += 1 }
        return min(digits, 10)
    }

    /// `value` with the decimals its axis step needs: `104500`, `0.0125`, `-3.5`.
    public static func label(_ value: Double, step: Double) -> String {
        let digits = decimals(forStep: step)
        let text = String(format: "%.\(digits)f", value)
        // Avoid "-0" and "-0.00".
        if text.hasPrefix("-"), Double(text) == 0 { return String(text.dropFirst()) }
        return text
    }

    /// Short form for large counts: `950`, `12.3K`, `4.56M`, `7.8B`.
    public static func compact(_ value: Double) -> String {
        let magnitude = abs(value)
        let units: [(Double, String)] = [(1e9, "B"), (1e6, "M"), (1e3, "K")]
        for (scale, suffix) in units where magnitude >= scale {
            let v = value / scale
            let digits = abs(v) >= 100 ? 0 : (abs(v) >= 10 ? 1 : 2)
            return String(format: "%.\(digits)f", v) + suffix
        }
        if magnitude >= 100 || magnitude == magnitude.rounded() { return String(format: "%.0f", value) }
        return String(format: "%.2f", value)
    }
}
