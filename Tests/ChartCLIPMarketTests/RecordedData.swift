import ChartCLIPMarket
import ChartCLIPTestSupport
import Foundation

/// The recorded Bybit files in `../shared/data/bybit/` (never copied into the repository),
/// loaded once for every test that reads them: a debug build takes about a quarter of a
/// second per file.
enum RecordedData {
    /// One symbol's recorded candles, last (possibly still forming) row dropped.
    struct Symbol: Sendable {
        var name: String
        var quarterHours: LoadedCandles
        var fourHours: LoadedCandles?
    }

    /// Every symbol of `linear_15m/`, sorted by name; `nil` when the folder is not there.
    static let symbols: Result<[Symbol], Error>? = {
        guard let root = Fixtures.recordedBybit else { return nil }
        return Result {
            let folder = root.appendingPathComponent("linear_15m")
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { $0.hasSuffix("_15m.csv") }.sorted()
            return try names.map { name in
                let symbol = CandleCSV.symbol(fromFileName: name)
                let quarter = try CandleCSV.load(folder.appendingPathComponent(name), formingCandle: .dropLast)
                let fourHourURL = root.appendingPathComponent("linear_240m/\(symbol)_240m.csv")
                let four = FileManager.default.fileExists(atPath: fourHourURL.path)
                    ? try CandleCSV.load(fourHourURL, formingCandle: .dropLast) : nil
                return Symbol(name: symbol, quarterHours: quarter, fourHours: four)
            }
        }
    }()

    /// The symbols, or `nil` after printing why the calling test is skipped.
    static func loaded(for test: String) throws -> [Symbol]? {
        guard let symbols else {
            print("\(test): skipped, ../shared/data/bybit is not next to the repository")
            return nil
        }
        return try symbols.get()
    }
}
