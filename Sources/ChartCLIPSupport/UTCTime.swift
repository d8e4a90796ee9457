import Foundation

/// UTC time helpers shared by file names, CSVs and JSON records.
///
/// Times are `Int64` milliseconds since the Unix epoch everywhere in ChartCLIP; these helpers
/// turn them into the strings the users' system expects.
public enum UTCTime {
    /// `YYYYMMDD_HHMM` in UTC, the stamp in `JSTUSDT_20250623_1400.png`.
    public static func fileStamp(milliseconds: Int64) -> String {
        let c = components(milliseconds: milliseconds)
        return String(format: "%04d%02d%02d_%02d%02d", c.year, c.month, c.day, c.hour, c.minute)
    }

    /// ISO 8601 with a `Z` suffix, second precision: `2025-06-23T14:00:00Z`.
    public static func iso(milliseconds: Int64) -> String {
        let c = components(milliseconds: milliseconds)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour, c.minute,
            c.second)
    }

    /// Parses ISO 8601 (`2025-06-01T00:00:00Z`, `2025-06-01T00:00:00+00:00`,
    /// `2025-06-01 00:00:00`, with optional fractional seconds, or a bare date) into
    /// milliseconds. Returns `nil` if the text is not such a time.
    public static func parseISO(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for i in start..<(start + count) {
                let b = bytes[i]
                guard b >= 48 && b <= 57 else { return nil }
                value = value * 10 + Int(b - 48)
            }
            return value
        }
        guard let year = number(0, 4), bytes.count >= 10, bytes[4] == 45, bytes[7] == 45,
            let month = number(5, 2), let day = number(8, 2)
        else { return nil }
        var hour = 0, minute = 0, second = 0, millis = 0
        var index = 10
        if bytes.count > 10 {
            guard bytes[10] == 84 || bytes[10] == 32, let h = number(11, 2), bytes.count >= 16,
                bytes[13] == 58, let m = number(14, 2)
            else { return nil }
            hour = h
            minute = m
            index = 16
            if index < bytes.count && bytes[index] == 58 {
                guard let s = number(17, 2) else { return nil }
                second = s
                index = 19
                if index < bytes.count && bytes[index] == 46 {
                    index += 1
                    var scale = 100
                    while index < bytes.count && bytes[index] >= 48 && bytes[index] <= 57 {
                        millis += Int(bytes[index] - 48) * scale
                        scale /= 10
                        index += 1
                    }
                }
            }
        }
        var offsetSeconds = 0
        if index < bytes.count {
            let rest = String(decoding: bytes[index...], as: UTF8.self)
            if rest == "Z" || rest == "z" {
                offsetSeconds = 0
            } else if (rest.hasPrefix("+") || rest.hasPrefix("-")) && rest.count == 6 {
                let sign = rest.hasPrefix("-") ? -1 : 1
                guard let oh = number(index + 1, 2), bytes[index + 3] == 58, let om = number(index + 4, 2)
                else { return nil }
                offsetSeconds = sign * (oh * 3600 + om * 60)
            } else {
                return nil
            }
        }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
            - Int64(offsetSeconds)
        return seconds * 1000 + Int64(millis)
    }

    /// Calendar fields of a UTC instant.
    public struct Components: Equatable, Sendable {
        public var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    }

    /// Splits milliseconds since the epoch into UTC calendar fields.
    public static func components(milliseconds: Int64) -> Components {
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        let (y, m, d) = civilFromDays(Int(days))
        return Components(
            year: y, month: m, day: d, hour: Int(rest / 3600), minute: Int(rest % 3600 / 60),
            second: Int(rest % 60))
    }

    // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
