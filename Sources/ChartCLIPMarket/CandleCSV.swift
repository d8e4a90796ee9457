import ChartCLIPSupport
import Foundation

/// The two candle CSV layouts ChartCLIP reads; the header line tells them apart.
public enum CandleFileFormat: String, Sendable, CaseIterable {
    /// The recorded Bybit files in `../shared/data/bybit/`:
    /// `ts,open,high,low,close,vol,turn`, ISO timestamps such as `2025-03-31 12:15:00+00:00`.
    case recorded
    /// ChartCLIP's own exchange format: `timestamp,open,high,low,close,volume[,turnover]`,
    /// timestamps in UTC milliseconds or ISO 8601.
    case generic

    /// The header columns that identify the format (turnover is optional in `generic`).
    public var columns: [String] {
        switch self {
        case .recorded: ["ts", "open", "high", "low", "close", "vol", "turn"]
        case .generic: ["timestamp", "open", "high", "low", "close", "volume", "turnover"]
        }
    }
}

/// What to do with the last row, which may be a candle that had not closed yet when the file
/// was written (the recorded files say so in their provenance).
public enum FormingCandlePolicy: Equatable, Sendable {
    /// Keep every row.
    case keep
    /// Drop the last row unconditionally: right for the recorded Bybit files.
    case dropLast
    /// Drop trailing rows whose close time (start + interval) is after `asOf` (UTC ms).
    case dropUnclosed(asOf: Int64)
}

/// A candle file after loading: the series, its format, and what the loader noticed.
public struct LoadedCandles: Sendable {
    /// The candles, validated and oldest first.
    public var series: CandleSeries
    /// The layout detected from the header.
    public var format: CandleFileFormat
    /// Missing stretches (reported, never filled).
    public var gaps: [CandleGap]
    /// Number of trailing rows removed by the `FormingCandlePolicy`.
    public var droppedRows: Int
}

/// Reading and writing candle CSV files.
///
/// Reading detects the format from the header, parses every row (errors name the file,
/// line and field), applies the forming-candle policy and validates the series (prices,
/// ordering, duplicates, grid); gaps come back as a list. Writing produces the generic
/// format atomically.
public enum CandleCSV {
    /// How the writer spells timestamps.
    public enum TimestampStyle: Sendable {
        /// `2025-06-01T00:00:00Z`: readable, and what the loader accepts back.
        case iso
        /// `1748736000000`: UTC milliseconds, as Bybit reports start times.
        case milliseconds
    }

