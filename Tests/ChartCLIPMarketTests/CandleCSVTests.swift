import ChartCLIPMarket
import ChartCLIPSupport
import ChartCLIPTestSupport
import Foundation
import Testing

/// Loading, validating and writing candle files.
@Suite struct CandleCSVTests {
    static let recordedHeader = "ts,open,high,low,close,vol,turn\n"

    /// Parses `text` as a file named `name`.
    static func parse(_ text: String, name: String = "TESTUSDT_15m.csv", forming: FormingCandlePolicy = .keep) throws
        -> LoadedCandles
    {
        try CandleCSV.parse(
            Data(text.utf8), source: name, symbol: CandleCSV.symbol(fromFileName: name), formingCandle: forming)
    }

    /// The error thrown by `body`, which must throw a `ChartCLIPError`.
    static func error(_ body: () throws -> Void) -> ChartCLIPError? {
        do {
            try body()
            return nil
        } catch let error as ChartCLIPError {
            return error
        } catch {
            return ChartCLIPError("unexpected error type: \(error)")
        }
    }

    @Test func readsTheRecordedFormat() throws {
        let text = Self.recordedHeader + """
            2025-03-31 12:15:00+00:00,81958.5,82106.6,81874.4,82076.5,657.684,53917636.452
            2025-03-31 12:30:00+00:00,82076.5,82498.6,81992.0,82445.1,1313.21,108080335.4097
            """
        let loaded = try Self.parse(text, name: "BTCUSDT_15m.csv")
        #expect(loaded.format == .recorded)
        #expect(loaded.series.symbol == "BTCUSDT")
        #expect(loaded.series.interval == .m15)
        #expect(loaded.series.candles.count == 2)
        let first = loaded.series.candles[0]
        #expect(first.startTime == 1_743_423_300_000)  // 2025-03-31T12:15:00Z
        #expect(first == Candle(
            startTime: 1_743_423_300_000, open: 81958.5, high: 82106.6, low: 81874.4, close: 82076.5,
            volume: 657.684, turnover: 53917636.452))
    }

    @Test func readsTheGenericFormatWithMillisecondsOrISOAndOptionalTurnover() throws {
        let millis = "timestamp,open,high,low,close,volume\n1748736000000,1,2,0.5,1.5,10\n1748736900000,1.5,2,1,1.2,11\n"
        let iso = "Timestamp,Open,High,Low,Close,Volume,Turnover\r\n2025-06-01T00:00:00Z,1,2,0.5,1.5,10,15\r\n"
            + "2025-06-01T00:15:00Z,1.5,2,1,1.2,11,14\r\n"
        let a = try Self.parse(millis)
        let b = try Self.parse(iso)
        #expect(a.format == .generic && b.format == .generic)
        #expect(a.series.candles.map(\.startTime) == b.series.candles.map(\.startTime))
        #expect(a.series.candles[0].turnover == 0 && b.series.candles[0].turnover == 15)
    }

    @Test func writerRoundTripsExactlyAndAtomically() throws {
        let directory = try Fixtures.temporaryDirectory("csv")
        defer { try? FileManager.default.removeItem(at: directory) }
        let series = CandleSeries(symbol: "SYNTHUSDT", interval: .h1, candles: [
            Candle(startTime: 1_748_736_000_000, open: 0.09805, high: 0.09862, low: 0.09793, close: 0.09857, volume: 216502, turnover: 21247.07255),
            Candle(startTime: 1_748_739_600_000, open: 0.09857, high: 0.1, low: 0.0985, close: 0.0999, volume: 1e-3, turnover: 0),
        ])
        for style in [CandleCSV.TimestampStyle.iso, .milliseconds] {
            let url = directory.appendingPathComponent("SYNTHUSDT_1h.csv")
            try CandleCSV.write(series, to: url, timestamps: style)
            let loaded = try CandleCSV.load(url)
            #expect(loaded.series == series)
            // No temporary file is left beside the result.
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["SYNTHUSDT_1h.csv"])
        }
    }

    @Test func impossiblePricesNameTheFileLineAndWhatIsWrong() {
        let cases: [(row: String, says: String)] = [
            ("2025-06-01T00:15:00Z,10,10.5,9,11,1", "high 10.5 is below"),  // close above high
            ("2025-06-01T00:15:00Z,10,12,10.5,11,1", "low 10.5 is above"),
            ("2025-06-01T00:15:00Z,10,12,0,11,1", "low is 0.0; prices must be positive"),
            ("2025-06-01T00:15:00Z,-1,12,-2,11,1", "open is -1.0"),
            ("2025-06-01T00:15:00Z,10,12,9,eleven,1", "field close is \"eleven\""),
            ("2025-06-01T00:15:00Z,10,12,9,11", "expected 6 or 7 fields"),
            ("1748736900,10,12,9,11,1", "looks like seconds"),
            ("yesterday,10,12,9,11,1", "not a time"),
        ]
        for (row, says) in cases {
            let text = "timestamp,open,high,low,close,volume\n2025-06-01T00:00:00Z,10,12,9,11,1\n\(row)\n"
            let error = Self.error { _ = try Self.parse(text, name: "X_15m.csv") }
            #expect(error?.location?.hasPrefix("X_15m.csv: line 3") == true, "\(row): \(String(describing: error))")
            #expect(error?.message.contains(says) == true, "\(row): \(String(describing: error))")
        }
    }

    @Test func unsortedAndDuplicateTimesAreErrorsNamingTheRow() {
        let header = "timestamp,open,high,low,close,volume\n"
        let ok = "2025-06-01T00:00:00Z,10,12,9,11,1\n2025-06-01T00:15:00Z,10,12,9,11,1\n"
        let duplicate = Self.error {
            _ = try Self.parse(header + ok + "2025-06-01T00:15:00Z,10,12,9,11,1\n", name: "D.csv")
        }
        #expect(duplicate?.location?.hasPrefix("D.csv: line 4") == true)
        #expect(duplicate?.message.contains("duplicate") == true)
        let unsorted = Self.error {
            _ = try Self.parse(header + ok + "2025-06-01T00:30:00Z,10,12,9,11,1\n2025-06-01T00:00:00Z,10,12,9,11,1\n", name: "U.csv")
        }
        #expect(unsorted?.location?.hasPrefix("U.csv: line 5") == true)
        #expect(unsorted?.message.contains("not sorted") == true)
        let header7 = Self.error { _ = try Self.parse("time,o,h,l,c,v\n" + ok, name: "H.csv") }
        #expect(header7?.location == "H.csv: line 1")
        #expect(header7?.hint?.contains("timestamp,open,high,low,close,volume") == true)
    }

    @Test func gapsAreReportedNeverFilled() throws {
        let text = "timestamp,open,high,low,close,volume\n"
            + "2025-06-01T00:00:00Z,10,12,9,11,1\n2025-06-01T00:15:00Z,10,12,9,11,1\n"
            + "2025-06-01T01:00:00Z,10,12,9,11,1\n2025-06-01T01:15:00Z,10,12,9,11,1\n"
        let loaded = try Self.parse(text)
        #expect(loaded.series.candles.count == 4)
        #expect(loaded.series.interval == .m15)
        #expect(loaded.gaps == [CandleGap(
            afterIndex: 1, expectedStart: 1_748_737_800_000, actualStart: 1_748_739_600_000, missingCount: 2)])
        #expect(loaded.gaps[0].description.hasPrefix("2 candles missing: 2025-06-01T00:30:00Z"))
    }

    @Test func theLastRowMayBeDroppedAsStillForming() throws {
        let text = "timestamp,open,high,low,close,volume\n"
            + "2025-06-01T00:00:00Z,10,12,9,11,1\n2025-06-01T00:15:00Z,10,12,9,11,1\n2025-06-01T00:30:00Z,10,12,9,11,1\n"
        #expect(try Self.parse(text, forming: .dropLast).series.candles.count == 2)
        // At 00:40 the 00:30 candle is still open; at 00:45 it has closed.
        let at0040 = UTCTime.parseISO("2025-06-01T00:40:00Z")!
        let at0045 = UTCTime.parseISO("2025-06-01T00:45:00Z")!
        #expect(try Self.parse(text, forming: .dropUnclosed(asOf: at0040)).droppedRows == 1)
        #expect(try Self.parse(text, forming: .dropUnclosed(asOf: at0045)).droppedRows == 0)
    }

    @Test(.enabled(if: Fixtures.recordedBybit != nil, "../shared/data/bybit is not next to the repository")) func loadsEveryRecordedFileCleanly() throws {
        let symbols = try #require(try RecordedData.loaded(for: "loadsEveryRecordedFileCleanly"))
        #expect(symbols.count >= 1)
        for symbol in symbols {
            let loaded = symbol.quarterHours
            #expect(loaded.format == .recorded)
            #expect(loaded.series.symbol == symbol.name && loaded.series.interval == .m15)
            #expect(loaded.gaps.isEmpty, "\(symbol.name): \(loaded.gaps)")
            #expect(loaded.series.candles.count == 8999 && loaded.droppedRows == 1, "\(symbol.name)")
        }
    }
}
