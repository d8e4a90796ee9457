import ChartCLIPSupport
import Foundation

extension CandleInterval {
    /// Parses an interval as users type it: minutes (`15`, `240`, Bybit's spelling), a
    /// suffixed length (`15m`, `1h`, `4h`, `1d`), or Bybit's `D` and `W`.
    ///
    /// - Throws: an error naming the accepted forms.
    public init(parsing text: String) throws {
        let t = text.trimmingCharacters(in: .whitespaces)
        let units: [(suffix: String, minutes: Int)] = [("m", 1), ("h", 60), ("d", 1440), ("w", 10_080)]
        var minutes: Int?
        if t == "D" || t == "W" {
            minutes = t == "D" ? 1440 : 10_080
        } else if let value = Int(t) {
            minutes = value
        } else if let unit = units.first(where: { t.lowercased().hasSuffix($0.suffix) }),
            let value = Int(t.dropLast())
        {
            let (product, overflow) = value.multipliedReportingOverflow(by: unit.minutes)
            minutes = overflow ? nil : product
        }
        // Longer than a year is no candle interval, and would overflow milliseconds.
        guard let minutes, minutes > 0, minutes <= 525_600 else {
            throw ChartCLIPError(
                "\"\(text)\" is not a candle interval", at: "interval",
                hint: "use minutes (15, 60, 240), 15m, 1h, 4h, 1d, or Bybit's D or W")
        }
        self.init(minutes: minutes)
    }
}

/// Times typed by users on the command line.
public enum TimeArgument {
    /// Parses ISO 8601 (`2025-06-01T00:00:00Z`, `2025-06-01`) or UTC milliseconds since the
    /// epoch into UTC milliseconds.
    ///
    /// - Parameter name: the option's name, used in the error.
    public static func milliseconds(_ text: String, name: String) throws -> Int64 {
        if let ms = Int64(text), ms >= 100_000_000_000 { return ms }
        if let ms = UTCTime.parseISO(text) { return ms }
        throw ChartCLIPError(
            "\"\(text)\" is not a time", at: name,
            hint: "use ISO 8601 such as 2025-06-01T00:00:00Z, or UTC milliseconds")
    }
}