    /// Loads a candle CSV file of either format.
    ///
    /// - Parameters:
    ///   - symbol: the symbol; when `nil` it is taken from the file name
    ///     (`BTCUSDT_15m.csv` → `BTCUSDT`).
    ///   - interval: the interval; when `nil` it is the smallest step between rows.
    ///   - formingCandle: what to do with a last row that may still have been forming.
    public static func load(
        _ url: URL, symbol: String? = nil, interval: CandleInterval? = nil,
        formingCandle: FormingCandlePolicy = .keep
    ) throws -> LoadedCandles {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ChartCLIPError(
                "cannot read the candle file: \(error.localizedDescription)", at: url.path,
                hint: "check the path")
        }
        return try parse(
            data, source: url.path, symbol: symbol ?? self.symbol(fromFileName: url.lastPathComponent),
            interval: interval, formingCandle: formingCandle)
    }

    /// Parses CSV bytes; `source` names the origin in errors.
    public static func parse(
        _ data: Data, source: String, symbol: String, interval: CandleInterval? = nil,
        formingCandle: FormingCandlePolicy = .keep
    ) throws -> LoadedCandles {
        var lines = CSVLines(data)
        guard let header = lines.next() else {
            throw ChartCLIPError("the file is empty", at: source, hint: "expected a header line")
        }
        let format = try detectFormat(header.fields, source: source)
        var candles: [Candle] = []
        var lineNumbers: [Int] = []
        while let line = lines.next() {
            candles.append(try parseRow(line.fields, format: format, location: "\(source): line \(line.number)"))
            lineNumbers.append(line.number)
        }
        guard !candles.isEmpty else {
            throw ChartCLIPError("the file has a header but no candles", at: source)
        }
        let step = try interval ?? inferInterval(candles, source: source)
        let before = candles.count
        switch formingCandle {
        case .keep: break
        case .dropLast: candles.removeLast()
        case .dropUnclosed(let asOf):
            while let last = candles.last, last.startTime + step.milliseconds > asOf { candles.removeLast() }
        }
        let series = CandleSeries(symbol: symbol, interval: step, candles: candles)
        let gaps = try series.validate(source: source, rowName: { "line \(lineNumbers[$0])" })
        return LoadedCandles(series: series, format: format, gaps: gaps, droppedRows: before - candles.count)
    }

    /// Writes `series` in the generic format (`timestamp,open,high,low,close,volume,turnover`),
    /// atomically: readers see the old file or the complete new one.
    public static func write(_ series: CandleSeries, to url: URL, timestamps: TimestampStyle = .iso) throws {
        try AtomicFile.write(encode(series, timestamps: timestamps), to: url)
    }

    /// The generic-format CSV text of `series`. Numbers use Swift's shortest round-trip
    /// spelling, so loading the text back gives the same doubles.
    public static func encode(_ series: CandleSeries, timestamps: TimestampStyle = .iso) -> String {
        var text = CandleFileFormat.generic.columns.joined(separator: ",") + "\n"
        text.reserveCapacity(series.candles.count * 80)
        for c in series.candles {
            let time = timestamps == .iso ? UTCTime.iso(milliseconds: c.startTime) : String(c.startTime)
            text += "\(time),\(c.open),\(c.high),\(c.low),\(c.close),\(c.volume),\(c.turnover)\n"
        }
        return text
    }

    /// `BTCUSDT` from `BTCUSDT_15m.csv`: the file name up to the first `_` or `.`, upper-cased.
    public static func symbol(fromFileName name: String) -> String {
        let stem = name.split(whereSeparator: { $0 == "_" || $0 == "." }).first.map(String.init) ?? name
        return stem.uppercased()
    }

    // MARK: Parsing helpers

    static func detectFormat(_ fields: [String], source: String) throws -> CandleFileFormat {
        let names = fields.map { $0.lowercased() }
        if names == CandleFileFormat.recorded.columns { return .recorded }
        let generic = CandleFileFormat.generic.columns
        if names == generic || names == Array(generic.dropLast()) { return .generic }
        throw ChartCLIPError(
            "unrecognised header \"\(fields.joined(separator: ","))\"", at: "\(source): line 1",
            hint: "expected \"\(CandleFileFormat.recorded.columns.joined(separator: ","))\" or "
                + "\"timestamp,open,high,low,close,volume[,turnover]\"")
    }

    static func parseRow(_ fields: [String], format: CandleFileFormat, location: String) throws -> Candle {
        let expected = format == .recorded ? [7] : [6, 7]
        guard expected.contains(fields.count) else {
            throw ChartCLIPError(
                "expected \(expected.map(String.init).joined(separator: " or ")) fields, found \(fields.count)",
                at: location)
        }
        let names = format.columns
        func number(_ i: Int) throws -> Double {
            let text = fields[i]
            guard let value = Double(text), value.isFinite else {
                throw ChartCLIPError(
                    "field \(names[i]) is \"\(text)\", not a number", at: location, hint: "fix or remove this row")
            }
            return value
        }
        return Candle(
            startTime: try timestamp(fields[0], field: names[0], location: location),
            open: try number(1), high: try number(2), low: try number(3), close: try number(4),
            volume: try number(5), turnover: fields.count > 6 ? try number(6) : 0)
    }

    /// UTC milliseconds from all-digit text, or ISO 8601. Digits below 10¹¹ are refused rather
    /// than guessed: they are almost surely seconds, and a silent ×1000 would hide a mistake.
    static func timestamp(_ text: String, field: String, location: String) throws -> Int64 {
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            guard let ms = Int64(text), ms >= 100_000_000_000 else {
                throw ChartCLIPError(
                    "field \(field) is \(text), which looks like seconds, not milliseconds",
                    at: location, hint: "write timestamps as UTC milliseconds or ISO 8601")
            }
            return ms
        }
        guard let ms = UTCTime.parseISO(text) else {
            throw ChartCLIPError(
                "field \(field) is \"\(text)\", not a time", at: location,
                hint: "use UTC milliseconds or ISO 8601 such as 2025-06-01T00:00:00Z")
        }
        return ms
    }

    static func inferInterval(_ candles: [Candle], source: String) throws -> CandleInterval {
        var step = Int64.max
        for i in candles.indices.dropFirst() {
            let d = candles[i].startTime - candles[i - 1].startTime
            if d > 0 { step = min(step, d) }
        }
        guard step != .max, step % 60_000 == 0 else {
            throw ChartCLIPError(
                "cannot infer the candle interval from the timestamps", at: source,
                hint: "pass the interval explicitly (e.g. --interval 15)")
        }
        return CandleInterval(minutes: Int(step / 60_000))
    }
}

/// Splits CSV bytes into numbered lines of comma-separated fields (no quoting: candle files
/// hold only numbers and times). Skips blank lines, strips `\r`, spaces around fields and a
/// UTF-8 byte-order mark. Works on bytes: Foundation's string trimming made loading the
/// recorded files ten times slower.
struct CSVLines {
    private let bytes: [UInt8]
    private var position = 0
    private var lineNumber = 0

    init(_ data: Data) {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        self.bytes = bytes
    }

    mutating func next() -> (number: Int, fields: [String])? {
        while position < bytes.count {
            lineNumber += 1
            var end = position
            while end < bytes.count && bytes[end] != 10 { end += 1 }
            var lineEnd = end
            if lineEnd > position && bytes[lineEnd - 1] == 13 { lineEnd -= 1 }
            let line = bytes[position..<lineEnd]
            position = end + 1
            if line.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
            let fields = line.split(separator: 44, omittingEmptySubsequences: false).map { field in
                var f = field[...]
                while let b = f.first, b == 32 || b == 9 { f.removeFirst() }
                while let b = f.last, b == 32 || b == 9 { f.removeLast() }
                return String(decoding: f, as: UTF8.self)
            }
            return (lineNumber, fields)
        }
        return nil
    }
}
